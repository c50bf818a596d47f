package plan

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// BaseJSON returns the offline plan, as JSON, of stack at git revision
// ref: it checks ref out into a temporary worktree and runs that
// revision's own `infra plan --json`, so the comparison is with the program
// as it was, not with today's code. A stack that does not exist at ref
// gives nil (everything is new).
func BaseJSON(dir, stack, ref string) ([]byte, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	top, err := git(abs, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Errorf("--against needs a git checkout: %s is not in one", dir)
	}
	sha, err := git(abs, "rev-parse", "--verify", "--quiet", ref+"^{commit}")
	if err != nil {
		return nil, fmt.Errorf("unknown git revision %q (fetch it first, e.g. git fetch origin main)", ref)
	}
	rel, err := filepath.Rel(top, abs)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "infra-against-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	wt := filepath.Join(tmp, "base")
	if _, err := git(top, "worktree", "add", "--detach", "--quiet", wt, sha); err != nil {
		return nil, fmt.Errorf("checking out %s: %w", ref, err)
	}
	defer func() { _, _ = git(top, "worktree", "remove", "--force", wt) }()

	project := filepath.Join(wt, rel)
	if _, err := os.Stat(filepath.Join(project, "Pulumi."+stack+".yaml")); err != nil {
		return nil, nil
	}
	if _, err := os.Stat(filepath.Join(wt, "cmd", "infra")); err != nil {
		return nil, fmt.Errorf("revision %s has no cmd/infra to plan with", ref)
	}
	cmd := exec.Command("go", "run", "./cmd/infra", "plan", "--stack", stack, "--json", "--dir", project)
	cmd.Dir = wt
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("planning %s at %s: %s", stack, ref, lastLine(errOut.String(), err))
	}
	return out.Bytes(), nil
}

func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %s", strings.Join(args, " "), lastLine(errOut.String(), err))
	}
	return strings.TrimSpace(out.String()), nil
}

func lastLine(s string, err error) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return err.Error()
	}
	lines := strings.Split(s, "\n")
	return lines[len(lines)-1]
}
