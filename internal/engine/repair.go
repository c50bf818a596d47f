package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/unlimited-translation/infra/internal/report"
	"github.com/unlimited-translation/infra/internal/rules"
)

// Repair puts a stack left broken by an interrupted or killed run back in
// order and says what it did:
//   - a lock whose owner is gone is released (pulumi cancel); one whose
//     owner runs here is left alone, and one taken on another machine is
//     broken only with breakLock (a person who knows that run is over) or,
//     with breakCILock, when it is provably held by a GitHub Actions run
//     that has ended (ciruns.go): CI never breaks a person's lock;
//   - objects a cut-off destroy dropped while their cluster still runs
//     are put back from its journal (journal.go), once it is checked;
//   - each pending create is written into the state with the ID the
//     provider gives such a resource (from its inputs), so that the refresh
//     that follows reads it from the cloud: adopted when it exists,
//     dropped when it does not. Other pending operations are dropped; the
//     refresh reads the truth.
func (e *Engine) Repair(ctx context.Context, breakLock, breakCILock bool) ([]string, error) {
	var did []string
	h, err := e.Health(ctx)
	if DamagedCheckpoint(err) {
		restored, rerr := RestoreCheckpoint(ctx, e.Root, e.Name)
		if rerr != nil {
			return nil, rerr
		}
		did = append(did, restored)
		h, err = e.Health(ctx)
	}
	if err != nil {
		return did, err
	}
	var released []string
	for _, l := range h.Locks {
		running, known := l.Running()
		switch {
		case running:
			return nil, fmt.Errorf("refusing to break the lock of %s: that run is still going on this machine; wait for it to end", l)
		case known, breakLock:
			released = append(released, "released the lock of "+l.String())
		case breakCILock:
			store, _ := openStore(e.backend)
			note, err := ciLockEnded(ctx, store, e.Name, l)
			if err != nil {
				return nil, err
			}
			released = append(released, note)
		default:
			return nil, fmt.Errorf("refusing to break the lock of %s: it was taken on another machine and that run may still be going. If it is not (a cancelled CI job, a crashed laptop), run infra repair --stack %s --break-lock (a CI job uses --break-ci-lock, which breaks only the lock of a GitHub Actions run that has ended)", l, e.Name)
		}
	}
	if len(h.Locks) > 0 {
		if err := e.stack.Cancel(ctx); err != nil {
			return nil, fmt.Errorf("releasing the lock of %s: %s", e.Name, brief(err))
		}
		did = append(did, released...)
	}
	back, err := e.replayJournal(ctx)
	if err != nil {
		return did, err
	}
	did = append(did, back...)
	var adopted []string
	if len(h.Pending) > 0 {
		notes, urns, err := e.resolvePending(ctx)
		if err != nil {
			return did, err
		}
		did, adopted = append(did, notes...), urns
	}
	if _, err := e.stack.Refresh(ctx, optrefresh.ProgressStreams(e.Out), optrefresh.ErrorProgressStreams(e.Err)); err != nil {
		return did, fmt.Errorf("refresh of %s failed: %s", e.Name, brief(err))
	}
	did = append(did, "refreshed the state from the cloud")
	notes, err := e.keepFieldManagers(ctx, adopted)
	return append(did, notes...), err
}

