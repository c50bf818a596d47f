package workflows

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// runScript runs one of .github/scripts with env (and nothing of the
// caller's DEV_* variables), returning its combined output.
func runScript(t *testing.T, dir, script string, env []string, args ...string) (string, error) {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join(root, ".github/scripts", script))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", append([]string{abs}, args...)...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DEV_") && !strings.HasPrefix(kv, "GIT_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// The hourly run sleeps dev at DEV_SLEEP_HOUR every day, wakes it at
// DEV_WAKE_HOUR on DEV_WAKE_DAYS, and does nothing otherwise; bad
// variables fail naming the variable.
func TestDevScheduleDecides(t *testing.T) {
	cases := []struct {
		name string
		env  []string
		want string // "action=…", or a fragment of the error
		fail bool
	}{
		{"defaults: sleep at 19 on a Tuesday", []string{"NOW_HOUR=19", "NOW_DOW=2"}, "action=sleep", false},
		{"defaults: sleep at 19 on a Saturday too", []string{"NOW_HOUR=19", "NOW_DOW=6"}, "action=sleep", false},
		{"defaults: wake at 07 on a Monday", []string{"NOW_HOUR=07", "NOW_DOW=1"}, "action=wake", false},
		{"defaults: no wake on a Sunday", []string{"NOW_HOUR=07", "NOW_DOW=7"}, "action=none", false},
		{"defaults: nothing at noon", []string{"NOW_HOUR=12", "NOW_DOW=3"}, "action=none", false},
		{"hour 08 is not octal", []string{"NOW_HOUR=08", "NOW_DOW=3", "DEV_WAKE_HOUR=08"}, "action=wake", false},
		{"own hours", []string{"NOW_HOUR=22", "NOW_DOW=4", "DEV_SLEEP_HOUR=22", "DEV_WAKE_HOUR=5"}, "action=sleep", false},
		{"own days: Sunday wake", []string{"NOW_HOUR=07", "NOW_DOW=7", "DEV_WAKE_DAYS=1,3,6-7"}, "action=wake", false},
		{"own days: Tuesday not listed", []string{"NOW_HOUR=07", "NOW_DOW=2", "DEV_WAKE_DAYS=1,3,6-7"}, "action=none", false},
		{"schedule off", []string{"NOW_HOUR=19", "NOW_DOW=2", "DEV_SCHEDULE=false"}, "action=none", false},
		{"dispatch sleeps whatever the hour", []string{"EVENT=workflow_dispatch", "ACTION=sleep", "NOW_HOUR=12", "NOW_DOW=3", "DEV_SCHEDULE=false"}, "action=sleep", false},
		{"dispatch wakes", []string{"EVENT=workflow_dispatch", "ACTION=wake"}, "action=wake", false},
		{"dispatch from a branch", []string{"EVENT=workflow_dispatch", "ACTION=wake", "REF=refs/heads/feature"}, "only from main (this run is on refs/heads/feature)", true},
		{"dispatch from main", []string{"EVENT=workflow_dispatch", "ACTION=sleep", "REF=refs/heads/main"}, "action=sleep", false},
		{"dispatch of something else", []string{"EVENT=workflow_dispatch", "ACTION=destroy"}, "neither sleep nor wake", true},
		{"hour out of range", []string{"NOW_HOUR=19", "NOW_DOW=2", "DEV_SLEEP_HOUR=24"}, "DEV_SLEEP_HOUR='24' is not an hour", true},
		{"hour not a number", []string{"NOW_HOUR=19", "NOW_DOW=2", "DEV_WAKE_HOUR=7am"}, "DEV_WAKE_HOUR='7am' is not an hour", true},
		{"same hours", []string{"NOW_HOUR=19", "NOW_DOW=2", "DEV_SLEEP_HOUR=7"}, "both 7", true},
		{"day names", []string{"NOW_HOUR=19", "NOW_DOW=2", "DEV_WAKE_DAYS=mon-fri"}, "DEV_WAKE_DAYS='mon-fri' is not a list of days", true},
		{"backwards range", []string{"NOW_HOUR=19", "NOW_DOW=2", "DEV_WAKE_DAYS=5-1"}, "runs backwards", true},
		{"day 0", []string{"NOW_HOUR=7", "NOW_DOW=1", "DEV_WAKE_DAYS=0-4"}, "is not a list of days", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := c.env
			if !strings.HasPrefix(strings.Join(env, " "), "EVENT=") {
				env = append([]string{"EVENT=schedule"}, env...)
			}
			out, err := runScript(t, t.TempDir(), "dev-schedule.sh", env)
			if c.fail {
				if err == nil || !strings.Contains(out, c.want) || !strings.Contains(out, "::error::") {
					t.Fatalf("want a failure saying %q, got err=%v:\n%s", c.want, err, out)
				}
				return
			}
			if err != nil || strings.TrimSpace(out) != c.want {
				t.Fatalf("want %q, got err=%v:\n%s", c.want, err, out)
			}
		})
	}
}

