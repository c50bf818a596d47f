package stacks

import (
	"os/exec"
	"testing"
)

// providerkeys.go matches the pinned SDKs (go.mod): a provider upgrade
// regenerates it.
func TestProviderKeysCurrent(t *testing.T) {
	cmd := exec.Command("go", "run", "./tools/providerkeys", "-check")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}
