package e2e

import (
	"bytes"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A destroy drops the objects marked deletedWith the cluster from the
// state without deleting them. Cut off before the cluster goes, those
// objects stay in the cluster; infra puts them back in the state, so the
// next up neither fails with "already exists" nor leaves orphans.
func TestInterruptedDestroyKeepsClusterObjects(t *testing.T) {
	t.Run("Ctrl-C", func(t *testing.T) {
		stack := "destroy-int"
		p, cmd, out := upThenSlowDestroy(t, stack)
		if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		err := cmd.Wait()
		transcript.Write(out.Bytes())
		if ee, _ := err.(*exec.ExitError); ee == nil || ee.ExitCode() != 130 {
			t.Fatalf("interrupted destroy: %v\n%s", err, out.String())
		}
		if !strings.Contains(out.String(), "a cut-off destroy had dropped from the state while their cluster still runs") {
			t.Errorf("nothing was put back: the interrupt came before any object was dropped, or the drop went unnoticed\n%s", out.String())
		}
		converges(t, p, stack)
	})

	t.Run("Ctrl-C while the load balancer goes", func(t *testing.T) {
		// The first delete is the Ingress's, before the cluster is
		// touched: the destroy stops there and leaves the cluster.
		stack := "destroy-int-lb"
		p := projectAs(t, "dev", stack)
		p.destroyAtEnd(t, stack)
		p.mustInfra(t, "up", "--stack", stack, "--yes")
		cmd, out := slowly(t, p, stack, "destroy", "Delete", kube.SetDeleteDelay, 3*time.Second)
		time.Sleep(500 * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		err := cmd.Wait()
		transcript.Write(out.Bytes())
		if ee, _ := err.(*exec.ExitError); ee == nil || ee.ExitCode() != 130 || !strings.Contains(out.String(), "infra: interrupted: state saved") {
			t.Fatalf("destroy interrupted while the load balancer goes: %v\n%s", err, out.String())
		}
		for _, d := range gcp.Deletions() {
			if strings.HasPrefix(d.URN, "urn:pulumi:"+stack+"::") {
				t.Errorf("the interrupted destroy deleted %s", d.URN)
			}
		}
		kube.SetDeleteDelay(0)
		time.Sleep(4 * time.Second) // the delete in flight ends in the "cloud"
		p.mustInfra(t, "repair", "--stack", stack)
		converges(t, p, stack)
	})

	t.Run("killed", func(t *testing.T) {
		stack := "destroy-kill"
		p, cmd, out := upThenSlowDestroy(t, stack)
		// What GitHub does 10 s after cancelling: the whole tree dies.
		cli := childCLI(t, cmd.Process.Pid)
		_ = syscall.Kill(cmd.Process.Pid, syscall.SIGKILL)
		_ = syscall.Kill(cli, syscall.SIGKILL)
		_ = cmd.Wait()
		transcript.Write(out.Bytes())
		kube.SetDeleteDelay(0)
		time.Sleep(4 * time.Second) // the deletes in flight end in the "cloud"

		r := p.infra(t, "up", "--stack", stack, "--yes")
		if r.code != 1 || !strings.Contains(r.stderr, "infra repair --stack "+stack) {
			t.Errorf("up after a killed destroy: exit %d\n%s", r.code, r.stderr)
		}
		if !strings.Contains(r.stderr, "checkpoint is damaged") && !strings.Contains(r.stderr, "a cut-off destroy dropped") {
			t.Errorf("the dropped objects are not reported:\n%s", r.stderr)
		}
		rep := p.mustInfra(t, "repair", "--stack", stack)
		if !strings.Contains(rep.stdout, "a cut-off destroy had dropped") && !strings.Contains(rep.stdout, "restored the checkpoint") {
			t.Errorf("repair did not put the dropped objects back:\n%s", rep.stdout)
		}
		converges(t, p, stack)
	})
}

// upThenSlowDestroy brings a copy of dev up as stack, then starts
// `infra destroy` with slow Kubernetes deletes and returns once the
// destroy's first real delete has begun (the deletedWith objects are
// dropped by then: they need no call). The two deletes before it are the
// load balancer's, Ingress and frontend Service, which go first on their
// own (engine/drain.go).
func upThenSlowDestroy(t *testing.T, stack string) (proj, *exec.Cmd, *bytes.Buffer) {
	t.Helper()
	p := projectAs(t, "dev", stack)
	p.destroyAtEnd(t, stack)
	p.mustInfra(t, "up", "--stack", stack, "--yes")
	cmd, out := slowlyAfter(t, p, stack, "destroy", "Delete", kube.SetDeleteDelay, 3*time.Second, 3)
	time.Sleep(500 * time.Millisecond)
	return p, cmd, out
}

// converges checks that up brings the stack back with cloud and state
// equal and nothing refused as already existing.
func converges(t *testing.T, p proj, stack string) {
	t.Helper()
	kube.SetDeleteDelay(0)
	if s, c := stateURNs(t, p, stack), cloudURNs(stack); strings.Join(s, "\n") != strings.Join(c, "\n") {
		t.Errorf("state and cloud differ after the cut-off destroy:\nstate %v\ncloud %v", s, c)
	}
	p.mustInfra(t, "up", "--stack", stack, "--yes")
	if s, c := stateURNs(t, p, stack), cloudURNs(stack); strings.Join(s, "\n") != strings.Join(c, "\n") || len(s) < 18 {
		t.Errorf("state and cloud differ after up:\nstate %v\ncloud %v", s, c)
	}
	if r := p.infra(t, "drift", "--stack", stack); r.code != 0 {
		t.Errorf("drift after up: exit %d\n%s", r.code, r.stderr)
	}
}
