// Package workflows checks the GitHub workflows beyond what actionlint
// knows: rules this project keeps, above all its trust boundaries (who
// gets cloud credentials, secrets and write tokens). Where a rule is a
// shell snippet, the snippet itself is run with bash.
package workflows

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode/utf16"

	"gopkg.in/yaml.v3"

	"github.com/unlimited-translation/infra/infra"
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

// permissions is read-all, write-all or a map of scopes ({} grants none).
type permissions struct {
	all    string
	scopes map[string]string
}

func (p *permissions) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		p.all = n.Value
		return nil
	}
	return n.Decode(&p.scopes)
}

// get is the access a scope has: "write", "read" or "" (none).
func (p *permissions) get(scope string) string {
	switch p.all {
	case "write-all":
		return "write"
	case "read-all":
		return "read"
	}
	if v := p.scopes[scope]; v != "none" {
		return v
	}
	return ""
}

type job struct {
	If             string       `yaml:"if"`
	RunsOn         string       `yaml:"runs-on"`
	TimeoutMinutes int          `yaml:"timeout-minutes"`
	Environment    *environment `yaml:"environment"`
	Concurrency    *concurrency `yaml:"concurrency"`
	Permissions    *permissions `yaml:"permissions"`
	Env            map[string]string
	Strategy       struct {
		Matrix map[string]string `yaml:"matrix"`
	} `yaml:"strategy"`
	Steps []step `yaml:"steps"`
	text  string // the job as YAML
}

type workflow struct {
	On          map[string]yaml.Node `yaml:"on"`
	Concurrency *concurrency         `yaml:"concurrency"`
	Permissions *permissions         `yaml:"permissions"`
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
		var raw struct {
			Jobs map[string]yaml.Node `yaml:"jobs"`
		}
		if err := yaml.Unmarshal(b, &raw); err != nil {
			t.Fatal(err)
		}
		for name, n := range raw.Jobs {
			text, _ := yaml.Marshal(&n)
			j := w.Jobs[name]
			j.text = string(text)
			w.Jobs[name] = j
		}
		w.text = string(b)
		out[filepath.Base(f)] = w
	}
	return out
}

// perms are the permissions a job's token has: its own, else the
// workflow's.
func perms(t *testing.T, file string, w workflow, name string) *permissions {
	t.Helper()
	if p := w.Jobs[name].Permissions; p != nil {
		return p
	}
	if w.Permissions == nil {
		t.Errorf("%s: job %s takes the repository's default token permissions: set permissions", file, name)
		return &permissions{all: "write-all"}
	}
	return w.Permissions
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

func stepIndex(j job, name string) int {
	for i, s := range j.Steps {
		if s.Name == name {
			return i
		}
	}
	return -1
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

// onPullRequest: the workflow runs for pull requests, or on their results.
func onPullRequest(w workflow) bool {
	for _, ev := range []string{"pull_request", "pull_request_target", "workflow_run"} {
		if _, ok := w.On[ev]; ok {
			return true
		}
	}
	return false
}

// repoTree makes a directory with the repository's .github/scripts and
// the files given, for running a step's script in it.
func repoTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	scripts, _ := filepath.Glob(filepath.Join(root, ".github/scripts/*.sh"))
	os.MkdirAll(filepath.Join(dir, ".github/scripts"), 0o755)
	for _, s := range scripts {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, ".github/scripts", filepath.Base(s)), b, 0o755)
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		mode := os.FileMode(0o644)
		if strings.HasPrefix(text, "#!") {
			mode = 0o755
		}
		if err := os.WriteFile(p, []byte(text), mode); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// fakeInfra is a bin/infra that logs its arguments to args.log and exits
// with $FAKE_CODE after printing $FAKE_OUT.
const fakeInfra = "#!/bin/sh\necho \"$@\" >> args.log\n[ -z \"$FAKE_OUT\" ] || echo \"$FAKE_OUT\"\nexit \"${FAKE_CODE:-0}\"\n"

const gkeStack = "config:\n  gcp:project: p\n"

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

// The workflows read exactly the variables and secrets infra bootstrap
// prints (stacks/bootstrap: per environment, GCP_WORKLOAD_IDENTITY_PROVIDER,
// GCP_SERVICE_ACCOUNT, PULUMI_BACKEND_URL and the two environment
// secrets; repository-wide, the rest), every one of them, and nothing else.
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
		for _, old := range []string{"PROD_RUNNER", "GCP_DEPLOY_SERVICE_ACCOUNT", "GCP_PREVIEW_SERVICE_ACCOUNT"} {
			if strings.Contains(w.text, old) {
				t.Errorf("%s still uses %s", name, old)
			}
		}
		for _, m := range ref.FindAllStringSubmatch(w.text, -1) {
			used[m[1]+"."+m[2]] = true
			if !want[m[1]][m[2]] {
				t.Errorf("%s: %s.%s is not one of the design's names", name, m[1], m[2])
			}
		}
	}
	for kind, names := range want {
		for n := range names {
			if !used[kind+"."+n] {
				t.Errorf("%s.%s is read by no workflow", kind, n)
			}
		}
	}
}

// Every action is pinned to a commit (a tag can be moved), the design's,
// with its tag in a comment for people and Dependabot.
func TestActionsArePinned(t *testing.T) {
	pins := map[string]string{
		"actions/checkout":                       "11d5960a326750d5838078e36cf38b85af677262 # v4.4.0",
		"actions/setup-go":                       "40f1582b2485089dde7abd97c1529aa768e1baff # v5.6.0",
		"actions/cache":                          "0057852bfaa89a56745cba8c7296529d2fc39830 # v4.3.0",
		"actions/upload-artifact":                "ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2",
		"actions/download-artifact":              "d3f86a106a0bac45b974a628896c90dbdf5c8093 # v4.3.0",
		"google-github-actions/auth":             "c200f3691d83b41bf9bbd8638997a462592937ed # v2.1.13",
		"google-github-actions/setup-gcloud":     "e427ad8a34f8676edf47cf7d7925499adf3eb74f # v2.2.1",
		"pulumi/actions":                         "8582a9e8cc630786854029b4e09281acd6794b58 # v6.6.1",
		"marocchino/sticky-pull-request-comment": "773744901bac0e8cbb5a0dc842800d45e9b2b405 # v2.9.4",
	}
	line := regexp.MustCompile(`^\s*(?:-\s+)?uses:\s*(.*)$`)
	pinned := regexp.MustCompile(`^([\w.-]+/[\w.-]+)@([0-9a-f]{40}) # (v\d+(?:\.\d+)*)\s*$`)
	n := 0
	for name, w := range load(t) {
		for i, l := range strings.Split(w.text, "\n") {
			m := line.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			n++
			p := pinned.FindStringSubmatch(m[1])
			if p == nil {
				t.Errorf("%s:%d: %q is not pinned to a commit with its tag in a comment (uses: owner/repo@<40 hex> # vX)", name, i+1, m[1])
				continue
			}
			if want, ok := pins[p[1]]; !ok {
				t.Errorf("%s:%d: %s is not an action the design pins", name, i+1, p[1])
			} else if got := p[2] + " # " + p[3]; got != want {
				t.Errorf("%s:%d: %s@%s, want %s", name, i+1, p[1], got, want)
			}
		}
	}
	if n == 0 {
		t.Fatal("no uses: found")
	}
}

