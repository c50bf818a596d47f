package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"gopkg.in/yaml.v3"

	"github.com/unlimited-translation/infra/stacks"
)

// Whether a stack sleeps is run-time state, not code: `infra sleep` and
// `infra wake` write an awake record in the state store instead of the
// stack file, so a scheduled sleep needs no commit, and every engine verb
// reads the record when it starts, so a deploy queued behind a sleep (or
// started from a commit older than it) never wakes the stack.
//
// The desired awake state, in order:
//  1. the stack file's `awake` key, when Pulumi.<stack>.yaml sets it: a
//     pin (sleep and wake refuse to change it; edit the file instead);
//  2. the record of the last sleep or wake;
//  3. the project's default (true: awake).
//
// A plain `pulumi up` runs stacks.Program, which reads only the stack
// file: on a stack asleep by its record it brings the cluster back. Use
// `infra up`, or pin awake in the stack file for plain Pulumi.

// ScheduledLeave says why a scheduled sleep or wake for the time scheduled
// leaves the stack as it is, or "" when it goes ahead: someone slept or
// woke the stack after that time (the run started late, or catches up a
// dropped one), and that later choice holds until the next scheduled
// transition. The zero time (no schedule) never leaves.
func (s AwakeState) ScheduledLeave(stack string, scheduled time.Time) string {
	r := s.Record
	if scheduled.IsZero() || r == nil || !r.At.After(scheduled) {
		return ""
	}
	return fmt.Sprintf("stack %s: a person changed it at %s (by %s) after the scheduled transition at %s; leaving it",
		stack, r.At.UTC().Format(time.RFC3339), r.By, scheduled.UTC().Format(time.RFC3339))
}

// AwakeRecord is the last sleep or wake of a stack.
type AwakeRecord struct {
	Awake bool      `json:"awake"`
	At    time.Time `json:"at"`
	By    string    `json:"by"`
}

// AwakeState is a stack's desired awake state and where it comes from.
type AwakeState struct {
	Awake bool
	// Pinned: Pulumi.<stack>.yaml sets awake, which then decides.
	Pinned bool
	// Record is the last sleep or wake, if any (also when Pinned).
	Record *AwakeRecord
}

// desiredAwake resolves the desired awake state: the stack file's pin,
// else the record, else fileAwake (what the files say without the key:
// the default, true).
func desiredAwake(fileAwake, pinned bool, rec *AwakeRecord) bool {
	switch {
	case pinned:
		return fileAwake
	case rec != nil:
		return rec.Awake
	default:
		return fileAwake
	}
}

// Since says when and by whom the record was written, for messages.
func (r *AwakeRecord) Since() string {
	if r == nil {
		return ""
	}
	return fmt.Sprintf("since %s, by %s", r.At.UTC().Format(time.RFC3339), r.By)
}

func (e *Engine) awakeName() string {
	return ".pulumi/infra/" + stacks.Project + "/" + e.Name + ".awake.json"
}

// awakeStore is where the record lives (infraStore): the deploy, the
// schedule and a laptop read the same one.
func (e *Engine) awakeStore() stateStore { return e.infraStore("awake") }

// readAwakeRecord returns the record, or nil when there is none. One that
// cannot be read stops the verb: guessing could wake a sleeping stack.
func (e *Engine) readAwakeRecord(ctx context.Context) (*AwakeRecord, error) {
	store := e.awakeStore()
	b, err := store.Read(ctx, e.awakeName())
	if notFound(err) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("reading whether %s sleeps (%s): %w", e.Name, store.Where(e.awakeName()), err)
	}
	var r AwakeRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("the awake record %s does not parse: %w (infra sleep or infra wake writes a new one)", store.Where(e.awakeName()), err)
	}
	return &r, nil
}