// keepFieldManagers gives each adopted Kubernetes object back the
// server-side apply field manager that created it. pulumi-kubernetes
// names it at random when it creates an object and keeps the name only in
// the object's outputs (provider.go fieldManagerName, checkpointObject's
// __fieldManager), which a killed create never wrote: the refresh then
// picks a new name, and the next up's change to any field the creator set
// fails with a field conflict. The creator's name is in the object's
// managedFields, which the refresh read.
func (e *Engine) keepFieldManagers(ctx context.Context, urns []string) ([]string, error) {
	if len(urns) == 0 {
		return nil, nil
	}
	var state map[string]interface{}
	dep, err := e.export(ctx, &state)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, u := range urns {
		want[u] = true
	}
	var notes []string
	resources, _ := state["resources"].([]interface{})
	for _, r := range resources {
		res, _ := r.(map[string]interface{})
		urn, _ := res["urn"].(string)
		out, _ := res["outputs"].(map[string]interface{})
		if !want[urn] || out == nil {
			continue
		}
		if creator, ok := creatorFieldManager(out); ok {
			out[fieldManagerKey] = creator
			typ, _ := res["type"].(string)
			notes = append(notes, fmt.Sprintf("%s %s keeps its field manager %s", typ, report.URNName(urn), creator))
		}
	}
	if len(notes) == 0 {
		return nil, nil
	}
	return notes, e.writeState(ctx, dep, state)
}

// fieldManagerKey is where pulumi-kubernetes keeps an object's field
// manager in its outputs (provider.go, fieldManagerKey).
const fieldManagerKey = "__fieldManager"

// creatorFieldManager is the pulumi-kubernetes field manager that applied
// the live object, when the outputs name another one: the one
// pulumi-kubernetes-* manager with an Apply entry in managedFields.
func creatorFieldManager(outputs map[string]interface{}) (string, bool) {
	meta, _ := outputs["metadata"].(map[string]interface{})
	fields, _ := meta["managedFields"].([]interface{})
	current, _ := outputs[fieldManagerKey].(string)
	var found []string
	for _, f := range fields {
		m, _ := f.(map[string]interface{})
		name, _ := m["manager"].(string)
		if m["operation"] != "Apply" || !strings.HasPrefix(name, "pulumi-kubernetes-") {
			continue
		}
		if name == current {
			return "", false
		}
		if !slices.Contains(found, name) {
			found = append(found, name)
		}
	}
	if len(found) != 1 {
		return "", false
	}
	return found[0], true
}

// resolvePending moves pending creates into the state with their cloud
// IDs and drops every pending operation.
func (e *Engine) resolvePending(ctx context.Context) ([]string, []string, error) {
	var state map[string]interface{}
	dep, err := e.export(ctx, &state)
	if err != nil {
		return nil, nil, err
	}
	resources, _ := state["resources"].([]interface{})
	pending, _ := state["pending_operations"].([]interface{})
	var notes, adopted []string
	for _, op := range pending {
		m, _ := op.(map[string]interface{})
		res, _ := m["resource"].(map[string]interface{})
		urn, _ := res["urn"].(string)
		name := report.URNName(urn)
		if m["type"] != "creating" {
			notes = append(notes, fmt.Sprintf("dropped the pending %v of %s: the refresh reads what the cloud has", m["type"], name))
			continue
		}
		typ, _ := res["type"].(string)
		in, _ := res["inputs"].(map[string]interface{})
		id, ok := rules.CloudID(typ, in)
		if !ok {
			notes = append(notes, fmt.Sprintf("dropped the pending create of %s: its cloud ID cannot be known from its inputs; if it exists in the cloud, import it (pulumi import)", name))
			continue
		}
		res["id"] = id
		if _, has := res["outputs"]; !has {
			res["outputs"] = res["inputs"]
		}
		resources = append(resources, res)
		adopted = append(adopted, urn)
		notes = append(notes, fmt.Sprintf("pending create of %s: read back as %s (kept if it exists in the cloud, dropped if not)", name, id))
	}
	state["resources"] = resources
	state["pending_operations"] = []interface{}{}
	return notes, adopted, e.writeState(ctx, dep, state)
}

// writeState imports the repaired state.
func (e *Engine) writeState(ctx context.Context, dep apitype.UntypedDeployment, state map[string]interface{}) error {
	b, err := json.Marshal(state)
	if err != nil {
		return err
	}
	dep.Deployment = b
	if err := e.stack.Import(ctx, dep); err != nil {
		return fmt.Errorf("writing the repaired state of %s: %s", e.Name, brief(err))
	}
	return nil
}
