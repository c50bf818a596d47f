package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/unlimited-translation/infra/internal/report"
)

// drainWait bounds the wait for the last events once an operation has
// failed.
var drainWait = 10 * time.Second

// collect runs op with an event channel and returns every event. The
// Automation API closes the channel when the operation succeeds, but not
// when the CLI fails before the engine starts (a wrong passphrase, a
// corrupt checkpoint: sdk v3.230.0 auto/stack.go returns without closing
// it), so the wait for it is bounded.
func collect(op func(chan<- events.EngineEvent) error) ([]events.EngineEvent, error) {
	ch := make(chan events.EngineEvent)
	var mu sync.Mutex
	var evs []events.EngineEvent
	done := make(chan struct{})
	go func() {
		for e := range ch {
			mu.Lock()
			evs = append(evs, e)
			mu.Unlock()
		}
		close(done)
	}()
	err := op(ch)
	if err != nil {
		select {
		case <-done:
		case <-time.After(drainWait):
		}
	} else {
		<-done
	}
	mu.Lock()
	defer mu.Unlock()
	return append([]events.EngineEvent{}, evs...), err
}

// Preview runs `pulumi preview`, streaming its progress, and returns the
// change report built from the engine's events.
func (e *Engine) Preview(ctx context.Context) (*report.Report, error) { return e.preview(ctx, false) }

// PreviewRefreshed is Preview after reading the state back from the
// cloud: what `up` with refresh will do.
func (e *Engine) PreviewRefreshed(ctx context.Context) (*report.Report, error) {
	return e.preview(ctx, true)
}

// PreviewAwake previews the stack as if its awake state were the one
// given, without recording it: what `infra wake` or `infra sleep` would do.
func (e *Engine) PreviewAwake(ctx context.Context, awake bool) (*report.Report, error) {
	ws := e.stack.Workspace()
	ws.SetProgram(e.programFor(awake))
	defer ws.SetProgram(e.program)
	return e.preview(ctx, false)
}

func (e *Engine) preview(ctx context.Context, refresh bool) (*report.Report, error) {
	evs, err := collect(func(ch chan<- events.EngineEvent) error {
		opts := []optpreview.Option{optpreview.ProgressStreams(e.Out), optpreview.ErrorProgressStreams(e.Err),
			optpreview.Diff(), optpreview.EventStreams(ch)}
		if refresh {
			opts = append(opts, optpreview.Refresh())
		}
		_, err := e.stack.Preview(ctx, opts...)
		return err
	})
	r := NewReport("preview", e.Name, evs)
	if err != nil {
		// The engine still reports what it planned before it stopped (a
		// protected replacement fails the preview); keep both.
		err = fmt.Errorf("preview of %s failed: %s%s", e.Name, brief(err), immutableHint(err))
		r.Err = err.Error()
		return r, err
	}
	return r, nil
}

// Up runs `pulumi up`, streaming its progress.
// With refresh, the state is read back from the cloud first (as
// Terraform's plan does), so what changed behind the engine's back is put
// right instead of reported as unchanged.
func (e *Engine) Up(ctx context.Context, refresh bool) error {
	return e.UpReplacing(ctx, refresh, nil)
}

// UpReplacing is Up that also replaces the resources named (pulumi up
// --replace), such as a certificate that lapsed while the stack slept.
func (e *Engine) UpReplacing(ctx context.Context, refresh bool, replace []resource.URN) error {
	if _, err := e.handOver(ctx); err != nil {
		return err
	}
	evs, err := collect(func(ch chan<- events.EngineEvent) error {
		opts := []optup.Option{optup.ProgressStreams(e.Out), optup.ErrorProgressStreams(e.Err), optup.EventStreams(ch)}
		if refresh {
			opts = append(opts, optup.Refresh())
		}
		if len(replace) > 0 {
			urns := make([]string, len(replace))
			for i, u := range replace {
				urns[i] = string(u)
			}
			opts = append(opts, optup.Replace(urns))
		}
		_, err := e.stack.Up(ctx, opts...)
		return err
	})
	e.Completed = completed(evs)
	if err != nil {
		return fmt.Errorf("up of %s failed: %s%s", e.Name, brief(err), e.whyNotReady(ctx, err))
	}
	return nil
}