// pinsAwake tells whether Pulumi.<stack>.yaml itself sets awake (with or
// without the project's namespace), as opposed to the default.
func pinsAwake(root, stack string) (bool, error) {
	b, err := os.ReadFile(filepath.Join(root, "Pulumi."+stack+".yaml"))
	if err != nil {
		return false, err
	}
	var doc struct {
		Config map[string]yaml.Node `yaml:"config"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return false, fmt.Errorf("Pulumi.%s.yaml is not valid YAML: %w", stack, err)
	}
	_, bare := doc.Config["awake"]
	_, full := doc.Config[stacks.Project+":awake"]
	return bare || full, nil
}

// resolveAwake sets e.Config.Awake to the desired state and the program
// every verb runs accordingly.
func (e *Engine) resolveAwake(ctx context.Context) error {
	pinned, err := pinsAwake(e.Root, e.Name)
	if err != nil {
		return err
	}
	rec, err := e.readAwakeRecord(ctx)
	if err != nil {
		return err
	}
	e.fileAwake = e.Config.Awake
	e.awake = AwakeState{Awake: desiredAwake(e.fileAwake, pinned, rec), Pinned: pinned, Record: rec}
	e.Config.Awake = e.awake.Awake
	e.program = e.programFor(e.awake.Awake)
	return nil
}

// programFor is the stack program with awake as given: the program
// itself when the files already say so, else with awake overridden.
func (e *Engine) programFor(awake bool) pulumi.RunFunc {
	if awake == e.fileAwake {
		return stacks.Program
	}
	return stacks.ProgramWith(map[string]string{"awake": strconv.FormatBool(awake)})
}

// Awake is the stack's desired awake state, as every verb applies it.
func (e *Engine) Awake() AwakeState { return e.awake }

// AsleepNote says that the stack is asleep and why ("stack dev is asleep
// (since …, by …)"), or "" when it is awake.
func (e *Engine) AsleepNote() string {
	if e.awake.Awake {
		return ""
	}
	why := fmt.Sprintf("awake: false in Pulumi.%s.yaml", e.Name)
	if !e.awake.Pinned && e.awake.Record != nil {
		why = e.awake.Record.Since()
	}
	return fmt.Sprintf("stack %s is asleep (%s)", e.Name, why)
}

// PinnedError refuses to change the awake state the stack file pins.
type PinnedError struct {
	Stack string
	Verb  string // sleep or wake
	Awake bool   // what the file says
}

func (p *PinnedError) Error() string {
	want := "false"
	if p.Verb == "wake" {
		want = "true"
	}
	return fmt.Sprintf("refusing to %s stack %s, nothing was changed: Pulumi.%s.yaml sets awake: %t, which decides over infra sleep and wake. "+
		"Remove the awake key from Pulumi.%s.yaml (then sleep and wake decide), or set it to %s there, and deploy it",
		p.Verb, p.Stack, p.Stack, p.Awake, p.Stack, want)
}

// ErrPinned tells a PinnedError apart.
func ErrPinned(err error) bool {
	var p *PinnedError
	return errors.As(err, &p)
}

// SetAwake records the stack's desired awake state in the state store
// (the stack file is not written) and makes every later verb of this
// engine run the program with it. It refuses a stack whose file pins
// awake.
func (e *Engine) SetAwake(ctx context.Context, awake bool) error {
	if err := e.recordAwake(ctx, awake); err != nil {
		return err
	}
	e.stack.Workspace().SetProgram(e.program)
	return nil
}

// recordAwake is SetAwake but for the program already opened.
func (e *Engine) recordAwake(ctx context.Context, awake bool) error {
	verb := "sleep"
	if awake {
		verb = "wake"
	}
	if e.awake.Pinned {
		return &PinnedError{Stack: e.Name, Verb: verb, Awake: e.fileAwake}
	}
	rec := &AwakeRecord{Awake: awake, At: now().UTC().Truncate(time.Second), By: awakeBy()}
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if err := e.awakeStore().Write(ctx, e.awakeName(), b); err != nil {
		return fmt.Errorf("recording that %s should %s: %w", e.Name, verb, err)
	}
	e.awake = AwakeState{Awake: awake, Record: rec}
	e.Config.Awake = awake
	e.program = e.programFor(awake)
	return nil
}

// now is the clock, replaced in tests.
var now = time.Now

// awakeBy names who changed the awake state: the GitHub Actions run (its
// default variables, https://docs.github.com/en/actions/reference/variables-reference),
// else user@host.
func awakeBy() string {
	if os.Getenv("GITHUB_ACTIONS") == "true" {
		return fmt.Sprintf("github-actions run %s (%s)", os.Getenv("GITHUB_RUN_ID"), os.Getenv("GITHUB_WORKFLOW"))
	}
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	host, _ := os.Hostname()
	return name + "@" + host
}
