package main

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/unlimited-translation/infra/internal/plan"
	"github.com/unlimited-translation/infra/internal/report"
)

type planFlags struct {
	stack     string
	dir       string
	json      bool
	graph     bool
	manifests string
	against   string
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
	cmd.Flags().StringVarP(&f.stack, "stack", "s", "", "stack to plan (a Pulumi.<stack>.yaml must exist)")
	cmd.Flags().StringVar(&f.dir, "dir", ".", "project directory holding Pulumi.yaml")
	cmd.Flags().BoolVar(&f.json, "json", false, "print the plan as JSON (schema in docs/plan-json.md)")
	cmd.Flags().BoolVar(&f.graph, "graph", false, "print the dependency graph as Mermaid")
	cmd.Flags().StringVar(&f.manifests, "manifests", "", "write every Kubernetes object as YAML into `DIR`")
	cmd.Flags().StringVar(&f.against, "against", "", "print, as Markdown, what changed since git revision `REF` (its own offline plan, from a temporary worktree)")
	return cmd
}

func runPlan(cmd *cobra.Command, f planFlags) error {
	if f.stack == "" {
		return usageError{errors.New("--stack is required (e.g. infra plan --stack dev)")}
	}
	modes := 0
	for _, on := range []bool{f.json, f.graph, f.manifests != "", f.against != ""} {
		if on {
			modes++
		}
	}
	if modes > 1 {
		return usageError{errors.New("choose one of --json, --graph, --manifests and --against")}
	}
	p, err := plan.Stack(f.dir, f.stack, nil)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	switch {
	case f.json:
		b, err := p.JSON()
		if err != nil {
			return err
		}
		_, err = out.Write(b)
		return err
	case f.graph:
		_, err := out.Write([]byte(p.Mermaid()))
		return err
	case f.against != "":
		md, err := againstMarkdown(p, f)
		if err != nil {
			return err
		}
		_, err = out.Write([]byte(md))
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

// againstMarkdown is the pull-request comment for --against: the diff of
// the two offline plans, then the graph of what was added or changed.
func againstMarkdown(p *plan.Plan, f planFlags) (string, error) {
	base, err := plan.BaseJSON(f.dir, f.stack, f.against)
	if err != nil {
		return "", err
	}
	cur, err := p.JSON()
	if err != nil {
		return "", err
	}
	rep, err := plan.DiffJSON(f.stack, base, cur)
	if err != nil {
		return "", err
	}
	changed := map[string]bool{}
	for _, c := range rep.Changes {
		if c.Op != "delete" {
			changed[c.URN] = true
		}
	}
	graph := ""
	if len(changed) > 0 {
		graph = "\n#### What changed, as a graph\n\n" + p.MermaidOf(changed)
		if len(graph) > report.MaxMarkdown/2 {
			graph = "\n_The graph of what changed is too large for a comment: run `infra plan --stack " + f.stack + " --graph`._\n"
		}
	}
	return rep.Markdown(report.MaxMarkdown-len(graph)) + graph, nil
}
