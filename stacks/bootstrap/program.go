package bootstrap

import (
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/unlimited-translation/infra/infra"
	"github.com/unlimited-translation/infra/stacks"
)

// Fixed names: the provider in each stack's pool, and the key in each
// stack's ring.
const (
	ProviderID = "github"
	Key        = "stack-secrets"
	// DeployRef is the only ref deployer and drift tokens may carry;
	// PullRequestRef is what WorkloadMapping folds refs/pull/N/merge into.
	DeployRef      = "refs/heads/main"
	PullRequestRef = "refs/pull"
)

// The workflow files the accounts trust: part of the trust contract, so
// renaming one needs a new bootstrap (tools/workflows holds the
// workflows to these names and environments).
const (
	DeployWorkflow   = ".github/workflows/deploy.yml"
	ScheduleWorkflow = ".github/workflows/dev-sleep-wake.yml"
	PreviewWorkflow  = ".github/workflows/pr-preview.yml"
	DriftWorkflow    = ".github/workflows/drift.yml"
	ScheduledStack   = stacks.ScheduledStack
)

// FromContext reads the bootstrap's config from its stack, whose name is
// the app stack's.
func FromContext(ctx *pulumi.Context) (Config, error) {
	get := func(key string) string { v, _ := ctx.GetConfig(key); return v }
	c := Config{
		Stack:           ctx.Stack(),
		Project:         get("gcp:project"),
		Repository:      get(Project + ":github"),
		RepositoryID:    get(Project + ":githubRepositoryId"),
		OwnerID:         get(Project + ":githubOwnerId"),
		Region:          get(Project + ":region"),
		StateBucket:     get(Project + ":stateBucket"),
		Production:      stacks.IsProduction(ctx.Stack()),
		BillingAccount:  get(Project + ":billingAccount"),
		AppBackupBucket: get(Project + ":appBackupBucket"),
	}
	if v := get(Project + ":budgetMonthly"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return c, &Error{Problems: []Problem{{Key: Project + ":budgetMonthly", Flag: "billing-account", Message: fmt.Sprintf("%q is not an amount", v)}}}
		}
		c.BudgetMonthly = f
	}
	if v := get(Project + ":production"); v != "" {
		p, err := strconv.ParseBool(v)
		if err != nil {
			return c, &Error{Problems: []Problem{{Key: Project + ":production", Flag: "production", Message: fmt.Sprintf("%q is not true or false", v)}}}
		}
		c.Production = p
	}
	c.Normalize()
	return c, c.Validate()
}

// Trust is who may become each of the stack's accounts: one workflow
// file, on one ref, in one GitHub environment, of one repository.
type Trust struct {
	Deployer, Preview, Drift []infra.Workload
}

// Trusts derives the trust of c's accounts.
func (c Config) Trusts() Trust {
	w := func(workflow, env, ref string) infra.Workload {
		return infra.Workload{RepositoryID: c.RepositoryID, OwnerID: c.OwnerID, Repository: c.Repository,
			Workflow: workflow, Environment: env, Ref: ref}
	}
	t := Trust{
		Deployer: []infra.Workload{w(DeployWorkflow, c.DeployEnvironment(), DeployRef)},
		Preview:  []infra.Workload{w(PreviewWorkflow, c.PreviewEnvironment(), PullRequestRef)},
		Drift:    []infra.Workload{w(DriftWorkflow, c.DriftEnvironment(), DeployRef)},
	}
	// Sleep and wake are deploys of dev (they delete and create its
	// cluster); a production stack is never trusted to the schedule.
	if c.Stack == ScheduledStack && !c.Production {
		t.Deployer = append(t.Deployer, w(ScheduleWorkflow, c.DeployEnvironment(), DeployRef))
	}
	return t
}

func principals(pool pulumi.StringOutput, ws []infra.Workload) []infra.Principal {
	var out []infra.Principal
	for _, w := range ws {
		out = append(out, infra.Principal{Name: workflowName(w.Workflow), Member: w.Principal(pool)})
	}
	return out
}

