package infra

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// GitHubIssuer is GitHub Actions' OIDC token issuer.
const GitHubIssuer = "https://token.actions.githubusercontent.com"

// GitHubFederationArgs configures a GitHubFederation.
type GitHubFederationArgs struct {
	Project string
	// PoolID and ProviderID name the pool and its provider (4-32 characters).
	PoolID, ProviderID string
	// Repository is OWNER/REPO, the only repository whose tokens are accepted.
	Repository string
	// Requires are resources (enabled APIs) it waits for.
	Requires []pulumi.Resource
}

// GitHubFederation is a Workload Identity pool with GitHub's OIDC
// provider, so workflows get short-lived Google credentials and no JSON
// key exists anywhere. Only claims every GitHub token carries are mapped
// (sub, repository, ref), so no mapping fails on an absent one such as
// environment; a job's environment is in sub
// (repo:OWNER/REPO:environment:NAME).
type GitHubFederation struct {
	pulumi.ResourceState

	// PoolName is projects/NUMBER/locations/global/workloadIdentityPools/ID.
	PoolName pulumi.StringOutput
	// ProviderName is what google-github-actions/auth takes as
	// workload_identity_provider.
	ProviderName pulumi.StringOutput
}

// GitHubCondition is the provider's attribute condition: tokens of other
// repositories are refused before any service account is considered.
func GitHubCondition(repository string) string {
	return fmt.Sprintf("assertion.repository == '%s'", repository)
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
		AttributeMapping: pulumi.StringMap{
			"google.subject":       pulumi.String("assertion.sub"),
			"attribute.repository": pulumi.String("assertion.repository"),
			"attribute.ref":        pulumi.String("assertion.ref"),
		},
		AttributeCondition: pulumi.String(GitHubCondition(args.Repository)),
		Oidc:               &iam.WorkloadIdentityPoolProviderOidcArgs{IssuerUri: pulumi.String(GitHubIssuer)},
	}, pulumi.Parent(g))
	if err != nil {
		return nil, err
	}
	g.PoolName, g.ProviderName = pool.Name, provider.Name
	return g, ctx.RegisterResourceOutputs(g, pulumi.Map{"pool": pool.Name, "provider": provider.Name})
}

// RepositoryPrincipals are all workflows of the repository.
func RepositoryPrincipals(pool pulumi.StringOutput, repository string) pulumi.StringOutput {
	return pulumi.Sprintf("principalSet://iam.googleapis.com/%s/attribute.repository/%s", pool, repository)
}

// RefPrincipals are the repository's workflows running on ref (e.g.
// refs/heads/main); the provider's condition already limits them to the
// repository.
func RefPrincipals(pool pulumi.StringOutput, ref string) pulumi.StringOutput {
	return pulumi.Sprintf("principalSet://iam.googleapis.com/%s/attribute.ref/%s", pool, ref)
}

// EnvironmentPrincipal is the repository's jobs in a GitHub environment:
// their token's sub is repo:OWNER/REPO:environment:NAME.
func EnvironmentPrincipal(pool pulumi.StringOutput, repository, environment string) pulumi.StringOutput {
	return pulumi.Sprintf("principal://iam.googleapis.com/%s/subject/repo:%s:environment:%s", pool, repository, environment)
}
