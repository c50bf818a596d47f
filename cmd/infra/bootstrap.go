package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/unlimited-translation/infra/internal/engine"
	"github.com/unlimited-translation/infra/internal/plan"
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
		Use:   "bootstrap --project ID --github OWNER/REPO",
		Short: "Prepare a GCP project and a GitHub repository for the stacks: shows the plan offline, --apply creates it",
		Long: `bootstrap is run once per GCP project by a project owner. It enables the
APIs, creates the Pulumi state bucket, a Cloud KMS key for stack secrets,
GitHub Workload Identity Federation for OWNER/REPO, a read-only preview
account and a deployer account usable only from main or the production
environment, then prints the repository variables to set.

Without --apply it only plans, offline. With --apply it runs the program in
bootstrap/ (plain 'pulumi up' there does the same) with your own
credentials (gcloud auth application-default login).`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runBootstrap(cmd, f) },
	}
	cmd.Flags().StringVar(&f.cfg.Project, "project", "", "GCP project ID to prepare")
	cmd.Flags().StringVar(&f.cfg.Repository, "github", "", "GitHub repository whose workflows deploy, as OWNER/REPO, spelt as GitHub spells it")
	cmd.Flags().StringVar(&f.cfg.Region, "region", bootstrap.DefaultRegion, "region of the state bucket and the KMS key")
	cmd.Flags().StringVar(&f.cfg.StateBucket, "state-bucket", "", "name of the state bucket (default PROJECT-pulumi-state)")
	cmd.Flags().StringVar(&f.dir, "dir", ".", "repository root, holding bootstrap/Pulumi.yaml")
	cmd.Flags().BoolVar(&f.apply, "apply", false, "create it (needs credentials); without it, nothing leaves this machine")
	return cmd
}

func runBootstrap(cmd *cobra.Command, f bootstrapFlags) error {
	c := f.cfg
	c.Normalize()
	if err := c.Validate(); err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if f.apply {
		values, err := engine.ApplyBootstrap(cmd.Context(), f.dir, c, out, cmd.ErrOrStderr())
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\nbootstrap of %s done.\n", c.Project)
		return bootstrap.WriteInstructions(out, c, values)
	}
	p, err := plan.Evaluate(bootstrap.Project, c.Project, filepath.Join(f.dir, engine.BootstrapDir), c.Values(), nil, bootstrap.Program)
	if err != nil {
		return err
	}
	if err := p.WriteTree(out); err != nil {
		return err
	}
	values := map[string]string{}
	for k, v := range p.Outputs {
		if v.IsString() {
			values[string(k)] = v.StringValue()
		}
	}
	writeGrants(out)
	if err := bootstrap.WriteInstructions(out, c, values); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nNothing was created. To create it: infra bootstrap --project %s --github %s --region %s --apply\n", c.Project, c.Repository, c.Region)
	return nil
}

// writeGrants lists the deployer's roles with why each is needed.
func writeGrants(w io.Writer) {
	fmt.Fprintf(w, "\nThe deployer's project roles (%s, %s or environment %s only):\n", bootstrap.DeployerAccountID, bootstrap.DeployRef, bootstrap.DeployEnvironment)
	for _, g := range bootstrap.DeployerGrants() {
		fmt.Fprintf(w, "  %s: %s\n", g.Role, g.Why)
	}
	fmt.Fprintf(w, "The preview account's (%s, any branch): ", bootstrap.PreviewAccountID)
	for _, g := range bootstrap.PreviewGrants {
		fmt.Fprintf(w, "%s: %s\n", g.Role, g.Why)
	}
	fmt.Fprintln(w)
}
