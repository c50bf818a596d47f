package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/unlimited-translation/infra/internal/cost"
	"github.com/unlimited-translation/infra/internal/engine"
	"github.com/unlimited-translation/infra/internal/plan"
	"github.com/unlimited-translation/infra/internal/prices"
	"github.com/unlimited-translation/infra/internal/stackfile"
	"github.com/unlimited-translation/infra/stacks"
	"github.com/unlimited-translation/infra/stacks/bootstrap"
)

type bootstrapFlags struct {
	cfg   bootstrap.Config
	dir   string
	apply bool
}

func newBootstrapCmd() *cobra.Command {
	var f bootstrapFlags
	cmd := &cobra.Command{
		Use:   "bootstrap --stack S --github OWNER/REPO --github-repository-id N --github-owner-id N",
		Short: "Prepare a stack's GCP project and the GitHub repository for it: shows the plan and access matrix offline, --apply creates it",
		Long: `bootstrap is run once per stack (dev, prod) by an owner of the stack's GCP
project (gcp:project in Pulumi.<stack>.yaml, or --project). It enables the
APIs and creates the stack's own Pulumi state bucket, Cloud KMS key for
stack secrets, GitHub Workload Identity Federation for the repository (by
its numeric IDs: gh api repos/OWNER/REPO --jq .id,.owner.id) and three
accounts: the deployer (deploy.yml on main in environment STACK), the
preview account (pr-preview.yml in STACK-preview, after a maintainer's
approval; reads state, writes only locks) and the drift account (drift.yml
on main in STACK-drift; reads). It prints the access matrix and the GitHub
environments and variables to set.

Without --apply it only plans, offline. With --apply it runs the program in
bootstrap/ (plain 'pulumi up' there, in a stack named after the app stack,
does the same) with your own credentials (gcloud auth application-default login).`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runBootstrap(cmd, f) },
	}
	cmd.Flags().StringVar(&f.cfg.Stack, "stack", "", "the app stack this bootstrap serves (dev, prod); its Pulumi.<stack>.yaml gives the project")
	cmd.Flags().StringVar(&f.cfg.Project, "project", "", "GCP project ID to prepare (default: gcp:project of Pulumi.<stack>.yaml)")
	cmd.Flags().StringVar(&f.cfg.Repository, "github", "", "GitHub repository whose workflows deploy, as OWNER/REPO, spelt as GitHub spells it")
	cmd.Flags().StringVar(&f.cfg.RepositoryID, "github-repository-id", "", "the repository's numeric ID (gh api repos/OWNER/REPO --jq .id)")
	cmd.Flags().StringVar(&f.cfg.OwnerID, "github-owner-id", "", "its owner's numeric ID (gh api repos/OWNER/REPO --jq .owner.id)")
	cmd.Flags().BoolVar(&f.cfg.Production, "production", false, "the stack is production: its deploy environment needs reviewers and no schedule may sleep it (default: from the stack's name, as its config does)")
	cmd.Flags().StringVar(&f.cfg.Region, "region", bootstrap.DefaultRegion, "region of the state bucket and the KMS key")
	cmd.Flags().StringVar(&f.cfg.StateBucket, "state-bucket", "", "name of the state bucket (default PROJECT-STACK-pulumi-state)")
	cmd.Flags().StringVar(&f.cfg.BillingAccount, "billing-account", "", "the project's Cloud Billing account ID: also make a budget on the project at what infra cost says the stack costs a month, e-mailing the account's billing administrators at 50, 90 and 100 %")
	cmd.Flags().StringVar(&f.dir, "dir", ".", "repository root, holding bootstrap/Pulumi.yaml and the stack files")
	cmd.Flags().BoolVar(&f.apply, "apply", false, "create it (needs credentials); without it, nothing leaves this machine")
	return cmd
}