// The workflow never names prod, runs infra only on dev, writes the
// decision to GITHUB_OUTPUT, and commits the stack file the command
// changed.
func TestDevSleepWakeTouchesOnlyDev(t *testing.T) {
	ws := load(t)
	w := ws["dev-sleep-wake.yml"]
	for _, m := range regexp.MustCompile(`--stack[ =]\S+`).FindAllString(w.text, -1) {
		if m != "--stack dev" {
			t.Errorf("dev-sleep-wake runs %q: it must touch dev only", m)
		}
	}
	if strings.Contains(w.text, "--force-prod") {
		t.Error("dev-sleep-wake passes --force-prod")
	}
	j := mustJob(t, ws, "dev-sleep-wake.yml", "sleep-or-wake")
	ran := stepNamed(t, j, "infra sleep or wake (dev only)")
	if ran.Run != `bin/infra "$ACTION" --stack dev --yes` || j.Environment == nil || j.Environment.Name != "dev" {
		t.Errorf("sleep-or-wake must run infra on dev only in environment dev: %q %+v", ran.Run, j.Environment)
	}
	if !strings.Contains(j.If, "needs.decide.outputs.action != 'none'") {
		t.Errorf("sleep-or-wake must be skipped when there is nothing to do, if: %q", j.If)
	}
	commit := stepNamed(t, j, "Commit Pulumi.dev.yaml")
	if !strings.Contains(commit.Run, "commit-stack-file.sh Pulumi.dev.yaml") {
		t.Errorf("the stack file is not committed: %q", commit.Run)
	}
	d := stepNamed(t, mustJob(t, ws, "dev-sleep-wake.yml", "decide"), "Decide")
	if !strings.Contains(d.Run, `tee -a "$GITHUB_OUTPUT"`) || !strings.Contains(d.Run, "dev-schedule.sh") {
		t.Errorf("decide must write the script's decision to GITHUB_OUTPUT: %q", d.Run)
	}
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// commit-stack-file.sh: nothing to do when unchanged; otherwise one
// commit on main, rebased over a push made meanwhile.
func TestCommitStackFile(t *testing.T) {
	tmp := t.TempDir()
	origin := filepath.Join(tmp, "origin.git")
	git(t, tmp, "init", "-q", "--bare", "-b", "main", origin)
	seed := filepath.Join(tmp, "seed")
	git(t, tmp, "clone", "-q", origin, seed)
	write := func(dir, name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(seed, "Pulumi.dev.yaml", "config:\n  unlimited-translation:awake: \"true\"\n")
	git(t, seed, "add", ".")
	git(t, seed, "commit", "-q", "-m", "seed")
	git(t, seed, "push", "-q", "origin", "HEAD:main")

	runner := filepath.Join(tmp, "runner")
	git(t, tmp, "clone", "-q", origin, runner)
	out, err := runScript(t, runner, "commit-stack-file.sh", nil, "Pulumi.dev.yaml", "dev: sleep [skip ci]")
	if err != nil || !strings.Contains(out, "unchanged") {
		t.Fatalf("unchanged file: err=%v\n%s", err, out)
	}

	// Someone pushes to main while the runner sleeps dev.
	write(seed, "README.md", "meanwhile\n")
	git(t, seed, "add", ".")
	git(t, seed, "commit", "-q", "-m", "meanwhile")
	git(t, seed, "push", "-q", "origin", "HEAD:main")

	write(runner, "Pulumi.dev.yaml", "config:\n  unlimited-translation:awake: \"false\"\n")
	out, err = runScript(t, runner, "commit-stack-file.sh", nil, "Pulumi.dev.yaml", "dev: sleep [skip ci]")
	if err != nil {
		t.Fatalf("commit: %v\n%s", err, out)
	}
	if got := git(t, origin, "log", "--format=%s", "main"); got != "dev: sleep [skip ci]\nmeanwhile\nseed" {
		t.Errorf("main's history:\n%s", got)
	}
	if got := git(t, origin, "show", "main:Pulumi.dev.yaml"); !strings.Contains(got, `awake: "false"`) {
		t.Errorf("main's stack file:\n%s", got)
	}
	if got := git(t, origin, "log", "-1", "--format=%an", "main"); got != "github-actions[bot]" {
		t.Errorf("author %q", got)
	}
}
