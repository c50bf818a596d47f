package components

import (
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// NetworkPoliciesArgs configures NetworkPolicies: who may reach whom.
type NetworkPoliciesArgs struct {
	// Namespace the policies apply to. Default "default".
	Namespace string
	// Public are the pods anyone may reach (the load balancer and its
	// health checks come from Google's ranges), on PublicPort.
	Public     map[string]string
	PublicPort int
	// Allowed lists the other pods and who may reach them on which port.
	Allowed   []Allowed
	Placement Placement
}

// Allowed lets the pods From reach the pods To on Port.
type Allowed struct {
	Name     string
	To, From map[string]string
	Port     int
}

// NetworkPolicies denies every incoming connection to the namespace's pods
// by default and opens only what the app uses. GKE Autopilot enforces
// NetworkPolicies (Dataplane V2).
type NetworkPolicies struct {
	pulumi.ResourceState
}

// NewNetworkPolicies creates the policies.
func NewNetworkPolicies(ctx *pulumi.Context, name string, args NetworkPoliciesArgs, opts ...pulumi.ResourceOption) (*NetworkPolicies, error) {
	n := &NetworkPolicies{}
	if err := ctx.RegisterComponentResource("translation:components:NetworkPolicies", name, n, opts...); err != nil {
		return nil, err
	}
	ns := orDefault(args.Namespace, "default")
	policy := func(resName, k8sName string, spec *networkingv1.NetworkPolicySpecArgs) error {
		_, err := networkingv1.NewNetworkPolicy(ctx, resName, &networkingv1.NetworkPolicyArgs{
			Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(k8sName), Namespace: pulumi.String(ns),
				Labels: pulumi.StringMap{"app": pulumi.String(AppLabel)}},
			Spec: spec,
		}, args.Placement.inCluster(n)...)
		return err
	}
	port := func(p int) networkingv1.NetworkPolicyPortArray {
		return networkingv1.NetworkPolicyPortArray{&networkingv1.NetworkPolicyPortArgs{
			Protocol: pulumi.String("TCP"), Port: pulumi.Int(p),
		}}
	}
	// An empty pod selector with no ingress rule: nothing gets in unless a
	// policy below lets it.
	if err := policy(name+"-deny", "default-deny-ingress", &networkingv1.NetworkPolicySpecArgs{
		PodSelector: &metav1.LabelSelectorArgs{},
		PolicyTypes: pulumi.StringArray{pulumi.String("Ingress")},
	}); err != nil {
		return nil, err
	}
	if err := policy(name+"-public", "allow-public", &networkingv1.NetworkPolicySpecArgs{
		PodSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(args.Public)},
		PolicyTypes: pulumi.StringArray{pulumi.String("Ingress")},
		Ingress:     networkingv1.NetworkPolicyIngressRuleArray{&networkingv1.NetworkPolicyIngressRuleArgs{Ports: port(args.PublicPort)}},
	}); err != nil {
		return nil, err
	}
	for _, a := range args.Allowed {
		if err := policy(name+"-"+a.Name, "allow-"+a.Name, &networkingv1.NetworkPolicySpecArgs{
			PodSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(a.To)},
			PolicyTypes: pulumi.StringArray{pulumi.String("Ingress")},
			Ingress: networkingv1.NetworkPolicyIngressRuleArray{&networkingv1.NetworkPolicyIngressRuleArgs{
				From: networkingv1.NetworkPolicyPeerArray{&networkingv1.NetworkPolicyPeerArgs{
					PodSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(a.From)},
				}},
				Ports: port(a.Port),
			}},
		}); err != nil {
			return nil, err
		}
	}
	return n, ctx.RegisterResourceOutputs(n, pulumi.Map{})
}
