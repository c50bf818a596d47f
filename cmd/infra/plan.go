package main

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/unlimited-translation/infra/internal/plan"
)

type planFlags struct {
	stack     string
	dir       string
	json      bool
	graph     bool
	manifests string
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
	return cmd
}

func runPlan(cmd *cobra.Command, f planFlags) error {
	if f.stack == "" {
		return usageError{errors.New("--stack is required (e.g. infra plan --stack dev)")}
	}
	modes := 0
	for _, on := range []bool{f.json, f.graph, f.manifests != ""} {
		if on {
			modes++
		}
	}
	if modes > 1 {
		return usageError{errors.New("choose one of --json, --graph and --manifests")}
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