// Every token is declared; none can write the repository's contents, so no
// job holds both cloud credentials and a repository write token; only the
// jobs that authenticate to GCP can ask for an OIDC token.
func TestTokenPermissions(t *testing.T) {
	for name, w := range load(t) {
		if w.Permissions == nil {
			t.Errorf("%s: no workflow-level permissions (the repository default may be write-all)", name)
		}
		for jn, j := range w.Jobs {
			p := perms(t, name, w, jn)
			_, auth := stepUsing(j, "google-github-actions/auth")
			if p.get("contents") == "write" {
				t.Errorf("%s/%s: contents: write (no job commits)", name, jn)
				if p.get("id-token") == "write" {
					t.Errorf("%s/%s: both id-token: write and contents: write", name, jn)
				}
			}
			if p.all != "" {
				t.Errorf("%s/%s: permissions %s: list the scopes", name, jn, p.all)
			}
			if (p.get("id-token") == "write") != (auth.Uses != "") {
				t.Errorf("%s/%s: id-token %q, authenticates to GCP %v", name, jn, p.get("id-token"), auth.Uses != "")
			}
			if strings.Contains(j.text, "git push") || strings.Contains(j.text, "git commit") {
				t.Errorf("%s/%s commits", name, jn)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(root, ".github/scripts/commit-stack-file.sh")); err == nil {
		t.Error(".github/scripts/commit-stack-file.sh is back: nothing commits")
	}
}

// Pull-request code gets no cloud credentials but, after a maintainer's
// approval (the S-preview environment's required reviewers), the preview
// account; no secret but that environment's; never a deploy runner.
func TestPullRequestJobs(t *testing.T) {
	ws := load(t)
	for name, w := range ws {
		if _, ok := w.On["pull_request_target"]; ok {
			t.Errorf("%s: pull_request_target runs with the base repository's secrets and write token", name)
		}
		if !onPullRequest(w) {
			continue
		}
		if strings.Contains(w.text, "INFRA_RUNNERS") {
			t.Errorf("%s: a pull-request workflow names INFRA_RUNNERS (deploy runners)", name)
		}
		for jn, j := range w.Jobs {
			key := name + "/" + jn
			credentialed := perms(t, name, w, jn).get("id-token") == "write"
			if key == "pr-preview.yml/preview" {
				if !credentialed {
					t.Errorf("%s: no id-token: write", key)
				}
				if j.Environment == nil || j.Environment.Name != "${{ matrix.stack }}-preview" {
					t.Errorf("%s: environment %+v, want ${{ matrix.stack }}-preview (required reviewers)", key, j.Environment)
				}
				if j.RunsOn != "ubuntu-latest" {
					t.Errorf("%s: runs-on %q, want ubuntu-latest", key, j.RunsOn)
				}
				continue
			}
			if credentialed {
				t.Errorf("%s: id-token: write in a workflow pull requests trigger", key)
			}
			if strings.Contains(j.text, "secrets.") {
				t.Errorf("%s reads secrets", key)
			}
			if !strings.HasPrefix(j.RunsOn, "ubuntu-") {
				t.Errorf("%s: runs-on %q", key, j.RunsOn)
			}
		}
	}

	// The check every pull request gets: offline, read-only, no secrets,
	// only the two repository variables it needs.
	plan := ws["pr-plan.yml"]
	if p := plan.Permissions; p == nil || p.all != "" || len(p.scopes) != 1 || p.scopes["contents"] != "read" {
		t.Errorf("pr-plan: permissions %+v, want contents: read only", p)
	}
	for jn, j := range plan.Jobs {
		if j.Permissions != nil {
			t.Errorf("pr-plan/%s sets its own permissions", jn)
		}
		if _, auth := stepUsing(j, "google-github-actions/auth"); auth.Uses != "" {
			t.Errorf("pr-plan/%s authenticates to GCP", jn)
		}
	}
	for _, m := range regexp.MustCompile(`vars\.\w+`).FindAllString(plan.text, -1) {
		if m != "vars.COST_THRESHOLD" && m != "vars.INFRA_STACKS" {
			t.Errorf("pr-plan reads %s", m)
		}
	}
	if _, ok := plan.On["pull_request"]; !ok {
		t.Error("pr-plan does not run on pull_request (forks included)")
	}
	// The credentialed preview: branches of this repository only.
	if s := mustJob(t, ws, "pr-preview.yml", "stacks"); s.If != "github.event.pull_request.head.repo.full_name == github.repository" {
		t.Errorf("pr-preview: stacks job runs if %q, want same-repository pull requests only", s.If)
	}
}

// trust is the environment each workflow file's credentialed job must be
// in: the workflow file and the environment are what the stack's accounts
// trust (stacks/bootstrap).
var trust = map[string]string{
	"deploy.yml/up":                    "${{ matrix.stack }}",
	"dev-sleep-wake.yml/sleep-or-wake": "dev",
	"drift.yml/drift":                  "${{ matrix.stack }}-drift",
	"pr-preview.yml/preview":           "${{ matrix.stack }}-preview",
}

// The trust table above is the bootstrap's: for a stack, each account's
// workflow file and environment (stacks/bootstrap Trusts), with the
// stack's name where the workflows have ${{ matrix.stack }}.
func TestTrustMatchesBootstrap(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		c := bootstrap.Config{Stack: stack, Production: stack == "prod"}
		tr := c.Trusts()
		got := map[string]string{}
		for _, ws := range [][]infra.Workload{tr.Deployer, tr.Preview, tr.Drift} {
			for _, w := range ws {
				got[filepath.Base(w.Workflow)] = w.Environment
			}
		}
		want := map[string]string{}
		for key, env := range trust {
			file := strings.Split(key, "/")[0]
			if file == filepath.Base(bootstrap.ScheduleWorkflow) && stack != bootstrap.ScheduledStack {
				continue
			}
			want[file] = strings.ReplaceAll(env, "${{ matrix.stack }}", stack)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: the bootstrap trusts %v, the workflows authenticate in %v", stack, got, want)
		}
	}
}

// infraCommand matches a run of infra (bin/infra VERB), not its build.
var infraCommand = regexp.MustCompile(`(^|[\s;&|])bin/infra\s+("\$\w+"|[a-z])`)

// Every job that authenticates to GCP: in the environment its workflow
// file is trusted with, with that environment's account, its plugins
// pinned and automatic acquisition off, no repository token in
// .git/config, and skipped with a notice until the environment is
// bootstrapped.
func TestCredentialedJobs(t *testing.T) {
	ws := load(t)
	seen := map[string]bool{}
	for name, w := range ws {
		for jn, j := range w.Jobs {
			authAt, auth := stepUsing(j, "google-github-actions/auth")
			if auth.Uses == "" {
				continue
			}
			key := name + "/" + jn
			seen[key] = true
			want, ok := trust[key]
			if !ok {
				t.Errorf("%s authenticates to GCP, but no account trusts it: add it to the design and this test's table", key)
				continue
			}
			if j.Environment == nil || j.Environment.Name != want {
				t.Errorf("%s: environment %+v, want %s", key, j.Environment, want)
			}
			if auth.With["workload_identity_provider"] != "${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}" ||
				auth.With["service_account"] != "${{ vars.GCP_SERVICE_ACCOUNT }}" || len(auth.With) != 2 {
				t.Errorf("%s: auth with %v, want the environment's GCP_WORKLOAD_IDENTITY_PROVIDER and GCP_SERVICE_ACCOUNT", key, auth.With)
			}
			if j.Env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] != "true" {
				t.Errorf("%s: PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION is %q, want \"true\" for the job", key, j.Env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"])
			}
			if p := perms(t, name, w, jn); p.get("contents") != "read" {
				t.Errorf("%s: contents %q, want read", key, p.get("contents"))
			}
			plugins := -1
			for i, s := range j.Steps {
				if strings.TrimSpace(s.Run) == "bash .github/scripts/install-plugins.sh" {
					plugins = i
				}
				if infraCommand.MatchString(s.Run) && (plugins < 0 || plugins > i) {
					t.Errorf("%s: step %q runs infra before install-plugins.sh", key, s.Name)
				}
				if strings.HasPrefix(s.Uses, "actions/checkout@") && s.With["persist-credentials"] != "false" {
					t.Errorf("%s: checkout keeps the token in .git/config (persist-credentials: false)", key)
				}
			}
			if plugins < 0 || plugins > authAt {
				t.Errorf("%s: install-plugins.sh at step %d, auth at %d: install before the credentials", key, plugins, authAt)
			}
			checkBootstrapStep(t, key, j)
		}
	}
	for key := range trust {
		if !seen[key] {
			t.Errorf("%s does not authenticate to GCP", key)
		}
	}
}

// expression matches ${{ … }}.
var expression = regexp.MustCompile(`\$\{\{[^}]*\}\}`)

// checkBootstrapStep: the job's first step checks the environment's
// variables; every later step runs only when they are set. Run as a
// script: with any missing, it succeeds, names them in a notice with the
// bootstrap command, and says ready=false.
func checkBootstrapStep(t *testing.T, key string, j job) {
	t.Helper()
	if len(j.Steps) == 0 || j.Steps[0].Name != "Check the environment is bootstrapped" || j.Steps[0].ID != "ready" {
		t.Errorf("%s: the first step must be \"Check the environment is bootstrapped\" (id ready)", key)
		return
	}
	for _, s := range j.Steps[1:] {
		if !strings.Contains(s.If, "steps.ready.outputs.ready == 'true'") {
			t.Errorf("%s: step %q runs even when the environment is not bootstrapped, if: %q", key, s.Name+s.Uses, s.If)
		}
	}
	check := j.Steps[0]
	envName := expression.ReplaceAllStringFunc(trust[key], func(string) string { return "dev" })
	run := func(set map[string]string) (string, string) {
		t.Helper()
		var env []string
		for _, m := range []map[string]string{j.Env, check.Env} {
			for k, v := range m {
				env = append(env, k+"="+expression.ReplaceAllStringFunc(v, func(e string) string {
					switch {
					case strings.Contains(e, "matrix.stack"):
						return "dev"
					case strings.Contains(e, "vars."):
						return set[k]
					}
					return "x"
				}))
			}
		}
		dir := t.TempDir()
		out := filepath.Join(dir, "output")
		os.WriteFile(out, nil, 0o644)
		got, err := runStep(t, dir, check.Run, append(env, "GITHUB_OUTPUT="+out)...)
		if err != nil {
			t.Errorf("%s: the bootstrap check fails: %v\n%s", key, err, got)
		}
		b, _ := os.ReadFile(out)
		return got, strings.TrimSpace(string(b))
	}
	names := []string{"GCP_WORKLOAD_IDENTITY_PROVIDER", "GCP_SERVICE_ACCOUNT", "PULUMI_BACKEND_URL"}
	out, ready := run(nil)
	if ready != "ready=false" || !strings.Contains(out, "::notice") || !strings.Contains(out, "infra bootstrap --stack dev") ||
		!strings.Contains(out, "Settings > Environments > "+envName) {
		t.Errorf("%s: not bootstrapped: output %q, %s", key, out, ready)
	}
	for _, n := range names {
		if !strings.Contains(out, n) {
			t.Errorf("%s: the notice does not name %s: %q", key, n, out)
		}
	}
	all := map[string]string{}
	for _, n := range names {
		all[n] = "set"
	}
	partial := map[string]string{"GCP_WORKLOAD_IDENTITY_PROVIDER": "set", "PULUMI_BACKEND_URL": "set"}
	if out, ready = run(partial); ready != "ready=false" || !strings.Contains(out, "GCP_SERVICE_ACCOUNT") || strings.Contains(out, "PULUMI_BACKEND_URL") {
		t.Errorf("%s: GCP_SERVICE_ACCOUNT missing: %q, %s", key, out, ready)
	}
	if out, ready = run(all); ready != "ready=true" || strings.Contains(out, "::notice") {
		t.Errorf("%s: bootstrapped: %q, %s", key, out, ready)
	}
}

// CI breaks only a lock held by a CI run GitHub says has ended, never a
// person's: --break-ci-lock, with a token that can read the runs.
func TestRepairBreaksOnlyCILocks(t *testing.T) {
	n := 0
	for name, w := range load(t) {
		if strings.Contains(w.text, "--break-lock") {
			t.Errorf("%s: --break-lock breaks a person's live lock; use --break-ci-lock", name)
		}
		for jn, j := range w.Jobs {
			for _, s := range j.Steps {
				if !strings.Contains(s.Run, "infra repair") {
					continue
				}
				n++
				if !strings.Contains(s.Run, "--break-ci-lock") {
					t.Errorf("%s/%s: %q without --break-ci-lock", name, jn, s.Run)
				}
				if s.Env["GITHUB_TOKEN"] != "${{ github.token }}" {
					t.Errorf("%s/%s: repair without GITHUB_TOKEN to ask GitHub about runs", name, jn)
				}
				if perms(t, name, w, jn).get("actions") != "read" {
					t.Errorf("%s/%s: repair without actions: read", name, jn)
				}
			}
		}
	}
	if n < 2 {
		t.Errorf("%d infra repair steps, want deploy's and dev-sleep-wake's", n)
	}
}

// No workflow hard-codes the stacks: they come from .github/scripts/
// stacks.sh (INFRA_STACKS, else the stack files).
func TestStacksAreNotHardCoded(t *testing.T) {
	ws := load(t)
	bad := regexp.MustCompile(`(?i)\bdev\s*,\s*prod\b|\bprod\s*,\s*dev\b|--stack[ =]prod\b|==\s*'prod'`)
	for name, w := range ws {
		if m := bad.FindString(w.text); m != "" {
			t.Errorf("%s hard-codes stacks: %q", name, m)
		}
	}
	for _, file := range []string{"deploy.yml", "drift.yml", "pr-preview.yml"} {
		w := ws[file]
		for jn, j := range w.Jobs {
			if m := j.Strategy.Matrix["stack"]; m != "" && m != "${{ fromJSON(needs.stacks.outputs.json) }}" {
				t.Errorf("%s/%s: matrix of stacks %q, want the stacks job's", file, jn, m)
			}
		}
		if !strings.Contains(mustJob(t, ws, file, "stacks").text, "bash .github/scripts/stacks.sh --json") {
			t.Errorf("%s: the stacks job does not run stacks.sh", file)
		}
	}
	if !strings.Contains(ws["pr-plan.yml"].text, "bash .github/scripts/stacks.sh --comma") {
		t.Error("pr-plan does not take its stacks from stacks.sh")
	}
}

// Deploy, sleep and wake of a stack share stack-S and queue, never cancel
// a running one; drift and previews have their own groups, so they never
// replace a pending deploy or sleep (GitHub keeps one pending run per
// group and cancels the older one).
func TestConcurrency(t *testing.T) {
	ws := load(t)
	for name, w := range ws {
		groups := map[string]*concurrency{"": w.Concurrency}
		for jn, j := range w.Jobs {
			groups[jn] = j.Concurrency
		}
		for jn, c := range groups {
			if c == nil || !strings.HasPrefix(c.Group, "stack-") {
				continue
			}
			if key := name + "/" + jn; key != "deploy.yml/up" && key != "dev-sleep-wake.yml/sleep-or-wake" {
				t.Errorf("%s uses the stack group %q", key, c.Group)
			}
		}
	}
	for _, c := range []struct{ file, job, group, cancel string }{
		{"deploy.yml", "up", "stack-${{ matrix.stack }}", "false"},
		{"dev-sleep-wake.yml", "sleep-or-wake", "stack-dev", "false"},
		{"drift.yml", "drift", "drift-${{ matrix.stack }}", "false"},
		{"pr-preview.yml", "preview", "preview-${{ matrix.stack }}-${{ github.event.pull_request.number }}", "true"},
	} {
		if got := mustJob(t, ws, c.file, c.job).Concurrency; got == nil || got.Group != c.group || got.Cancel != c.cancel {
			t.Errorf("%s/%s: concurrency %+v, want %s cancel-in-progress %s", c.file, c.job, got, c.group, c.cancel)
		}
	}
	// A workflow-level group would make the stacks of one run wait for one
	// another, and the hourly decision queue behind a deploy.
	for _, file := range []string{"deploy.yml", "dev-sleep-wake.yml", "drift.yml", "pr-preview.yml"} {
		if ws[file].Concurrency != nil {
			t.Errorf("%s has a workflow-level concurrency group", file)
		}
	}
	if mustJob(t, ws, "dev-sleep-wake.yml", "decide").Concurrency != nil {
		t.Error("dev-sleep-wake: the hourly decide job must not hold a concurrency group")
	}
}

// deploy: push deploys the non-production stacks, a dispatch the stack it
// names if it is one of them, from main only; main's head, in the stack's
// environment, on the stack's runner.
func TestDeploy(t *testing.T) {
	ws := load(t)
	w := ws["deploy.yml"]
	var push struct {
		Branches []string `yaml:"branches"`
	}
	n := w.On["push"]
	if err := n.Decode(&push); err != nil || len(push.Branches) != 1 || push.Branches[0] != "main" {
		t.Errorf("deploy: push must be main only: %v %v", push.Branches, err)
	}
	var dispatch struct {
		Inputs map[string]struct {
			Type    string   `yaml:"type"`
			Options []string `yaml:"options"`
		} `yaml:"inputs"`
	}
	n = w.On["workflow_dispatch"]
	if err := n.Decode(&dispatch); err != nil || dispatch.Inputs["stack"].Type != "string" || len(dispatch.Inputs["stack"].Options) != 0 {
		t.Errorf("deploy: the stack input must be a string checked against the stacks, not a fixed choice: %+v %v", dispatch, err)
	}

	s := stepNamed(t, mustJob(t, ws, "deploy.yml", "stacks"), "Stacks to deploy")
	both := map[string]string{"Pulumi.dev.yaml": gkeStack, "Pulumi.prod.yaml": gkeStack, "Pulumi.local.yaml": "config:\n  unlimited-translation:platform: local\n"}
	for _, c := range []struct {
		name  string
		files map[string]string
		env   []string
		want  string // json=…, or a fragment of the error
		fail  bool
	}{
		{"push: non-production", both, []string{"EVENT=push", "REF=refs/heads/main"}, `json=["dev"]`, false},
		{"push, prod only", map[string]string{"Pulumi.prod.yaml": gkeStack}, []string{"EVENT=push", "REF=refs/heads/main"}, `json=[]`, false},
		{"push, INFRA_STACKS", both, []string{"EVENT=push", "REF=refs/heads/main", "INFRA_STACKS=prod,local"}, `json=["local"]`, false},
		{"dispatch prod", both, []string{"EVENT=workflow_dispatch", "REF=refs/heads/main", "STACK=prod"}, `json=["prod"]`, false},
		{"dispatch an unknown stack", both, []string{"EVENT=workflow_dispatch", "REF=refs/heads/main", "STACK=staging"}, "stack 'staging' is not one of the stacks", true},
		{"dispatch a local stack", both, []string{"EVENT=workflow_dispatch", "REF=refs/heads/main", "STACK=local"}, "stack 'local' is not one of", true},
		{"dispatch off main", both, []string{"EVENT=workflow_dispatch", "REF=refs/heads/feature", "STACK=dev"}, "only from main (this run is on refs/heads/feature)", true},
	} {
		dir := repoTree(t, c.files)
		out := filepath.Join(dir, "output")
		os.WriteFile(out, nil, 0o644)
		got, err := runStep(t, dir, s.Run, append([]string{"GITHUB_OUTPUT=" + out, "INFRA_STACKS="}, c.env...)...)
		b, _ := os.ReadFile(out)
		if c.fail {
			if err == nil || !strings.Contains(got, c.want) || !strings.Contains(got, "::error::") {
				t.Errorf("%s: want a failure saying %q, got %v:\n%s", c.name, c.want, err, got)
			}
			continue
		}
		if err != nil || strings.TrimSpace(string(b)) != c.want {
			t.Errorf("%s: got %q (%v), want %s\n%s", c.name, b, err, c.want, got)
		}
	}

	up := mustJob(t, ws, "deploy.yml", "up")
	if !strings.Contains(up.If, "needs.stacks.outputs.json != '[]'") || !strings.Contains(up.If, "github.ref == 'refs/heads/main'") {
		t.Errorf("deploy: job up runs if %q", up.If)
	}
	if up.RunsOn != "${{ fromJSON(vars.INFRA_RUNNERS || '{}')[matrix.stack] || 'ubuntu-latest' }}" {
		t.Errorf("deploy: runs-on %q", up.RunsOn)
	}
	if _, co := stepUsing(up, "actions/checkout"); co.With["ref"] != "main" {
		t.Errorf("deploy: checks out %q, want main's head (ref: main)", co.With["ref"])
	}
	if up.Env["STACK"] != "${{ matrix.stack }}" {
		t.Errorf("deploy: STACK=%q", up.Env["STACK"])
	}
	if r := stepNamed(t, up, "infra up").Run; r != `bin/infra up --stack "$STACK" --yes` {
		t.Errorf("deploy: infra up step runs %q", r)
	}
	if r := stepNamed(t, up, "infra repair").Run; r != `bin/infra repair --stack "$STACK" --break-ci-lock` {
		t.Errorf("deploy: repair step runs %q", r)
	}
	if stepIndex(up, "infra repair") > stepIndex(up, "infra up") {
		t.Error("deploy: repair after up")
	}
}

// drift: its own account and environment; a lock held by another run is a
// notice, not a failure; issues are written by a job with no credentials.
func TestDrift(t *testing.T) {
	ws := load(t)
	w := ws["drift.yml"]
	d := mustJob(t, ws, "drift.yml", "drift")
	if d.RunsOn != "${{ fromJSON(vars.INFRA_RUNNERS || '{}')[matrix.stack] || 'ubuntu-latest' }}" {
		t.Errorf("drift: runs-on %q", d.RunsOn)
	}
	if p := perms(t, "drift.yml", w, "drift"); p.get("issues") != "" {
		t.Error("drift: the job with cloud credentials can write issues")
	}
	s := stepNamed(t, d, "infra drift")
	for _, c := range []struct {
		name, out string
		code      int
		want      string // the code written
		fail      bool
	}{
		{"no drift", "no drift", 0, "0", false},
		{"drift", "1 resources drifted", 2, "2", false},
		{"stale backups", "no drift\nbackups: the newest backup, gs://b/mysql/x.sql.gz, is 40h0m0s old: more than backupMaxAgeHours (36h0m0s)", 4, "4", false},
		{"certificate at risk", "no drift\ncertificate: the certificate translation-dev (a.example.com) expires at 2027-01-20T00:00:00Z, in 9 days", 5, "5", false},
		{"locked by a deploy", "stack dev was left broken…\n  - locked by runner@fv-az1 (pid 7) since …: its owner ran on another machine", 3, "locked", false},
		{"locked during the refresh", "error: the stack is currently locked by 1 lock(s)", 1, "locked", false},
		{"broken, no lock", "  - pending creating of Cluster translation-dev", 3, "3", true},
		{"failed", "credentials", 1, "1", true},
	} {
		dir := repoTree(t, map[string]string{"bin/infra": fakeInfra})
		out := filepath.Join(dir, "output")
		os.WriteFile(out, nil, 0o644)
		got, err := runStep(t, dir, s.Run, "GITHUB_OUTPUT="+out, "STACK=dev", "FAKE_OUT="+c.out, fmt.Sprintf("FAKE_CODE=%d", c.code))
		if (err != nil) != c.fail {
			t.Errorf("%s: err %v, want failure %v\n%s", c.name, err, c.fail, got)
		}
		b, _ := os.ReadFile(filepath.Join(dir, "drift/code"))
		if strings.TrimSpace(string(b)) != c.want {
			t.Errorf("%s: code %q, want %s", c.name, b, c.want)
		}
		if md, _ := os.ReadFile(filepath.Join(dir, "drift/backups.md")); (c.code == 4) != strings.Contains(string(md), "    backups: the newest backup, gs://b/mysql/x.sql.gz, is 40h0m0s old") {
			t.Errorf("%s: backups.md %q", c.name, md)
		}
		if md, _ := os.ReadFile(filepath.Join(dir, "drift/certificate.md")); (c.code == 5) != strings.Contains(string(md), "    certificate: the certificate translation-dev (a.example.com) expires at 2027-01-20T00:00:00Z, in 9 days") {
			t.Errorf("%s: certificate.md %q", c.name, md)
		}
		if c.want == "locked" && !strings.Contains(got, "::notice") {
			t.Errorf("%s: no notice:\n%s", c.name, got)
		}
		args, _ := os.ReadFile(filepath.Join(dir, "args.log"))
		if strings.TrimSpace(string(args)) != "drift --stack dev --markdown drift/drift.md" {
			t.Errorf("%s: infra %s", c.name, args)
		}
	}
	if _, up := stepUsing(d, "actions/upload-artifact"); up.If != "steps.ready.outputs.ready == 'true' && (steps.drift.outputs.code == '2' || steps.drift.outputs.code == '4' || steps.drift.outputs.code == '5')" || up.With["name"] != "drift-${{ matrix.stack }}" {
		t.Errorf("drift: upload %+v", up)
	}

	// The issue writer: issues: write and nothing else, no credentials, no
	// code of the repository.
	is := mustJob(t, ws, "drift.yml", "issues")
	if p := is.Permissions; p == nil || len(p.scopes) != 1 || p.scopes["issues"] != "write" {
		t.Errorf("drift/issues: permissions %+v, want issues: write only", p)
	}
	for _, s := range is.Steps {
		if s.Uses != "" && !strings.HasPrefix(s.Uses, "actions/download-artifact@") {
			t.Errorf("drift/issues uses %s", s.Uses)
		}
		if infraCommand.MatchString(s.Run) || strings.Contains(s.Run, ".github/scripts") {
			t.Errorf("drift/issues runs repository code: %q", s.Run)
		}
	}
	if strings.Contains(is.text, "secrets.") {
		t.Error("drift/issues reads secrets")
	}
	open := stepNamed(t, is, "Open or update the drift issues")
	gh := "#!/bin/sh\necho \"$@\" >> \"$LOG\"\ncase \"$1 $2\" in \"issue list\") printf '7\\tDrift detected on prod\\n9\\tDrift detected on prod-eu\\n' ;; esac\n"
	dir := repoTree(t, map[string]string{
		"bin/gh":                         gh,
		"drift/drift-dev/code":           "2\n",
		"drift/drift-dev/drift.md":       "dev drifted\n",
		"drift/drift-prod/code":          "2\n",
		"drift/drift-prod/drift.md":      "prod drifted\n",
		"drift/drift-staging/code":       "0\n",
		"drift/drift-staging/drift.md":   "nothing\n",
		"drift/drift-qa/code":            "4\n",
		"drift/drift-qa/backups.md":      "qa's backups are old\n",
		"drift/drift-uat/code":           "5\n",
		"drift/drift-uat/certificate.md": "uat's certificate cannot renew\n",
	})
	log := filepath.Join(dir, "gh.log")
	if out, err := runStep(t, dir, open.Run, "PATH="+filepath.Join(dir, "bin")+":"+os.Getenv("PATH"), "LOG="+log); err != nil {
		t.Fatalf("issues: %v\n%s", err, out)
	}
	b, _ := os.ReadFile(log)
	got := string(b)
	for _, want := range []string{
		"issue create --title Drift detected on dev --label drift --body-file drift/drift-dev//drift.md",
		"issue comment 7 --body-file drift/drift-prod//drift.md",
		"issue create --title Stale backups on qa --label backups --body-file drift/drift-qa//backups.md",
		"issue create --title Certificate at risk on uat --label certificate --body-file drift/drift-uat//certificate.md",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("issues: gh was not called with %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "staging") || strings.Contains(got, "comment 9") {
		t.Errorf("issues: acted on a stack without drift, or the wrong issue:\n%s", got)
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

// The offline plan: every stack stacks.sh lists; its comment is uploaded
// even when a plan fails or is ⛔ blocked, and the check fails after it.
func TestPlanFailsTheCheckAfterTheComment(t *testing.T) {
	plan := mustJob(t, load(t), "pr-plan.yml", "plan")
	upload, up := stepUsing(plan, "actions/upload-artifact")
	if up.If != "always()" {
		t.Errorf("pr-plan: the comment is uploaded if %q", up.If)
	}
	fail := stepIndex(plan, "Fail when a plan failed or will fail")
	if fail < upload {
		t.Errorf("pr-plan: the check fails (step %d) before the upload (step %d)", fail, upload)
	}
	failStep := plan.Steps[fail]
	if failStep.If != "steps.diff.outputs.status != '0'" {
		t.Errorf("pr-plan: the check fails if %q", failStep.If)
	}
	// The pull request's number is recorded before anything can fail.
	if stepIndex(plan, "Record the pull request number") > stepIndex(plan, "Build infra") {
		t.Error("pr-plan: the pull request number is written after the build")
	}

	diff := stepNamed(t, plan, "Offline plan diff against the base branch")
	for _, c := range []struct {
		name   string
		files  map[string]string
		code   int
		status string
		args   string
		plan   string
	}{
		{"clean", map[string]string{"Pulumi.dev.yaml": gkeStack}, 0, "status=0",
			"plan --stack dev --against origin/main --cost-threshold 10 --fail-on-blocked\nplan --stack dev --against origin/main --cost-threshold 10 --json", "report"},
		{"blocked", map[string]string{"Pulumi.dev.yaml": gkeStack, "Pulumi.prod.yaml": gkeStack}, 3, "status=3",
			"plan --stack dev,prod --against origin/main --cost-threshold 10 --fail-on-blocked\nplan --stack dev,prod --against origin/main --cost-threshold 10 --json", "report"},
		{"no stack", map[string]string{"Pulumi.local.yaml": "config: {}\n"}, 0, "status=0", "", "No stack to plan"},
	} {
		dir := repoTree(t, c.files)
		os.MkdirAll(filepath.Join(dir, "comment"), 0o755)
		os.MkdirAll(filepath.Join(dir, "bin"), 0o755)
		os.WriteFile(filepath.Join(dir, "bin/infra"), []byte(fakeInfra), 0o755)
		out := filepath.Join(dir, "output")
		os.WriteFile(out, nil, 0o644)
		got, err := runStep(t, dir, diff.Run, "GITHUB_OUTPUT="+out, "BASE=origin/main", "COST_THRESHOLD=10", "INFRA_STACKS=",
			"FAKE_OUT=report", fmt.Sprintf("FAKE_CODE=%d", c.code))
		if err != nil {
			t.Errorf("%s: the plan step fails itself (the check must fail after the upload): %v\n%s", c.name, err, got)
		}
		b, _ := os.ReadFile(out)
		args, _ := os.ReadFile(filepath.Join(dir, "args.log"))
		md, _ := os.ReadFile(filepath.Join(dir, "comment/1-plan.md"))
		if strings.TrimSpace(string(b)) != c.status || strings.TrimSpace(string(args)) != c.args || !strings.Contains(string(md), c.plan) {
			t.Errorf("%s: output %q, infra %q, comment %q", c.name, b, args, md)
		}
	}
	for status, want := range map[string]string{"3": "marked ⛔", "1": "the offline plan failed"} {
		got, err := runStep(t, t.TempDir(), failStep.Run, "STATUS="+status)
		if err == nil || !strings.Contains(got, want) {
			t.Errorf("status %s: %v %q", status, err, got)
		}
	}
}

// A plan or preview that wrote no report (it failed before) gets one with
// its error, before the upload; one that wrote its report keeps it.
func TestFallbackReports(t *testing.T) {
	ws := load(t)
	cases := []struct {
		file, job, step, path, log string
		env                        []string
	}{
		{"pr-plan.yml", "plan", "Write the error as the comment when the plan wrote none", "comment/1-plan.md", "plan.err", nil},
		{"pr-preview.yml", "preview", "Write the error as the comment when the preview wrote none", "comment/2-preview-dev.md", "preview.log", []string{"STACK=dev"}},
	}
	for _, c := range cases {
		j := mustJob(t, ws, c.file, c.job)
		s := stepNamed(t, j, c.step)
		if !strings.HasPrefix(s.If, "failure()") && s.If != "${{ !cancelled() }}" {
			t.Errorf("%s: %q runs if %q", c.job, c.step, s.If)
		}
		upload, _ := stepUsing(j, "actions/upload-artifact")
		if stepIndex(j, c.step) > upload {
			t.Errorf("%s: %q comes after the upload", c.job, c.step)
		}
		env := append([]string{"RUN_URL=https://github.com/o/r/actions/runs/7"}, c.env...)

		// Failed before running: the comment points at the run.
		dir := t.TempDir()
		if out, err := runStep(t, dir, s.Run, env...); err != nil {
			t.Fatalf("%s: %v\n%s", c.step, err, out)
		}
		b, _ := os.ReadFile(filepath.Join(dir, c.path))
		if !strings.Contains(string(b), "⛔") || !strings.Contains(string(b), "actions/runs/7") {
			t.Errorf("%s with no log wrote %q", c.step, b)
		}
		// Failed with a message: the comment carries it.
		dir = t.TempDir()
		os.WriteFile(filepath.Join(dir, c.log), []byte("infra: stack \"dev\": mysqlPassword: is required and not set\n"), 0o644)
		if out, err := runStep(t, dir, s.Run, env...); err != nil {
			t.Fatalf("%s: %v\n%s", c.step, err, out)
		}
		b, _ = os.ReadFile(filepath.Join(dir, c.path))
		if !strings.Contains(string(b), "mysqlPassword: is required") {
			t.Errorf("%s with a log wrote %q", c.step, b)
		}
		// A report already written is kept.
		dir = t.TempDir()
		os.MkdirAll(filepath.Join(dir, "comment"), 0o755)
		os.WriteFile(filepath.Join(dir, c.path), []byte("the report\n"), 0o644)
		if out, err := runStep(t, dir, s.Run, env...); err != nil {
			t.Fatalf("%s: %v\n%s", c.step, err, out)
		}
		if b, _ = os.ReadFile(filepath.Join(dir, c.path)); string(b) != "the report\n" {
			t.Errorf("%s replaced a written report with %q", c.step, b)
		}
	}
	// The preview itself writes its report, failing or not.
	pv := mustJob(t, ws, "pr-preview.yml", "preview")
	p := stepNamed(t, pv, "infra preview")
	if !strings.Contains(p.Run, `--markdown "comment/2-preview-$STACK.md"`) {
		t.Errorf("pr-preview: the preview writes no markdown: %q", p.Run)
	}
	if _, up := stepUsing(pv, "actions/upload-artifact"); !strings.HasPrefix(up.If, "always()") || up.With["name"] != "preview-${{ matrix.stack }}" {
		t.Errorf("pr-preview: the preview's report is uploaded if %q as %q", up.If, up.With["name"])
	}
}

// pr-comment posts the results of pr-plan and pr-preview, each as its own
// sticky comment; skips cancelled runs (the previous comment stays), posts
// failed ones, finds the pull request without the artifact, runs only the
// default branch's script, and holds no credentials.
func TestPRComment(t *testing.T) {
	ws := load(t)
	var on struct {
		Workflows []string `yaml:"workflows"`
		Types     []string `yaml:"types"`
	}
	n := ws["pr-comment.yml"].On["workflow_run"]
	if err := n.Decode(&on); err != nil || strings.Join(on.Workflows, ",") != "pr-plan,pr-preview" || strings.Join(on.Types, ",") != "completed" {
		t.Errorf("pr-comment: workflow_run %+v %v", on, err)
	}
	j := mustJob(t, ws, "pr-comment.yml", "comment")
	if !strings.Contains(j.If, "github.event.workflow_run.conclusion != 'cancelled'") {
		t.Errorf("pr-comment posts for cancelled runs, if: %q", j.If)
	}
	if strings.Contains(j.If, "conclusion == 'success'") {
		t.Errorf("pr-comment must post failed runs too, if: %q", j.If)
	}
	if j.Env["KIND"] != "${{ github.event.workflow_run.name == 'pr-preview' && 'preview' || 'plan' }}" {
		t.Errorf("pr-comment: KIND %q", j.Env["KIND"])
	}
	if p := j.Permissions; p == nil || p.get("pull-requests") != "write" || p.get("contents") != "read" || p.get("actions") != "read" || len(p.scopes) != 3 {
		t.Errorf("pr-comment: permissions %+v", p)
	}
	if _, d := stepUsing(j, "actions/download-artifact"); d.ContinueOnError != "true" {
		t.Error("pr-comment: a run without artifacts must not stop the comment (continue-on-error)")
	}
	for _, s := range j.Steps {
		if strings.HasPrefix(s.Uses, "actions/checkout@") && (s.With["ref"] != "" || s.With["persist-credentials"] != "false") {
			t.Errorf("pr-comment checks out %+v: it must run the default branch's script only, without keeping the token", s.With)
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
	if !strings.Contains(asm.Run, `.github/scripts/assemble-comment.sh comment body.md "$RUN_URL" "$KIND"`) {
		t.Errorf("pr-comment does not assemble with the script: %q", asm.Run)
	}
	for kind, parts := range map[string]map[string]string{"plan": {}, "preview": {}, "preview ": {"comment/2-preview-dev.md": "dev\n"}} {
		dir := repoTree(t, parts)
		os.MkdirAll(filepath.Join(dir, "comment"), 0o755)
		out := filepath.Join(dir, "output")
		os.WriteFile(out, nil, 0o644)
		if got, err := runStep(t, dir, asm.Run, "GITHUB_OUTPUT="+out, "KIND="+strings.TrimSpace(kind), "RUN_URL=https://github.com/o/r/actions/runs/9"); err != nil {
			t.Fatalf("assemble %s: %v\n%s", kind, err, got)
		}
		b, _ := os.ReadFile(out)
		// A preview run that previewed nothing posts nothing; a plan run
		// always says what happened.
		if want := kind != "preview"; (strings.TrimSpace(string(b)) == "post=true") != want {
			t.Errorf("assemble %q with %d parts: output %q", kind, len(parts), b)
		}
	}
	if _, sticky := stepUsing(j, "marocchino/sticky-pull-request-comment"); sticky.If != "steps.pr.outputs.number != '' && steps.body.outputs.post == 'true'" ||
		sticky.With["path"] != "body.md" || sticky.With["header"] != "infra-${{ env.KIND }}" {
		t.Errorf("pr-comment: sticky comment %+v", sticky)
	}
}

// The assembled comment fits in one GitHub comment whatever the parts:
// the plan first and whole when it fits, a note for each part left out.
func TestAssembledCommentFits(t *testing.T) {
	script, _ := filepath.Abs(filepath.Join(root, ".github/scripts/assemble-comment.sh"))
	// Multi-byte characters, so bytes, characters and UTF-16 units differ.
	part := func(tag string, n int) string {
		var b strings.Builder
		b.WriteString("### " + tag + "\n")
		for b.Len() < n-8 {
			b.WriteString("📈 ⚠ ä x ")
		}
		return b.String()
	}
	assembleKind := func(kind string, parts map[string]string) string {
		t.Helper()
		dir := t.TempDir()
		for name, text := range parts {
			os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644)
		}
		out := filepath.Join(t.TempDir(), "body.md")
		args := []string{script, dir, out, "https://github.com/o/r/actions/runs/9"}
		if kind != "" {
			args = append(args, kind)
		}
		if b, err := exec.Command("bash", args...).CombinedOutput(); err != nil {
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
	assemble := func(parts map[string]string) string { t.Helper(); return assembleKind("", parts) }
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
	if body = assembleKind("plan", map[string]string{}); !strings.HasPrefix(body, "_The offline plan diff") {
		t.Errorf("plan, nothing uploaded: %q", body)
	}

	// Previews: no plan expected; nothing previewed, nothing to post.
	if body = assembleKind("preview", map[string]string{"2-preview-dev.md": "dev\n", "2-preview-prod.md": "prod\n"}); body != "dev\n\nprod\n\n" {
		t.Errorf("previews: %q", body)
	}
	if body = assembleKind("preview", map[string]string{"2-preview-dev.md": part("dev", 60000), "2-preview-prod.md": part("prod", 60000)}); !strings.HasPrefix(body, "### dev") || !leftOut(body, "2-preview-prod.md") {
		t.Errorf("two large previews: %q", body[:min(len(body), 300)])
	}
	if body = assembleKind("preview", map[string]string{}); body != "" {
		t.Errorf("no preview: %q", body)
	}
	if b, err := exec.Command("bash", script, t.TempDir(), filepath.Join(t.TempDir(), "b"), "", "other").CombinedOutput(); err == nil {
		t.Errorf("an unknown kind is accepted: %s", b)
	}
}

// The test workflow runs the README's test command once per change: on
// pull requests and on main, not again for each push to a branch; with the
// toolchain that tools/build-tools.sh builds cached between runs.
func TestTestWorkflow(t *testing.T) {
	ws := load(t)
	w, ok := ws["test.yml"]
	if !ok {
		t.Fatal("test.yml is missing")
	}
	var events []string
	for ev := range w.On {
		events = append(events, ev)
	}
	sort.Strings(events)
	if strings.Join(events, ",") != "pull_request,push" {
		t.Errorf("test.yml runs on %v, want pull_request and push", events)
	}
	var push struct {
		Branches []string `yaml:"branches"`
	}
	n := w.On["push"]
	if err := n.Decode(&push); err != nil || strings.Join(push.Branches, ",") != "main" {
		t.Errorf("test.yml: push on %v (%v), want main only: a branch's push is tested by its pull request", push.Branches, err)
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
	sc, err := exec.LookPath("shellcheck")
	if err == nil {
		scripts, _ := filepath.Glob(filepath.Join(root, ".github/scripts/*.sh"))
		if out, err := exec.Command(sc, scripts...).CombinedOutput(); err != nil {
			t.Errorf("shellcheck: %v\n%s", err, out)
		}
	}
	actionlint := filepath.Join(root, "bin/actionlint")
	if _, serr := os.Stat(actionlint); serr != nil || err != nil {
		t.Skip("bin/actionlint or shellcheck missing (tools/test.sh installs both)")
	}
	files, _ := filepath.Glob(filepath.Join(root, ".github/workflows/*.yml"))
	out, err := exec.Command(actionlint, append([]string{"-color=false", "-shellcheck=" + sc}, files...)...).CombinedOutput()
	if err != nil {
		t.Errorf("actionlint: %v\n%s", err, out)
	}
}
