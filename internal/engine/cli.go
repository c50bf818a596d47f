package engine

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
)

// cli runs the Pulumi CLI for the Automation API, as auto's own command
// does (own process group, non-interactive), except for how it stops. The
// stock one answers a cancelled context with SIGINT and a SIGKILL ten
// seconds later, which leaves a lock and pending operations behind while a
// cluster is still being created. This one is stopped only by Interrupt
// (one SIGINT: the CLI finishes what is in flight, saves the state and
// unlocks) or Kill, which infra's signal handling calls.
type cli struct {
	bin     string
	version semver.Version

	mu      sync.Mutex
	running map[*os.Process]bool
	// interrupted: no further CLI is started.
	interrupted atomic.Bool
}

func newCLI(base auto.PulumiCommand, bin string) *cli {
	return &cli{bin: bin, version: base.Version(), running: map[*os.Process]bool{}}
}

// Version implements auto.PulumiCommand.
func (c *cli) Version() semver.Version { return c.version }

// Run implements auto.PulumiCommand. The context is deliberately not tied
// to the process: see the type's comment.
func (c *cli) Run(_ context.Context, workdir string, stdin io.Reader, outs, errs []io.Writer, env []string, args ...string) (string, string, int, error) {
	own := args
	if i := slices.Index(args, "--"); i >= 0 {
		own = args[:i]
	}
	if !slices.Contains(own, "--non-interactive") {
		args = append([]string{"--non-interactive"}, args...)
	}
	cmd := exec.Command(c.bin, args...) //nolint:gosec // the CLI found on PATH or in bin/
	cmd.Dir = workdir
	cmd.Env = append(append(os.Environ(), env...), "PULUMI_AUTOMATION_API=true")
	cmd.Env = append(cmd.Env, "PATH="+filepath.Dir(c.bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout = io.MultiWriter(append(outs, &stdout)...)
	cmd.Stderr = io.MultiWriter(append(errs, &stderr)...)
	cmd.Stdin = stdin
	// Its own process group: a terminal's Ctrl-C reaches infra only, which
	// passes it on once.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Checked and started under the lock, so an interrupt either stops it
	// from starting or reaches it.
	c.mu.Lock()
	if c.interrupted.Load() {
		c.mu.Unlock()
		return "", "", -2, errors.New("interrupted before the Pulumi CLI started")
	}
	if err := cmd.Start(); err != nil {
		c.mu.Unlock()
		return "", "", -2, err
	}
	c.running[cmd.Process] = true
	c.mu.Unlock()
	err := cmd.Wait()
	c.mu.Lock()
	delete(c.running, cmd.Process)
	c.mu.Unlock()
	code := -2
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err == nil {
		code = 0
	}
	return stdout.String(), stderr.String(), code, err
}

// Interrupt sends SIGINT once to every running CLI's process group and
// returns how many it reached.
func (c *cli) Interrupt() int {
	c.mu.Lock()
	c.interrupted.Store(true)
	c.mu.Unlock()
	return c.signal(syscall.SIGINT)
}

// resume lets CLIs start again after an interrupt, for the quick state
// bookkeeping that must follow one (journal.go); a second interrupt still
// kills them.
func (c *cli) resume() { c.interrupted.Store(false) }

// Kill ends every running CLI at once.
func (c *cli) Kill() int { return c.signal(syscall.SIGKILL) }

func (c *cli) signal(sig syscall.Signal) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for p := range c.running {
		if syscall.Kill(-p.Pid, sig) == nil {
			n++
		}
	}
	return n
}

// findCLI is the Pulumi CLI's path: on PATH, else the repo's bin/.
func findCLI(root string) (string, bool) {
	if p, err := exec.LookPath("pulumi"); err == nil {
		return p, true
	}
	abs, _ := filepath.Abs(filepath.Join(root, "bin", "pulumi"))
	if _, err := os.Stat(abs); err == nil {
		return abs, true
	}
	return "", false
}
