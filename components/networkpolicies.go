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
	// Public are the pods reached from outside on PublicPort: with
	// LoadBalanced, only from LoadBalancerRanges (a GKE Ingress in front);
	// else from anywhere (a local cluster's NodePort, whose traffic comes
	// from its nodes).
	Public       map[string]string
	PublicPort   int
	LoadBalanced bool
	// Allowed lists the other pods and who may reach them on which port:
	// an ingress rule on To and an egress rule on From.
	Allowed []Allowed
	// Google lists the pods that call Google APIs with Workload Identity.
	Google []GoogleEgress
	// Placement of the policies.
	Placement Placement
}

// Allowed lets the pods From reach the pods To on Port.
type Allowed struct {
	Name     string
	To, From map[string]string
	Port     int
}

// GoogleEgress lets the pods From reach Google's APIs and the GKE
// metadata server, plus Ports anywhere outside the cluster's network.
type GoogleEgress struct {
	Name  string
	From  map[string]string
	Ports []int
}

// LoadBalancerRanges are where a Google Cloud external Application Load
// Balancer's proxies and health checks connect from, to NEG backends
// (Cloud Load Balancing, "Firewall rules": 35.191.0.0/16, 130.211.0.0/22).
var LoadBalancerRanges = []string{"35.191.0.0/16", "130.211.0.0/22"}

// Where DNS answers on GKE Autopilot: kube-dns pods, NodeLocal DNSCache
// (on by default, cannot be turned off: GKE, "Setting up NodeLocal
// DNSCache") at 169.254.20.10, and Cloud DNS for GKE (Autopilot's default
// provider: GKE, "Using Cloud DNS for GKE") at the metadata address.
var dnsAddresses = []string{"169.254.20.10/32", "169.254.169.254/32"}

// The GKE metadata server, which hands out Workload Identity tokens: GKE,
// "Workload Identity Federation for GKE", restrictions: allow egress to
// 169.254.169.252/32 on 988, and with Dataplane V2 to 169.254.169.254/32
// on 80.
var metadataServer = []struct {
	cidr string
	port int
}{{"169.254.169.252/32", 988}, {"169.254.169.254/32", 80}}

// privateRanges are left out of "the internet": nothing in the VPC but
// what a rule names.
var privateRanges = []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"}

