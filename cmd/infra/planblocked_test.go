package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// --fail-on-blocked: the whole report is written, then the exit code is 3
// when a stack has a change that will fail (⛔), 0 when none has; a plan
// that fails outright stays 1. pr-plan relies on it to fail the check
// after uploading the comment.
func TestPlanFailOnBlocked(t *testing.T) {
	dir := clone(t)
	plan := func(args ...string) (int, string, string) {
		t.Helper()
		var out, errOut bytes.Buffer
		code := run(append([]string{"plan", "--against", "HEAD", "--dir", dir, "--fail-on-blocked"}, args...), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	if code, _, stderr := plan("--stack", "dev,prod"); code != 0 {
		t.Fatalf("unchanged stacks: exit %d: %s", code, stderr)
	}
	// A new disk type replaces prod's protected database disk: ⛔.
	edit(t, filepath.Join(dir, "Pulumi.prod.yaml"), "unlimited-translation:mysqlStorageSize: 10Gi",
		"unlimited-translation:mysqlStorageSize: 10Gi\n  unlimited-translation:databaseDiskType: pd-ssd")
	code, md, stderr := plan("--stack", "dev,prod")
	if code != 3 || !strings.Contains(stderr, "prod (3)") || strings.Contains(stderr, "dev (") {
		t.Errorf("blocked prod: exit %d, stderr %q", code, stderr)
	}
	if !strings.Contains(md, "⛔ will fail") || !strings.Contains(md, "<b>dev</b>") {
		t.Errorf("blocked prod: the report is not whole:\n%s", md)
	}
	if code, out, _ := plan("--stack", "dev,prod", "--json"); code != 3 || !strings.Contains(out, `"blocked": [`) {
		t.Errorf("--json: exit %d\n%s", code, out)
	}
	// Without the flag, a blocked plan is still a success.
	var out, errOut bytes.Buffer
	if code := run([]string{"plan", "--against", "HEAD", "--dir", dir, "--stack", "prod"}, &out, &errOut); code != 0 {
		t.Errorf("without --fail-on-blocked: exit %d", code)
	}
	// A plan that fails is 1, not 3.
	if code, _, _ := plan("--stack", "prod,nosuchstack"); code != 1 {
		t.Errorf("a failing plan: exit %d, want 1", code)
	}
	// Only with --against.
	out.Reset()
	if code := run([]string{"plan", "--stack", "dev", "--dir", dir, "--fail-on-blocked"}, &out, &errOut); code != 2 {
		t.Errorf("without --against: exit %d, want 2", code)
	}
}
