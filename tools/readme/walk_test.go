// Package readme runs the README's offline commands as a new user would:
// every fenced block marked `sh offline`, on a clean clone.
package readme

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// blocks returns the bodies of the README's ```sh offline blocks.
func blocks(readme string) []string {
	var out []string
	var cur *strings.Builder
	sc := bufio.NewScanner(strings.NewReader(readme))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case cur == nil && strings.TrimSpace(line) == "```sh offline":
			cur = &strings.Builder{}
		case cur != nil && strings.TrimSpace(line) == "```":
			out = append(out, cur.String())
			cur = nil
		case cur != nil:
			// The test suite is what runs this walk: not run from it.
			if strings.TrimSpace(line) != "bash tools/test.sh" {
				cur.WriteString(line + "\n")
			}
		}
	}
	return out
}

func TestREADMEOfflineCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("clones the repository and builds infra")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	clone := filepath.Join(t.TempDir(), "clone")
	if out, err := exec.Command("git", "clone", "-q", root, clone).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	readme, err := os.ReadFile(filepath.Join(clone, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	bs := blocks(string(readme))
	if len(bs) < 2 {
		t.Fatalf("%d sh offline blocks in the README; the main job and the plan commands are expected", len(bs))
	}
	for i, b := range bs {
		cmd := exec.Command("bash", "-euo", "pipefail", "-c", b)
		cmd.Dir = clone
		// No cloud, no Pulumi account: nothing of the caller's leaks in.
		cmd.Env = append(os.Environ(), "PULUMI_ACCESS_TOKEN=", "GOOGLE_APPLICATION_CREDENTIALS=/nonexistent")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("README block %d failed: %v\n--- block\n%s--- output (tail)\n%s", i+1, err, b, tail(string(out), 3000))
		}
	}
	for _, f := range []string{"prod-plan.json", "dev-graph.md", "manifests-dev"} {
		if _, err := os.Stat(filepath.Join(clone, f)); err != nil {
			t.Errorf("the README's commands did not write %s: %v", f, err)
		}
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
