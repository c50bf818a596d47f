package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// An interrupt (Ctrl-C, or the SIGTERM of a cancelled CI job) of `infra up`
// while creates are slow: infra passes it to Pulumi once and waits; the
// state is saved and unlocked with no pending operations, and the next
// `infra up` converges to exactly the planned resources.
func TestInterruptedUpSavesStateAndConverges(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			stack := "interrupt-" + strings.ToLower(strings.ReplaceAll(sig.String(), " ", ""))
			p := projectAs(t, "dev", stack)
			p.destroyAtEnd(t, stack)
			cmd, errOut := slowUp(t, p, stack, 3*time.Second)
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			var err error
			select {
			case err = <-done:
			case <-time.After(3 * time.Minute):
				_ = cmd.Process.Kill()
				t.Fatalf("infra up did not end after %v:\n%s", sig, errOut.String())
			}
			transcript.Write(errOut.Bytes())
			ee, _ := err.(*exec.ExitError)
			if ee == nil || ee.ExitCode() != 130 || !strings.Contains(errOut.String(), "interrupted: state saved") ||
				!strings.Contains(errOut.String(), "run `infra up --stack "+stack+"` to continue") {
				t.Fatalf("after %v: %v\n%s", sig, err, errOut.String())
			}
			if locks := files(t, filepath.Join(p.state, ".pulumi", "locks")); len(locks) > 0 {
				t.Errorf("locks left: %v", locks)
			}
			if n := pendingOperations(t, p, stack); n != 0 {
				t.Errorf("%d pending operations left in the state", n)
			}

			kube.SetCreateDelay(0)
			p.mustInfra(t, "up", "--stack", stack, "--yes")
			inState, inCloud := stateURNs(t, p, stack), cloudURNs(stack)
			if strings.Join(inState, "\n") != strings.Join(inCloud, "\n") {
				t.Errorf("state and cloud differ:\nstate %v\ncloud %v", inState, inCloud)
			}
			if n := pendingOperations(t, p, stack); n != 0 {
				t.Errorf("%d pending operations after up", n)
			}
		})
	}
}

func files(t *testing.T, dir string) []string {
	var out []string
	_ = filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			out = append(out, path)
		}
		return nil
	})
	return out
}

func checkpoint(t *testing.T, p proj, stack string) map[string]interface{} {
	t.Helper()
	out := p.pulumi(t, "stack", "export", "--stack", stack)
	var dep map[string]interface{}
	if err := json.Unmarshal([]byte(out), &dep); err != nil {
		t.Fatalf("stack export: %v", err)
	}
	d, _ := dep["deployment"].(map[string]interface{})
	return d
}

func pendingOperations(t *testing.T, p proj, stack string) int {
	ops, _ := checkpoint(t, p, stack)["pending_operations"].([]interface{})
	return len(ops)
}

// pendingCreates names the resources the state holds pending creates of
// (the URN's last part).
func pendingCreates(t *testing.T, p proj, stack string) []string {
	ops, _ := checkpoint(t, p, stack)["pending_operations"].([]interface{})
	var names []string
	for _, op := range ops {
		m, _ := op.(map[string]interface{})
		if m["type"] != "creating" {
			continue
		}
		r, _ := m["resource"].(map[string]interface{})
		urn, _ := r["urn"].(string)
		names = append(names, urn[strings.LastIndex(urn, "::")+2:])
	}
	return names
}

// stateURNs: custom resources in the state that the stand-ins hold.
func stateURNs(t *testing.T, p proj, stack string) []string {
	var out []string
	res, _ := checkpoint(t, p, stack)["resources"].([]interface{})
	for _, r := range res {
		m := r.(map[string]interface{})
		urn, _ := m["urn"].(string)
		if custom, _ := m["custom"].(bool); custom && !strings.Contains(urn, "pulumi:providers:") {
			out = append(out, urn)
		}
	}
	sort.Strings(out)
	return out
}

func cloudURNs(stack string) []string {
	var out []string
	for _, snap := range []map[string]bool{keys(gcp.Snapshot()), keys(kube.Snapshot())} {
		for urn := range snap {
			if strings.HasPrefix(urn, "urn:pulumi:"+stack+"::") {
				out = append(out, urn)
			}
		}
	}
	sort.Strings(out)
	return out
}

