package plan

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/unlimited-translation/infra/internal/report"
	"github.com/unlimited-translation/infra/internal/rules"
)

// DiffJSON compares two plans in their JSON form (`infra plan --json`,
// secrets fingerprinted with one key) and says what `pulumi up` would do
// to a stack deployed from the base: for every resource whether it is
// created, updated, replaced (and how), deleted, read or forgotten, why,
// and what that loses or why it will fail. Provider rules come from the
// rules table; the engine's own rules (options, provider replacement, read
// transitions, dependents of a delete-before-replace) are applied here as
// the engine at the pinned version applies them.
func DiffJSON(stack string, baseJSON, headJSON []byte) (*report.Report, error) {
	var base, head jsonPlan
	if len(baseJSON) > 0 {
		if err := json.Unmarshal(baseJSON, &base); err != nil {
			return nil, fmt.Errorf("reading the base plan: %w", err)
		}
	}
	if err := json.Unmarshal(headJSON, &head); err != nil {
		return nil, fmt.Errorf("reading the plan: %w", err)
	}
	applyAliases(base.Resources, head.Resources)
	d := newDiffer(base.Resources, head.Resources)
	d.run()
	rep := &report.Report{Kind: "plan diff", Stack: stack}
	for _, urn := range d.order {
		c := d.ops[urn]
		if c.Op == "" {
			rep.Same++
			continue
		}
		rep.Changes = append(rep.Changes, *c)
	}
	sort.Slice(rep.Changes, func(i, j int) bool { return rep.Changes[i].URN < rep.Changes[j].URN })
	return rep, nil
}

type differ struct {
	base, head map[string]*jsonResource
	// order is every URN of either plan, sorted.
	order []string
	ops   map[string]*report.Change
	// forced holds resources the engine replaces as dependents of a
	// delete-before-replace, with the reason.
	forced map[string]string
	busy   map[string]bool
}

func newDiffer(base, head []jsonResource) *differ {
	d := &differ{base: map[string]*jsonResource{}, head: map[string]*jsonResource{}, forced: map[string]string{}}
	seen := map[string]bool{}
	for i := range base {
		d.base[base[i].URN] = &base[i]
		seen[base[i].URN] = true
	}
	for i := range head {
		d.head[head[i].URN] = &head[i]
		seen[head[i].URN] = true
	}
	for u := range seen {
		d.order = append(d.order, u)
	}
	sort.Strings(d.order)
	return d
}

// run computes every operation; dependents that a delete-before-replace
// drags along change what depends on them, so it repeats until stable.
func (d *differ) run() {
	for i := 0; i < 10; i++ {
		d.ops, d.busy = map[string]*report.Change{}, map[string]bool{}
		for _, urn := range d.order {
			d.op(urn)
		}
		for u, c := range d.ops {
			if c.URN == "" {
				delete(d.ops, u)
			}
		}
		if !d.forceDependents() {
			return
		}
	}
}

// op computes (once) the operation on urn, after those it depends on.
func (d *differ) op(urn string) *report.Change {
	if c, ok := d.ops[urn]; ok {
		return c
	}
	if d.busy[urn] {
		return &report.Change{} // a cycle cannot happen in a program; be safe
	}
	d.busy[urn] = true
	b, h := d.base[urn], d.head[urn]
	var c *report.Change
	switch {
	case b == nil && h == nil:
		c = &report.Change{} // a default provider: not in the plan
	case h == nil:
		c = d.deleted(b)
	case b == nil:
		c = d.change(h, "create")
		if h.Operation == "read" {
			c.Op = "read"
			c.Note = "an existing resource is read (" + h.ID + "); nothing is created"
		}
	default:
		for _, dep := range append(append([]string{h.Provider}, h.DependsOn...), h.Parent) {
			if dep != urn && (d.base[dep] != nil || d.head[dep] != nil) {
				d.op(dep)
			}
		}
		c = d.changed(b, h)
	}
	d.ops[urn] = c
	return c
}

func (d *differ) change(r *jsonResource, op string) *report.Change {
	return &report.Change{Op: op, URN: r.URN, Type: r.Type, Parent: r.Parent, Name: report.RealName(r.Inputs)}
}

