package e2e

import (
	"bytes"
	"encoding/json"
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
			kube.SetCreateDelay(3 * time.Second)
			defer kube.SetCreateDelay(0)
			before := kube.CallCount("Create")

			cmd := exec.Command(infraBin, "up", "--stack", stack, "--yes", "--dir", p.dir)
			cmd.Env = p.env
			var errOut bytes.Buffer
			cmd.Stdout, cmd.Stderr = &errOut, &errOut
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Interrupt once the slow Kubernetes creates have begun.
			for i := 0; i < 600 && kube.CallCount("Create") == before; i++ {
				time.Sleep(100 * time.Millisecond)
			}
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
