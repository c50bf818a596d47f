package e2e

import (
	"strings"
	"testing"
)

// A wrong passphrase: every verb that needs the stack ends, non-zero, with
// the CLI's own cause (it used to hang in preview and drift).
func TestWrongPassphraseSaysWhy(t *testing.T) {
	p := project(t, "dev")
	p.destroyAtEnd(t, "dev")
	p.mustInfra(t, "up", "--stack", "dev", "--yes")
	wrong := []string{"PULUMI_CONFIG_PASSPHRASE=not-the-passphrase"}
	for _, verb := range [][]string{{"preview"}, {"drift"}, {"refresh"}, {"up", "--yes"}, {"outputs", "--show-secrets"}} {
		r := p.runBin(t, infraBin, wrong, append(verb, "--stack", "dev")...)
		if r.code == 0 || !strings.Contains(strings.ToLower(r.stderr), "passphrase") {
			t.Errorf("infra %s with a wrong passphrase: exit %d\n%s", verb[0], r.code, r.stderr)
		}
		if strings.Contains(r.stderr, "exit status") && !strings.Contains(strings.ToLower(r.stderr), "passphrase") {
			t.Errorf("infra %s dropped the cause: %s", verb[0], r.stderr)
		}
	}
}

// A create the cloud refuses: up fails naming it and why, the stack is
// left healthy, and once the cause is gone the next up converges.
func TestFailedCreateThenFixedRerunConverges(t *testing.T) {
	stack := "failing"
	p := projectAs(t, "dev", stack)
	p.destroyAtEnd(t, stack)
	kube.FailCreates("kubernetes:core/v1:Service::translation-frontend")
	r := p.infra(t, "up", "--stack", stack, "--yes")
	kube.FailCreates("")
	if r.code != 1 || !strings.Contains(r.stderr, "injected failure: the API refused to create") {
		t.Fatalf("up with a refused create: exit %d\n%s", r.code, r.stderr)
	}
	if n := pendingOperations(t, p, stack); n != 0 {
		t.Errorf("%d pending operations after a failed create", n)
	}
	p.mustInfra(t, "up", "--stack", stack, "--yes")
	if s, c := stateURNs(t, p, stack), cloudURNs(stack); strings.Join(s, "\n") != strings.Join(c, "\n") || len(s) < 18 {
		t.Errorf("state and cloud differ after the fixed re-run:\nstate %v\ncloud %v", s, c)
	}
	if r := p.infra(t, "drift", "--stack", stack); r.code != 0 {
		t.Errorf("drift after the fixed re-run: exit %d\n%s", r.code, r.stderr)
	}
}
