// Package engine runs the stack program through the real Pulumi engine
// with the Automation API: the program is an inline program, the work dir
// is the project directory, so Pulumi.yaml and Pulumi.<stack>.yaml stay the
// single source of config and plain `pulumi up` keeps working.
package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/unlimited-translation/infra/internal/stackfile"
	"github.com/unlimited-translation/infra/stacks"
)

// StateDir is the repo folder (git-ignored) that holds state when the user
// has no backend of their own.
const StateDir = ".pulumi-state"

// Engine is one stack opened through the Automation API.
type Engine struct {
	Root   string
	Name   string
	Config stacks.Config
	Out    io.Writer
	Err    io.Writer
	stack  auto.Stack
	cli    *cli
	// Completed counts the resource operations the last up or destroy
	// finished.
	Completed int
	// backend is the state backend's URL (see stateURL).
	backend string
	// awake is the desired awake state (awake.go), fileAwake what the
	// files alone say, program the stack program every verb runs.
	awake     AwakeState
	fileAwake bool
	program   pulumi.RunFunc
}

// Open validates the stack's config offline (so a bad value fails before
// any cloud call), then selects or creates the stack.
func Open(ctx context.Context, root, name string, stdout, stderr io.Writer) (*Engine, error) {
	src, err := stackfile.Load(root, name)
	if err != nil {
		return nil, err
	}
	cfg, err := stacks.Load(name, src)
	if err != nil {
		return nil, err
	}
	if err := checkPlaceholders(name, src); err != nil {
		return nil, err
	}
	backend, _ := stateURL(root)
	e := &Engine{Root: root, Name: name, Config: cfg, Out: stdout, Err: stderr, backend: backend}
	// Every verb runs the program with the desired awake state, which a
	// sleep may have recorded outside the stack file (awake.go).
	if err := e.resolveAwake(ctx); err != nil {
		return nil, err
	}
	e.stack, e.cli, err = inlineStack(ctx, root, root, name, stacks.Project, e.program, stderr, nil)
	if err != nil {
		return nil, err
	}
	return e, nil
}

// inlineStack opens (or creates) stack of project with program through
// the Pulumi CLI, in workDir (where its Pulumi.yaml is), on the backend
// root's user chose (see backendEnv), with extra environment on top.
func inlineStack(ctx context.Context, root, workDir, stack, project string, program pulumi.RunFunc, stderr io.Writer, extra map[string]string) (auto.Stack, *cli, error) {
	cmd, err := pulumiCommand(root)
	if err != nil {
		return auto.Stack{}, nil, err
	}
	env, err := backendEnv(root, stderr)
	if err != nil {
		return auto.Stack{}, nil, err
	}
	if len(extra) > 0 && env == nil {
		env = map[string]string{}
	}
	for k, v := range extra {
		env[k] = v
	}
	s, err := auto.UpsertStackInlineSource(ctx, stack, project, program,
		auto.WorkDir(workDir), auto.Pulumi(cmd), auto.EnvVars(env))
	if err != nil {
		return auto.Stack{}, nil, fmt.Errorf("opening stack %s: %s", stack, brief(err))
	}
	return s, cmd, nil
}

// Interrupt asks the running Pulumi CLI, once, to stop: it finishes the
// operations in flight, saves the state and releases the lock. It returns
// how many CLIs it reached.
func (e *Engine) Interrupt() int { return e.cli.Interrupt() }

// Interrupted tells whether Interrupt was called.
func (e *Engine) Interrupted() bool { return e.cli.interrupted.Load() }

// Kill ends the running Pulumi CLI at once (a second interrupt).
func (e *Engine) Kill() int { return e.cli.Kill() }

// checkPlaceholders refuses the secure values committed as placeholders:
// the engine could not decrypt them, and they are not passwords anyway.
func checkPlaceholders(stack string, src stacks.MapSource) error {
	for key, secret := range src.Secrets {
		if secret && strings.HasPrefix(src.Values[key], stackfile.PlaceholderPrefix) {
			name := strings.TrimPrefix(key, stacks.Project+":")
			return &stacks.ConfigError{Stack: stack, Problems: []stacks.Problem{{
				Key:     name,
				Message: "still holds the committed placeholder, not a secret of yours",
				Fix:     fmt.Sprintf("pulumi config set --secret %s \"$(openssl rand -base64 24)\" --stack %s", name, stack),
			}}}
		}
	}
	return nil
}

