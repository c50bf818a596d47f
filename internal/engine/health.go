package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/unlimited-translation/infra/internal/report"
	"github.com/unlimited-translation/infra/stacks"
)

// Health is what an interrupted or killed run can leave in a stack.
type Health struct {
	Stack string
	// Locks held on the stack (self-managed backends: file:// and gs://).
	Locks []Lock
	// Pending operations the state records as started and never finished.
	Pending []Pending
	// Dropped counts objects a cut-off destroy dropped from the state
	// while their cluster still holds them (journal.go).
	Dropped int
	// Warnings do not stop a verb: what a sleep does to the stack's
	// certificates (CertificateRisks), from the same state.
	Warnings []string
}

// Lock is one lock file of a self-managed backend (pkg v3.230.0
// backend/diy/lock.go: .pulumi/locks/<org>/<project>/<stack>/*.json).
type Lock struct {
	File      string
	Pid       int       `json:"pid"`
	Username  string    `json:"username"`
	Hostname  string    `json:"hostname"`
	Timestamp time.Time `json:"timestamp"`
}

// Pending is an operation the state says was in flight.
type Pending struct {
	Kind   string // creating, updating, deleting, reading, importing
	URN    string
	Type   string
	raw    map[string]interface{}
	Inputs map[string]interface{}
}

// Running tells whether the lock's owner is alive on this machine; ok is
// false when that cannot be known (another host).
func (l Lock) Running() (running, ok bool) {
	host, _ := os.Hostname()
	if l.Hostname != host {
		return false, false
	}
	err := syscall.Kill(l.Pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM), true
}

func (l Lock) String() string {
	return fmt.Sprintf("%s@%s (pid %d) since %s", l.Username, l.Hostname, l.Pid, l.Timestamp.UTC().Format(time.RFC3339))
}

// OK tells whether nothing was left behind.
func (h *Health) OK() bool { return len(h.Locks) == 0 && len(h.Pending) == 0 && h.Dropped == 0 }

// Error describes what is wrong and the exact repair.
func (h *Health) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "stack %s was left broken by an interrupted or killed run:\n", h.Stack)
	for _, l := range h.Locks {
		state := "its owner is not running any more"
		if running, known := l.Running(); running {
			state = "its owner is still running here: wait for it"
		} else if !known {
			state = "its owner ran on another machine and may still be running"
		}
		fmt.Fprintf(&b, "  - locked by %s: %s\n", l, state)
	}
	for _, p := range h.Pending {
		fmt.Fprintf(&b, "  - pending %s of %s %s: the cloud may hold it while the state does not\n", p.Kind, p.Type, report.URNName(p.URN))
	}
	if h.Dropped > 0 {
		fmt.Fprintf(&b, "  - a cut-off destroy dropped %s from the state while their cluster still holds them: an up would fail with \"already exists\"\n", objects(h.Dropped))
	}
	fmt.Fprintf(&b, "Repair: infra repair --stack %s   (reads each pending resource back from the cloud, releases a dead run's lock, refreshes)", h.Stack)
	return b.String()
}

// Health reads the stack's state and, on a self-managed backend, its locks. An
// error means the state itself cannot be read.
func (e *Engine) Health(ctx context.Context) (*Health, error) {
	h := &Health{Stack: e.Name}
	var state struct {
		Resources []interface{} `json:"resources"`
		Pending   []struct {
			Type     string                 `json:"type"`
			Resource map[string]interface{} `json:"resource"`
		} `json:"pending_operations"`
	}
	dep, err := e.export(ctx, &state)
	if err != nil {
		return nil, fmt.Errorf("%w (a damaged checkpoint: infra repair --stack %s restores the last good one)", err, e.Name)
	}
	var typed struct {
		Resources []stateResource `json:"resources"`
	}
	if len(dep.Deployment) > 0 && json.Unmarshal(dep.Deployment, &typed) == nil {
		if certs, err := certificatesOf(typed.Resources); err == nil {
			for _, r := range CertificateRisks(certs, e.Name, !e.awake.Awake, now()) {
				h.Warnings = append(h.Warnings, r.Message)
			}
		}
	}
	for _, p := range state.Pending {
		urn, _ := p.Resource["urn"].(string)
		typ, _ := p.Resource["type"].(string)
		in, _ := p.Resource["inputs"].(map[string]interface{})
		h.Pending = append(h.Pending, Pending{Kind: p.Type, URN: urn, Type: typ, raw: p.Resource, Inputs: in})
	}
	if h.Locks, err = e.locks(ctx); err != nil {
		return nil, err
	}
	j, err := e.readJournal(ctx)
	if err != nil {
		return nil, err
	}
	h.Dropped = len(j.lost(urns(state.Resources)))
	return h, nil
}

// export reads the stack's state and decodes it into v.
func (e *Engine) export(ctx context.Context, v interface{}) (apitype.UntypedDeployment, error) {
	dep, err := e.stack.Export(ctx)
	if err != nil {
		return dep, fmt.Errorf("the state of %s cannot be read: %s", e.Name, brief(err))
	}
	if len(dep.Deployment) > 0 {
		if err := json.Unmarshal(dep.Deployment, v); err != nil {
			return dep, fmt.Errorf("the state of %s does not parse: %w", e.Name, err)
		}
	}
	return dep, nil
}

// locks reads the stack's lock files from a self-managed backend (a
// directory or a gs:// bucket; the same layout on both).
func (e *Engine) locks(ctx context.Context) ([]Lock, error) {
	store, ok := openStore(e.backend)
	if !ok {
		return nil, nil
	}
	objs, err := store.List(ctx, ".pulumi/locks/organization/"+stacks.Project+"/"+e.Name+"/")
	if err != nil {
		return nil, fmt.Errorf("reading the locks of %s: %w", e.Name, err)
	}
	var out []Lock
	for _, o := range objs {
		if !strings.HasSuffix(o.Name, ".json") {
			continue
		}
		b, err := store.Read(ctx, o.Name)
		if err != nil {
			continue // released while we looked
		}
		l := Lock{File: store.Where(o.Name)}
		if json.Unmarshal(b, &l) == nil {
			out = append(out, l)
		}
	}
	return out, nil
}