// deleted: a resource the program no longer registers.
func (d *differ) deleted(b *jsonResource) *report.Change {
	c := d.change(b, "delete")
	rule, _ := rules.For(b.Type)
	switch {
	case b.Operation == "read":
		c.Op, c.Note = "forget", "it was only read: it stays in the cloud, untouched"
		return c
	case b.Options.RetainOnDelete:
		c.Op, c.Note = "forget", "retainOnDelete: removed from the state and left in the cloud, where it is still billed"
		return c
	}
	if rule.Loses != nil {
		c.Risks = risks(rule.Loses(b.Inputs))
	}
	if b.Options.Protect {
		c.Blocked, c.Unlock = protectedDelete(b.URN)
	} else if rule.Blocks != nil {
		c.Blocked, c.Unlock = rule.Blocks(b.Inputs)
	}
	if w := b.Options.DeletedWith; w != "" && d.head[w] == nil {
		c.Note = "deleted together with `" + report.URNName(w) + "`, which is deleted too"
	}
	return c
}

// changed compares a resource present in both plans.
func (d *differ) changed(b, h *jsonResource) *report.Change {
	c := d.change(h, "")
	rule, _ := rules.For(h.Type)
	switch {
	case b.Operation == "read" && h.Operation == "read":
		if b.ID != h.ID {
			c.Op, c.Note = "read", "reads "+h.ID+" instead of "+b.ID+"; neither is changed"
		}
		return c
	case h.Operation == "read":
		return d.adopted(c, b, h, rule)
	case b.Operation == "read":
		c.Op = "create"
		c.Note = "was only read (" + b.ID + "); now this stack creates and owns it. The read one is left as it is"
		if id, ok := rule.ID(h.Inputs); ok && id == b.ID {
			c.Blocked = "the resource read so far has the same ID (" + id + "), so creating it fails with \"already exists\""
			c.Unlock = "import it instead (`pulumi import`), or give the new one another name"
		}
		return c
	}

	c.Props = d.props(b, h)
	var replaces, reasons []string
	providerReplaced := false
	if bp, hp := normProvider(b.Provider), normProvider(h.Provider); bp != hp {
		replaces = append(replaces, "provider")
		reasons = append(reasons, "it moves to another provider ("+report.URNName(hp)+")")
		providerReplaced = true
	} else if p := d.ops[h.Provider]; p != nil && p.Op == "replace" {
		replaces = append(replaces, "provider")
		reasons = append(reasons, "its provider `"+report.URNName(h.Provider)+"` is replaced (another cluster), so the engine creates every object it manages anew")
		providerReplaced = true
	}
	var paths []string
	for _, p := range c.Props {
		paths = append(paths, p.Path)
	}
	var providerForced []string
	if h.Type == "pulumi:providers:kubernetes" {
		providerForced = rules.KubernetesProviderReplaces(paths, b.Inputs, h.Inputs)
	} else {
		for _, p := range c.Props {
			if forces(rule, p) {
				providerForced = append(providerForced, p.Path)
			}
		}
	}
	replaces = append(replaces, providerForced...)
	for _, p := range paths {
		for _, roc := range h.Options.ReplaceOnChanges {
			if matchPath(roc, p) && !slices.Contains(replaces, p) {
				replaces = append(replaces, p)
				reasons = append(reasons, "`"+p+"` is under the resource option replaceOnChanges `"+roc+"`")
			}
		}
	}
	why, forced := d.forced[h.URN]
	if forced {
		reasons = append(reasons, why)
	}
	switch {
	case len(replaces) > 0 || forced:
		c.Op, c.Replaces, c.Reasons = "replace", replaces, reasons
		d.replacement(c, b, h, rule, len(providerForced) > 0, providerReplaced)
	case len(c.Props) > 0:
		c.Op = "update"
	default:
		if opts := optionChanges(b.Options, h.Options); len(opts) > 0 {
			c.Op, c.Props = "same", opts
			c.Note = "only resource options change: the engine records them, nothing changes in the cloud"
		}
	}
	return c
}

// adopted: a resource this stack created is now only read. The engine
// (pkg v3.230.0 resource/deploy/step_generator.go, GenerateReadSteps)
// relinquishes it when the read ID equals the created one's, deleting
// nothing; with another ID it reads the new one and deletes the old
// (read-replacement). Protect does not stop that deletion.
func (d *differ) adopted(c *report.Change, b, h *jsonResource, rule rules.Rule) *report.Change {
	if id, ok := rule.ID(b.Inputs); ok && id == h.ID {
		c.Op = "read"
		c.Note = "now adopted, not owned: the engine stops managing " + h.ID + " and deletes nothing (same ID as the one this stack created)"
		return c
	}
	c.Op, c.Mode, c.Replaces = "replace", "read-replacement", []string{"id"}
	was := "the one this stack created"
	if id, ok := rule.ID(b.Inputs); ok {
		was = id
	}
	c.Reasons = []string{"the program now reads " + h.ID + " instead of " + was + ", which is deleted"}
	if rule.Loses != nil && !b.Options.RetainOnDelete {
		c.Risks = risks(rule.Loses(b.Inputs))
	}
	if rule.Blocks != nil {
		c.Blocked, c.Unlock = rule.Blocks(b.Inputs)
	}
	return c
}

