package engine

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// A cluster's load balancer and network endpoint groups (NEGs) are made
// by GKE's controllers, not by Pulumi. GKE ("Container-native load
// balancing through standalone zonal NEGs", Prevent leaked NEGs): deleting
// a cluster leaves NEGs behind when the deletion shuts the NEG controller
// down before it deleted them, so delete the NEGs before the cluster.
// Objects in the cluster are deletedWith it (never deleted one by one), so
// before sleep and destroy delete the cluster, drainLoadBalancer deletes
// the Ingresses and the Services they send to, through Pulumi (the state
// stays true), and waits until the NEG controller has removed their NEGs.

const (
	ingressType = "kubernetes:networking.k8s.io/v1:Ingress"
	serviceType = "kubernetes:core/v1:Service"
)

// negWait bounds the wait for the NEG controller: INFRA_NEG_WAIT (a Go
// duration) or 10 minutes; GKE documents no figure.
func negWait() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("INFRA_NEG_WAIT")); err == nil && d > 0 {
		return d
	}
	return 10 * time.Minute
}

// loadBalanced is what drainLoadBalancer deletes: the Ingresses and the
// Services their rules name, and the namespaces they are in.
func loadBalanced(resources []stateResource) (urns []string, namespaces []string) {
	nsOf := func(in resource.PropertyValue) string {
		if ns := stringAt(in, "metadata.namespace"); ns != "" {
			return ns
		}
		return "default"
	}
	backends := map[string]bool{} // namespace/name
	seen := map[string]bool{}
	for _, r := range resources {
		if r.Type != ingressType {
			continue
		}
		in := resource.NewObjectProperty(resource.NewPropertyMapFromMap(r.Inputs))
		ns := nsOf(in)
		urns = append(urns, r.URN)
		if !seen[ns] {
			seen[ns] = true
			namespaces = append(namespaces, ns)
		}
		names := []string{stringAt(in, "spec.defaultBackend.service.name")}
		for _, rule := range arrayAt(in, "spec.rules") {
			for _, p := range arrayAt(rule, "http.paths") {
				names = append(names, stringAt(p, "backend.service.name"))
			}
		}
		for _, n := range names {
			if n != "" {
				backends[ns+"/"+n] = true
			}
		}
	}
	for _, r := range resources {
		in := resource.NewObjectProperty(resource.NewPropertyMapFromMap(r.Inputs))
		if r.Type == serviceType && backends[nsOf(in)+"/"+stringAt(in, "metadata.name")] {
			urns = append(urns, r.URN)
		}
	}
	sort.Strings(namespaces)
	return urns, namespaces
}

// DrainLoadBalancer runs before the cluster goes (sleep, destroy), and
// says whether it changed the state. What it cannot do is said and left:
// the cluster's deletion then goes ahead as it would have. Only an
// interrupt (Ctrl-C, a cancelled context) is an error: the verb stops.
func (e *Engine) DrainLoadBalancer(ctx context.Context) (bool, error) {
	if e.Config.Local() {
		return false, nil
	}
	var state struct {
		Resources []stateResource `json:"resources"`
	}
	if _, err := e.export(ctx, &state); err != nil {
		fmt.Fprintf(e.Err, "infra: warning: the load balancer of %s was not deleted before its cluster: %v\n", e.Name, err)
		return false, nil
	}
	urns, namespaces := loadBalanced(state.Resources)
	if len(urns) == 0 {
		return false, nil
	}
	fmt.Fprintf(e.Err, "infra: deleting the load balancer of %s before its cluster, so GKE deletes its NEGs (Ingress and the Services it sends to)\n", e.Name)
	_, err := e.stack.Destroy(ctx, optdestroy.Target(urns), optdestroy.TargetDependents(),
		optdestroy.ProgressStreams(e.Out), optdestroy.ErrorProgressStreams(e.Err))
	if err != nil && (ctx.Err() != nil || e.cli.interrupted.Load()) {
		return true, fmt.Errorf("interrupted while deleting the load balancer of %s, before its cluster: %s", e.Name, brief(err))
	}
	if err != nil {
		fmt.Fprintf(e.Err, "infra: warning: the load balancer of %s could not be deleted before its cluster (%s): its NEGs, forwarding rules and health checks may stay in project %s; gcloud compute network-endpoint-groups list --project %s shows them\n",
			e.Name, brief(err), e.Config.GCPProject, e.Config.GCPProject)
		return true, nil
	}
	left, err := e.waitForNEGs(ctx, namespaces, negWait())
	switch {
	case ctx.Err() != nil || e.cli.interrupted.Load():
		return true, fmt.Errorf("interrupted while waiting for the NEGs of %s to go, before its cluster", e.Name)
	case err != nil:
		fmt.Fprintf(e.Err, "infra: warning: the NEGs of %s could not be checked: %v\n", e.Name, err)
	case len(left) > 0:
		fmt.Fprintf(e.Err, "infra: warning: after %s GKE's NEG controller still holds %d NEGs of %s (%s): they stay in project %s once the cluster goes; delete each with gcloud compute network-endpoint-groups delete NAME --zone ZONE --project %s\n",
			negWait(), len(left), e.Name, strings.Join(left, ", "), e.Config.GCPProject, e.Config.GCPProject)
	default:
		fmt.Fprintf(e.Err, "infra: the NEG controller has deleted every NEG of %s\n", e.Name)
	}
	return true, nil
}

// waitForNEGs polls the NEG controller's objects in namespaces until none
// is left or wait has passed, and returns those left.
func (e *Engine) waitForNEGs(ctx context.Context, namespaces []string, wait time.Duration) ([]string, error) {
	jobs, done, err := e.kubeJobs(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	poll := min(5*time.Second, wait/10)
	deadline := time.Now().Add(wait)
	for {
		var left []string
		for _, ns := range namespaces {
			jobs.Namespace = ns
			names, err := jobs.NEGs(ctx)
			if err != nil {
				return nil, err
			}
			left = append(left, names...)
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return left, nil
		}
		select {
		case <-ctx.Done():
			return left, ctx.Err()
		case <-time.After(poll):
		}
	}
}
