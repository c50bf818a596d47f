// Package integration proves the program's Kubernetes objects on a real
// control plane (internal/controlplane): every stack's manifests pass
// server-side dry-run, and the dev stack's objects are applied, rolled out,
// updated and deleted for real.
package integration

import (
	"fmt"
	"os"
	"testing"

	"github.com/unlimited-translation/infra/internal/controlplane"
)

var cp *controlplane.ControlPlane

// TestMain starts one control plane for the package. Without its binaries
// the tests are skipped, unless INFRA_REQUIRE_CONTROLPLANE is set (as
// tools/test.sh does), in which case that is a failure.
func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	bin, err := controlplane.FindBinaries("..")
	if err != nil {
		if os.Getenv("INFRA_REQUIRE_CONTROLPLANE") != "" {
			fmt.Fprintln(os.Stderr, "control-plane tests:", err)
			return 1
		}
		fmt.Fprintln(os.Stderr, "skipping control-plane tests:", err)
		return 0
	}
	logs, err := os.CreateTemp("", "controlplane-*.log")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.Remove(logs.Name())
	defer logs.Close()
	cp, err = controlplane.Start(bin, logs)
	if err != nil {
		fmt.Fprintf(os.Stderr, "starting the control plane: %v\n%s", err, tail(logs.Name()))
		return 1
	}
	fmt.Printf("timing: control plane started, node Ready in %s\n", cp.Ready.Round(1e6))
	code := m.Run()
	cp.Stop()
	if code != 0 {
		fmt.Fprint(os.Stderr, tail(logs.Name()))
	}
	return code
}

// tail returns the end of the control plane's log, for failures.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 8000 {
		b = b[len(b)-8000:]
	}
	return "--- control plane log (end) ---\n" + string(b)
}
