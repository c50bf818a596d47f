// Package workflows checks the GitHub workflows beyond what actionlint
// knows: rules this project keeps. Where a rule is a shell snippet, the
// snippet itself is run with bash.
package workflows

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"

	"gopkg.in/yaml.v3"

	"github.com/unlimited-translation/infra/stacks/bootstrap"
)

const root = "../.."

type step struct {
	Name            string            `yaml:"name"`
	ID              string            `yaml:"id"`
	Run             string            `yaml:"run"`
	If              string            `yaml:"if"`
	Uses            string            `yaml:"uses"`
	Shell           string            `yaml:"shell"`
	With            map[string]string `yaml:"with"`
	Env             map[string]string `yaml:"env"`
	ContinueOnError string            `yaml:"continue-on-error"`
}

// concurrency is either a group name or {group, cancel-in-progress}.
type concurrency struct {
	Group  string
	Cancel string // "" when absent: GitHub's default, false
}

func (c *concurrency) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		c.Group = n.Value
		return nil
	}
	var m struct {
		Group  string `yaml:"group"`
		Cancel string `yaml:"cancel-in-progress"`
	}
	if err := n.Decode(&m); err != nil {
		return err
	}
	c.Group, c.Cancel = m.Group, m.Cancel
	return nil
}

// environment is either a name or {name, url}.
type environment struct{ Name string }

func (e *environment) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		e.Name = n.Value
		return nil
	}
	var m struct {
		Name string `yaml:"name"`
	}
	err := n.Decode(&m)
	e.Name = m.Name
	return err
}

type job struct {
	If             string       `yaml:"if"`
	RunsOn         string       `yaml:"runs-on"`
	TimeoutMinutes int          `yaml:"timeout-minutes"`
	Environment    *environment `yaml:"environment"`
	Concurrency    *concurrency `yaml:"concurrency"`
	Steps          []step       `yaml:"steps"`
}

type workflow struct {
	On          map[string]yaml.Node `yaml:"on"`
	Concurrency *concurrency         `yaml:"concurrency"`
	Jobs        map[string]job       `yaml:"jobs"`
	text        string
}

func load(t *testing.T) map[string]workflow {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(root, ".github/workflows/*.yml"))
	if len(files) == 0 {
		t.Fatal("no workflows found")
	}
	out := map[string]workflow{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var w workflow
		if err := yaml.Unmarshal(b, &w); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		w.text = string(b)
		out[filepath.Base(f)] = w
	}
	return out
}

func mustJob(t *testing.T, ws map[string]workflow, file, name string) job {
	t.Helper()
	w, ok := ws[file]
	if !ok {
		t.Fatalf("%s is missing", file)
	}
	j, ok := w.Jobs[name]
	if !ok {
		t.Fatalf("%s: job %s is missing", file, name)
	}
	return j
}

