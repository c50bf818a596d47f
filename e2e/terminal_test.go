package e2e

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// underTerminal runs infra with args on a pseudo-terminal that answers
// nothing (script(1) copies what is written to it), with a TERM that
// invites colour queries, and returns what reached the terminal.
func underTerminal(tb testing.TB, args ...string) string {
	tb.Helper()
	if _, err := exec.LookPath("script"); err != nil {
		tb.Skip("no script(1) to give infra a terminal")
	}
	cmd := exec.Command("script", "-qec", strings.Join(append([]string{infraBin}, args...), " "), "/dev/null")
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	cmd.Stdin = nil
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("infra %s under a terminal: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// commands lists infra's verbs as its own help gives them.
func commands(t *testing.T) []string {
	out, err := exec.Command(infraBin, "--help").Output()
	if err != nil {
		t.Fatal(err)
	}
	var verbs []string
	in := false
	for _, line := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasPrefix(line, "Available Commands:"):
			in = true
		case in && strings.TrimSpace(line) == "":
			in = false
		case in:
			if f := strings.Fields(line); len(f) > 0 && f[0] != "help" && f[0] != "completion" {
				verbs = append(verbs, f[0])
			}
		}
	}
	return verbs
}

// No command writes terminal queries (the background-colour ESC]11;? and
// cursor-position ESC[6n that bubbletea's init sends through termenv) to a
// terminal: on one that does not answer, each cost 5 s. Help writes no
// escape sequence at all.
func TestHelpWritesNoTerminalQueries(t *testing.T) {
	verbs := commands(t)
	if len(verbs) < 10 {
		t.Fatalf("infra --help lists %v", verbs)
	}
	for _, args := range append([][]string{{"--help"}}, func() (out [][]string) {
		for _, v := range verbs {
			out = append(out, []string{v, "--help"})
		}
		return out
	}()...) {
		got := underTerminal(t, args...)
		if strings.Contains(got, "\x1b") {
			t.Errorf("infra %s wrote an escape sequence: %q", strings.Join(args, " "), got[:min(len(got), 80)])
		}
		if !strings.Contains(got, "Usage:") {
			t.Errorf("infra %s printed no usage:\n%s", strings.Join(args, " "), got)
		}
	}
}

// The whole process, from exec to exit, of `infra --help` on a terminal
// (0.2 s here; 5.2 s when the init waited for an answer).
func BenchmarkHelpOnATerminal(b *testing.B) {
	for b.Loop() {
		underTerminal(b, "--help")
	}
}