// pulumiCommand finds the Pulumi CLI (on PATH, else the repo's bin/ from
// tools/build-tools.sh pulumi), checks its version as the Automation API
// does, and runs it through cli so that interrupts are graceful.
func pulumiCommand(root string) (*cli, error) {
	bin, ok := findCLI(root)
	if !ok {
		return nil, errors.New("no Pulumi CLI: install it (https://www.pulumi.com/docs/install/) or build it with tools/build-tools.sh pulumi")
	}
	opts := &auto.PulumiCommandOptions{Root: filepath.Dir(filepath.Dir(bin))}
	base, err := auto.NewPulumiCommand(opts)
	if err != nil {
		return nil, fmt.Errorf("the Pulumi CLI at %s: %w", bin, err)
	}
	return newCLI(base, bin), nil
}

// backendEnv keeps whatever backend the user chose (PULUMI_BACKEND_URL or a
// login); with none, state goes to a file backend in the repo, said once.
func backendEnv(root string, stderr io.Writer) (map[string]string, error) {
	u, ours := stateURL(root)
	if !ours {
		return nil, nil
	}
	dir, _ := filePath(u)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the local state folder: %w", err)
	}
	fmt.Fprintf(stderr, "infra: no Pulumi backend configured (PULUMI_BACKEND_URL or `pulumi login`): keeping state in %s\n", dir)
	return map[string]string{"PULUMI_BACKEND_URL": "file://" + dir}, nil
}

// stateURL is the backend the CLI will use: PULUMI_BACKEND_URL, else the
// one `pulumi login` chose, else Pulumi Cloud when an access token is set,
// else infra's own file backend in the repo (ours is true then).
func stateURL(root string) (u string, ours bool) {
	if u := os.Getenv("PULUMI_BACKEND_URL"); u != "" {
		return u, false
	}
	if u := currentLogin(); u != "" {
		return u, false
	}
	if os.Getenv("PULUMI_ACCESS_TOKEN") != "" {
		return "https://api.pulumi.com", false
	}
	dir, _ := filepath.Abs(filepath.Join(root, StateDir))
	return "file://" + dir, true
}

// currentLogin is the backend URL `pulumi login` chose, if any.
func currentLogin() string {
	home := os.Getenv("PULUMI_HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		home = filepath.Join(h, ".pulumi")
	}
	b, err := os.ReadFile(filepath.Join(home, "credentials.json"))
	if err != nil {
		return ""
	}
	var creds struct {
		Current string `json:"current"`
	}
	if json.Unmarshal(b, &creds) != nil {
		return ""
	}
	return creds.Current
}

// brief turns an Automation API error (which carries the CLI's whole
// output, already streamed to the user) into its cause: the "error:" lines
// of the CLI's stderr with the lines that continue them (the lock holder,
// the resource that failed), else those of its stdout, else the first line.
func brief(err error) string {
	msg := err.Error()
	stdout, stderr := msg, ""
	if i := strings.Index(msg, "\nstderr: "); i >= 0 {
		stdout, stderr = msg[:i], msg[i+len("\nstderr: "):]
	}
	lines := errorLines(stderr, true)
	if len(lines) == 0 {
		lines = errorLines(stdout, false)
	}
	if len(lines) == 0 {
		if i := strings.Index(msg, "\n"); i > 0 {
			msg = msg[:i]
		}
		return msg
	}
	return strings.Join(lines, "; ")
}

// errorLines collects "error:" lines; with follow, every further line up to
// the next error or warning belongs to the one before.
func errorLines(text string, follow bool) []string {
	var lines []string
	in := false
	for _, line := range strings.Split(text, "\n") {
		l := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(l, "error:"):
			lines = append(lines, strings.TrimSpace(strings.TrimPrefix(l, "error:")))
			in = true
		case strings.HasPrefix(l, "warning:"), l == "":
			in = false
		case in && follow:
			lines[len(lines)-1] += " " + l
		}
	}
	return lines
}