func stepNamed(t *testing.T, j job, name string) step {
	t.Helper()
	for _, s := range j.Steps {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no step named %q", name)
	return step{}
}

func stepUsing(j job, action string) (int, step) {
	for i, s := range j.Steps {
		if strings.HasPrefix(s.Uses, action+"@") {
			return i, s
		}
	}
	return -1, step{}
}

// runStep runs a step's script as GitHub does (bash -e) in dir, with env.
func runStep(t *testing.T, dir, script string, env ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("bash", "-e", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Every job has a timeout: a hung run must not hold a stack's concurrency
// group for GitHub's default of six hours.
func TestEveryJobHasATimeout(t *testing.T) {
	for name, w := range load(t) {
		for job, j := range w.Jobs {
			if j.TimeoutMinutes <= 0 || j.TimeoutMinutes > 120 {
				t.Errorf("%s: job %s has timeout-minutes %d", name, job, j.TimeoutMinutes)
			}
		}
	}
}

// The workflows read exactly the variables and secrets the bootstrap
// prints (stacks/bootstrap), every one of them, and nothing else.
func TestVariablesAndSecrets(t *testing.T) {
	want := map[string]map[string]bool{"vars": {}, "secrets": {}}
	for _, v := range bootstrap.Variables {
		want["vars"][v.Name] = true
	}
	for _, v := range bootstrap.Secrets {
		want["secrets"][v.Name] = true
	}
	used := map[string]bool{}
	// vars.X and secrets.X, not a permission such as container.secrets.get.
	ref := regexp.MustCompile(`(?:^|[^.\w])(vars|secrets)\.([A-Za-z0-9_]+)`)
	for name, w := range load(t) {
		if strings.Contains(w.text, "GCP_SERVICE_ACCOUNT") {
			t.Errorf("%s still uses GCP_SERVICE_ACCOUNT", name)
		}
		for _, m := range ref.FindAllStringSubmatch(w.text, -1) {
			used[m[1]+"."+m[2]] = true
			if !want[m[1]][m[2]] {
				t.Errorf("%s: %s.%s is not one infra bootstrap prints", name, m[1], m[2])
			}
		}
	}
	for kind, names := range want {
		for n := range names {
			if !used[kind+"."+n] {
				t.Errorf("infra bootstrap prints %s %s, which no workflow reads", kind, n)
			}
		}
	}
}

// Previews use the preview account; deploy, dev sleep and wake, and drift
// (its refresh reads Kubernetes Secrets) the deployer, only from main, in
// an environment where they change something. No job a pull request
// triggers ever holds the deployer.
func TestIdentities(t *testing.T) {
	const preview, deploy = "${{ vars.GCP_PREVIEW_SERVICE_ACCOUNT }}", "${{ vars.GCP_DEPLOY_SERVICE_ACCOUNT }}"
	want := map[string]string{
		"pr-plan.yml/preview": preview, "drift.yml/drift": deploy,
		"deploy.yml/up": deploy, "dev-sleep-wake.yml/sleep-or-wake": deploy,
	}
	seen := map[string]bool{}
	for name, w := range load(t) {
		_, onPR := w.On["pull_request"]
		_, onPRT := w.On["pull_request_target"]
		for jn, j := range w.Jobs {
			_, auth := stepUsing(j, "google-github-actions/auth")
			if auth.Uses == "" {
				continue
			}
			key := name + "/" + jn
			seen[key] = true
			if auth.With["workload_identity_provider"] != "${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}" {
				t.Errorf("%s: workload_identity_provider %q", key, auth.With["workload_identity_provider"])
			}
			sa := auth.With["service_account"]
			if want[key] == "" {
				t.Errorf("%s authenticates to GCP as %s: add it to this test's table", key, sa)
			} else if sa != want[key] {
				t.Errorf("%s: service_account %s, want %s", key, sa, want[key])
			}
			if sa == deploy {
				if onPR || onPRT {
					t.Errorf("%s: the deployer in a workflow pull requests trigger", key)
				}
				// The deployer's WIF condition: ref refs/heads/main or
				// environment production.
				if !strings.Contains(j.If, "github.ref == 'refs/heads/main'") {
					t.Errorf("%s: the deployer's job must run only on main, if: %q", key, j.If)
				}
				if (j.Environment == nil || j.Environment.Name == "") && key != "drift.yml/drift" {
					t.Errorf("%s: the deployer's job has no environment", key)
				}
			}
		}
	}
	for key := range want {
		if !seen[key] {
			t.Errorf("%s does not authenticate to GCP", key)
		}
	}
}

// deploy: dispatch only from main (refused with a message elsewhere), prod
// only through the production environment.
func TestDeployFromMainOnlyProdThroughProduction(t *testing.T) {
	ws := load(t)
	up := mustJob(t, ws, "deploy.yml", "up")
	if up.Environment == nil {
		t.Fatal("deploy: job up has no environment")
	}
	env := up.Environment.Name
	if env != "${{ (inputs.stack || 'dev') == 'prod' && 'production' || 'dev' }}" {
		t.Errorf("deploy: environment %q must map prod to production and dev to dev", env)
	}
	if !strings.Contains(up.If, "github.ref == 'refs/heads/main'") {
		t.Errorf("deploy: job up runs off main, if: %q", up.If)
	}
	refuse := mustJob(t, ws, "deploy.yml", "refuse")
	if refuse.If != "github.ref != 'refs/heads/main'" || len(refuse.Steps) == 0 ||
		!strings.Contains(refuse.Steps[0].Run, "exit 1") || !strings.Contains(refuse.Steps[0].Run, "only from main") {
		t.Errorf("deploy: a dispatch off main must fail with a message, job refuse: %+v", refuse)
	}
	var push struct {
		Branches []string `yaml:"branches"`
	}
	n := ws["deploy.yml"].On["push"]
	if err := n.Decode(&push); err != nil || len(push.Branches) != 1 || push.Branches[0] != "main" {
		t.Errorf("deploy: push must be main only: %v %v", push.Branches, err)
	}
}

// Previews have their own group; deploy, sleep/wake and drift share the
// stack's group and queue, never cancel.
func TestConcurrency(t *testing.T) {
	ws := load(t)
	mayLock := map[string]bool{"deploy.yml": true, "dev-sleep-wake.yml": true, "drift.yml": true}
	for name, w := range ws {
		groups := []*concurrency{w.Concurrency}
		for _, j := range w.Jobs {
			groups = append(groups, j.Concurrency)
		}
		locked := false
		for _, c := range groups {
			if c == nil || !strings.HasPrefix(c.Group, "stack-") {
				continue
			}
			locked = true
			if !mayLock[name] {
				t.Errorf("%s uses the stack lock %q", name, c.Group)
			}
			if c.Cancel != "false" {
				t.Errorf("%s: %q must say cancel-in-progress: false, has %q", name, c.Group, c.Cancel)
			}
		}
		if mayLock[name] && !locked {
			t.Errorf("%s holds no stack-<name> group", name)
		}
	}
	p := mustJob(t, ws, "pr-plan.yml", "preview").Concurrency
	if p == nil || p.Group != "preview-${{ matrix.stack }}-${{ github.event.pull_request.number }}" || p.Cancel != "true" {
		t.Errorf("pr-plan: the preview's group must be preview-<stack>-<pr>, cancelling: %+v", p)
	}
	for file, group := range map[string]string{"deploy.yml": "stack-${{ inputs.stack || 'dev' }}", "drift.yml": "stack-prod"} {
		if c := ws[file].Concurrency; c == nil || c.Group != group {
			t.Errorf("%s: workflow group %+v, want %s", file, c, group)
		}
	}
	// The hourly decision holds no lock (it would queue behind a deploy
	// every hour); the job that sleeps or wakes holds dev's.
	if c := mustJob(t, ws, "dev-sleep-wake.yml", "sleep-or-wake").Concurrency; c == nil || c.Group != "stack-dev" {
		t.Errorf("dev-sleep-wake: job sleep-or-wake group %+v, want stack-dev", c)
	}
	if ws["dev-sleep-wake.yml"].Concurrency != nil || mustJob(t, ws, "dev-sleep-wake.yml", "decide").Concurrency != nil {
		t.Error("dev-sleep-wake: the hourly decide job must not hold a concurrency group")
	}
}

// A pipe into tee hides the command's failure unless pipefail is on (the
// default shell is bash -e, without it).
func TestTeeKeepsTheExitCode(t *testing.T) {
	for name, w := range load(t) {
		for jn, j := range w.Jobs {
			for _, s := range j.Steps {
				if strings.Contains(s.Run, "| tee") && s.Shell != "bash" && !strings.Contains(s.Run, "set -o pipefail") {
					t.Errorf("%s/%s: step %q pipes into tee without pipefail", name, jn, s.Name)
				}
			}
		}
	}
}

// The offline plan comment is uploaded even when a plan fails, and the
// job fails after it.
func TestPlanCommentSurvivesAFailingPlan(t *testing.T) {
	plan := mustJob(t, load(t), "pr-plan.yml", "plan")
	uploaded, failsAfter := false, false
	for _, s := range plan.Steps {
		if strings.HasPrefix(s.Uses, "actions/upload-artifact") && s.If == "always()" {
			uploaded = true
		}
		if uploaded && strings.Contains(s.Run, "exit 1") {
			failsAfter = true
		}
	}
	if !uploaded || !failsAfter {
		t.Errorf("pr-plan: comment uploaded always %v, fails after the upload %v", uploaded, failsAfter)
	}
	// The pull request's number is recorded before anything can fail.
	for _, s := range plan.Steps {
		if s.Name == "Build infra" {
			t.Error("pr-plan: the pull request number is written after the build")
			break
		}
		if strings.Contains(s.Run, "comment/pr-number") {
			break
		}
	}
}

// A plan or preview that wrote no report (it failed before) gets one with
// its error, before the upload; one that wrote its report keeps it.
func TestFallbackReports(t *testing.T) {
	ws := load(t)
	cases := []struct {
		job, step, file, log string
		env                  []string
	}{
		{"plan", "Write the error as the comment when the plan wrote none", "comment/1-plan.md", "plan.err", nil},
		{"preview", "Write the error as the comment when the preview wrote none", "comment/2-preview-dev.md", "preview.log", []string{"STACK=dev"}},
	}
	for _, c := range cases {
		j := mustJob(t, ws, "pr-plan.yml", c.job)
		s := stepNamed(t, j, c.step)
		if s.If != "failure()" && s.If != "${{ !cancelled() }}" {
			t.Errorf("%s: %q runs if %q", c.job, c.step, s.If)
		}
		upload, _ := stepUsing(j, "actions/upload-artifact")
		for i, x := range j.Steps {
			if x.Name == c.step && i > upload {
				t.Errorf("%s: %q comes after the upload", c.job, c.step)
			}
		}
		env := append([]string{"RUN_URL=https://github.com/o/r/actions/runs/7"}, c.env...)

		// Failed before running: the comment points at the run.
		dir := t.TempDir()
		if out, err := runStep(t, dir, s.Run, env...); err != nil {
			t.Fatalf("%s: %v\n%s", c.step, err, out)
		}
		b, _ := os.ReadFile(filepath.Join(dir, c.file))
		if !strings.Contains(string(b), "⛔") || !strings.Contains(string(b), "actions/runs/7") {
			t.Errorf("%s with no log wrote %q", c.step, b)
		}
		// Failed with a message: the comment carries it.
		dir = t.TempDir()
		os.WriteFile(filepath.Join(dir, c.log), []byte("infra: stack \"dev\": mysqlPassword: is required and not set\n"), 0o644)
		if out, err := runStep(t, dir, s.Run, env...); err != nil {
			t.Fatalf("%s: %v\n%s", c.step, err, out)
		}
		b, _ = os.ReadFile(filepath.Join(dir, c.file))
		if !strings.Contains(string(b), "mysqlPassword: is required") {
			t.Errorf("%s with a log wrote %q", c.step, b)
		}
		// A report already written is kept.
		dir = t.TempDir()
		os.MkdirAll(filepath.Join(dir, "comment"), 0o755)
		os.WriteFile(filepath.Join(dir, c.file), []byte("the report\n"), 0o644)
		if out, err := runStep(t, dir, s.Run, env...); err != nil {
			t.Fatalf("%s: %v\n%s", c.step, err, out)
		}
		if b, _ = os.ReadFile(filepath.Join(dir, c.file)); string(b) != "the report\n" {
			t.Errorf("%s replaced a written report with %q", c.step, b)
		}
	}
	// The preview itself writes its report, failing or not.
	p := stepNamed(t, mustJob(t, ws, "pr-plan.yml", "preview"), "infra preview")
	if !strings.Contains(p.Run, `--markdown "comment/2-preview-$STACK.md"`) {
		t.Errorf("pr-plan: the preview writes no markdown: %q", p.Run)
	}
	if _, up := stepUsing(mustJob(t, ws, "pr-plan.yml", "preview"), "actions/upload-artifact"); up.If != "always()" {
		t.Errorf("pr-plan: the preview's report is uploaded if %q", up.If)
	}
}

// pr-comment skips cancelled runs (the previous comment stays), posts
// failed ones, and finds the pull request without the artifact.
func TestPRComment(t *testing.T) {
	ws := load(t)
	j := mustJob(t, ws, "pr-comment.yml", "comment")
	if !strings.Contains(j.If, "github.event.workflow_run.conclusion != 'cancelled'") {
		t.Errorf("pr-comment posts for cancelled runs, if: %q", j.If)
	}
	if strings.Contains(j.If, "conclusion == 'success'") {
		t.Errorf("pr-comment must post failed runs too, if: %q", j.If)
	}
	if _, d := stepUsing(j, "actions/download-artifact"); d.ContinueOnError != "true" {
		t.Error("pr-comment: a run without artifacts must not stop the comment (continue-on-error)")
	}
	for _, s := range j.Steps {
		if s.Uses == "actions/checkout@v4" && s.With["ref"] != "" {
			t.Errorf("pr-comment checks out %q: it must run the default branch's script only", s.With["ref"])
		}
	}

	find := stepNamed(t, j, "Find the pull request")
	if find.Env["FROM_EVENT"] != "${{ github.event.workflow_run.pull_requests[0].number }}" {
		t.Errorf("pr-comment: FROM_EVENT is %q", find.Env["FROM_EVENT"])
	}
	// gh stands in for the API: it prints the pull request's head.
	bin := t.TempDir()
	os.WriteFile(filepath.Join(bin, "gh"), []byte("#!/bin/sh\necho \"$FAKE_HEAD\"\n"), 0o755)
	try := func(fromEvent, artifact, head string) string {
		t.Helper()
		dir := t.TempDir()
		if artifact != "" {
			os.MkdirAll(filepath.Join(dir, "comment"), 0o755)
			os.WriteFile(filepath.Join(dir, "comment/pr-number"), []byte(artifact), 0o644)
		}
		outFile := filepath.Join(dir, "out")
		os.WriteFile(outFile, nil, 0o644)
		out, err := runStep(t, dir, find.Run, "PATH="+bin+":"+os.Getenv("PATH"), "GITHUB_OUTPUT="+outFile,
			"FROM_EVENT="+fromEvent, "HEAD_SHA=abc", "FAKE_HEAD="+head, "REPO=o/r")
		if err != nil {
			t.Errorf("find(%q, %q): %v\n%s", fromEvent, artifact, err, out)
		}
		b, _ := os.ReadFile(outFile)
		return strings.TrimSpace(string(b))
	}
	for _, c := range []struct{ event, artifact, head, want string }{
		{"12", "", "abc", "number=12"},
		{"", "34\n", "abc", "number=34"},
		{"", "", "abc", ""},              // no artifact: no comment, no failure
		{"", "5; rm -rf /\n", "abc", ""}, // not digits
		{"12abc", "", "abc", ""},
		{"", "34\n", "other", ""}, // not the pull request this run built
	} {
		if got := try(c.event, c.artifact, c.head); got != c.want {
			t.Errorf("find(event %q, artifact %q, head %q) = %q, want %q", c.event, c.artifact, c.head, got, c.want)
		}
	}

	asm := stepNamed(t, j, "Assemble the comment")
	if !strings.Contains(asm.Run, ".github/scripts/assemble-comment.sh comment body.md") {
		t.Errorf("pr-comment does not assemble with the script: %q", asm.Run)
	}
	if _, sticky := stepUsing(j, "marocchino/sticky-pull-request-comment"); sticky.If != "steps.pr.outputs.number != ''" || sticky.With["path"] != "body.md" {
		t.Errorf("pr-comment: sticky comment %+v", sticky)
	}
}

// The assembled comment fits in one GitHub comment whatever the parts:
// the plan first and whole when it fits, a note for each part left out.
func TestAssembledCommentFits(t *testing.T) {
	script, _ := filepath.Abs(filepath.Join(root, ".github/scripts/assemble-comment.sh"))
	if sc, err := exec.LookPath("shellcheck"); err == nil {
		if out, err := exec.Command(sc, script).CombinedOutput(); err != nil {
			t.Errorf("shellcheck: %v\n%s", err, out)
		}
	}
	// Multi-byte characters, so bytes, characters and UTF-16 units differ.
	part := func(tag string, n int) string {
		var b strings.Builder
		b.WriteString("### " + tag + "\n")
		for b.Len() < n-8 {
			b.WriteString("📈 ⚠ ä x ")
		}
		return b.String()
	}
	assemble := func(parts map[string]string) string {
		t.Helper()
		dir := t.TempDir()
		for name, text := range parts {
			os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644)
		}
		out := filepath.Join(t.TempDir(), "body.md")
		if b, err := exec.Command("bash", script, dir, out, "https://github.com/o/r/actions/runs/9").CombinedOutput(); err != nil {
			t.Fatalf("assemble: %v\n%s", err, b)
		}
		b, _ := os.ReadFile(out)
		body := string(b)
		if n := len(utf16.Encode([]rune(body))); n >= 65536 {
			t.Errorf("comment of %d UTF-16 units (%d bytes), over GitHub's 65,536", n, len(body))
		}
		// Room for the marker the sticky-comment action adds.
		if len(body) > 65000 {
			t.Errorf("comment of %d bytes leaves no room for the sticky comment's marker", len(body))
		}
		return body
	}
	leftOut := func(body, name string) bool {
		return strings.Contains(body, "_`"+name+"` left out") && strings.Contains(body, "actions/runs/9")
	}

	plan := part("plan", 60000)
	body := assemble(map[string]string{"1-plan.md": plan, "2-preview-dev.md": part("dev", 60000), "2-preview-prod.md": part("prod", 60000)})
	if !strings.HasPrefix(body, plan) || !leftOut(body, "2-preview-dev.md") || !leftOut(body, "2-preview-prod.md") {
		t.Errorf("three parts of 60,000: plan first %v, notes %v %v", strings.HasPrefix(body, plan), leftOut(body, "2-preview-dev.md"), leftOut(body, "2-preview-prod.md"))
	}

	// Small parts: all in, plan first whatever the names.
	small := map[string]string{"0-early.md": "early\n", "1-plan.md": "plan\n", "2-preview-dev.md": "dev\n"}
	if body = assemble(small); !strings.HasPrefix(body, "plan\n") || !strings.Contains(body, "early") || !strings.Contains(body, "dev") {
		t.Errorf("small parts: %q", body)
	}

	// Many parts that each fit but not together: the plan stays, the
	// notes stay within their budget.
	many := map[string]string{"1-plan.md": strings.Repeat("p", 60000)}
	for i := 0; i < 40; i++ {
		many[fmt.Sprintf("2-preview-%02d.md", i)] = strings.Repeat("x", 1000)
	}
	body = assemble(many)
	if !strings.HasPrefix(body, many["1-plan.md"]) || !leftOut(body, "2-preview-39.md") && !strings.Contains(body, "more parts left out") {
		t.Errorf("many parts: plan first %v, tail %q", strings.HasPrefix(body, many["1-plan.md"]), body[max(0, len(body)-400):])
	}

	// Around the limit, in plain ASCII (bytes = characters), with enough
	// parts left out to fill the notes.
	for n := 22000; n <= 26000; n += 250 {
		parts := map[string]string{"1-plan.md": strings.Repeat("p", 40000), "2-preview-dev.md": strings.Repeat("d", n)}
		for i := 0; i < 20; i++ {
			parts[fmt.Sprintf("3-more-%02d.md", i)] = strings.Repeat("m", 30000)
		}
		body = assemble(parts)
		if !strings.HasPrefix(body, strings.Repeat("p", 40000)) {
			t.Errorf("plan of 40,000 and a preview of %d: plan not first", n)
		}
	}

	// A plan too large on its own is a note too; a missing plan is said.
	if body = assemble(map[string]string{"1-plan.md": part("plan", 70000), "2-preview-dev.md": "dev\n"}); !leftOut(body, "1-plan.md") || !strings.Contains(body, "dev\n") {
		t.Errorf("oversized plan: %q", body[:min(len(body), 300)])
	}
	if body = assemble(map[string]string{"2-preview-dev.md": "dev\n"}); !strings.HasPrefix(body, "_The offline plan diff") || !strings.Contains(body, "dev\n") {
		t.Errorf("missing plan: %q", body)
	}
}

// The test workflow runs the README's test command, with the toolchain
// that tools/build-tools.sh builds cached between runs.
func TestTestWorkflow(t *testing.T) {
	ws := load(t)
	w, ok := ws["test.yml"]
	if !ok {
		t.Fatal("test.yml is missing")
	}
	for _, ev := range []string{"push", "pull_request"} {
		if _, ok := w.On[ev]; !ok {
			t.Errorf("test.yml does not run on %s", ev)
		}
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	const command = "bash tools/test.sh"
	if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(command) + `$`).Match(readme) {
		t.Errorf("the README's test command is no longer %q", command)
	}
	j := mustJob(t, ws, "test.yml", "test")
	if j.TimeoutMinutes > 90 {
		t.Errorf("test: timeout-minutes %d", j.TimeoutMinutes)
	}
	runs := false
	for _, s := range j.Steps {
		if strings.TrimSpace(s.Run) == command {
			runs = true
		}
	}
	if !runs {
		t.Errorf("test.yml does not run %q", command)
	}
	_, cache := stepUsing(j, "actions/cache")
	key := cache.With["key"]
	if !strings.Contains(cache.With["path"], "~/.cache/unlimited-translation") ||
		!strings.Contains(key, "hashFiles(") || !strings.Contains(key, "'tools/build-tools.sh'") || !strings.Contains(key, "'go.sum'") {
		t.Errorf("test.yml: toolchain cache %+v", cache.With)
	}
	if _, g := stepUsing(j, "actions/setup-go"); g.Uses == "" || g.With["cache"] == "false" {
		t.Error("test.yml: setup-go with its module cache")
	}
}

// tools/test.sh installs shellcheck and runs actionlint with it on every
// workflow, and shellcheck on the scripts the workflows call.
func TestSuiteRunsActionlintWithShellcheck(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "tools/test.sh"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{
		"apt-get install -y -q --no-install-recommends shellcheck",
		`bin/actionlint -color=false -shellcheck="$(command -v shellcheck)" .github/workflows/*.yml`,
		"shellcheck .github/scripts/*.sh",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("tools/test.sh lacks %q", want)
		}
	}
	actionlint := filepath.Join(root, "bin/actionlint")
	sc, err := exec.LookPath("shellcheck")
	if _, serr := os.Stat(actionlint); serr != nil || err != nil {
		t.Skip("bin/actionlint or shellcheck missing (tools/test.sh installs both)")
	}
	files, _ := filepath.Glob(filepath.Join(root, ".github/workflows/*.yml"))
	out, err := exec.Command(actionlint, append([]string{"-color=false", "-shellcheck=" + sc}, files...)...).CombinedOutput()
	if err != nil {
		t.Errorf("actionlint: %v\n%s", err, out)
	}
}