// fromStackFile fills the project from the stack file when --project is
// not given, and the backup bucket it names; a stack without a file is
// fine with --project.
func fromStackFile(cmd *cobra.Command, f *bootstrapFlags) {
	c := &f.cfg
	if !cmd.Flags().Changed("production") {
		c.Production = stacks.IsProduction(c.Stack)
	}
	if c.Stack == "" {
		return
	}
	if src, err := stackfile.Load(f.dir, c.Stack); err == nil {
		if c.Project == "" {
			c.Project = src.Values["gcp:project"]
		}
		// The deployer's bucket role names the stack's backup bucket.
		c.AppBackupBucket = src.Values[stacks.Project+":backupBucket"]
	}
}

func runBootstrap(cmd *cobra.Command, f bootstrapFlags) error {
	fromStackFile(cmd, &f)
	c := f.cfg
	c.Normalize()
	if c.BillingAccount != "" && c.Stack != "" {
		// The budget is the stack's monthly figure, awake all month.
		est, err := cost.ForStack(f.dir, c.Stack, map[string]string{stacks.Project + ":awake": "true"}, prices.Default)
		if err != nil {
			return fmt.Errorf("--billing-account: the budget's amount is what infra cost --stack %s says, which failed: %w", c.Stack, err)
		}
		c.BudgetMonthly = est.Monthly
	}
	if err := c.Validate(); err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if f.apply {
		values, err := engine.ApplyBootstrap(cmd.Context(), f.dir, c, out, cmd.ErrOrStderr())
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\nbootstrap of stack %s in %s done.\n", c.Stack, c.Project)
		return bootstrap.WriteInstructions(out, c, values)
	}
	p, err := plan.Evaluate(bootstrap.Project, c.Stack, filepath.Join(f.dir, engine.BootstrapDir), c.Values(), nil, bootstrap.Program)
	if err != nil {
		return err
	}
	if err := p.WriteTree(out); err != nil {
		return err
	}
	if err := writeAccess(cmd, c); err != nil {
		return err
	}
	values := map[string]string{}
	for k, v := range p.Outputs {
		if v.IsString() {
			values[string(k)] = v.StringValue()
		}
	}
	if err := bootstrap.WriteInstructions(out, c, values); err != nil {
		return err
	}
	billing := ""
	if c.BillingAccount != "" {
		billing = " --billing-account " + c.BillingAccount
	}
	fmt.Fprintf(out, "\nNothing was created. To create it: infra bootstrap --stack %s --project %s --github %s --github-repository-id %s --github-owner-id %s --region %s%s --apply\n",
		c.Stack, c.Project, c.Repository, c.RepositoryID, c.OwnerID, c.Region, billing)
	return nil
}

// writeAccess prints each account's grants with why, then the access
// matrix.
func writeAccess(cmd *cobra.Command, c bootstrap.Config) error {
	out := cmd.OutOrStdout()
	for _, a := range c.Access() {
		fmt.Fprintf(out, "\nThe %s account's roles:\n", a.Name)
		for _, g := range slices.Concat(a.Project, a.Bucket) {
			line := "  " + g.Role + ": " + g.Why
			if g.Custom() {
				line += " (custom role: " + strings.Join(g.Permissions, ", ") + ")"
			}
			if g.Condition != "" {
				line += " [if " + g.Condition + "]"
			}
			fmt.Fprintln(out, line)
		}
	}
	fmt.Fprintf(out, "\nThe accounts the stack's workloads run as (made here, with their project roles), and the deployer's role on each:\n")
	for _, w := range c.Workloads() {
		roles := "no project role"
		if len(w.ProjectRoles) > 0 {
			roles = strings.Join(w.ProjectRoles, ", ")
		}
		line := fmt.Sprintf("  %s (%s): %s; deployer: %s, to %s", w.ID, w.Name, roles, w.Deployer.Role, w.Deployer.Why)
		if w.Deployer.Custom() {
			line += " (custom role: " + strings.Join(w.Deployer.Permissions, ", ") + ")"
		}
		fmt.Fprintln(out, line)
	}
	rows, err := c.Matrix()
	if err != nil {
		return err
	}
	var b strings.Builder
	bootstrap.WriteMatrix(&b, c, rows)
	fmt.Fprintf(out, "\nWho can obtain what (access matrix of stack %s):\n%s\n", c.Stack, b.String())
	return nil
}
