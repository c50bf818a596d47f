package infra

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// GitHubIssuer is GitHub Actions' OIDC token issuer.
const GitHubIssuer = "https://token.actions.githubusercontent.com"

// WorkloadAttribute is the one mapped attribute every trust binding
// matches: repository ID, owner ID, environment, ref and workflow file in
// one value, so no claim is ever checked alone.
const WorkloadAttribute = "attribute.workload"

// WorkloadMapping is the CEL expression behind WorkloadAttribute. The
// claims (GitHub, "OpenID Connect reference"): repository_id and
// repository_owner_id never change with a rename; environment is present
// only in jobs that reference one, and a token without it fails the
// mapping, so such a job gets nothing; ref is refs/pull/N/merge for a
// pull request, folded to refs/pull so one binding covers every pull
// request; job_workflow_ref is OWNER/REPO/PATH@REF of the workflow file
// the job runs, cut before the @ with IAM's extract(). Slashes join
// them: principal sets take them in values (attribute.repository/OWNER/
// REPO in Google's GitHub examples), and since GitHub fills every field
// but the environment, and only admins create environments, no other
// combination of claims spells the same value.
const WorkloadMapping = "assertion.repository_id + '/' + assertion.repository_owner_id + '/' + assertion.environment + '/' + " +
	"(assertion.ref.startsWith('refs/pull/') ? 'refs/pull' : assertion.ref) + '/' + assertion.job_workflow_ref.extract('{workflow}@')"

// Workload is one workflow identity a binding trusts: the values
// WorkloadMapping must produce.
type Workload struct {
	RepositoryID, OwnerID string
	// Repository is OWNER/REPO; Workflow a path such as
	// .github/workflows/deploy.yml.
	Repository, Workflow string
	Environment          string
	// Ref is refs/heads/main, or refs/pull for pull requests.
	Ref string
}

// Value is the attribute value a token of this workload maps to.
func (w Workload) Value() string {
	return fmt.Sprintf("%s/%s/%s/%s/%s/%s", w.RepositoryID, w.OwnerID, w.Environment, w.Ref, w.Repository, w.Workflow)
}

// Principal is the principal set of the pool whose tokens map to w.
func (w Workload) Principal(pool pulumi.StringOutput) pulumi.StringOutput {
	return pulumi.Sprintf("principalSet://iam.googleapis.com/%s/%s/%s", pool, WorkloadAttribute, w.Value())
}

// GitHubFederationArgs configures a GitHubFederation.
type GitHubFederationArgs struct {
	Project string
	// PoolID and ProviderID name the pool and its provider (4-32 characters).
	PoolID, ProviderID string
	// Repository is OWNER/REPO, for descriptions; RepositoryID and OwnerID
	// are GitHub's numeric IDs, the only tokens accepted.
	Repository, RepositoryID, OwnerID string
	// Requires are resources (enabled APIs) it waits for.
	Requires []pulumi.Resource
}

// GitHubFederation is a Workload Identity pool with GitHub's OIDC
// provider, so workflows get short-lived Google credentials and no JSON
// key exists anywhere.
type GitHubFederation struct {
	pulumi.ResourceState

	// PoolName is projects/NUMBER/locations/global/workloadIdentityPools/ID.
	PoolName pulumi.StringOutput
	// ProviderName is what google-github-actions/auth takes as
	// workload_identity_provider.
	ProviderName pulumi.StringOutput
}

// GitHubCondition is the provider's attribute condition: tokens of other
// repositories are refused before any binding is considered. By the
// numeric IDs, which GitHub never reuses, not by a name a deleted and
// recreated repository could take (google-github-actions/auth,
// docs/SECURITY_CONSIDERATIONS.md).
func GitHubCondition(repositoryID, ownerID string) string {
	return fmt.Sprintf("assertion.repository_id == '%s' && assertion.repository_owner_id == '%s'", repositoryID, ownerID)
}

// NewGitHubFederation creates the pool and the provider.
func NewGitHubFederation(ctx *pulumi.Context, name string, args GitHubFederationArgs, opts ...pulumi.ResourceOption) (*GitHubFederation, error) {
	g := &GitHubFederation{}
	if err := ctx.RegisterComponentResource("translation:infra:GitHubFederation", name, g, opts...); err != nil {
		return nil, err
	}
	pool, err := iam.NewWorkloadIdentityPool(ctx, name, &iam.WorkloadIdentityPoolArgs{
		Project:                pulumi.String(args.Project),
		WorkloadIdentityPoolId: pulumi.String(args.PoolID),
		DisplayName:            pulumi.String("GitHub Actions"),
		Description:            pulumi.String("Workflows of " + args.Repository),
	}, pulumi.Parent(g), pulumi.DependsOn(args.Requires))
	if err != nil {
		return nil, err
	}
	provider, err := iam.NewWorkloadIdentityPoolProvider(ctx, name, &iam.WorkloadIdentityPoolProviderArgs{
		Project:                        pulumi.String(args.Project),
		WorkloadIdentityPoolId:         pool.WorkloadIdentityPoolId,
		WorkloadIdentityPoolProviderId: pulumi.String(args.ProviderID),
		DisplayName:                    pulumi.String("GitHub OIDC"),
		// google.subject is required and at most 127 bytes (IAM API,
		// WorkloadIdentityPoolProvider.attributeMapping); sub is short.
		AttributeMapping: pulumi.StringMap{
			"google.subject":  pulumi.String("assertion.sub"),
			WorkloadAttribute: pulumi.String(WorkloadMapping),
		},
		AttributeCondition: pulumi.String(GitHubCondition(args.RepositoryID, args.OwnerID)),
		Oidc:               &iam.WorkloadIdentityPoolProviderOidcArgs{IssuerUri: pulumi.String(GitHubIssuer)},
	}, pulumi.Parent(g))
	if err != nil {
		return nil, err
	}
	g.PoolName, g.ProviderName = pool.Name, provider.Name
	return g, ctx.RegisterResourceOutputs(g, pulumi.Map{"pool": pool.Name, "provider": provider.Name})
}
