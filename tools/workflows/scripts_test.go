package workflows

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/unlimited-translation/infra/stacks"
)

// stacks.sh: INFRA_STACKS when set (checked), else the stack files that
// set gcp:project; --non-production agrees with stacks.IsProduction.
func TestStacksScript(t *testing.T) {
	files := map[string]string{
		"Pulumi.dev.yaml":        "# a comment\nconfig:\n  gcp:project: my-dev\n  gcp:region: europe-west1\n",
		"Pulumi.prod.yaml":       "config:\n  gcp:project: \"my-prod\"\n",
		"Pulumi.prod-eu.yaml":    "config:\n  gcp:project: my-prod-eu\n",
		"Pulumi.production.yaml": "config:\n  gcp:project: p\n",
		"Pulumi.staging.yaml":    "config:\n  gcp:project: s\n",
		"Pulumi.local.yaml":      "config:\n  unlimited-translation:platform: local\n  # gcp:project: not-me\n",
		"Pulumi.empty.yaml":      "config:\n  gcp:project:\n",
		"Pulumi.yaml":            "name: unlimited-translation\n",
		"Pulumi.bad name.yaml":   gkeStack,
	}
	dir := t.TempDir()
	for name, text := range files {
		os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644)
	}
	for _, c := range []struct {
		name string
		env  []string
		args []string
		want string // output, or a fragment of the error
		fail bool
	}{
		{"stack files", nil, nil, "dev,prod,prod-eu,production,staging", false},
		{"json", nil, []string{"--json"}, `["dev","prod","prod-eu","production","staging"]`, false},
		{"non-production", nil, []string{"--non-production", "--json"}, `["dev","staging"]`, false},
		{"only", nil, []string{"--only", "prod", "--json"}, `["prod"]`, false},
		{"only, not listed", nil, []string{"--only", "local"}, "stack 'local' is not one of the stacks the workflows act on (dev,prod,prod-eu,production,staging)", true},
		{"only, injection", nil, []string{"--only", "dev\"]"}, "is not one of the stacks", true},
		{"INFRA_STACKS", []string{"INFRA_STACKS= staging , local,staging"}, []string{"--json"}, `["staging","local"]`, false},
		{"INFRA_STACKS non-production", []string{"INFRA_STACKS=prod,dev"}, []string{"--non-production"}, "dev", false},
		{"INFRA_STACKS without its file", []string{"INFRA_STACKS=dev,qa"}, nil, "names qa, but there is no Pulumi.qa.yaml", true},
		{"INFRA_STACKS not a name", []string{"INFRA_STACKS=dev,$(id)"}, nil, "'$(id)' is not a stack name", true},
		{"unknown flag", nil, []string{"--yaml"}, "unknown argument '--yaml'", true},
	} {
		out, err := runScript(t, dir, "stacks.sh", c.env, c.args...)
		if c.fail {
			if err == nil || !strings.Contains(out, c.want) || !strings.Contains(out, "::error::") {
				t.Errorf("%s: want a failure saying %q, got %v:\n%s", c.name, c.want, err, out)
			}
			continue
		}
		if err != nil || strings.TrimSpace(out) != c.want {
			t.Errorf("%s: got %q (%v), want %q", c.name, out, err, c.want)
		}
	}
	// None at all: empty, and [] for a matrix the workflows skip.
	empty := t.TempDir()
	if out, err := runScript(t, empty, "stacks.sh", nil, "--json"); err != nil || strings.TrimSpace(out) != "[]" {
		t.Errorf("no stacks, --json: %q %v", out, err)
	}
	if out, err := runScript(t, empty, "stacks.sh", nil); err != nil || out != "\n" {
		t.Errorf("no stacks: %q %v", out, err)
	}
	// The repository's own stacks: its GKE stacks, not local.
	wd, _ := filepath.Abs(root)
	if out, err := runScript(t, wd, "stacks.sh", nil); err != nil || strings.TrimSpace(out) != "dev,prod" {
		t.Errorf("this repository: %q %v", out, err)
	}

	// Production as the program decides it.
	names := []string{"prod", "production", "prod-eu", "prod-", "dev", "staging", "preprod", "prod_eu", "production-2", "products"}
	var listed []string
	for _, n := range names {
		os.WriteFile(filepath.Join(dir, "Pulumi."+n+".yaml"), []byte(gkeStack), 0o644)
		listed = append(listed, n)
	}
	out, err := runScript(t, dir, "stacks.sh", []string{"INFRA_STACKS=" + strings.Join(listed, ",")}, "--non-production")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	kept := map[string]bool{}
	for _, n := range strings.Split(strings.TrimSpace(out), ",") {
		kept[n] = true
	}
	for _, n := range names {
		if kept[n] == stacks.IsProduction(n) {
			t.Errorf("stacks.sh --non-production keeps %s: %v; stacks.IsProduction: %v", n, kept[n], stacks.IsProduction(n))
		}
	}
}