// NetworkPolicies denies every connection to and from the namespace's
// pods by default and opens only what the app uses. GKE Autopilot
// enforces NetworkPolicies (Dataplane V2).
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
	pods := func(labels map[string]string) *metav1.LabelSelectorArgs {
		return &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(labels)}
	}
	ingress, egress := pulumi.StringArray{pulumi.String("Ingress")}, pulumi.StringArray{pulumi.String("Egress")}
	// Empty pod selectors with no rules: nothing gets in or out unless a
	// policy below lets it.
	if err := policy(name+"-deny", "default-deny-ingress", &networkingv1.NetworkPolicySpecArgs{
		PodSelector: &metav1.LabelSelectorArgs{}, PolicyTypes: ingress,
	}); err != nil {
		return nil, err
	}
	if err := policy(name+"-deny-egress", "default-deny-egress", &networkingv1.NetworkPolicySpecArgs{
		PodSelector: &metav1.LabelSelectorArgs{}, PolicyTypes: egress,
	}); err != nil {
		return nil, err
	}
	dns := networkingv1.NetworkPolicyPeerArray{&networkingv1.NetworkPolicyPeerArgs{
		NamespaceSelector: pods(map[string]string{"kubernetes.io/metadata.name": "kube-system"}),
		PodSelector:       pods(map[string]string{"k8s-app": "kube-dns"}),
	}}
	for _, cidr := range dnsAddresses {
		dns = append(dns, addresses(cidr))
	}
	if err := policy(name+"-dns", "allow-dns", &networkingv1.NetworkPolicySpecArgs{
		PodSelector: &metav1.LabelSelectorArgs{}, PolicyTypes: egress,
		Egress: networkingv1.NetworkPolicyEgressRuleArray{&networkingv1.NetworkPolicyEgressRuleArgs{
			To: dns, Ports: append(ports("UDP", 53), ports("TCP", 53)...),
		}},
	}); err != nil {
		return nil, err
	}
	var from networkingv1.NetworkPolicyPeerArray
	if args.LoadBalanced {
		for _, cidr := range LoadBalancerRanges {
			from = append(from, addresses(cidr))
		}
	}
	if err := policy(name+"-public", "allow-public", &networkingv1.NetworkPolicySpecArgs{
		PodSelector: pods(args.Public), PolicyTypes: ingress,
		Ingress: networkingv1.NetworkPolicyIngressRuleArray{&networkingv1.NetworkPolicyIngressRuleArgs{
			From: from, Ports: ports("TCP", args.PublicPort),
		}},
	}); err != nil {
		return nil, err
	}
	for _, a := range args.Allowed {
		if err := policy(name+"-"+a.Name, "allow-"+a.Name, &networkingv1.NetworkPolicySpecArgs{
			PodSelector: pods(a.To), PolicyTypes: ingress,
			Ingress: networkingv1.NetworkPolicyIngressRuleArray{&networkingv1.NetworkPolicyIngressRuleArgs{
				From:  networkingv1.NetworkPolicyPeerArray{&networkingv1.NetworkPolicyPeerArgs{PodSelector: pods(a.From)}},
				Ports: ports("TCP", a.Port),
			}},
		}); err != nil {
			return nil, err
		}
		if err := policy(name+"-"+a.Name+"-egress", "allow-"+a.Name+"-egress", &networkingv1.NetworkPolicySpecArgs{
			PodSelector: pods(a.From), PolicyTypes: egress,
			Egress: networkingv1.NetworkPolicyEgressRuleArray{&networkingv1.NetworkPolicyEgressRuleArgs{
				To:    networkingv1.NetworkPolicyPeerArray{&networkingv1.NetworkPolicyPeerArgs{PodSelector: pods(a.To)}},
				Ports: ports("TCP", a.Port),
			}},
		}); err != nil {
			return nil, err
		}
	}
	for _, g := range args.Google {
		// Google's APIs have no fixed addresses (Cloud SQL, "Connect using
		// the Cloud SQL Auth Proxy": allow all egress on 443): any address
		// outside the private ranges.
		rules := networkingv1.NetworkPolicyEgressRuleArray{&networkingv1.NetworkPolicyEgressRuleArgs{
			To:    networkingv1.NetworkPolicyPeerArray{addresses("0.0.0.0/0", privateRanges...)},
			Ports: ports("TCP", append([]int{443}, g.Ports...)...),
		}}
		for _, m := range metadataServer {
			rules = append(rules, &networkingv1.NetworkPolicyEgressRuleArgs{
				To:    networkingv1.NetworkPolicyPeerArray{addresses(m.cidr)},
				Ports: ports("TCP", m.port),
			})
		}
		if err := policy(name+"-"+g.Name, "allow-"+g.Name, &networkingv1.NetworkPolicySpecArgs{
			PodSelector: pods(g.From), PolicyTypes: egress, Egress: rules,
		}); err != nil {
			return nil, err
		}
	}
	return n, ctx.RegisterResourceOutputs(n, pulumi.Map{})
}

// addresses is a peer outside the cluster: cidr but the except ranges.
func addresses(cidr string, except ...string) *networkingv1.NetworkPolicyPeerArgs {
	block := &networkingv1.IPBlockArgs{Cidr: pulumi.String(cidr)}
	if len(except) > 0 {
		block.Except = pulumi.ToStringArray(except)
	}
	return &networkingv1.NetworkPolicyPeerArgs{IpBlock: block}
}

// ports are the ports of one protocol.
func ports(protocol string, numbers ...int) networkingv1.NetworkPolicyPortArray {
	out := networkingv1.NetworkPolicyPortArray{}
	for _, p := range numbers {
		out = append(out, &networkingv1.NetworkPolicyPortArgs{Protocol: pulumi.String(protocol), Port: pulumi.Int(p)})
	}
	return out
}
