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
	write(t, dir, "Pulumi.yaml", `name: demo
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
  demo:replicas: 3
  demo:enabled: true
  demo:labels:
    team: ml
  demo:pw:
    secure: v1:abc:def
  region: us
`)
	src, err := Load(dir, "s1")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"demo:replicas": "3",
		"demo:enabled":  "true",
		"demo:labels":   `{"team":"ml"}`,
		"demo:pw":       "v1:abc:def",
		"demo:region":   "us", // the stack overrides the project default
		"gcp:zone":      "europe-west1-b",
	}
	for k, v := range want {
		if src.Values[k] != v {
			t.Errorf("%s = %q, want %q", k, src.Values[k], v)
		}
	}
	if _, ok := src.Values["demo:nodefault"]; ok {
		t.Error("a project key without default was set")
	}
	if !src.Secrets["demo:pw"] || src.Secrets["demo:replicas"] {
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
	write(t, dir, "Pulumi.yaml", "name: demo\n")
	write(t, dir, "Pulumi.a.yaml", "config: {}\n")
	for _, bad := range []string{"../a", "a/b", "", "..", "dev prod"} {
		if _, err := Load(dir, bad); err == nil || !strings.Contains(err.Error(), "is not a stack name") {
			t.Errorf("stack %q: %v", bad, err)
		}
	}
	if _, err := Load(dir, "b"); err == nil || err.Error() != `unknown stack "b": no Pulumi.b.yaml (known stacks: a)` {
		t.Errorf("unknown stack: %v", err)
	}
	write(t, dir, "Pulumi.c.yaml", "config:\n  - not: a map\n  bad")
	if _, err := Load(dir, "c"); err == nil || !strings.Contains(err.Error(), "Pulumi.c.yaml is not valid YAML") {
		t.Errorf("bad yaml: %v", err)
	}
}
