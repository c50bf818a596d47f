package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/unlimited-translation/infra/stacks"
)

// A destroy drops an object marked deletedWith the cluster from the state
// as soon as its turn comes, without deleting it, because the cluster's
// deletion will take it (pkg v3.230.0 resource/deploy/step.go,
// DeleteStep.Apply and isDeletedWith). A destroy cut off before the
// cluster is deleted therefore leaves those objects in the cluster and out
// of the state, and the next up fails with "already exists". So before a
// destroy infra journals their state entries, and after one that did not
// finish it puts back those whose cluster is still in the state; infra
// repair does the same from the journal when infra itself was killed.
//
// What is put back lands in the state the deployer then acts on, so the
// journal is input infra must be able to trust. It lives beside the state
// outside .pulumi/locks/, where only the deployer writes (the bootstrap
// gives preview and drift accounts writes under .pulumi/locks/ only), and
// on replay infra still refuses what a destroy of this stack never
// journals (journal.check): another stack's or project's entries, and any
// provider. A provider's inputs are executed (the kubeconfig's exec
// command), so none is ever put back: an entry is put back only when the
// provider it names is still in the state.

// journal is the state entries a destroy may drop, with what they need.
type journal struct {
	Stack     string                   `json:"stack"`
	Resources []map[string]interface{} `json:"resources"`
}

func (e *Engine) journalName() string {
	return ".pulumi/infra/" + stacks.Project + "/" + e.Name + ".destroy-journal.json"
}

// journalStore is where the journal lives (infraStore).
func (e *Engine) journalStore() stateStore { return e.infraStore("journal") }

