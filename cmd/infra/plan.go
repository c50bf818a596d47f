package main

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/unlimited-translation/infra/internal/cost"
	"github.com/unlimited-translation/infra/internal/plan"
	"github.com/unlimited-translation/infra/internal/prices"
	"github.com/unlimited-translation/infra/internal/report"
	"github.com/unlimited-translation/infra/stacks"
)

type planFlags struct {
	stacks    []string
	dir       string
	json      bool
	graph     bool
	manifests string
	against   string
	threshold float64
	// failOnBlocked: exit 3 after the whole report when a stack's plan has
	// a change marked ⛔ (will fail), so a pull request's check fails.
	failOnBlocked bool
}

func newPlanCmd() *cobra.Command {
	var f planFlags
	cmd := &cobra.Command{
		Use:   "plan --stack NAME",
		Short: "Show offline what a stack would create (no cloud, credentials or plugins)",
		Long: `plan evaluates the same program as 'pulumi up' with the stack's config from
Pulumi.yaml and Pulumi.<stack>.yaml, in process. Encrypted values show as
[secret] and are never decrypted; values only the cloud knows show as
(known after apply).`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runPlan(cmd, f) },
	}
	cmd.Flags().StringSliceVarP(&f.stacks, "stack", "s", nil, "stack to plan (a Pulumi.<stack>.yaml must exist); with --against, repeat it or list stacks comma-separated for one comment")
	cmd.Flags().StringVar(&f.dir, "dir", ".", "project directory holding Pulumi.yaml")
	cmd.Flags().BoolVar(&f.json, "json", false, "print the plan as JSON (schema in docs/plan-json.md)")
	cmd.Flags().BoolVar(&f.graph, "graph", false, "print the dependency graph as Mermaid")
	cmd.Flags().StringVar(&f.manifests, "manifests", "", "write every Kubernetes object as YAML into `DIR`")
	cmd.Flags().Float64Var(&f.threshold, "cost-threshold", 10, "with --against, mark a stack the change makes more expensive by more than this many `USD` a month")
	cmd.Flags().BoolVar(&f.failOnBlocked, "fail-on-blocked", false, "with --against, exit 3 after writing the whole report when a stack's plan has a change marked ⛔ (will fail)")
	cmd.Flags().StringVar(&f.against, "against", "", "print, as a pull-request comment (or --json), what changes since git revision `REF`: replacements, deletions and what they put at risk")
	return cmd
}

func runPlan(cmd *cobra.Command, f planFlags) error {
	if len(f.stacks) == 0 {
		return usageError{errors.New("--stack is required (e.g. infra plan --stack dev)")}
	}
	modes := 0
	for _, on := range []bool{f.json && f.against == "", f.graph, f.manifests != "", f.against != ""} {
		if on {
			modes++
		}
	}
	if modes > 1 {
		return usageError{errors.New("choose one of --json, --graph, --manifests and --against (--json goes with --against)")}
	}
	if f.against != "" {
		return runAgainst(cmd, f)
	}
	if f.failOnBlocked {
		return usageError{errors.New("--fail-on-blocked goes with --against")}
	}
	if len(f.stacks) > 1 {
		return usageError{errors.New("one --stack at a time, except with --against")}
	}
	p, err := plan.Stack(f.dir, f.stacks[0], nil)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	switch {
	case f.json:
		var b []byte
		if key := os.Getenv(plan.FingerprintKeyEnv); key != "" {
			k, err := hex.DecodeString(key)
			if err != nil || len(k) < 16 {
				return fmt.Errorf("%s must be at least 16 bytes in hex", plan.FingerprintKeyEnv)
			}
			b, err = p.FingerprintJSON(k)
			if err != nil {
				return err
			}
		} else if b, err = p.JSON(); err != nil {
			return err
		}
		_, err = out.Write(b)
		return err
	case f.graph:
		_, err := out.Write([]byte(p.Mermaid()))
		return err
	case f.manifests != "":
		files, err := p.WriteManifests(f.manifests)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "wrote %d Kubernetes manifests to %s\n", len(files), f.manifests)
		return nil
	}
	var buf bytes.Buffer
	if err := p.WriteTree(&buf); err != nil {
		return err
	}
	_, err = out.Write(buf.Bytes())
	return err
}

// runAgainst prints the comment (or JSON) comparing every stack named with
// the base revision. A stack whose plan fails is shown with its error and
// makes the exit code 1, after the whole output is written; with
// --fail-on-blocked, a plan with a change that will fail (⛔) makes it 3.
func runAgainst(cmd *cobra.Command, f planFlags) error {
	reps, err := plan.Against(f.dir, f.against, f.stacks, &plan.Pricing{Price: priceForReport, Threshold: f.threshold})
	if err != nil {
		return err
	}
	var out []byte
	if f.json {
		if out, err = report.JSON(reps); err != nil {
			return err
		}
	} else {
		out = []byte(report.Comment(reps, report.MaxMarkdown))
	}
	if _, err := cmd.OutOrStdout().Write(out); err != nil {
		return err
	}
	var failed []string
	for _, r := range reps {
		if r.Err != "" {
			failed = append(failed, r.Stack+": "+firstLine(r.Err))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("the plan failed for %s", strings.Join(failed, "; "))
	}
	if f.failOnBlocked {
		var blocked []string
		for _, r := range reps {
			if n := len(r.Blocked()); n > 0 {
				blocked = append(blocked, fmt.Sprintf("%s (%d)", r.Stack, n))
			}
		}
		if len(blocked) > 0 {
			return exitError{code: 3, msg: "⛔ changes that will fail in " + strings.Join(blocked, ", ") + ": see the report"}
		}
	}
	return nil
}

// priceForReport prices a plan for a change report.
func priceForReport(p *plan.Plan, cfg stacks.Config) (report.Money, map[string]report.Money) {
	e := cost.Of(p, cfg, prices.Default)
	parts := map[string]report.Money{}
	for _, c := range e.Components() {
		parts[c.Component] = report.Money{Min: c.Monthly, Max: c.MonthlyMax}
	}
	return report.Money{Min: e.Monthly, Max: e.MonthlyMax}, parts
}

func firstLine(s string) string {
	if i := strings.Index(s, "\n"); i >= 0 {
		return s[:i]
	}
	return s
}
