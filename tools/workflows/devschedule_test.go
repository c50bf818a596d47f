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
// caller's DEV_* or INFRA_* variables), returning its combined output.
func runScript(t *testing.T, dir, script string, env []string, args ...string) (string, error) {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join(root, ".github/scripts", script))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", append([]string{abs}, args...)...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DEV_") && !strings.HasPrefix(kv, "INFRA_") && !strings.HasPrefix(kv, "NOW=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// The hourly run acts on the most recent scheduled transition of its hour
// and the two before it (a late, dropped or cancelled run is caught up),
// with that transition's time; a manual run acts now. Worked by hand:
// 2025-01-06 is a Monday, 2025-01-05 a Sunday, 2025-01-07 a Tuesday.
func TestDevScheduleDecides(t *testing.T) {
	cases := []struct {
		name string
		env  []string
		want string // "action=…\nat=…", or a fragment of the error
		fail bool
	}{
		// Defaults: sleep 19:00 every day, wake 07:00 Monday to Friday.
		{"sleep at 19:00", []string{"NOW=2025-01-07T19:00:00Z"}, "action=sleep\nat=2025-01-07T19:00:00Z", false},
		{"sleep late in the hour", []string{"NOW=2025-01-07T19:59:59Z"}, "action=sleep\nat=2025-01-07T19:00:00Z", false},
		{"catch-up at 20:00", []string{"NOW=2025-01-07T20:00:00Z"}, "action=sleep\nat=2025-01-07T19:00:00Z", false},
		{"catch-up at 21:00", []string{"NOW=2025-01-07T21:30:00Z"}, "action=sleep\nat=2025-01-07T19:00:00Z", false},
		{"window over at 22:00", []string{"NOW=2025-01-07T22:00:00Z"}, "action=none\nat=", false},
		{"nothing before the sleep", []string{"NOW=2025-01-07T18:59:00Z"}, "action=none\nat=", false},
		{"sleep on a Saturday too", []string{"NOW=2025-01-11T19:05:00Z"}, "action=sleep\nat=2025-01-11T19:00:00Z", false},
		{"wake Monday 07:00", []string{"NOW=2025-01-06T07:00:00Z"}, "action=wake\nat=2025-01-06T07:00:00Z", false},
		{"wake Monday 08:00", []string{"NOW=2025-01-06T08:10:00Z"}, "action=wake\nat=2025-01-06T07:00:00Z", false},
		{"wake Monday 09:00", []string{"NOW=2025-01-06T09:59:00Z"}, "action=wake\nat=2025-01-06T07:00:00Z", false},
		{"no wake Monday 10:00", []string{"NOW=2025-01-06T10:00:00Z"}, "action=none\nat=", false},
		{"no wake on a Sunday", []string{"NOW=2025-01-05T07:00:00Z"}, "action=none\nat=", false},
		{"no wake Sunday 08:00", []string{"NOW=2025-01-05T08:00:00Z"}, "action=none\nat=", false},
		{"seconds optional", []string{"NOW=2025-01-06T07:00Z"}, "action=wake\nat=2025-01-06T07:00:00Z", false},
		{"hour 08 is not octal", []string{"NOW=2025-01-08T08:00:00Z", "DEV_WAKE_HOUR=08"}, "action=wake\nat=2025-01-08T08:00:00Z", false},
		// Across midnight: the transition's own day counts.
		{"sleep 23:00, run 00:30", []string{"NOW=2025-01-08T00:30:00Z", "DEV_SLEEP_HOUR=23"}, "action=sleep\nat=2025-01-07T23:00:00Z", false},
		{"sleep 23:00, run 01:00", []string{"NOW=2025-01-08T01:00:00Z", "DEV_SLEEP_HOUR=23"}, "action=sleep\nat=2025-01-07T23:00:00Z", false},
		{"sleep 23:00, run 02:00", []string{"NOW=2025-01-08T02:00:00Z", "DEV_SLEEP_HOUR=23"}, "action=none\nat=", false},
		{"across the year", []string{"NOW=2025-01-01T00:30:00Z", "DEV_SLEEP_HOUR=23"}, "action=sleep\nat=2024-12-31T23:00:00Z", false},
		{"wake Monday 23:00, run Tuesday 00:10", []string{"NOW=2025-01-07T00:10:00Z", "DEV_WAKE_HOUR=23", "DEV_SLEEP_HOUR=5", "DEV_WAKE_DAYS=1"}, "action=wake\nat=2025-01-06T23:00:00Z", false},
		{"wake Sunday 23:00 is not a Monday wake", []string{"NOW=2025-01-06T00:10:00Z", "DEV_WAKE_HOUR=23", "DEV_SLEEP_HOUR=5", "DEV_WAKE_DAYS=1"}, "action=none\nat=", false},
		// The most recent transition wins when two are in the window.
		{"wake right after sleep", []string{"NOW=2025-01-07T21:00:00Z", "DEV_SLEEP_HOUR=19", "DEV_WAKE_HOUR=20", "DEV_WAKE_DAYS=1-7"}, "action=wake\nat=2025-01-07T20:00:00Z", false},
		{"sleep right after wake", []string{"NOW=2025-01-07T08:00:00Z", "DEV_WAKE_HOUR=7", "DEV_SLEEP_HOUR=8"}, "action=sleep\nat=2025-01-07T08:00:00Z", false},
		// Own days.
		{"own days: Sunday wake", []string{"NOW=2025-01-05T08:00:00Z", "DEV_WAKE_DAYS=1,3,6-7"}, "action=wake\nat=2025-01-05T07:00:00Z", false},
		{"own days: Tuesday not listed", []string{"NOW=2025-01-07T07:00:00Z", "DEV_WAKE_DAYS=1,3,6-7"}, "action=none\nat=", false},
		{"own hours", []string{"NOW=2025-01-09T22:00:00Z", "DEV_SLEEP_HOUR=22", "DEV_WAKE_HOUR=5"}, "action=sleep\nat=2025-01-09T22:00:00Z", false},
		{"schedule off", []string{"NOW=2025-01-07T19:00:00Z", "DEV_SCHEDULE=false"}, "action=none\nat=", false},
		// Manual runs: now, no scheduled time.
		{"dispatch sleeps whatever the hour", []string{"EVENT=workflow_dispatch", "ACTION=sleep", "NOW=2025-01-07T12:00:00Z", "DEV_SCHEDULE=false"}, "action=sleep\nat=", false},
		{"dispatch wakes", []string{"EVENT=workflow_dispatch", "ACTION=wake"}, "action=wake\nat=", false},
		{"dispatch from a branch", []string{"EVENT=workflow_dispatch", "ACTION=wake", "REF=refs/heads/feature"}, "only from main (this run is on refs/heads/feature)", true},
		{"dispatch from main", []string{"EVENT=workflow_dispatch", "ACTION=sleep", "REF=refs/heads/main"}, "action=sleep\nat=", false},
		{"dispatch of something else", []string{"EVENT=workflow_dispatch", "ACTION=destroy"}, "neither sleep nor wake", true},
		// Mistakes name the variable.
		{"hour out of range", []string{"NOW=2025-01-07T19:00:00Z", "DEV_SLEEP_HOUR=24"}, "DEV_SLEEP_HOUR='24' is not an hour", true},
		{"hour not a number", []string{"NOW=2025-01-07T19:00:00Z", "DEV_WAKE_HOUR=7am"}, "DEV_WAKE_HOUR='7am' is not an hour", true},
		{"same hours", []string{"NOW=2025-01-07T19:00:00Z", "DEV_SLEEP_HOUR=7"}, "both 7", true},
		{"day names", []string{"NOW=2025-01-07T19:00:00Z", "DEV_WAKE_DAYS=mon-fri"}, "DEV_WAKE_DAYS='mon-fri' is not a list of days", true},
		{"backwards range, found in the evening", []string{"NOW=2025-01-07T19:00:00Z", "DEV_WAKE_DAYS=5-1"}, "runs backwards", true},
		{"day 0", []string{"NOW=2025-01-06T07:00:00Z", "DEV_WAKE_DAYS=0-4"}, "is not a list of days", true},
		{"not UTC", []string{"NOW=2025-01-07T19:00:00+01:00"}, "is not a UTC time", true},
		{"not a date", []string{"NOW=2025-13-45T19:00:00Z"}, "is not a valid time", true},
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
	// Without NOW, the clock: some decision, never an error.
	if out, err := runScript(t, t.TempDir(), "dev-schedule.sh", []string{"EVENT=schedule"}); err != nil ||
		!regexp.MustCompile(`^action=(sleep|wake|none)\nat=(\d{4}-\d\d-\d\dT\d\d:00:00Z)?\n$`).MatchString(out) {
		t.Errorf("with the clock: %v %q", err, out)
	}
}

// The workflow never names prod, commits nothing, runs infra only on dev
// with the transition's time, decides without credentials, and skips when
// there is no dev stack.
func TestDevSleepWake(t *testing.T) {
	ws := load(t)
	w := ws["dev-sleep-wake.yml"]
	for _, m := range regexp.MustCompile(`--stack[ =]\S+`).FindAllString(w.text, -1) {
		// $STACK is dev in this workflow (checked below).
		if m != "--stack dev" && m != "--stack $STACK" {
			t.Errorf("dev-sleep-wake runs %q: it must touch dev only", m)
		}
	}
	for _, bad := range []string{"--force-prod", "commit-stack-file", "git push", "contents: write"} {
		if strings.Contains(w.text, bad) {
			t.Errorf("dev-sleep-wake: %q", bad)
		}
	}
	decide := mustJob(t, ws, "dev-sleep-wake.yml", "decide")
	if p := decide.Permissions; p == nil || len(p.scopes) != 1 || p.scopes["contents"] != "read" {
		t.Errorf("dev-sleep-wake: decide's permissions %+v, want contents: read only", p)
	}
	j := mustJob(t, ws, "dev-sleep-wake.yml", "sleep-or-wake")
	if j.Env["STACK"] != "dev" {
		t.Errorf("sleep-or-wake: STACK=%q", j.Env["STACK"])
	}
	if j.Environment == nil || j.Environment.Name != "dev" {
		t.Errorf("sleep-or-wake: environment %+v, want dev", j.Environment)
	}
	if p := j.Permissions; p == nil || len(p.scopes) != 3 || p.scopes["contents"] != "read" || p.scopes["id-token"] != "write" || p.scopes["actions"] != "read" {
		t.Errorf("sleep-or-wake: permissions %+v", p)
	}
	if !strings.Contains(j.If, "needs.decide.outputs.action != 'none'") {
		t.Errorf("sleep-or-wake must be skipped when there is nothing to do, if: %q", j.If)
	}
	if j.Env["ACTION"] != "${{ needs.decide.outputs.action }}" || j.Env["AT"] != "${{ needs.decide.outputs.at }}" {
		t.Errorf("sleep-or-wake: ACTION %q, AT %q", j.Env["ACTION"], j.Env["AT"])
	}
	if _, co := stepUsing(j, "actions/checkout"); co.With["ref"] != "main" {
		t.Errorf("sleep-or-wake checks out %q, want main's head", co.With["ref"])
	}

	// The command: the transition's time on a scheduled run, none on a
	// manual one.
	ran := stepNamed(t, j, "infra sleep or wake (dev only)")
	for _, c := range []struct{ action, at, want string }{
		{"sleep", "2025-01-07T19:00:00Z", "sleep --stack dev --yes --scheduled-at 2025-01-07T19:00:00Z"},
		{"wake", "", "wake --stack dev --yes"},
	} {
		dir := repoTree(t, map[string]string{"bin/infra": fakeInfra})
		if out, err := runStep(t, dir, ran.Run, "ACTION="+c.action, "AT="+c.at); err != nil {
			t.Fatalf("%s: %v\n%s", c.action, err, out)
		}
		if b, _ := os.ReadFile(filepath.Join(dir, "args.log")); strings.TrimSpace(string(b)) != c.want {
			t.Errorf("infra %s, want %s", b, c.want)
		}
	}
	// A scheduled run ends on main's head in the desired state, doing the
	// work of a deploy GitHub may have cancelled in its favour.
	conv := stepNamed(t, j, "infra up (converge on main)")
	if conv.Run != "bin/infra up --stack dev --yes" || !strings.Contains(conv.If, "env.AT != ''") || stepIndex(j, conv.Name) < stepIndex(j, ran.Name) {
		t.Errorf("converge step %+v", conv)
	}

	d := stepNamed(t, decide, "Decide")
	if d.Shell != "bash" || !strings.Contains(d.Run, `dev-schedule.sh | tee -a "$GITHUB_OUTPUT"`) {
		t.Errorf("decide must write the script's decision to GITHUB_OUTPUT with pipefail: %q", d.Run)
	}
	for _, c := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"dev", map[string]string{"Pulumi.dev.yaml": gkeStack}, "action=sleep\nat="},
		{"no dev stack", map[string]string{"Pulumi.prod.yaml": gkeStack}, "action=none\nat="},
	} {
		dir := repoTree(t, c.files)
		out := filepath.Join(dir, "output")
		os.WriteFile(out, nil, 0o644)
		cmd := exec.Command("bash", "-eo", "pipefail", "-c", d.Run)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GITHUB_OUTPUT="+out, "EVENT=workflow_dispatch", "ACTION=sleep", "REF=refs/heads/main", "INFRA_STACKS=")
		got, err := cmd.CombinedOutput()
		b, _ := os.ReadFile(out)
		if err != nil || strings.TrimSpace(string(b)) != c.want {
			t.Errorf("%s: %v, output %q\n%s", c.name, err, b, got)
		}
		if c.name == "no dev stack" && !strings.Contains(string(got), "::notice") {
			t.Errorf("%s: no notice:\n%s", c.name, got)
		}
	}
}
