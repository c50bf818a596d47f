package infra

import (
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/projects"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/serviceaccount"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// NodeRoles are what GKE's nodes need on the project: the node service
// account role GKE documents as the minimum (logging, monitoring,
// metadata), and pulling images from Artifact Registry (prod's mirror).
// Organisations created after May 2024 no longer grant these to the
// Compute Engine default account ("Create an Autopilot cluster", Set up
// IAM service accounts for GKE).
var NodeRoles = []string{"roles/container.defaultNodeServiceAccount", "roles/artifactregistry.reader"}

// WorkloadAccountArgs configures a WorkloadAccount.
type WorkloadAccountArgs struct {
	Project string
	// AccountID of the Google service account (6-30 characters).
	AccountID string
	// DisplayName and Description: what uses it, for whom reads the
	// project's IAM page.
	DisplayName, Description string
	// ProjectRoles the account holds on the project.
	ProjectRoles []string
	// Conditions narrow a project role to what the CEL expression admits
	// (role → expression), e.g. one Cloud SQL instance.
	Conditions map[string]string
	// Deployer is the member (serviceAccount:…) that may use this one
	// account as DeployerRole says, and no other.
	Deployer     pulumi.StringInput
	DeployerRole pulumi.StringInput
	// Requires are resources (enabled APIs, a custom role) every child
	// waits for.
	Requires []pulumi.Resource
}

// WorkloadAccount is a service account something in an app stack runs as
// (the cluster's nodes, the backup jobs, MLflow), made by the bootstrap:
// so the deployer needs no project-wide power over service accounts, only
// a role on these, and the accounts and their project roles outlive the
// cluster (a sleep keeps them; IAM changes take minutes to propagate).
type WorkloadAccount struct {
	pulumi.ResourceState

	Email pulumi.StringOutput
}

// NewWorkloadAccount creates the account, its project roles and the
// deployer's role on it.
func NewWorkloadAccount(ctx *pulumi.Context, name string, args WorkloadAccountArgs, opts ...pulumi.ResourceOption) (*WorkloadAccount, error) {
	w := &WorkloadAccount{}
	if err := ctx.RegisterComponentResource("translation:infra:WorkloadAccount", name, w, opts...); err != nil {
		return nil, err
	}
	child := []pulumi.ResourceOption{pulumi.Parent(w), pulumi.DependsOn(args.Requires)}
	account, err := serviceaccount.NewAccount(ctx, name, &serviceaccount.AccountArgs{
		Project:     pulumi.String(args.Project),
		AccountId:   pulumi.String(args.AccountID),
		DisplayName: pulumi.String(args.DisplayName),
		Description: pulumi.String(args.Description),
		// App stacks made these accounts before the bootstrap did: adopt
		// one that exists instead of failing with 409
		// (terraform-provider-google-beta v5.42.0 resourcemanager/
		// resource_google_service_account.go, create_ignore_already_exists).
		CreateIgnoreAlreadyExists: pulumi.Bool(true),
	}, child...)
	if err != nil {
		return nil, err
	}
	for _, role := range args.ProjectRoles {
		var condition *projects.IAMMemberConditionArgs
		if expr, ok := args.Conditions[role]; ok {
			condition = &projects.IAMMemberConditionArgs{Title: pulumi.String("only " + args.AccountID + "'s own"), Expression: pulumi.String(expr)}
		}
		if _, err := projects.NewIAMMember(ctx, name+"-"+roleSuffix(role), &projects.IAMMemberArgs{
			Project:   pulumi.String(args.Project),
			Role:      pulumi.String(role),
			Member:    account.Member,
			Condition: condition,
		}, child...); err != nil {
			return nil, err
		}
	}
	if _, err := serviceaccount.NewIAMMember(ctx, name+"-deployer", &serviceaccount.IAMMemberArgs{
		ServiceAccountId: account.Name,
		Role:             args.DeployerRole,
		Member:           args.Deployer,
	}, child...); err != nil {
		return nil, err
	}
	w.Email = account.Email
	return w, ctx.RegisterResourceOutputs(w, pulumi.Map{"email": account.Email})
}