// completed counts the resource operations that finished (unchanged ones
// aside).
func completed(evs []events.EngineEvent) int {
	n := 0
	for _, e := range evs {
		if o := e.ResOutputsEvent; o != nil && o.Metadata.Op != "same" && o.Metadata.Op != "refresh" {
			n++
		}
	}
	return n
}

// Refresh runs `pulumi refresh`, streaming its progress.
func (e *Engine) Refresh(ctx context.Context) error {
	_, err := e.stack.Refresh(ctx, optrefresh.ProgressStreams(e.Out), optrefresh.ErrorProgressStreams(e.Err))
	if err != nil {
		return fmt.Errorf("refresh of %s failed: %s", e.Name, brief(err))
	}
	return nil
}

// Drift runs a refresh in preview mode: what in the cloud differs from the
// state, without changing the state.
func (e *Engine) Drift(ctx context.Context) (*report.Report, error) {
	evs, err := collect(func(ch chan<- events.EngineEvent) error {
		_, err := e.stack.PreviewRefresh(ctx, optrefresh.ProgressStreams(e.Out), optrefresh.ErrorProgressStreams(e.Err),
			optrefresh.EventStreams(ch))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("drift check of %s failed: %s", e.Name, brief(err))
	}
	return NewReport("drift", e.Name, evs), nil
}

// DestroyError is a destroy that started deleting and failed: some of the
// stack may be gone (unlike a refusal, which changes nothing).
type DestroyError struct{ err error }

func (d *DestroyError) Error() string { return d.err.Error() }
func (d *DestroyError) Unwrap() error { return d.err }

// Destroy deletes every resource of the stack but the data disk, which it
// keeps and returns (deleteData deletes it too), unless something else in
// its state is protected: then it stops before touching anything and says
// how to unlock. confirm, when not nil, is asked last, before the deletion.
func (e *Engine) Destroy(ctx context.Context, confirm func() error, deleteData bool) ([]Kept, error) {
	if _, err := e.handOver(ctx); err != nil {
		return nil, err
	}
	// One read of the state serves the protection check, what is kept and
	// the journal.
	var state struct {
		Resources []stateResource `json:"resources"`
	}
	dep, err := e.export(ctx, &state)
	if err != nil {
		return nil, err
	}
	var entries struct {
		Resources []map[string]interface{} `json:"resources"`
	}
	if len(dep.Deployment) > 0 {
		if err := json.Unmarshal(dep.Deployment, &entries); err != nil {
			return nil, fmt.Errorf("the state of %s does not parse: %w", e.Name, err)
		}
	}
	kept, keptURNs, diskURNs := dataResources(state.Resources)
	if b := blockers(state.Resources); len(b) > 0 {
		return nil, &ProtectedError{Stack: e.Name, Blockers: b}
	}
	if confirm != nil {
		if err := confirm(); err != nil {
			return nil, err
		}
	}
	// The journal holds what the state holds after the load balancer went.
	drained, err := e.DrainLoadBalancer(ctx)
	if err != nil {
		return nil, err
	}
	if drained {
		if dep, err = e.export(ctx, &state); err != nil {
			return nil, err
		}
		entries.Resources = nil
		if err := json.Unmarshal(dep.Deployment, &entries); err != nil {
			return nil, fmt.Errorf("the state of %s does not parse: %w", e.Name, err)
		}
	}
	var opts []optdestroy.Option
	if deleteData && len(diskURNs) > 0 {
		if err := e.unprotect(ctx, diskURNs); err != nil {
			return nil, err
		}
		kept, keptURNs = withoutDisk(kept), without(keptURNs, diskURNs)
	}
	if len(keptURNs) > 0 {
		opts = append(opts, optdestroy.Exclude(keptURNs))
	}
	if err := e.writeJournal(ctx, entries.Resources); err != nil {
		return nil, fmt.Errorf("journalling the destroy of %s: %w", e.Name, err)
	}
	evs, err := collect(func(ch chan<- events.EngineEvent) error {
		_, err := e.stack.Destroy(ctx, append(opts, optdestroy.ProgressStreams(e.Out), optdestroy.ErrorProgressStreams(e.Err), optdestroy.EventStreams(ch))...)
		return err
	})
	e.Completed = completed(evs)
	// Cut off (an interrupted destroy ends without an error) or failed:
	// what the state lost while the cluster still holds it goes back
	// (journal.go); after a whole destroy there is nothing to put back.
	// The context may be cancelled by now; this must still run.
	e.cli.resume()
	did, jerr := e.replayJournal(context.WithoutCancel(ctx))
	if jerr != nil {
		fmt.Fprintf(e.Err, "infra: %v\n", jerr)
	}
	for _, d := range did {
		fmt.Fprintln(e.Err, "infra: "+d)
	}
	switch {
	case err != nil && jerr != nil:
		return nil, &DestroyError{fmt.Errorf("destroy of %s failed: %s; and %w (infra repair --stack %s retries)", e.Name, brief(err), jerr, e.Name)}
	case err != nil:
		return nil, &DestroyError{fmt.Errorf("destroy of %s failed: %s", e.Name, brief(err))}
	}
	return kept, jerr
}

// Outputs returns the stack outputs; secret ones are masked unless
// showSecrets.
func (e *Engine) Outputs(ctx context.Context, showSecrets bool) (map[string]interface{}, error) {
	outs, err := e.stack.Outputs(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading outputs of %s: %s", e.Name, brief(err))
	}
	m := map[string]interface{}{}
	for k, v := range outs {
		if v.Secret && showSecrets && v.Value == nil {
			// The CLI answers null, not an error, when it cannot decrypt.
			return nil, fmt.Errorf("reading outputs of %s: secret output %s could not be decrypted: check PULUMI_CONFIG_PASSPHRASE (or the stack's secrets provider)", e.Name, k)
		}
		if v.Secret && !showSecrets {
			m[k] = "[secret]"
		} else {
			m[k] = v.Value
		}
	}
	return m, nil
}

// blockers lists what in the stack's state blocks a destroy: resources
// with Pulumi's protect (the data disk and backup bucket aside: a destroy
// keeps them), and a
// cluster with GKE deletion protection on.
func blockers(resources []stateResource) []string {
	var out []string
	for _, r := range resources {
		name := report.URNName(r.URN)
		if r.Protect && !report.IsKeptData(r.URN) { // kept, not a blocker
			out = append(out, fmt.Sprintf("%s %s is protected (protect)", r.Type, name))
		}
		if r.Type == "gcp:container/cluster:Cluster" && r.Inputs["deletionProtection"] == true {
			out = append(out, fmt.Sprintf("%s %s has GKE deletion protection", r.Type, name))
		}
	}
	sort.Strings(out)
	return out
}

// ProtectedError stops a destroy of a protected stack.
type ProtectedError struct {
	Stack    string
	Blockers []string
}

func (p *ProtectedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "refusing to destroy stack %s: nothing was changed, because:\n", p.Stack)
	for _, x := range p.Blockers {
		fmt.Fprintf(&b, "  - %s\n", x)
	}
	fmt.Fprintf(&b, `To destroy it on purpose, unlock it first:
  pulumi config set allowUnprotectedProd true --stack %[1]s
  pulumi config set deletionProtection false --stack %[1]s
  pulumi config set protectInfrastructure false --stack %[1]s
  pulumi config set protectDatabase false --stack %[1]s
  infra up --stack %[1]s          # applies the unlocked settings
  infra destroy --stack %[1]s
(the data disk and backup bucket are kept by every destroy; infra destroy --delete-data deletes the disk too)`, p.Stack)
	return b.String()
}

// immutableHint explains a preview that fails on an immutable field of a
// Kubernetes object: the provider's preview of its replacement sends the
// new object to the API server as an update of the old one (seen with
// pulumi-kubernetes v4.25.0 for a PersistentVolumeClaim's storage class;
// upstream #2575), where an up deletes it first and replaces it. The
// offline plan shows what the up does.
func immutableHint(err error) string {
	msg := err.Error()
	if !strings.Contains(msg, "was not successfully created by the Kubernetes API server") ||
		!(strings.Contains(msg, "immutable") || strings.Contains(msg, "Forbidden: updates to")) {
		return ""
	}
	return " (the Kubernetes provider cannot preview replacing an object whose immutable fields change; an up deletes and replaces it: infra plan shows that replacement and what it loses)"
}
