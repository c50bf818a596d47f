package infra

import (
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/projects"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/serviceaccount"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// NodeIdentityArgs configures a NodeIdentity.
type NodeIdentityArgs struct {
	Project string
	// AccountID of the nodes' Google service account (6-30 characters).
	AccountID string
	// Requires are resources (enabled APIs) every child waits for.
	Requires []pulumi.Resource
}

// NodeRoles are what GKE's nodes need on the project: the node service
// account role GKE documents as the minimum (logging, monitoring,
// metadata), and pulling images from Artifact Registry (prod's mirror).
// Organisations created after May 2024 no longer grant these to the
// Compute Engine default account ("Create an Autopilot cluster", Set up
// IAM service accounts for GKE).
var NodeRoles = []string{"roles/container.defaultNodeServiceAccount", "roles/artifactregistry.reader"}

// NodeIdentity is the dedicated service account the cluster's nodes run
// as, instead of the Compute Engine default account.
type NodeIdentity struct {
	pulumi.ResourceState

	// Email of the account, for the cluster's node settings.
	Email pulumi.StringOutput
	// Grants are the project role bindings; the cluster waits for them.
	Grants []pulumi.Resource
}

// NewNodeIdentity creates the account and its project roles.
func NewNodeIdentity(ctx *pulumi.Context, name string, args NodeIdentityArgs, opts ...pulumi.ResourceOption) (*NodeIdentity, error) {
	n := &NodeIdentity{}
	if err := ctx.RegisterComponentResource("translation:infra:NodeIdentity", name, n, opts...); err != nil {
		return nil, err
	}
	child := []pulumi.ResourceOption{pulumi.Parent(n), pulumi.DependsOn(args.Requires)}
	account, err := serviceaccount.NewAccount(ctx, name, &serviceaccount.AccountArgs{
		Project:     pulumi.String(args.Project),
		AccountId:   pulumi.String(args.AccountID),
		DisplayName: pulumi.String("GKE nodes of the translation app"),
	}, child...)
	if err != nil {
		return nil, err
	}
	n.Grants = []pulumi.Resource{account}
	for _, role := range NodeRoles {
		g, err := projects.NewIAMMember(ctx, name+"-"+roleSuffix(role), &projects.IAMMemberArgs{
			Project: pulumi.String(args.Project),
			Role:    pulumi.String(role),
			Member:  account.Member,
		}, child...)
		if err != nil {
			return nil, err
		}
		n.Grants = append(n.Grants, g)
	}
	n.Email = pulumi.String(AccountEmail(args.Project, args.AccountID)).ToStringOutput()
	return n, ctx.RegisterResourceOutputs(n, pulumi.Map{"email": account.Email})
}
