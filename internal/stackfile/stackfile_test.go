package stackfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "Pulumi.yaml", `name: unlimited-translation
runtime: go
config:
  region:
    type: string
    default: eu
  gcp:zone: europe-west1-b
  nodefault:
    type: string
`)
	write(t, dir, "Pulumi.s1.yaml", `config:
  unlimited-translation:replicas: 3
  unlimited-translation:enabled: true
  unlimited-translation:labels:
    team: ml
  unlimited-translation:pw:
    secure: v1:abc:def
  region: us
`)
	src, err := Load(dir, "s1")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"unlimited-translation:replicas": "3",
		"unlimited-translation:enabled":  "true",
		"unlimited-translation:labels":   `{"team":"ml"}`,
		"unlimited-translation:pw":       "v1:abc:def",
		"unlimited-translation:region":   "us", // the stack overrides the project default
		"gcp:zone":                       "europe-west1-b",
	}
	for k, v := range want {
		if src.Values[k] != v {
			t.Errorf("%s = %q, want %q", k, src.Values[k], v)
		}
	}
	if _, ok := src.Values["unlimited-translation:nodefault"]; ok {
		t.Error("a project key without default was set")
	}
	if !src.Secrets["unlimited-translation:pw"] || src.Secrets["unlimited-translation:replicas"] {
		t.Errorf("secrets %v", src.Secrets)
	}
	if got := strings.Join(Stacks(dir), ","); got != "s1" {
		t.Errorf("Stacks = %q", got)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(dir, "x"); err == nil || !strings.Contains(err.Error(), "Pulumi.yaml") {
		t.Errorf("missing Pulumi.yaml: %v", err)
	}
	write(t, dir, "Pulumi.yaml", "name: unlimited-translation\nruntime: go\n")
	write(t, dir, "Pulumi.a.yaml", "config: {}\n")
	for _, bad := range []string{"../a", "a/b", "", "..", "dev prod"} {
		if _, err := Load(dir, bad); err == nil || !strings.Contains(err.Error(), "is not a stack name") {
			t.Errorf("stack %q: %v", bad, err)
		}
	}
	if _, err := Load(dir, "b"); err == nil || err.Error() != `unknown stack "b": no Pulumi.b.yaml (known stacks: a)` {
		t.Errorf("unknown stack: %v", err)
	}
	write(t, dir, "Pulumi.dev.yaml", "config: {}\n")
	if _, err := Load(dir, "dve"); err == nil || err.Error() != `unknown stack "dve": no Pulumi.dve.yaml (did you mean dev? known stacks: a, dev)` {
		t.Errorf("misspelled stack: %v", err)
	}
	write(t, dir, "Pulumi.c.yaml", "config:\n  - not: a map\n  bad")
	if _, err := Load(dir, "c"); err == nil || !strings.Contains(err.Error(), "Pulumi.c.yaml is not valid YAML") {
		t.Errorf("bad yaml: %v", err)
	}
}

// A Pulumi.yaml of another project or runtime is named as the problem.
func TestLoadRefusesAnotherProject(t *testing.T) {
	for yaml, want := range map[string]string{
		"name: unlimited-translaton\nruntime: go\n":      `names the project "unlimited-translaton", but this program is "unlimited-translation"`,
		"name: unlimited-translation\nruntime: nodejs\n": `has runtime "nodejs"; this program is Go: set runtime: go`,
		// plan run inside bootstrap/: say what it is and how to plan it.
		"name: unlimited-translation-bootstrap\nruntime: go\n":               "is the bootstrap project (the deployer identities and the state bucket, one per GCP project), not the app's: plan it with `infra bootstrap --stack STACK",
		"name: unlimited-translation\nruntime:\n  name: python\n":            `has runtime "python"`,
		"name: unlimited-translation\nruntime:\n  name: go\n  options: {}\n": "",
	} {
		dir := t.TempDir()
		write(t, dir, "Pulumi.yaml", yaml)
		write(t, dir, "Pulumi.a.yaml", "config: {}\n")
		_, err := Load(dir, "a")
		if (want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", yaml, err, want)
		}
	}
}
