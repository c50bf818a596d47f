package components

import (
	"fmt"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/unlimited-translation/infra/internal/mockstack"
)

// An autoscaled backend: the HPA targets its Deployment on CPU, the
// Deployment starts at the minimum and leaves its replica count to the
// HPA; every workload has a budget of one pod down at a time.
func TestBackendAutoscalesAndHasABudget(t *testing.T) {
	m := run(t, func(ctx *pulumi.Context) error {
		_, err := NewBackend(ctx, "be", BackendArgs{Image: "b:1", Requests: small, Replicas: 2,
			Autoscale: &Autoscale{MinReplicas: 2, MaxReplicas: 5, CPUPercent: 60}})
		return err
	})
	hpa := m.Must(t, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "be")
	mockstack.Expect(t, "HPA", hpa.Inputs, map[string]string{
		"spec.scaleTargetRef.kind":            "Deployment",
		"spec.scaleTargetRef.name":            "backend-fastapi-deploy",
		"spec.metrics.0.resource.name":        "cpu",
		"spec.metrics.0.resource.target.type": "Utilization",
		"metadata.name":                       "backend-fastapi-deploy",
	})
	spec := hpa.Inputs["spec"].ObjectValue()
	if spec["minReplicas"].NumberValue() != 2 || spec["maxReplicas"].NumberValue() != 5 ||
		spec["metrics"].ArrayValue()[0].ObjectValue()["resource"].ObjectValue()["target"].ObjectValue()["averageUtilization"].NumberValue() != 60 {
		t.Errorf("HPA bounds %v", spec)
	}
	dep := m.Must(t, "kubernetes:apps/v1:Deployment", "be")
	if dep.Inputs["spec"].ObjectValue()["replicas"].NumberValue() != 2 {
		t.Errorf("deployment starts at %v replicas", dep.Inputs["spec"].ObjectValue()["replicas"])
	}
	if to := dep.Request.GetCustomTimeouts(); to.GetCreate() != "20m" || to.GetUpdate() != "20m" {
		t.Errorf("rollout timeouts %v: a cold node and a 2 GiB image need more than the default 10 minutes", to)
	}
	if ic := dep.Request.GetIgnoreChanges(); len(ic) != 1 || ic[0] != "spec.replicas" {
		t.Errorf("deployment ignoreChanges %v: an up would reset what the autoscaler chose", ic)
	}
	pdb := m.Must(t, "kubernetes:policy/v1:PodDisruptionBudget", "be")
	if pdb.Inputs["spec"].ObjectValue()["maxUnavailable"].NumberValue() != 1 || mockstack.Str(pdb.Inputs, "spec.selector.matchLabels.name") != "backend-fastapi-pod" {
		t.Errorf("budget %v", pdb.Inputs["spec"])
	}

	// Without Autoscale: no HPA, and the replica count is Pulumi's.
	m = run(t, func(ctx *pulumi.Context) error {
		_, err := NewBackend(ctx, "be", BackendArgs{Image: "b:1", Requests: small, Replicas: 3})
		return err
	})
	if len(m.ByType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler")) != 0 {
		t.Error("an HPA without Autoscale")
	}
	if dep := m.Must(t, "kubernetes:apps/v1:Deployment", "be"); len(dep.Request.GetIgnoreChanges()) != 0 || dep.Inputs["spec"].ObjectValue()["replicas"].NumberValue() != 3 {
		t.Errorf("fixed replicas: %v, ignoreChanges %v", dep.Inputs["spec"].ObjectValue()["replicas"], dep.Request.GetIgnoreChanges())
	}
}

// The app's policies: all ingress denied, then the frontend from anywhere
// on 80 (no load balancer in front: a local cluster's NodePort), the
// backend and MySQL only from the frontend. Who reaches whom with the
// egress rules too: stacks' TestNetworkPoliciesReachability.
func TestNetworkPoliciesOpenOnlyWhatTheAppUses(t *testing.T) {
	m := run(t, func(ctx *pulumi.Context) error {
		_, err := NewTranslationApp(ctx, "app", TranslationAppArgs{
			NetworkPolicies: true,
			Backend:         BackendArgs{Image: "b:1", Requests: small},
			Frontend:        FrontendArgs{Image: "f:1", Requests: small},
			Database: DatabaseArgs{Image: "mysql:8.4", Requests: small, StorageSize: "1Gi", User: "app",
				RootPassword: pulumi.String("r00t-pass"), Password: pulumi.String("app-pass1")},
		})
		return err
	})
	const np = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
	// Deny in, deny out, DNS out, the public port in, and each of the two
	// allowed pairs in and out.
	if n := len(m.ByType(np)); n != 8 {
		t.Fatalf("%d policies, want 8", n)
	}
	deny := m.Must(t, np, "app-network-deny")
	if sel := deny.Inputs["spec"].ObjectValue()["podSelector"].ObjectValue(); len(sel) != 0 {
		t.Errorf("default deny selects %v, want every pod", sel)
	}
	if _, has := deny.Inputs["spec"].ObjectValue()["ingress"]; has || mockstack.Str(deny.Inputs, "spec.policyTypes.0") != "Ingress" {
		t.Errorf("default deny %v", deny.Inputs["spec"])
	}
	for _, c := range []struct{ res, to, from, port string }{
		{"app-network-public", "frontend-flask-pod", "", "80"},
		{"app-network-backend-from-frontend", "backend-fastapi-pod", "frontend-flask-pod", "80"},
		{"app-network-mysql-from-frontend", "mysql-pod", "frontend-flask-pod", "3306"},
	} {
		p := m.Must(t, np, c.res)
		if got := mockstack.Str(p.Inputs, "spec.podSelector.matchLabels.name"); got != c.to {
			t.Errorf("%s applies to %q, want %q", c.res, got, c.to)
		}
		if got := mockstack.Str(p.Inputs, "spec.ingress.0.from.0.podSelector.matchLabels.name"); got != c.from {
			t.Errorf("%s lets in %q, want %q", c.res, got, c.from)
		}
		if got, _ := mockstack.Path(p.Inputs, "spec.ingress.0.ports.0.port"); fmt.Sprint(got.V) != c.port {
			t.Errorf("%s port %v, want %s", c.res, got.V, c.port)
		}
	}
}