// replacement fills in how a replace happens and what it costs.
func (d *differ) replacement(c *report.Change, b, h *jsonResource, rule rules.Rule, byProvider, providerReplaced bool) {
	sameName := sameIdentity(b, h, rule)
	dbr := false
	switch {
	case h.Options.DeleteBeforeReplace:
		dbr = true
	case d.forced[h.URN] != "":
		dbr = true // dependents of a delete-before-replace go first
	case rule.NamedDeleteFirst && byProvider && sameName && !providerReplaced:
		// provider.go Diff: a named object keeping its name. A resource
		// whose provider is replaced is never diffed: the engine replaces
		// it create-before-delete (pkg v3.230.0 step_generator.go, diff:
		// providerChanged short-circuits the provider's Diff).
		dbr = true
	case rule.ExplicitNameDeleteFirst && byProvider && !providerReplaced && h.Inputs["name"] != nil:
		// The bridge's Diff: an auto-named name the program set.
		dbr = true
	}
	c.Mode = "create-before-delete"
	if dbr {
		c.Mode = "delete-before-replace"
	}
	if rule.Loses != nil {
		c.Risks = risks(rule.Loses(b.Inputs))
	}
	if b.Options.RetainOnDelete {
		c.Risks = nil
		c.Note = "retainOnDelete: the old one is left in the cloud, not deleted"
		if rule.Loses != nil && hasData(rule.Loses(b.Inputs)) {
			c.Risks = []report.Risk{{What: "data", Detail: "the new one starts empty: the old one keeps the data (retainOnDelete) but nothing uses it any more"}}
		}
	}
	why, unlock := "", ""
	if rule.Blocks != nil {
		why, unlock = rule.Blocks(b.Inputs)
	}
	switch {
	case b.Options.Protect && h.Options.Protect:
		// step_generator.go refuses to replace when old and new are protected.
		c.Blocked, c.Unlock = "it is protected", report.Unprotect(h.URN, "replace")
	case d.forced[h.URN] != "" && b.Options.Protect:
		c.Blocked, c.Unlock = "it is protected, and the engine must replace it as part of a delete-before-replace", report.Unprotect(h.URN, "replace")
	case why != "":
		c.Blocked, c.Unlock = why, unlock
	case b.Options.RetainOnDelete && sameName && !providerReplaced:
		c.Blocked = "retainOnDelete keeps the old one, so its name stays taken and the new one cannot be created"
		c.Unlock = "turn retainOnDelete off for this resource first, or give the new one another name"
	case !dbr && sameName && !providerReplaced:
		c.Blocked = "it keeps its name, and the new one is created before the old one is deleted: \"already exists\""
		c.Unlock = "set the resource option deleteBeforeReplace, or give it a new name"
	}
}

// sameIdentity tells whether old and new share the cloud ID, or the
// Kubernetes namespace and name.
func sameIdentity(b, h *jsonResource, rule rules.Rule) bool {
	if ob, ok := rule.ID(b.Inputs); ok {
		nh, ok := rule.ID(h.Inputs)
		return ok && ob == nh
	}
	if strings.HasPrefix(h.Type, "kubernetes:") && !strings.HasPrefix(h.Type, "kubernetes:index") {
		n := func(r *jsonResource, k string) string {
			s, _ := rules.Lookup(r.Inputs, "metadata", k).(string)
			return s
		}
		return n(b, "name") != "" && n(b, "name") == n(h, "name") && n(b, "namespace") == n(h, "namespace") &&
			!strings.HasPrefix(n(h, "name"), "(")
	}
	return false
}

