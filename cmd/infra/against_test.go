package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanAgainst compares the working tree of a clone with its HEAD: the
// base plan comes from HEAD's own code, built in a temporary worktree.
func TestPlanAgainst(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a base revision")
	}
	clone := filepath.Join(t.TempDir(), "repo")
	if out, err := exec.Command("git", "clone", "-q", "../..", clone).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	stackFile := filepath.Join(clone, "Pulumi.dev.yaml")
	b, err := os.ReadFile(stackFile)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(b), `backendReplicas: "1"`, `backendReplicas: "3"`, 1)
	if changed == string(b) {
		t.Fatal("Pulumi.dev.yaml has no backendReplicas line to change")
	}
	if err := os.WriteFile(stackFile, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"plan", "--stack", "dev", "--against", "HEAD", "--dir", clone}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	md := out.String()
	for _, want := range []string{
		"### Offline plan diff of stack `dev`",
		"**0 to create, 1 to update, 0 to replace, 0 to delete (29 unchanged)**",
		"#### TranslationApp › Backend › WebWorkload `translation-backend`",
		"`spec.replicas`: `1` → `3`",
		"#### What changed, as a graph",
		`["Deployment translation-backend"]`,
	} {
		if !strings.Contains(md, want) {
			t.Errorf("comment lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "ManagedZone") {
		t.Errorf("the graph shows unchanged resources:\n%s", md)
	}
	if wt, _ := exec.Command("git", "-C", clone, "worktree", "list").Output(); strings.Count(string(wt), "\n") != 1 {
		t.Errorf("temporary worktree left behind:\n%s", wt)
	}

	// A stack the base revision does not have: everything is new.
	if err := os.WriteFile(filepath.Join(clone, "Pulumi.staging.yaml"), []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := run([]string{"plan", "--stack", "staging", "--against", "HEAD", "--dir", clone}, &out, &errOut); code != 0 {
		t.Fatalf("new stack: exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "**30 to create, 0 to update") {
		t.Errorf("new stack comment:\n%s", out.String()[:300])
	}

	errOut.Reset()
	if code := run([]string{"plan", "--stack", "dev", "--against", "no-such-ref", "--dir", clone}, &out, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), `unknown git revision "no-such-ref"`) {
		t.Errorf("bad ref: exit %d: %s", code, errOut.String())
	}
}
