package integration

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/unlimited-translation/infra/internal/plan"
)

// manifests writes a stack's Kubernetes objects (infra plan --manifests)
// into a temp dir; set overrides config values.
func manifests(t *testing.T, stack string, set map[string]string) string {
	t.Helper()
	p, err := plan.Stack("..", stack, set)
	if err != nil {
		t.Fatalf("planning %s: %v", stack, err)
	}
	dir := t.TempDir()
	if _, err := p.WriteManifests(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

func file(t *testing.T, dir, prefix string) string {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(dir, prefix+"*.yaml"))
	if len(matches) != 1 {
		t.Fatalf("want one %s* manifest in %s, got %v", prefix, dir, matches)
	}
	return matches[0]
}

func kubectl(t *testing.T, args ...string) string {
	t.Helper()
	out, err := cp.Kubectl(args...)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out)
}

// eventually polls kubectl until check accepts its output.
func eventually(t *testing.T, timeout time.Duration, what string, check func(string) bool, args ...string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		out, err := cp.Kubectl(args...)
		last = strings.TrimSpace(out)
		if err == nil && check(last) {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s: not after %s (last: %q)", what, timeout, last)
}

// versions maps kind/name to resourceVersion for the objects of dir.
func versions(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := kubectl(t, "get", "-f", dir, "-o",
		`jsonpath={range .items[*]}{.kind}/{.metadata.name}={.metadata.resourceVersion}{"\n"}{end}`)
	m := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			m[k] = v
		}
	}
	return m
}

func count(dir string) int {
	files, _ := os.ReadDir(dir)
	return len(files)
}

func sortedLines(s string) []string {
	lines := strings.Fields(s)
	sort.Strings(lines)
	return lines
}