// install-plugins.sh installs exactly the plugin versions of the Go SDKs
// in go.mod, and fails when it cannot tell them.
func TestInstallPlugins(t *testing.T) {
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	version := func(module string) string {
		m := regexp.MustCompile(`(?m)^\s*(?:require\s+)?` + regexp.QuoteMeta(module) + `\s+v(\S+)`).FindSubmatch(gomod)
		if m == nil {
			t.Fatalf("go.mod has no %s", module)
		}
		return string(m[1])
	}
	want := "plugin install resource gcp " + version("github.com/pulumi/pulumi-gcp/sdk/v7") + "\n" +
		"plugin install resource kubernetes " + version("github.com/pulumi/pulumi-kubernetes/sdk/v4") + "\n"

	bin := t.TempDir()
	os.WriteFile(filepath.Join(bin, "pulumi"), []byte("#!/bin/sh\necho \"$@\" >> \"$LOG\"\n"), 0o755)
	run := func(dir string, args ...string) (string, string, error) {
		t.Helper()
		log := filepath.Join(t.TempDir(), "log")
		out, err := runScript(t, dir, "install-plugins.sh", []string{"PATH=" + bin + ":" + os.Getenv("PATH"), "LOG=" + log}, args...)
		b, _ := os.ReadFile(log)
		return string(b), out, err
	}
	wd, _ := filepath.Abs(root)
	if got, out, err := run(wd); err != nil || got != want {
		t.Errorf("this go.mod: pulumi called with\n%s\nwant\n%s(%v)\n%s", got, want, err, out)
	}

	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "one.mod"), []byte("module x\n\nrequire github.com/pulumi/pulumi-gcp/sdk/v7 v7.1.2\nrequire github.com/pulumi/pulumi-kubernetes/sdk/v4 v4.5.6 // indirect\n"), 0o644)
	if got, out, err := run(dir, "one.mod"); err != nil || got != "plugin install resource gcp 7.1.2\nplugin install resource kubernetes 4.5.6\n" {
		t.Errorf("one-line requires: %q (%v)\n%s", got, err, out)
	}
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n\nrequire (\n\tgithub.com/pulumi/pulumi-gcp/sdk/v7 v7.1.2\n)\n"), 0o644)
	if got, out, err := run(dir); err == nil || !strings.Contains(out, "no released version of github.com/pulumi/pulumi-kubernetes/sdk/v4") {
		t.Errorf("no kubernetes SDK: %q (%v)\n%s", got, err, out)
	}
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n\nrequire github.com/pulumi/pulumi-gcp/sdk/v7 v7.1.2-0.20240101000000-abcdef123456\n"), 0o644)
	if _, out, err := run(dir); err == nil || !strings.Contains(out, "no released version of github.com/pulumi/pulumi-gcp/sdk/v7") {
		t.Errorf("a pseudo-version: %v\n%s", err, out)
	}
}