// infraStore is where infra keeps its own records of a stack: beside the
// state on a self-managed backend, where only the deployer writes outside
// the locks and every run (CI's, a laptop's) reads the same object; else
// (Pulumi Cloud) in the user's cache directory, under kind, which only
// this machine sees.
func (e *Engine) infraStore(kind string) stateStore {
	if s, ok := openStore(e.backend); ok {
		return s
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return dirStore(filepath.Join(dir, "unlimited-translation", kind))
}

// writeJournal records, before a destroy, the state entries marked
// deletedWith and every entry they depend on.
func (e *Engine) writeJournal(ctx context.Context, entries []map[string]interface{}) error {
	j := journal{Stack: e.Name}
	var kept []map[string]interface{}
	for _, r := range entries {
		if w, _ := r["deletedWith"].(string); w != "" {
			j.Resources = append(j.Resources, r)
		}
	}
	if len(j.Resources) == 0 {
		return nil
	}
	// Providers are never journalled: they are never put back (see above).
	for _, r := range withDependencies(entries, j.Resources) {
		if typ, _ := r["type"].(string); !isProvider(typ) {
			kept = append(kept, r)
		}
	}
	j.Resources = kept
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	return e.journalStore().Write(ctx, e.journalName(), b)
}

// withDependencies adds to some the entries of all they depend on
// (parent, provider, dependencies, deletedWith), in the state's order.
func withDependencies(all, some []map[string]interface{}) []map[string]interface{} {
	byURN := map[string]map[string]interface{}{}
	for _, r := range all {
		urn, _ := r["urn"].(string)
		byURN[urn] = r
	}
	need := map[string]bool{}
	var visit func(r map[string]interface{})
	visit = func(r map[string]interface{}) {
		urn, _ := r["urn"].(string)
		if need[urn] {
			return
		}
		need[urn] = true
		for _, d := range dependencies(r) {
			if dep, ok := byURN[d]; ok {
				visit(dep)
			}
		}
	}
	for _, r := range some {
		visit(r)
	}
	var out []map[string]interface{}
	for _, r := range all {
		if urn, _ := r["urn"].(string); need[urn] {
			out = append(out, r)
		}
	}
	return out
}

// dependencies are the URNs an entry needs before it in the state.
func dependencies(r map[string]interface{}) []string {
	var out []string
	for _, k := range []string{"parent", "deletedWith"} {
		if s, _ := r[k].(string); s != "" {
			out = append(out, s)
		}
	}
	if p, _ := r["provider"].(string); p != "" {
		out = append(out, p[:max(strings.LastIndex(p, "::"), 0)]) // urn::id
	}
	deps, _ := r["dependencies"].([]interface{})
	for _, d := range deps {
		if s, _ := d.(string); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// readJournal returns the journal, or nil when there is none.
func (e *Engine) readJournal(ctx context.Context) (*journal, error) {
	store := e.journalStore()
	b, err := store.Read(ctx, e.journalName())
	if notFound(err) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("reading the destroy journal of %s: %w", e.Name, err)
	}
	var j journal
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("the destroy journal %s does not parse: %w", store.Where(e.journalName()), err)
	}
	return &j, nil
}

// lost are the journalled entries the state no longer has while the
// resource they are deleted with is still in it.
func (j *journal) lost(have map[string]bool) []map[string]interface{} {
	if j == nil {
		return nil
	}
	var out []map[string]interface{}
	for _, r := range j.Resources {
		urn, _ := r["urn"].(string)
		w, _ := r["deletedWith"].(string)
		if !have[urn] && w != "" && have[w] {
			out = append(out, r)
		}
	}
	return out
}

// urns is the set of URNs of state entries.
func urns(resources []interface{}) map[string]bool {
	have := map[string]bool{}
	for _, r := range resources {
		m, _ := r.(map[string]interface{})
		urn, _ := m["urn"].(string)
		have[urn] = true
	}
	return have
}

// replayJournal puts back the entries the state lost (with the lost
// entries they depend on); the refresh that follows drops any the cloud no
// longer has. It returns what it did, and removes the journal. A journal
// that fails its checks is refused: nothing is put back, and it is kept
// for whoever looks into how it got there.
func (e *Engine) replayJournal(ctx context.Context) ([]string, error) {
	j, err := e.readJournal(ctx)
	if err != nil || j == nil {
		return nil, err
	}
	var state map[string]interface{}
	dep, err := e.export(ctx, &state)
	if err != nil {
		return nil, err
	}
	resources, _ := state["resources"].([]interface{})
	have := urns(resources)
	var did []string
	lost := j.lost(have)
	var put []map[string]interface{}
	for _, r := range withDependencies(j.Resources, lost) {
		if urn, _ := r["urn"].(string); !have[urn] {
			put = append(put, r)
		}
	}
	where := e.journalStore().Where(e.journalName())
	if err := j.check(e.Name, stacks.Project); err != nil {
		return nil, fmt.Errorf("refusing the destroy journal %s, nothing was put back: %w. infra destroy writes it only with this stack's own entries and never a provider: this one was written by something else. Find out what could write there, remove it, then run infra repair --stack %s again",
			where, err, e.Name)
	}
	if err := checkProviders(put, providerRefs(resources)); err != nil {
		return nil, fmt.Errorf("refusing the destroy journal %s, nothing was put back: %w, and infra never puts a provider back. Remove the journal and run infra up --stack %s; should it fail with \"already exists\", delete those objects from the cluster (kubectl) or import them (pulumi import) first",
			where, err, e.Name)
	}
	if len(lost) > 0 {
		for _, r := range put {
			urn, _ := r["urn"].(string)
			resources = append(resources, r)
			have[urn] = true
		}
		state["resources"] = resources
		if dep.Deployment, err = json.Marshal(state); err != nil {
			return nil, err
		}
		if err := e.stack.Import(ctx, dep); err != nil {
			return nil, fmt.Errorf("putting back what the cut-off destroy of %s dropped: %s", e.Name, brief(err))
		}
		did = append(did, fmt.Sprintf("put back %s a cut-off destroy had dropped from the state while their cluster still runs", objects(len(lost))))
	}
	return did, e.clearJournal(ctx)
}

// check refuses a journal that is not of stack of project or that holds
// a provider.
func (j *journal) check(stack, project string) error {
	if j.Stack != stack {
		return fmt.Errorf("it is the journal of stack %q, not of %s", j.Stack, stack)
	}
	for _, r := range j.Resources {
		s, _ := r["urn"].(string)
		urn, err := resource.ParseURN(s)
		if err != nil {
			return fmt.Errorf("entry %q has no valid URN: %v", s, err)
		}
		if string(urn.Stack()) != stack || string(urn.Project()) != project {
			return fmt.Errorf("entry %s is of stack %q of project %q, not of stack %s of project %s", s, urn.Stack(), urn.Project(), stack, project)
		}
		typ, _ := r["type"].(string)
		if typ != string(urn.Type()) {
			return fmt.Errorf("entry %s says its type is %q, its URN %q", s, typ, urn.Type())
		}
		if isProvider(typ) {
			return fmt.Errorf("entry %s is a provider (%s): its inputs would be run (a kubeconfig's exec command), so a provider is never put back", s, typ)
		}
	}
	return nil
}

// checkProviders refuses entries to put back that name a provider the
// state does not hold (providers: the state's "urn::id" references).
func checkProviders(put []map[string]interface{}, providers map[string]bool) error {
	for _, r := range put {
		if p, _ := r["provider"].(string); p != "" && !providers[p] {
			urn, _ := r["urn"].(string)
			return fmt.Errorf("entry %s names the provider %s, which the state does not hold", urn, p)
		}
	}
	return nil
}

// isProvider tells whether a state entry's type is a provider's
// (pulumi:providers:<package>; sdk v3.230.0 go/common/resource/providers).
func isProvider(typ string) bool { return strings.HasPrefix(typ, "pulumi:providers:") }

// providerRefs are the references ("urn::id", as entries name their
// provider) of the providers in the state.
func providerRefs(resources []interface{}) map[string]bool {
	refs := map[string]bool{}
	for _, r := range resources {
		m, _ := r.(map[string]interface{})
		urn, _ := m["urn"].(string)
		typ, _ := m["type"].(string)
		id, _ := m["id"].(string)
		if isProvider(typ) && urn != "" && id != "" {
			refs[urn+"::"+id] = true
		}
	}
	return refs
}

func (e *Engine) clearJournal(ctx context.Context) error {
	err := e.journalStore().Delete(ctx, e.journalName())
	if err != nil && !notFound(err) {
		return fmt.Errorf("removing the destroy journal of %s: %w", e.Name, err)
	}
	return nil
}

func objects(n int) string {
	if n == 1 {
		return "1 object"
	}
	return fmt.Sprintf("%d objects", n)
}
