package e2e

import (
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/unlimited-translation/infra/internal/plan"
	"github.com/unlimited-translation/infra/internal/report"
	"github.com/unlimited-translation/infra/internal/scenarios"
)

var fingerprintKey = []byte("e2e-fingerprint-key-0123456789ab")

// protectedURN finds the resources an engine error refuses to replace.
var protectedURN = regexp.MustCompile(`unable to replace resource \\?"(urn:[^"\\]+)\\?"`)

// Every scenario through the real engine: a stack is brought up from its
// committed file, the scenario's config is set, and `infra preview --json`
// (the engine, with stand-ins that take their replacement rules from the
// same table) must agree with the offline diff on every resource's
// operation, and both with the table worked out by hand.
func TestScenariosAgreeWithEngine(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		scenariosAgree(t, project(t, stack), stack)
	}
}

// scenariosAgree brings the stack of p up and previews every scenario of
// it through the engine, which must agree with the offline diff and the
// table.
func scenariosAgree(t *testing.T, p proj, stack string) {
	t.Helper()
	p.mustInfra(t, "up", "--stack", stack, "--yes")
	base := p.planJSON(t, stack)
	for _, s := range scenarios.All {
		if s.Stack != stack {
			continue
		}
		t.Run(s.Name, func(t *testing.T) {
			defer p.restore(t, stack)()
			for k, v := range s.Set {
				p.pulumi(t, "config", "set", k, v, "--stack", stack)
			}
			offline, err := plan.DiffJSON(stack, base, p.planJSON(t, stack))
			if err != nil {
				t.Fatal(err)
			}
			engine := p.previewJSON(t, stack, len(s.Blocked) > 0)
			s.Check(t, offline)
			switch {
			case len(s.Blocked) == 0:
				s.Check(t, engine)
				agree(t, offline, engine, nil)
				return
			case engine.Err == "":
				// What fails only at apply time ("already exists"): the
				// engine's preview plans it like the offline diff.
				s.CheckOps(t, engine)
				agree(t, offline, engine, nil)
				return
			}
			// The engine stops its preview at a protected replacement: it
			// must say so, and what it did plan must agree.
			if !strings.Contains(engine.Err, "protect") {
				t.Errorf("the engine's preview did not fail on protection: %q", engine.Err)
			}
			// It stops at the first protected replacements it meets: each
			// it names must be one the table blocks, and it names one.
			named := 0
			for _, m := range protectedURN.FindAllStringSubmatch(engine.Err, -1) {
				named++
				if !slices.Contains(s.Blocked, scenarios.Short(m[1])) {
					t.Errorf("the engine refuses %s, which the table does not block", scenarios.Short(m[1]))
				}
			}
			if named == 0 {
				t.Errorf("the engine's error names no protected resource: %q", engine.Err)
			}
			agree(t, offline, engine, engine.Changes)
		})
	}
}

// TestNewStackAllCreate: a stack file the base does not have plans as all
// creates, offline and in the engine.
func TestNewStackAllCreate(t *testing.T) {
	p := project(t, "dev")
	offline, err := plan.DiffJSON("dev", nil, p.planJSON(t, "dev"))
	if err != nil {
		t.Fatal(err)
	}
	engine := p.previewJSON(t, "dev", false)
	agree(t, offline, engine, nil)
	n := offline.Counts()
	if n["create"] != len(offline.Changes) || n["create"] < 30 {
		t.Errorf("new stack: %v", n)
	}
}

// agree: the same operation on every resource (only those of only, when
// the engine stopped early).
func agree(t *testing.T, offline, engine *report.Report, only []report.Change) {
	partial := only != nil || engine.Err != ""
	t.Helper()
	ops := func(r *report.Report) map[string]string {
		m := map[string]string{}
		for _, c := range r.Changes {
			if c.Op != "same" {
				m[c.URN] = c.Op + " " + c.Mode
			}
		}
		return m
	}
	o, e := ops(offline), ops(engine)
	urns := map[string]bool{}
	for u := range o {
		urns[u] = true
	}
	for u := range e {
		urns[u] = true
	}
	if partial {
		urns = map[string]bool{}
		for _, c := range only {
			urns[c.URN] = true
		}
	}
	var diffs []string
	for u := range urns {
		if o[u] != e[u] {
			diffs = append(diffs, scenarios.Short(u)+": offline "+o[u]+", engine "+e[u])
		}
	}
	sort.Strings(diffs)
	for _, d := range diffs {
		t.Error(d)
	}
}