// workflowName is a workflow file's base name without .yml: deploy.
func workflowName(path string) string {
	base := path[len(".github/workflows/"):]
	return base[:len(base)-len(".yml")]
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
	enable := APIs()
	if c.BillingAccount != "" {
		enable = append(enable, infra.BudgetAPIs...)
	}
	apis, err := infra.NewProjectAPIs(ctx, "apis", infra.ProjectAPIsArgs{Project: c.Project, APIs: enable})
	if err != nil {
		return err
	}
	req := apis.Enabled
	state, err := infra.NewStateBucket(ctx, "state", infra.StateBucketArgs{Project: c.Project, Name: c.StateBucket, Location: c.Region, Requires: req})
	if err != nil {
		return err
	}
	key, err := infra.NewSecretsKey(ctx, "secrets", infra.SecretsKeyArgs{Project: c.Project, Location: c.Region, KeyRing: c.KeyRing(), Key: Key, Requires: req})
	if err != nil {
		return err
	}
	fed, err := infra.NewGitHubFederation(ctx, "github", infra.GitHubFederationArgs{
		Project: c.Project, PoolID: c.PoolID(), ProviderID: ProviderID,
		Repository: c.Repository, RepositoryID: c.RepositoryID, OwnerID: c.OwnerID, Requires: req,
	})
	if err != nil {
		return err
	}
	trust := c.Trusts()
	accounts := []struct {
		name, id, display string
		project           []infra.Grant
		bucket            []infra.Grant
		keyRole           string
		from              []infra.Workload
		output            string
	}{
		{"preview", c.PreviewAccountID(), "pull-request previews after approval (read-only)", PreviewGrants, ReaderStateGrants(c.StateBucket), ReaderKeyRole, trust.Preview, "preview"},
		{"drift", c.DriftAccountID(), "daily drift check from main (read-only, Secrets included)", DriftGrants(c.Stack, c.BackupBucket()), ReaderStateGrants(c.StateBucket), ReaderKeyRole, trust.Drift, "drift"},
		{"deployer", c.DeployerAccountID(), "deployments from main", DeployerGrants(c.Stack, c.BackupBucket(), c.ArtifactBucket()), DeployStateGrants, DeployKeyRole, trust.Deployer, "deployer"},
	}
	emails := pulumi.Map{}
	var deployer *infra.CIAccount
	for _, a := range accounts {
		acc, err := infra.NewCIAccount(ctx, a.name, infra.CIAccountArgs{
			Project: c.Project, AccountID: a.id, DisplayName: fmt.Sprintf("CI of stack %s: %s, %s", c.Stack, a.display, c.Repository),
			ProjectGrants: a.project,
			Bucket:        state.Name, BucketGrants: a.bucket,
			Key: key.Key, KeyRole: a.keyRole,
			Principals: principals(fed.PoolName, a.from),
			Requires:   req,
		})
		if err != nil {
			return err
		}
		emails[a.output] = acc.Email
		if a.name == "deployer" {
			deployer = acc
		}
	}
	binder, err := infra.NewCustomRole(ctx, "account-binder", c.Project, BinderRole(c.Stack), pulumi.DependsOn(req))
	if err != nil {
		return err
	}
	for _, w := range c.Workloads() {
		role := pulumi.String(w.Deployer.Role).ToStringOutput()
		if w.Deployer.Custom() {
			role = binder.Name
		}
		if _, err := infra.NewWorkloadAccount(ctx, w.Name, infra.WorkloadAccountArgs{
			Project: c.Project, AccountID: w.ID, DisplayName: w.DisplayName, Description: w.Description,
			ProjectRoles: w.ProjectRoles, Conditions: w.Conditions,
			Deployer: deployer.Member, DeployerRole: role,
			Requires: append(append([]pulumi.Resource{}, req...), binder),
		}); err != nil {
			return err
		}
	}
	// The budget is the bootstrap's, made with the credentials of the
	// person who runs it (a project owner may make a budget of this
	// project alone: "Access control for Cloud Billing APIs"), so no CI
	// account holds a billing permission.
	if c.BillingAccount != "" {
		if _, err := infra.NewBudget(ctx, "budget", infra.BudgetArgs{
			Project: c.Project, ProjectNumber: infra.ProjectNumberOf(fed.PoolName),
			BillingAccount: c.BillingAccount, DisplayName: "infra " + c.Stack + " (" + c.Project + ")",
			MonthlyUSD: c.BudgetMonthly, Requires: req,
		}); err != nil {
			return err
		}
	}
	ctx.Export(ProviderOutput, fed.ProviderName)
	ctx.Export(AccountsOutput, emails)
	ctx.Export(BackendOutput, pulumi.Sprintf("gs://%s", state.Name))
	ctx.Export(SecretsProviderOutput, pulumi.String(key.URL))
	return nil
}
