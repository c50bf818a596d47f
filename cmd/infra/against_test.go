package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/unlimited-translation/infra/internal/scenarios"
)

// clone makes a clone of this repository with the working tree's program
// committed, so HEAD is a base with today's code.
func clone(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	if out, err := exec.Command("git", "clone", "-q", "../..", dir).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	// Bring the clone to this working tree's state.
	if err := scenarios.CopyWorkingTree("../..", dir); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"add", "-A"}, {"-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "base", "--allow-empty"}} {
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return dir
}

func edit(t *testing.T, file, old, new string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(b), old, new, 1)
	if changed == string(b) {
		t.Fatalf("%s has no %q to change", file, old)
	}
	if err := os.WriteFile(file, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
}

func contains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}

// TestPlanAgainst: one comment for dev and prod against HEAD of a clone
// whose stack files changed; the program is the same, so the base plans
// come from the base's stack files in process.
func TestPlanAgainst(t *testing.T) {
	dir := clone(t)
	sha, _ := exec.Command("git", "-C", dir, "rev-parse", "--short=7", "HEAD").Output()
	edit(t, filepath.Join(dir, "Pulumi.dev.yaml"), `backendReplicas: "1"`, `backendReplicas: "3"`)
	edit(t, filepath.Join(dir, "Pulumi.prod.yaml"), "unlimited-translation:mysqlStorageSize: 10Gi",
		"unlimited-translation:mysqlStorageSize: 10Gi\n  unlimited-translation:databaseDiskType: pd-ssd")

	var out, errOut bytes.Buffer
	if code := run([]string{"plan", "--stack", "dev", "--stack", "prod", "--against", "HEAD", "--dir", dir}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	md := out.String()
	contains(t, "comment", md,
		// 2 more Spot backend pods: 2 × (1 × $0.0133 + 2 × $0.0014767 +
		// 500/1024 × $0.0000548) × 730 h = $23.77, above the $10 threshold.
		"| `dev` | `backendReplicas` `1` → `3` | 0 | 1 | 0 | 0 | none | 📈 $45.17 → $68.94 (+$23.77) | `"+strings.TrimSpace(string(sha))+"` → `"+strings.TrimSpace(string(sha))+" + uncommitted changes` |",
		"- `backendReplicas` `1` → `3`: +$23.77/month",
		"- `backend`: $11.88 → $35.65: +$23.77/month",
		"- 📈 more than $10.00/month more expensive",
		// 10 GiB regional: 2 × 10 × ($0.17 - $0.10) = $1.40 more.
		"| `prod` | `databaseDiskType` set to `pd-ssd` | 0 | 0 | 5 | 0 | ⛔ will fail: `mysql-stateful`, `mysql-stateful-data`, `translation-prod-mysql-data`<br>⚠ data, downtime | $335.66-494.43 → $337.06-495.83 (+$1.40) |",
		"- `databaseDiskType` (unset) → `pd-ssd`: +$1.40/month",
		"- `data disk`: $2.00 → $3.40: +$1.40/month",
		"<details><summary><b>dev</b>: 0 to create, 1 to update, 0 to replace, 0 to delete (76 unchanged)</summary>",
		"- `~` **update** `backend-fastapi-deploy` (Deployment `kubernetes:apps/v1:Deployment`) in TranslationApp › Backend › WebWorkload `translation-backend`\n  - `spec.replicas`: `1` → `3`",
		"- ⛔ ⚠ `±` **replace** `mysql-stateful`",
		"  - ⛔ **will fail**: it is protected. To go ahead on purpose:",
		`["Deployment backend-fastapi-deploy<br>~ update"]:::update`,
		`["🔒 💾 RegionDisk translation-prod-mysql-data<br>± replace"]:::replace`,
		"a new disk would be empty. To move the data to a new disk, dump the database",
	)
	if strings.Contains(md, "ManagedZone") {
		t.Errorf("the graph shows unchanged resources:\n%s", md)
	}
	if wt, _ := exec.Command("git", "-C", dir, "worktree", "list").Output(); strings.Count(string(wt), "\n") != 1 {
		t.Errorf("temporary worktree left behind:\n%s", wt)
	}

	// The same as JSON for other tools.
	out.Reset()
	if code := run([]string{"plan", "--stack", "dev,prod", "--against", "HEAD", "--json", "--dir", dir}, &out, &errOut); code != 0 {
		t.Fatalf("--json: exit %d: %s", code, errOut.String())
	}
	var doc struct {
		Stacks []struct {
			Stack   string         `json:"stack"`
			Summary map[string]int `json:"summary"`
			AtRisk  []string       `json:"atRisk"`
			Blocked []string       `json:"blocked"`
			Changes []struct {
				Op, Mode string
				Replaces []string
			} `json:"changes"`
			Cost struct {
				Base struct{ Monthly float64 }
				Head struct{ Monthly float64 }
				Over bool `json:"overThreshold"`
			} `json:"cost"`
		} `json:"stacks"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil || len(doc.Stacks) != 2 {
		t.Fatalf("--json: %v\n%s", err, out.String())
	}
	prod := doc.Stacks[1]
	if prod.Summary["replace"] != 5 || len(prod.Blocked) != 3 || strings.Join(prod.AtRisk, ",") != "data,downtime" ||
		prod.Changes[0].Mode != "delete-before-replace" {
		t.Errorf("prod JSON: %+v", prod)
	}
	if c := doc.Stacks[0].Cost; c.Base.Monthly != 45.17 || c.Head.Monthly != 68.94 || !c.Over {
		t.Errorf("dev cost JSON: %+v", c)
	}

	// A stack the base revision does not have: everything is new.
	if err := os.WriteFile(filepath.Join(dir, "Pulumi.staging.yaml"), mustRead(t, filepath.Join(dir, "Pulumi.dev.yaml")), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := run([]string{"plan", "--stack", "staging", "--against", "HEAD", "--dir", dir}, &out, &errOut); code != 0 {
		t.Fatalf("new stack: exit %d: %s", code, errOut.String())
	}
	contains(t, "new stack comment", out.String(), "| `staging` | ", " | 77 | 0 | 0 | 0 | none | new: $68.94 |")

	// Bad config in the pull request: the comment still comes, with the
	// error for that stack, and the exit code says it failed.
	edit(t, filepath.Join(dir, "Pulumi.dev.yaml"), `backendReplicas: "3"`, `backendReplicas: "three"`)
	out.Reset()
	errOut.Reset()
	code := run([]string{"plan", "--stack", "dev,prod", "--against", "HEAD", "--dir", dir}, &out, &errOut)
	if code != 1 {
		t.Errorf("bad config: exit %d, want 1", code)
	}
	contains(t, "comment of a failing plan", out.String(), "| `dev` | | | | | | ⛔ plan diff failed: stack \"dev\": config backendReplicas", "| `prod` |", "The plan diff failed")
	contains(t, "stderr", errOut.String(), "the plan failed for dev")

	errOut.Reset()
	if code := run([]string{"plan", "--stack", "dev", "--against", "no-such-ref", "--dir", dir}, &out, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), `unknown git revision "no-such-ref"`) {
		t.Errorf("bad ref: exit %d: %s", code, errOut.String())
	}
}

// TestPlanAgainstRemovedComponent: a change of the program itself (the
// public endpoint removed): the base plan comes from the base revision's
// own code, built in a temporary worktree.
func TestPlanAgainstRemovedComponent(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a base revision")
	}
	dir := clone(t)
	if err := scenarios.RemovePublicEndpoint(dir); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "run", "./cmd/infra", "plan", "--stack", "dev", "--against", "HEAD")
	cmd.Dir = dir
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	contains(t, "comment", out.String(),
		// The certificate is a project resource now: it stays. Without a
		// load balancer in front, the frontend's port is open to any
		// source: its policy is updated too.
		"| `dev` | none | 0 | 2 | 0 | 4 | ⚠ downtime |",
		"**update** `allow-public` (NetworkPolicy",
		"**delete** `translation-web` (Ingress",
		"**update** `translation-backend` (Service",
		`["Ingress translation-web<br>- delete"]:::delete`,
	)
	// Deletions come before updates.
	if strings.Index(out.String(), "**Replaced or deleted**") > strings.Index(out.String(), "**Updated in place**") {
		t.Error("updates are listed before deletions")
	}
	if wt, _ := exec.Command("git", "-C", dir, "worktree", "list").Output(); strings.Count(string(wt), "\n") != 1 {
		t.Errorf("temporary worktree left behind:\n%s", wt)
	}
}

func mustRead(t *testing.T, f string) []byte {
	t.Helper()
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var sha7 = regexp.MustCompile("`[0-9a-f]{7}` → `[0-9a-f]{7}`")

// The README's example comment is what infra prints for its pull request
// (the database moved to premium-rwo in dev and prod), commits aside; with
// -update the test writes it.
func TestReadmeExampleComment(t *testing.T) {
	dir := clone(t)
	edit(t, filepath.Join(dir, "Pulumi.dev.yaml"), "unlimited-translation:mysqlStorageSize: 1Gi", "unlimited-translation:mysqlStorageSize: 2Gi")
	edit(t, filepath.Join(dir, "Pulumi.prod.yaml"), "unlimited-translation:mysqlStorageSize: 10Gi",
		"unlimited-translation:mysqlStorageSize: 10Gi\n  unlimited-translation:databaseDiskType: pd-ssd")
	if out, err := exec.Command("git", "-C", dir, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qam", "bigger and faster data disks").CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"plan", "--stack", "dev,prod", "--against", "HEAD~1", "--dir", dir}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	got := strings.TrimPrefix(out.String(), "### Offline plan diff\n\n")
	got = sha7.ReplaceAllString(got, "`1a2b3c4` → `5d6e7f8`")
	const start, end = "<!-- example-comment:start -->\n", "\n<!-- example-comment:end -->"
	readme := string(mustRead(t, "../../README.md"))
	i, j := strings.Index(readme, start), strings.Index(readme, end)
	if i < 0 || j < i {
		t.Fatal("README has no example-comment markers")
	}
	if *update {
		readme = readme[:i+len(start)] + strings.TrimRight(got, "\n") + readme[j:]
		if err := os.WriteFile("../../README.md", []byte(readme), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := readme[i+len(start) : j]; want != strings.TrimRight(got, "\n") {
		t.Errorf("the README's example comment is stale (go test ./cmd/infra -run ReadmeExample -update):\n%s", firstDiff(want, strings.TrimRight(got, "\n")))
	}
}