// planJSON is the offline plan of the project's stack as it is now.
func (p proj) planJSON(t *testing.T, stack string) []byte {
	t.Helper()
	pl, err := plan.Stack(p.dir, stack, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := pl.FingerprintJSON(fingerprintKey)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// previewJSON runs `infra preview --json` and reads its report.
func (p proj) previewJSON(t *testing.T, stack string, mayFail bool) *report.Report {
	t.Helper()
	file := filepath.Join(t.TempDir(), "preview.json")
	r := p.infra(t, "preview", "--stack", stack, "--json", file)
	if r.code != 0 && !mayFail {
		t.Fatalf("preview: exit %d\n%s", r.code, r.stderr)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("no JSON report (exit %d): %v\n%s", r.code, err, r.stderr)
	}
	transcript.Write(b)
	reps, err := scenarios.Decode(b)
	if err != nil || len(reps) != 1 {
		t.Fatalf("reading the JSON report: %v", err)
	}
	return reps[0]
}

// restore returns a func that puts the stack file back as it is now.
func (p proj) restore(t *testing.T, stack string) func() {
	t.Helper()
	file := filepath.Join(p.dir, "Pulumi."+stack+".yaml")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return func() {
		if err := os.WriteFile(file, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRemovedComponentAgreesWithEngine: the one scenario only a change of
// code makes. The program of a copy of this tree loses its public
// endpoint; its infra previews a dev stack brought up by this tree's.
func TestRemovedComponentAgreesWithEngine(t *testing.T) {
	changed := changedInfra(t, scenarios.RemovePublicEndpoint)

	p := project(t, "dev")
	p.mustInfra(t, "up", "--stack", "dev", "--yes")
	key := []string{plan.FingerprintKeyEnv + "=" + hex.EncodeToString(fingerprintKey)}
	head := p.runBin(t, changed, key, "plan", "--stack", "dev", "--json")
	if head.code != 0 {
		t.Fatalf("plan of the changed program: %s", head.stderr)
	}
	offline, err := plan.DiffJSON("dev", p.planJSON(t, "dev"), []byte(head.stdout))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "preview.json")
	if r := p.runBin(t, changed, nil, "preview", "--stack", "dev", "--json", file); r.code != 0 {
		t.Fatalf("preview: %s", r.stderr)
	}
	reps, err := scenarios.Decode(mustRead(t, file))
	if err != nil {
		t.Fatal(err)
	}
	scenarios.RemovedComponent.Check(t, offline)
	scenarios.RemovedComponent.Check(t, reps[0])
	agree(t, offline, reps[0], nil)
}

func mustRead(t *testing.T, f string) []byte {
	t.Helper()
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRenamedAppWithAliasIsNoChange: the app component renamed in code,
// its old name kept as an alias. The real engine previews no change for
// a dev stack brought up under the old name, and the offline diff agrees.
func TestRenamedAppWithAliasIsNoChange(t *testing.T) {
	changed := changedInfra(t, scenarios.RenameAppWithAlias)
	const stack = "renamed"
	p := projectAs(t, "dev", stack)
	p.destroyAtEnd(t, stack)
	p.mustInfra(t, "up", "--stack", stack, "--yes")
	key := []string{plan.FingerprintKeyEnv + "=" + hex.EncodeToString(fingerprintKey)}
	head := p.runBin(t, changed, key, "plan", "--stack", stack, "--json")
	if head.code != 0 {
		t.Fatalf("plan of the renamed program: %s", head.stderr)
	}
	if !strings.Contains(head.stdout, "translation:components:TranslationApp::unlimited-translation") {
		t.Fatal("the renamed program does not rename the app")
	}
	offline, err := plan.DiffJSON(stack, p.planJSON(t, stack), []byte(head.stdout))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "preview.json")
	if r := p.runBin(t, changed, nil, "preview", "--stack", stack, "--json", file); r.code != 0 {
		t.Fatalf("preview: %s", r.stderr)
	}
	reps, err := scenarios.Decode(mustRead(t, file))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*report.Report{offline, reps[0]} {
		if n := r.Counts(); n["create"]+n["delete"]+n["replace"]+n["update"] != 0 {
			t.Errorf("%s of a rename with an alias: %v", r.Kind, n)
		}
	}
}

// changedInfra builds infra from a copy of this tree whose program edit
// changed, and returns the binary.
func changedInfra(t *testing.T, edit func(dir string) error) string {
	t.Helper()
	src := t.TempDir()
	if err := scenarios.CopyWorkingTree("..", src); err != nil {
		t.Fatal(err)
	}
	if err := edit(src); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "infra-changed")
	build := exec.Command("go", "build", "-o", bin, "./cmd/infra")
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the changed program: %v\n%s", err, out)
	}
	return bin
}
