package infra

import (
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/compute"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// SSLPolicyArgs configures an SSLPolicy.
type SSLPolicyArgs struct {
	Project string
	// Name is what a GKE FrontendConfig's spec.sslPolicy refers to.
	Name string
	// Profile is MODERN or RESTRICTED; the minimum is always TLS 1.2.
	Profile string
	// Requires are resources (enabled APIs) it waits for.
	Requires []pulumi.Resource
}

// SSLPolicy is the TLS floor of the stack's load balancers. Without one a
// target HTTPS proxy uses Google's default, the COMPATIBLE profile from
// TLS 1.0 (Cloud Load Balancing, "SSL policies overview"). Profile and
// minimum version change in place; only the name, description and project
// replace it (google_compute_ssl_policy, terraform-provider-google-beta
// v5.42.0).
type SSLPolicy struct {
	pulumi.ResourceState

	Name pulumi.StringOutput
}

// NewSSLPolicy creates the policy.
func NewSSLPolicy(ctx *pulumi.Context, name string, args SSLPolicyArgs, opts ...pulumi.ResourceOption) (*SSLPolicy, error) {
	s := &SSLPolicy{}
	if err := ctx.RegisterComponentResource("translation:infra:SSLPolicy", name, s, opts...); err != nil {
		return nil, err
	}
	p, err := compute.NewSSLPolicy(ctx, name, &compute.SSLPolicyArgs{
		Name:          pulumi.String(args.Name),
		Project:       pulumi.String(args.Project),
		Profile:       pulumi.String(args.Profile),
		MinTlsVersion: pulumi.String("TLS_1_2"),
		Description:   pulumi.String("TLS 1.2+ for the translation app's load balancers"),
	}, pulumi.Parent(s), pulumi.DependsOn(args.Requires))
	if err != nil {
		return nil, err
	}
	s.Name = p.Name
	return s, ctx.RegisterResourceOutputs(s, pulumi.Map{"name": p.Name})
}