func keys[V any](m map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

// The Pulumi CLI killed outright mid-create (what an interrupt cannot
// prevent: a CI runner's hard kill) leaves a lock and pending creates.
// Every verb then says so with the repair; drift exits 3; infra repair
// reads the pending resources back, and the next up converges with no
// duplicates and no orphans.
func TestKilledCLIIsRepaired(t *testing.T) {
	stack := "killed"
	p := projectAs(t, "dev", stack)
	p.destroyAtEnd(t, stack)
	killThenRepair(t, p, stack)
}

// killThenRepair kills the Pulumi CLI under `infra up` mid-create and
// checks the documented path: the broken stack is reported, repair fixes
// it, up converges.
func killThenRepair(t *testing.T, p proj, stack string) {
	t.Helper()
	cmd, out := slowUp(t, p, stack, 4*time.Second)
	cli := childCLI(t, cmd.Process.Pid)
	if err := syscall.Kill(cli, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	transcript.Write(out.Bytes())
	// The creates in flight finish in the "cloud" after the CLI is gone.
	time.Sleep(5 * time.Second)
	kube.SetCreateDelay(0)

	// Killed while writing, the checkpoint itself can be cut short; else
	// the state holds the lock and pending creates.
	r := p.infra(t, "preview", "--stack", stack)
	damaged := strings.Contains(r.stderr, "checkpoint is damaged")
	var pending []string
	if !damaged {
		// Which creates were in flight depends on when the kill landed.
		pending = pendingCreates(t, p, stack)
		if n := len(pending); n == 0 {
			t.Fatalf("the kill left no pending operations: the test did not interrupt a create\n%s", out.String())
		}
		if r.code != 1 || !strings.Contains(r.stderr, "left broken by an interrupted or killed run") ||
			!strings.Contains(r.stderr, "pending creating of kubernetes:") || !strings.Contains(r.stderr, "infra repair --stack "+stack) {
			t.Errorf("preview of a broken stack: exit %d\n%s", r.code, r.stderr)
		}
		if !strings.Contains(r.stderr, "locked by") || !strings.Contains(r.stderr, "its owner is not running any more") {
			t.Errorf("the lock and its dead owner are not reported:\n%s", r.stderr)
		}
		if r := p.infra(t, "drift", "--stack", stack); r.code != 3 {
			t.Errorf("drift of a broken stack: exit %d, want 3\n%s", r.code, r.stderr)
		}
	} else if r.code != 1 || !strings.Contains(r.stderr, "infra repair --stack "+stack) {
		t.Errorf("preview with a damaged checkpoint: exit %d\n%s", r.code, r.stderr)
	}

	rep := p.mustInfra(t, "repair", "--stack", stack)
	wants := []string{"repair: released the lock of", "repair: refreshed the state from the cloud"}
	for _, name := range pending {
		wants = append(wants, "pending create of "+name+": ")
	}
	if damaged {
		// Cut short: the checkpoint itself, or on a directory backend its
		// attributes sidecar.
		wants = []string{"repair: refreshed the state from the cloud"}
		if !strings.Contains(rep.stdout, "repair: restored the checkpoint of "+stack) &&
			!strings.Contains(rep.stdout, "repair: set aside the checkpoint's damaged attributes file") {
			t.Errorf("repair did not mend the damaged checkpoint:\n%s", rep.stdout)
		}
	}
	for _, want := range wants {
		if !strings.Contains(rep.stdout, want) {
			t.Errorf("repair output lacks %q:\n%s", want, rep.stdout)
		}
	}
	if n := pendingOperations(t, p, stack); n != 0 {
		t.Errorf("%d pending operations after repair", n)
	}
	p.mustInfra(t, "up", "--stack", stack, "--yes")
	if s, c := stateURNs(t, p, stack), cloudURNs(stack); strings.Join(s, "\n") != strings.Join(c, "\n") {
		t.Errorf("state and cloud differ after repair and up:\nstate %v\ncloud %v", s, c)
	}
	if r := p.infra(t, "drift", "--stack", stack); r.code != 0 {
		t.Errorf("drift after repair and up: exit %d\n%s", r.code, r.stderr)
	}
	if r := p.mustInfra(t, "repair", "--stack", stack); !strings.Contains(r.stdout, "had nothing to repair") {
		t.Errorf("second repair:\n%s", r.stdout)
	}
}

// childCLI finds the pulumi process infra started.
func childCLI(t *testing.T, parent int) int {
	t.Helper()
	for i := 0; i < 50; i++ {
		dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
		for _, d := range dirs {
			b, err := os.ReadFile(d)
			if err != nil {
				continue
			}
			// pid (comm) state ppid ...
			s := string(b)
			rest := s[strings.LastIndex(s, ")")+2:]
			var ppid int
			var state string
			if _, err := fmt.Sscan(rest, &state, &ppid); err != nil || ppid != parent {
				continue
			}
			if strings.Contains(s, "(pulumi)") {
				var pid int
				_, _ = fmt.Sscan(s, &pid)
				return pid
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("no pulumi process under infra")
	return 0
}

// Two runs at once: the second is told who holds the stack and since when,
// changes nothing, and repair will not break a lock whose run is alive.
func TestConcurrentRunNamesTheLockHolder(t *testing.T) {
	stack := "locked"
	p := projectAs(t, "dev", stack)
	p.destroyAtEnd(t, stack)
	// Long enough that three more infra runs (each starts the Pulumi CLI,
	// seconds on a loaded 2-core machine) all meet the first one alive.
	first, out := slowUp(t, p, stack, 8*time.Second)
	for _, verb := range [][]string{{"up", "--yes"}, {"destroy", "--yes"}} {
		r := p.infra(t, append(verb, "--stack", stack)...)
		if r.code != 1 || !strings.Contains(r.stderr, "locked by") || !strings.Contains(r.stderr, "its owner is still running here") {
			t.Errorf("infra %s during another run: exit %d\n%s", verb[0], r.code, r.stderr)
		}
	}
	if r := p.infra(t, "repair", "--stack", stack); r.code != 1 || !strings.Contains(r.stderr, "refusing to break the lock") {
		t.Errorf("repair during another run: exit %d\n%s", r.code, r.stderr)
	}
	if err := first.Wait(); err != nil {
		t.Fatalf("the first run failed: %v\n%s", err, out.String())
	}
	transcript.Write(out.Bytes())
	for _, d := range append(gcp.Deletions(), kube.Deletions()...) {
		if strings.HasPrefix(d.URN, "urn:pulumi:"+stack+"::") {
			t.Errorf("the refused destroy deleted %s", d.URN)
		}
	}
	if n := pendingOperations(t, p, stack); n != 0 {
		t.Errorf("%d pending operations", n)
	}
	if s, c := stateURNs(t, p, stack), cloudURNs(stack); strings.Join(s, "\n") != strings.Join(c, "\n") {
		t.Errorf("state and cloud differ:\nstate %v\ncloud %v", s, c)
	}
}

// slowUp starts `infra up` on a stack whose Kubernetes creates each take
// delay, and returns once the first of them has begun.
func slowUp(t *testing.T, p proj, stack string, delay time.Duration) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	return slowly(t, p, stack, "up", "Create", kube.SetCreateDelay, delay)
}

// slowly starts `infra VERB` on a stack whose Kubernetes calls of method
// each take delay (setDelay sets it), and returns once the first of them
// has begun.
func slowly(t *testing.T, p proj, stack, verb, method string, setDelay func(time.Duration), delay time.Duration) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	return slowlyAfter(t, p, stack, verb, method, setDelay, delay, 1)
}

// slowlyAfter is slowly that returns once the calls-th call of method
// has begun.
func slowlyAfter(t *testing.T, p proj, stack, verb, method string, setDelay func(time.Duration), delay time.Duration, calls int) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	setDelay(delay)
	t.Cleanup(func() { setDelay(0) })
	before := kube.CallCount(method)
	args := []string{verb, "--stack", stack, "--yes", "--dir", p.dir}
	if verb == "destroy" {
		args = append(args, "--skip-backup") // the stand-ins' cluster runs no Job
	}
	cmd := exec.Command(infraBin, args...)
	cmd.Env = p.env
	out := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 600 && kube.CallCount(method) < before+calls; i++ {
		time.Sleep(100 * time.Millisecond)
	}
	return cmd, out
}

// A checkpoint cut short (a run killed while writing it): every verb ends
// at once naming the damage and the repair; repair puts back the last good
// checkpoint, and up converges.
func TestTruncatedCheckpointIsRepaired(t *testing.T) {
	stack := "truncated"
	p := projectAs(t, "dev", stack)
	p.destroyAtEnd(t, stack)
	p.mustInfra(t, "up", "--stack", stack, "--yes")
	file := filepath.Join(p.state, ".pulumi", "stacks", "unlimited-translation", stack+".json")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, verb := range [][]string{{"preview"}, {"drift"}, {"up", "--yes"}, {"destroy", "--yes"}, {"outputs"}} {
		r := p.infra(t, append(verb, "--stack", stack)...)
		if r.code == 0 || !strings.Contains(r.stderr, "failed to load checkpoint") || !strings.Contains(r.stderr, "infra repair --stack "+stack) {
			t.Errorf("infra %s on a truncated checkpoint: exit %d\n%s", verb[0], r.code, r.stderr)
		}
	}
	rep := p.mustInfra(t, "repair", "--stack", stack)
	if !strings.Contains(rep.stdout, "repair: restored the checkpoint of "+stack+" from "+stack+".json.bak") {
		t.Errorf("repair:\n%s", rep.stdout)
	}
	if damaged, _ := filepath.Glob(file + ".damaged-*"); len(damaged) != 1 {
		t.Errorf("the damaged checkpoint is not kept: %v", damaged)
	}
	p.mustInfra(t, "up", "--stack", stack, "--yes")
	if s, c := stateURNs(t, p, stack), cloudURNs(stack); strings.Join(s, "\n") != strings.Join(c, "\n") || len(s) < 18 {
		t.Errorf("state and cloud differ after repair and up:\nstate %v\ncloud %v", s, c)
	}
}
