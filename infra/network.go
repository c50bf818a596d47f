package infra

import (
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/compute"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// NetworkArgs configures a Network.
type NetworkArgs struct {
	Project string
	Region  string
	// Name of the VPC, its subnet, router and NAT.
	Name string
	// NodesCIDR is the subnet's primary range (nodes); PodsCIDR and
	// ServicesCIDR its secondary ranges, which the cluster's pods and
	// Services take their addresses from (VPC-native).
	NodesCIDR, PodsCIDR, ServicesCIDR string
	// NAT gives nodes without public addresses a way out (image pulls from
	// Docker Hub): a Cloud Router with Cloud NAT for the subnet.
	NAT bool
	// Requires are resources (enabled APIs) every child waits for.
	Requires []pulumi.Resource
}

// The secondary ranges' names, which the cluster refers to.
const (
	PodsRange     = "pods"
	ServicesRange = "services"
)

// Network is the cluster's own VPC and subnet: no reliance on a project's
// `default` network, which many organisations do not create.
type Network struct {
	pulumi.ResourceState

	Network    *compute.Network
	Subnetwork *compute.Subnetwork
	// Name and SubnetName are what the cluster names.
	Name, SubnetName pulumi.StringOutput
	// Ready is every resource made here: depend on these, not on the
	// component, whose children the Go SDK records asynchronously
	// (context.go getOpts), so a dependency on it can miss some.
	Ready []pulumi.Resource
}

// NewNetwork creates the VPC, the subnet and, with NAT, a router and NAT.
func NewNetwork(ctx *pulumi.Context, name string, args NetworkArgs, opts ...pulumi.ResourceOption) (*Network, error) {
	n := &Network{}
	if err := ctx.RegisterComponentResource("translation:infra:Network", name, n, opts...); err != nil {
		return nil, err
	}
	child := []pulumi.ResourceOption{pulumi.Parent(n), pulumi.DependsOn(args.Requires)}
	vpc, err := compute.NewNetwork(ctx, name, &compute.NetworkArgs{
		Project:               pulumi.String(args.Project),
		Name:                  pulumi.String(args.Name),
		AutoCreateSubnetworks: pulumi.Bool(false),
		RoutingMode:           pulumi.String("REGIONAL"),
		Description:           pulumi.String("The translation app's GKE cluster"),
	}, child...)
	if err != nil {
		return nil, err
	}
	subnet, err := compute.NewSubnetwork(ctx, name, &compute.SubnetworkArgs{
		Project:     pulumi.String(args.Project),
		Region:      pulumi.String(args.Region),
		Name:        pulumi.String(args.Name),
		Network:     vpc.ID(),
		IpCidrRange: pulumi.String(args.NodesCIDR),
		// Private nodes reach Google APIs (Artifact Registry, Cloud
		// Storage) without NAT.
		PrivateIpGoogleAccess: pulumi.Bool(true),
		SecondaryIpRanges: compute.SubnetworkSecondaryIpRangeArray{
			&compute.SubnetworkSecondaryIpRangeArgs{RangeName: pulumi.String(PodsRange), IpCidrRange: pulumi.String(args.PodsCIDR)},
			&compute.SubnetworkSecondaryIpRangeArgs{RangeName: pulumi.String(ServicesRange), IpCidrRange: pulumi.String(args.ServicesCIDR)},
		},
	}, child...)
	if err != nil {
		return nil, err
	}
	if args.NAT {
		router, err := compute.NewRouter(ctx, name, &compute.RouterArgs{
			Project: pulumi.String(args.Project),
			Region:  pulumi.String(args.Region),
			Name:    pulumi.String(args.Name),
			Network: vpc.ID(),
		}, child...)
		if err != nil {
			return nil, err
		}
		nat, err := compute.NewRouterNat(ctx, name, &compute.RouterNatArgs{
			Project:                       pulumi.String(args.Project),
			Region:                        pulumi.String(args.Region),
			Name:                          pulumi.String(args.Name),
			Router:                        router.Name,
			NatIpAllocateOption:           pulumi.String("AUTO_ONLY"),
			SourceSubnetworkIpRangesToNat: pulumi.String("ALL_SUBNETWORKS_ALL_IP_RANGES"),
			LogConfig: &compute.RouterNatLogConfigArgs{
				Enable: pulumi.Bool(true), Filter: pulumi.String("ERRORS_ONLY"),
			},
		}, child...)
		if err != nil {
			return nil, err
		}
		n.Ready = append(n.Ready, router, nat)
	}
	n.Ready = append(n.Ready, vpc, subnet)
	n.Network, n.Subnetwork, n.Name, n.SubnetName = vpc, subnet, vpc.Name, subnet.Name
	return n, ctx.RegisterResourceOutputs(n, pulumi.Map{"network": vpc.Name, "subnetwork": subnet.Name})
}
