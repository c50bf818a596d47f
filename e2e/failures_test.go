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
