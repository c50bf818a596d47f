package infra

import (
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/compute"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// CertificateArgs configures a Certificate.
type CertificateArgs struct {
	Project string
	// Name of the certificate in the project.
	Name string
	// Domains it covers (the apex and www).
	Domains []string
	// Protect sets Pulumi's protect on it.
	Protect bool
	// Requires are resources (enabled APIs) it waits for.
	Requires []pulumi.Resource
}

// Certificate is a Google-managed SSL certificate made as a project
// resource, not by a ManagedCertificate object in the cluster: it outlives
// the cluster and its load balancer, so a stack that sleeps (cluster gone)
// wakes with HTTPS as soon as the new load balancer is programmed, with no
// new provisioning. The Ingress names it with
// ingress.gcp.kubernetes.io/pre-shared-cert (GKE, "Secure traffic for GKE
// Ingress": pre-shared certificates).
type Certificate struct {
	pulumi.ResourceState

	// Name the Ingress refers to.
	Name pulumi.StringOutput
}

// NewCertificate creates the certificate. Every input is force-new
// (resource_compute_managed_ssl_certificate.go has no update): another
// domain means a new certificate and a new provisioning.
func NewCertificate(ctx *pulumi.Context, name string, args CertificateArgs, opts ...pulumi.ResourceOption) (*Certificate, error) {
	c := &Certificate{}
	if err := ctx.RegisterComponentResource("translation:infra:Certificate", name, c, opts...); err != nil {
		return nil, err
	}
	cert, err := compute.NewManagedSslCertificate(ctx, name, &compute.ManagedSslCertificateArgs{
		Project: pulumi.String(args.Project),
		Name:    pulumi.String(args.Name),
		Type:    pulumi.String("MANAGED"),
		Managed: &compute.ManagedSslCertificateManagedArgs{Domains: pulumi.ToStringArray(args.Domains)},
	}, pulumi.Parent(c), pulumi.DependsOn(args.Requires), pulumi.Protect(args.Protect),
		// Its name is fixed, so a new one can only follow the old one's
		// delete. The bridge says so in its diff, but a targeted replace
		// (infra wake replacing a lapsed certificate) never asks the
		// provider (pkg v3.230.0 resource/deploy/step_generator.go, diff):
		// only this option makes that replace delete first.
		pulumi.DeleteBeforeReplace(true))
	if err != nil {
		return nil, err
	}
	c.Name = cert.Name
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"name": cert.Name})
}
