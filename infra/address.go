package infra

import (
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/compute"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// PublicAddressArgs configures a PublicAddress.
type PublicAddressArgs struct {
	Project string
	// Name is what the Ingress annotation
	// kubernetes.io/ingress.global-static-ip-name refers to.
	Name   string
	Labels map[string]string
	// Protect sets Pulumi's protect: the IP cannot be got back once released.
	Protect bool
	// Requires are resources (enabled APIs) every child waits for.
	Requires []pulumi.Resource
}

// PublicAddress is a reserved global static IPv4 address for the HTTPS load
// balancer. It does not depend on the cluster, so DNS can point at it (and
// certificate provisioning can start) while the cluster is being created.
type PublicAddress struct {
	pulumi.ResourceState

	Name    pulumi.StringOutput
	Address pulumi.StringOutput
}

// NewPublicAddress reserves the address.
func NewPublicAddress(ctx *pulumi.Context, name string, args PublicAddressArgs, opts ...pulumi.ResourceOption) (*PublicAddress, error) {
	a := &PublicAddress{}
	if err := ctx.RegisterComponentResource("translation:infra:PublicAddress", name, a, opts...); err != nil {
		return nil, err
	}
	addr, err := compute.NewGlobalAddress(ctx, name, &compute.GlobalAddressArgs{
		Name:        pulumi.String(args.Name),
		Project:     pulumi.String(args.Project),
		AddressType: pulumi.String("EXTERNAL"),
		IpVersion:   pulumi.String("IPV4"),
		Labels:      pulumi.ToStringMap(args.Labels),
		Description: pulumi.String("Static IP of the translation app's HTTPS load balancer"),
	}, pulumi.Parent(a), pulumi.DependsOn(args.Requires), pulumi.Protect(args.Protect))
	if err != nil {
		return nil, err
	}
	a.Name = addr.Name
	a.Address = addr.Address
	return a, ctx.RegisterResourceOutputs(a, pulumi.Map{
		"name":    addr.Name,
		"address": addr.Address,
	})
}