// forceDependents applies the engine's calculateDependentReplacements: a
// resource replaced delete-before-replace takes along every dependent (in
// the base, i.e. the state) whose inputs come from it and whose provider
// would replace it once those inputs are unknown, or whose provider it is.
// It returns whether it found new ones.
func (d *differ) forceDependents() bool {
	grew := false
	for _, urn := range d.order {
		x := d.ops[urn]
		if x == nil || x.Op != "replace" || x.Mode != "delete-before-replace" {
			continue
		}
		for _, dep := range d.order {
			b, h := d.base[dep], d.head[dep]
			if b == nil || h == nil || !b.Custom || b.Operation == "read" || d.forced[dep] != "" || dep == urn {
				continue
			}
			rule, _ := rules.For(b.Type)
			var keys []string
			for k, from := range b.PropertyDependencies {
				if slices.Contains(from, urn) {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys)
			why := ""
			if b.Provider == urn {
				why = "its provider is deleted before it is replaced"
			}
			for _, k := range keys {
				if why == "" && (rule.ForcesUnknown(k) || matchesAny(h.Options.ReplaceOnChanges, k)) {
					why = "`" + k + "` comes from `" + x.Label() + "`, which is deleted before it is replaced, and the provider cannot change `" + k + "` in place"
				}
			}
			if why != "" {
				d.forced[dep] = why
				grew = true
			}
		}
	}
	return grew
}

func forces(rule rules.Rule, p report.PropChange) bool {
	if rule.Forces(p.Path) {
		return true
	}
	// A whole object turning unknown hides changes below it.
	return p.New == UnknownMarker && rule.ForcesUnknown(p.Path)
}

// props lists the inputs that differ. Values unknown on both sides differ
// only when a resource they come from gets a new identity (created or
// replaced): the engine then sees them unknown against the state's value.
func (d *differ) props(b, h *jsonResource) []report.PropChange {
	old, cur := flattenInputs(b.Inputs), flattenInputs(h.Inputs)
	keys := map[string]bool{}
	for k := range old {
		keys[k] = true
	}
	for k := range cur {
		keys[k] = true
	}
	var out []report.PropChange
	for k := range keys {
		if ignored(h.Options.IgnoreChanges, k) {
			continue
		}
		o, okO := old[k]
		n, okN := cur[k]
		switch {
		case okO && okN && o == n && !isUnknown(n):
			continue
		case okO && okN && isUnknown(o) && isUnknown(n):
			from := d.renewed(h, k)
			if from == "" {
				continue
			}
			o = "(as in the state)"
			n = UnknownMarker + ": `" + from + "` is new"
		}
		if !okO {
			o = "(none)"
		}
		if !okN {
			n = "(none)"
		}
		pc := report.PropChange{Path: k, Old: o, New: n}
		if report.IsMask(o) || report.IsMask(n) {
			pc.Secret, pc.Old, pc.New = true, SecretMarker, SecretMarker
			if isUnknown(n) {
				pc.New = UnknownMarker
			}
		}
		out = append(out, pc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// renewed names the resource, created or replaced, that the top-level
// input holding path comes from; "" when there is none.
func (d *differ) renewed(h *jsonResource, path string) string {
	top := path
	if i := strings.IndexAny(path, ".["); i >= 0 {
		top = path[:i]
	}
	for _, from := range h.PropertyDependencies[top] {
		if c := d.ops[from]; c != nil && (c.Op == "create" || c.Op == "replace") {
			return c.Label()
		}
	}
	return ""
}

func isUnknown(s string) bool { return strings.Contains(s, UnknownMarker) }

// flattenInputs lists inputs as property path → rendered value. Empty maps and
// lists stand for nothing, as an absent input does.
func flattenInputs(in map[string]interface{}) map[string]string {
	out := map[string]string{}
	var walk func(path string, v interface{})
	walk = func(path string, v interface{}) {
		switch x := v.(type) {
		case map[string]interface{}:
			for k, e := range x {
				walk(joinPath(path, k), e)
			}
		case []interface{}:
			for i, e := range x {
				walk(path+"["+strconv.Itoa(i)+"]", e)
			}
		case nil:
		default:
			if path != "" {
				out[path] = report.Show(x)
			}
		}
	}
	walk("", in)
	return out
}

// joinPath writes keys the way Pulumi property paths do: dotted, or
// ["quoted"] when the key holds a dot or a slash.
func joinPath(path, key string) string {
	if strings.ContainsAny(key, "./[]\"") {
		return path + `["` + key + `"]`
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// normProvider drops the version from a default provider's name: a
// plugin version bump is no change of provider.
func normProvider(urn string) string {
	if i := strings.Index(urn, "::default_"); i >= 0 && strings.Contains(urn, "pulumi:providers:") {
		return urn[:i] + "::default"
	}
	return urn
}

// optionChanges lists resource options that differ.
func optionChanges(b, h jsonOptions) []report.PropChange {
	pairs := [][3]string{
		{"protect", strconv.FormatBool(b.Protect), strconv.FormatBool(h.Protect)},
		{"retainOnDelete", strconv.FormatBool(b.RetainOnDelete), strconv.FormatBool(h.RetainOnDelete)},
		{"deleteBeforeReplace", strconv.FormatBool(b.DeleteBeforeReplace), strconv.FormatBool(h.DeleteBeforeReplace)},
		{"ignoreChanges", strings.Join(b.IgnoreChanges, ","), strings.Join(h.IgnoreChanges, ",")},
		{"replaceOnChanges", strings.Join(b.ReplaceOnChanges, ","), strings.Join(h.ReplaceOnChanges, ",")},
		{"deletedWith", report.URNName(b.DeletedWith), report.URNName(h.DeletedWith)},
	}
	var out []report.PropChange
	for _, p := range pairs {
		if p[1] != p[2] {
			out = append(out, report.PropChange{Path: "(option) " + p[0], Old: orNone(p[1]), New: orNone(p[2])})
		}
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// matchPath applies replaceOnChanges matching (sdk PropertyPath.Contains):
// the option's path is a prefix of the changed path, element by element,
// "*" matching any one element.
func matchPath(pattern, path string) bool {
	pp, cp := report.PathParts(pattern), report.PathParts(path)
	if len(pp) > len(cp) {
		return false
	}
	for i := range pp {
		if pp[i] != "*" && pp[i] != cp[i] {
			return false
		}
	}
	return true
}

func matchesAny(patterns []string, path string) bool {
	for _, p := range patterns {
		if matchPath(p, path) {
			return true
		}
	}
	return false
}

// ignored: ignoreChanges resets these paths to the state's values.
func ignored(patterns []string, path string) bool { return matchesAny(patterns, path) }

func risks(in []rules.Risk) []report.Risk {
	out := make([]report.Risk, len(in))
	for i, r := range in {
		out[i] = report.Risk{What: r.What, Detail: r.Detail}
	}
	return out
}

func protectedDelete(urn string) (string, string) {
	return "it is protected", report.Unprotect(urn, "delete")
}

func hasData(rs []rules.Risk) bool {
	for _, r := range rs {
		if r.What == "data" {
			return true
		}
	}
	return false
}

// applyAliases renames the base's resources that a head resource lists
// among its aliases to that resource's URN, everywhere the base names them,
// as the engine does: a resource renamed with an alias is the same
// resource, not a delete and a create.
func applyAliases(base, head []jsonResource) {
	inHead, inBase := map[string]bool{}, map[string]bool{}
	headBy := map[string]*jsonResource{}
	for i := range head {
		inHead[head[i].URN] = true
		headBy[head[i].URN] = &head[i]
	}
	for _, b := range base {
		inBase[b.URN] = true
	}
	rename, oldOf := map[string]string{}, map[string]string{}
	for _, h := range head {
		for _, a := range h.Aliases {
			if !inHead[a] && inBase[a] {
				rename[a], oldOf[h.URN] = h.URN, a
			}
		}
	}
	// A child inherits its renamed parent's alias: its old URN has the
	// parent's old type chain and, when its name starts with the parent's
	// name, the parent's old name in front (what the engine works out from
	// alias specs; the SDK does not send it for a grandchild that has
	// aliases of its own).
	for changed := true; changed; {
		changed = false
		for _, h := range head {
			p := headBy[h.Parent]
			if _, done := oldOf[h.URN]; done || inBase[h.URN] || p == nil {
				continue
			}
			pOld, ok := oldOf[p.URN]
			if !ok {
				continue
			}
			name := h.Name
			if strings.HasPrefix(name, p.Name) {
				name = urnName(pOld) + name[len(p.Name):]
			}
			alias := urnPrefix(pOld) + "$" + h.Type + "::" + name
			if inBase[alias] && !inHead[alias] {
				rename[alias], oldOf[h.URN] = h.URN, alias
				changed = true
			}
		}
	}
	if len(rename) == 0 {
		return
	}
	sub := func(u string) string {
		if n, ok := rename[u]; ok {
			return n
		}
		return u
	}
	subAll := func(us []string) []string {
		out := make([]string, len(us))
		for i, u := range us {
			out[i] = sub(u)
		}
		return out
	}
	for i := range base {
		b := &base[i]
		b.URN, b.Parent, b.Provider = sub(b.URN), sub(b.Parent), sub(b.Provider)
		b.Options.DeletedWith = sub(b.Options.DeletedWith)
		b.DependsOn = subAll(b.DependsOn)
		for k, v := range b.PropertyDependencies {
			b.PropertyDependencies[k] = subAll(v)
		}
	}
}

// urnName is a URN's last part, the resource name.
func urnName(urn string) string { return urn[strings.LastIndex(urn, "::")+2:] }

// urnPrefix is a URN without its name: urn:pulumi:STACK::PROJECT::TYPES.
func urnPrefix(urn string) string { return urn[:strings.LastIndex(urn, "::")] }
