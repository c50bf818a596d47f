package bootstrap

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/unlimited-translation/infra/infra"
)

// Names of what the bootstrap creates. The account IDs must stay 6-30
// characters; the pool and provider IDs 4-32.
const (
	PoolID            = "github"
	ProviderID        = "github"
	PreviewAccountID  = "infra-preview"
	DeployerAccountID = "infra-deployer"
	KeyRing           = "pulumi"
	Key               = "stack-secrets"
	// DeployRef and DeployEnvironment are where the deployer may be used from.
	DeployRef         = "refs/heads/main"
	DeployEnvironment = "production"
)

// FromContext reads the bootstrap's config from its stack.
func FromContext(ctx *pulumi.Context) (Config, error) {
	get := func(key string) string { v, _ := ctx.GetConfig(key); return v }
	c := Config{
		Project:     get("gcp:project"),
		Repository:  get(Project + ":github"),
		Region:      get(Project + ":region"),
		StateBucket: get(Project + ":stateBucket"),
	}
	c.Normalize()
	return c, c.Validate()
}

// Program is the bootstrap program (bootstrap/main.go runs it).
func Program(ctx *pulumi.Context) error {
	if ctx.Project() != Project {
		return fmt.Errorf("this program belongs to project %s (bootstrap/Pulumi.yaml), not %s", Project, ctx.Project())
	}
	c, err := FromContext(ctx)
	if err != nil {
		return err
	}
	apis, err := infra.NewProjectAPIs(ctx, "apis", infra.ProjectAPIsArgs{Project: c.Project, APIs: APIs()})
	if err != nil {
		return err
	}
	req := apis.Enabled
	state, err := infra.NewStateBucket(ctx, "state", infra.StateBucketArgs{Project: c.Project, Name: c.StateBucket, Location: c.Region, Requires: req})
	if err != nil {
		return err
	}
	key, err := infra.NewSecretsKey(ctx, "secrets", infra.SecretsKeyArgs{Project: c.Project, Location: c.Region, KeyRing: KeyRing, Key: Key, Requires: req})
	if err != nil {
		return err
	}
	fed, err := infra.NewGitHubFederation(ctx, "github", infra.GitHubFederationArgs{
		Project: c.Project, PoolID: PoolID, ProviderID: ProviderID, Repository: c.Repository, Requires: req,
	})
	if err != nil {
		return err
	}
	preview, err := infra.NewCIAccount(ctx, "preview", infra.CIAccountArgs{
		Project: c.Project, AccountID: PreviewAccountID, DisplayName: "CI previews (read-only), " + c.Repository,
		ProjectGrants: PreviewGrants,
		Bucket:        state.Name, BucketRole: PreviewStateRole,
		Key: key.Key, KeyRole: PreviewKeyRole,
		Principals: []infra.Principal{{Name: "repository", Member: infra.RepositoryPrincipals(fed.PoolName, c.Repository)}},
		Requires:   req,
	})
	if err != nil {
		return err
	}
	deployer, err := infra.NewCIAccount(ctx, "deployer", infra.CIAccountArgs{
		Project: c.Project, AccountID: DeployerAccountID, DisplayName: "CI deployments (main, production), " + c.Repository,
		ProjectGrants: DeployerGrants(),
		Bucket:        state.Name, BucketRole: DeployStateRole,
		Key: key.Key, KeyRole: DeployKeyRole,
		Principals: []infra.Principal{
			{Name: "main", Member: infra.RefPrincipals(fed.PoolName, DeployRef)},
			{Name: DeployEnvironment, Member: infra.EnvironmentPrincipal(fed.PoolName, c.Repository, DeployEnvironment)},
		},
		Requires: req,
	})
	if err != nil {
		return err
	}
	ctx.Export("GCP_WORKLOAD_IDENTITY_PROVIDER", fed.ProviderName)
	ctx.Export("GCP_PREVIEW_SERVICE_ACCOUNT", preview.Email)
	ctx.Export("GCP_DEPLOY_SERVICE_ACCOUNT", deployer.Email)
	ctx.Export("PULUMI_BACKEND_URL", pulumi.Sprintf("gs://%s", state.Name))
	ctx.Export(SecretsProviderOutput, pulumi.String(key.URL))
	return nil
}
