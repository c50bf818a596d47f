// Package components holds the app's Kubernetes objects as reusable Pulumi
// component resources. Nothing here knows about GCP resources.
package components

import (
	"strconv"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Placement says where a component's objects live and how they go.
type Placement struct {
	// DeletedWith is the cluster: objects that hold nothing outside it are
	// not deleted one by one when it is deleted too (fast teardown). Objects
	// that own cloud resources (load balancer, NEGs, certificate, disks) are
	// always deleted explicitly, so their controllers clean those up first.
	DeletedWith pulumi.Resource
	// DependsOn is what every object needs first (its namespace).
	DependsOn []pulumi.Resource
	// RolloutTimeout is how long an up waits for a Deployment's or
	// StatefulSet's rollout before it fails with the provider's reason (a
	// Go duration; default DefaultRolloutTimeout). The provider's await
	// takes the engine's custom timeout as its bound.
	RolloutTimeout string
}

// rolloutTimeouts bounds a workload's create and update by RolloutTimeout.
func (p Placement) rolloutTimeouts() pulumi.ResourceOption {
	t := p.RolloutTimeout
	if t == "" {
		t = DefaultRolloutTimeout
	}
	return pulumi.Timeouts(&pulumi.CustomTimeouts{Create: t, Update: t})
}

// inCluster returns the options of a child that lives only inside the
// cluster.
func (p Placement) inCluster(parent pulumi.Resource) []pulumi.ResourceOption {
	opts := p.ownsCloud(parent)
	if p.DeletedWith != nil {
		opts = append(opts, pulumi.DeletedWith(p.DeletedWith))
	}
	return opts
}

// ownsCloud returns the options of a child that owns resources outside the
// cluster: it is always deleted on its own.
func (p Placement) ownsCloud(parent pulumi.Resource) []pulumi.ResourceOption {
	opts := []pulumi.ResourceOption{pulumi.Parent(parent)}
	if len(p.DependsOn) > 0 {
		opts = append(opts, pulumi.DependsOn(p.DependsOn))
	}
	return opts
}

// Requests are a container's resource requests. Autopilot bills requests
// and sets limits itself, so limits are never set (pulumi-kubernetes 2662);
// ephemeral storage is always explicit (pulumi-kubernetes 3376).
type Requests struct {
	CPU              string
	Memory           string
	EphemeralStorage string
}

func (r Requests) args(acc *Accelerator) *corev1.ResourceRequirementsArgs {
	req := &corev1.ResourceRequirementsArgs{
		Requests: pulumi.StringMap{
			"cpu":               pulumi.String(r.CPU),
			"memory":            pulumi.String(r.Memory),
			"ephemeral-storage": pulumi.String(r.EphemeralStorage),
		},
	}
	if acc != nil {
		// GPUs are asked for as a limit; Kubernetes sets the request of an
		// extended resource equal to it (GKE, "Deploy GPU workloads in
		// Autopilot").
		req.Limits = pulumi.StringMap{GPUResource: pulumi.String(strconv.Itoa(acc.count()))}
	}
	return req
}

// GPUResource is the extended resource NVIDIA GPUs are requested as.
const GPUResource = "nvidia.com/gpu"

// Accelerator puts a workload's pods on GPU nodes: Autopilot provisions a
// node with the GPU type and count the pod selects (GKE, "Deploy GPU
// workloads in Autopilot": the cloud.google.com/gke-accelerator selector
// and an nvidia.com/gpu limit are required; gke-accelerator-count picks
// the node's GPU count).
type Accelerator struct {
	// Type is GKE's accelerator name, e.g. nvidia-l4.
	Type string
	// Count of GPUs per pod. Default 1.
	Count int
}

func (a *Accelerator) count() int { return orDefault(a.Count, 1) }

// The node selector keys Autopilot reads: Spot capacity ("true"), and a
// GPU node's accelerator type and count. infra cost reads them back.
const (
	SpotSelector             = "cloud.google.com/gke-spot"
	AcceleratorSelector      = "cloud.google.com/gke-accelerator"
	AcceleratorCountSelector = "cloud.google.com/gke-accelerator-count"
)

// nodeSelector is a pod's node selector: Spot and the accelerator, or none.
func nodeSelector(spot bool, acc *Accelerator) pulumi.StringMapInput {
	sel := pulumi.StringMap{}
	if spot {
		sel[SpotSelector] = pulumi.String("true")
	}
	if acc != nil {
		sel[AcceleratorSelector] = pulumi.String(acc.Type)
		sel[AcceleratorCountSelector] = pulumi.String(strconv.Itoa(acc.count()))
	}
	if len(sel) == 0 {
		return nil
	}
	return sel
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// httpProbe checks GET path on the container port.
func httpProbe(path string, port, period, failures int) *corev1.ProbeArgs {
	return &corev1.ProbeArgs{
		HttpGet: &corev1.HTTPGetActionArgs{
			Path: pulumi.String(path),
			Port: pulumi.Int(port),
		},
		PeriodSeconds:    pulumi.Int(period),
		TimeoutSeconds:   pulumi.Int(5),
		FailureThreshold: pulumi.Int(failures),
	}
}

// Spot Pods: the nodeSelector that asks Autopilot for Spot capacity, and
// the grace period it honours on preemption, at most 25 seconds (GKE, "Run
// fault-tolerant workloads at lower costs in Spot Pods").
const spotGraceSeconds = 25

// spotGrace keeps a Spot pod's shutdown within what a preemption allows.
func spotGrace(spot bool) pulumi.IntPtrInput {
	if !spot {
		return nil
	}
	return pulumi.IntPtr(spotGraceSeconds)
}

// optional is s, or nothing when s is empty.
func optional(s string) pulumi.StringPtrInput {
	if s == "" {
		return nil
	}
	return pulumi.StringPtr(s)
}

// stringsOrNil is v, or nothing when v is empty.
func stringsOrNil(v []string) pulumi.StringArrayInput {
	if len(v) == 0 {
		return nil
	}
	return pulumi.ToStringArray(v)
}

// namespace creates ns unless it is "default", and returns the placement
// of objects in it: they wait for it. Either way the namespace enforces
// the restricted Pod Security Standard, which every pod here meets (see
// RunAs); "default" is labelled only on a cluster the stack owns
// (DeletedWith set), never on a cluster it merely deploys to, whose other
// workloads the labels would hold to it.
func namespace(ctx *pulumi.Context, name, ns string, place Placement, parent pulumi.Resource) (Placement, error) {
	var res pulumi.Resource
	var err error
	switch {
	case ns != "default":
		res, err = corev1.NewNamespace(ctx, name, &corev1.NamespaceArgs{
			Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(ns), Labels: podSecurityLabels()},
		}, place.inCluster(parent)...)
	case place.DeletedWith != nil:
		res, err = corev1.NewNamespacePatch(ctx, name, &corev1.NamespacePatchArgs{
			Metadata: &metav1.ObjectMetaPatchArgs{Name: pulumi.String(ns), Labels: podSecurityLabels()},
		}, place.inCluster(parent)...)
	default:
		return place, nil
	}
	if err != nil {
		return place, err
	}
	place.DependsOn = append(append([]pulumi.Resource{}, place.DependsOn...), res)
	return place, nil
}

// podSecurityLabels make the API server's Pod Security admission refuse a
// pod that does not meet the restricted profile (Kubernetes, "Enforce Pod
// Security Standards with namespace labels"); GKE Autopilot honours them
// ("Security capabilities in GKE Autopilot": PodSecurity admission can be
// used per namespace). The enforced version is pinned, so a later
// Kubernetes release cannot refuse pods that were admitted; warnings
// follow the latest.
func podSecurityLabels() pulumi.StringMap {
	return pulumi.StringMap{
		"pod-security.kubernetes.io/enforce":         pulumi.String("restricted"),
		"pod-security.kubernetes.io/enforce-version": pulumi.String(PodSecurityVersion),
		"pod-security.kubernetes.io/warn":            pulumi.String("restricted"),
		"pod-security.kubernetes.io/audit":           pulumi.String("restricted"),
	}
}

// PodSecurityVersion is the Pod Security Standards version enforced.
const PodSecurityVersion = "v1.32"
