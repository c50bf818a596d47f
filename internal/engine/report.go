package engine

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// MaxMarkdown bounds a report: GitHub refuses comments over 65,536
// characters.
const MaxMarkdown = 60000

// Report is what an operation would change, built from engine events.
type Report struct {
	Kind    string // "preview" or "drift"
	Stack   string
	Changes []Change
	// Same counts resources left as they are.
	Same int
}

// Change is one resource's change.
type Change struct {
	Op     string // create, update, replace, delete
	URN    string
	Type   string
	Parent string
	// Replaces are the properties that force a replacement.
	Replaces []string
	Props    []PropChange
}

// PropChange is one property, old and new, secrets masked.
type PropChange struct {
	Path     string
	Old, New string
}

// Name is the resource's Pulumi name.
func (c Change) Name() string { return urnName(c.URN) }

// NewReport builds a report from the events of a preview or refresh.
func NewReport(kind, stack string, evs []events.EngineEvent) *Report {
	r := &Report{Kind: kind, Stack: stack}
	seen := map[string]bool{}
	for _, e := range evs {
		var md *apitype.StepEventMetadata
		switch {
		case e.ResourcePreEvent != nil:
			md = &e.ResourcePreEvent.Metadata
		case e.ResOutputsEvent != nil && kind == "drift":
			md = &e.ResOutputsEvent.Metadata
		default:
			continue
		}
		op := string(md.Op)
		switch op {
		case "same":
			if !seen[md.URN] {
				r.Same++
			}
			seen[md.URN] = true
			continue
		case "refresh":
			if len(md.Diffs) == 0 && len(md.DetailedDiff) == 0 {
				continue
			}
			op = "drift"
		case "create", "update", "replace", "delete":
		default:
			continue // read, create-replacement, delete-replaced: parts of the above
		}
		if seen[md.URN] {
			continue
		}
		seen[md.URN] = true
		r.Changes = append(r.Changes, newChange(op, md, kind == "drift"))
	}
	sort.Slice(r.Changes, func(i, j int) bool { return r.Changes[i].URN < r.Changes[j].URN })
	return r
}

func newChange(op string, md *apitype.StepEventMetadata, outputs bool) Change {
	c := Change{Op: op, URN: md.URN, Type: md.Type}
	var old, new map[string]interface{}
	if md.Old != nil {
		c.Parent = md.Old.Parent
		old = md.Old.Inputs
		if outputs {
			old = md.Old.Outputs
		}
	}
	if md.New != nil {
		c.Parent = md.New.Parent
		new = md.New.Inputs
		if outputs {
			new = md.New.Outputs
		}
	}
	if op == "replace" {
		c.Replaces = append(c.Replaces, md.Keys...)
		sort.Strings(c.Replaces)
	}
	paths := make([]string, 0, len(md.DetailedDiff))
	for p := range md.DetailedDiff {
		paths = append(paths, p)
	}
	if len(paths) == 0 {
		paths = append(paths, md.Diffs...)
	}
	sort.Strings(paths)
	if op == "create" || op == "delete" {
		paths = nil // the whole resource comes or goes
	}
	for _, p := range paths {
		c.Props = append(c.Props, PropChange{Path: p, Old: show(lookup(old, p)), New: show(lookup(new, p))})
	}
	return c
}

// Counts returns the number of changes per operation.
func (r *Report) Counts() map[string]int {
	m := map[string]int{}
	for _, c := range r.Changes {
		m[c.Op]++
	}
	return m
}

// HasChanges tells whether anything would change (or drifted).
func (r *Report) HasChanges() bool { return len(r.Changes) > 0 }

// Summary is the report's one-line summary.
func (r *Report) Summary() string {
	n := r.Counts()
	if r.Kind == "drift" {
		if !r.HasChanges() {
			return fmt.Sprintf("no drift: the cloud matches the state of stack %s (%d resources checked)", r.Stack, r.Same)
		}
		return fmt.Sprintf("%d resources drifted from the state of stack %s", len(r.Changes), r.Stack)
	}
	if !r.HasChanges() {
		return fmt.Sprintf("no changes to stack %s (%d resources unchanged)", r.Stack, r.Same)
	}
	return fmt.Sprintf("%d to create, %d to update, %d to replace, %d to delete (%d unchanged)",
		n["create"], n["update"], n["replace"], n["delete"], r.Same)
}

// Markdown renders the report as a pull-request comment: the summary, then
// the changes grouped by component, every replacement with the properties
// that force it, updated properties old → new. Never over limit
// characters: what does not fit is counted, not cut mid-way.
func (r *Report) Markdown(limit int) string {
	var b strings.Builder
	title := "Preview"
	if r.Kind == "drift" {
		title = "Drift"
	}
	fmt.Fprintf(&b, "### %s of stack `%s`\n\n**%s**\n", title, r.Stack, r.Summary())
	groups := map[string][]Change{}
	var keys []string
	for _, c := range r.Changes {
		g := componentLabel(c.Parent)
		if _, ok := groups[g]; !ok {
			keys = append(keys, g)
		}
		groups[g] = append(groups[g], c)
	}
	sort.Strings(keys)
	const footer = "\n_%d more changes not shown: the comment is capped at %d characters. Run `infra preview --stack %s` for all of them._\n"
	shown := 0
	for _, g := range keys {
		section := "\n#### " + g + "\n\n"
		for _, c := range groups[g] {
			entry := renderChange(c)
			if b.Len()+len(section)+len(entry)+len(footer)+40 > limit {
				fmt.Fprintf(&b, footer, len(r.Changes)-shown, limit, r.Stack)
				return b.String()
			}
			b.WriteString(section)
			section = ""
			b.WriteString(entry)
			shown++
		}
	}
	return b.String()
}

var symbols = map[string]string{"create": "+", "update": "~", "replace": "+-", "delete": "-", "drift": "~"}

func renderChange(c Change) string {
	var b strings.Builder
	fmt.Fprintf(&b, "- `%s` **%s** `%s` (`%s`)", symbols[c.Op], c.Op, c.Name(), c.Type)
	if len(c.Replaces) > 0 {
		fmt.Fprintf(&b, ": replaced because `%s` changed", strings.Join(c.Replaces, "`, `"))
	}
	b.WriteString("\n")
	for _, p := range c.Props {
		fmt.Fprintf(&b, "  - `%s`: %s → %s\n", p.Path, code(p.Old), code(p.New))
	}
	return b.String()
}

func componentLabel(parent string) string {
	if parent == "" || strings.Contains(parent, "pulumi:pulumi:Stack") {
		return "stack"
	}
	// The parent's qualified type is its chain of components:
	// "translation:components:TranslationApp$translation:components:Backend".
	qualified := parent[strings.LastIndex(parent[:strings.LastIndex(parent, "::")], "::")+2 : strings.LastIndex(parent, "::")]
	var chain []string
	for _, t := range strings.Split(qualified, "$") {
		chain = append(chain, t[strings.LastIndex(t, ":")+1:])
	}
	return fmt.Sprintf("%s `%s`", strings.Join(chain, " › "), urnName(parent))
}

func urnName(urn string) string { return urn[strings.LastIndex(urn, "::")+2:] }

// secretSig marks a secret in serialized property values.
const secretSig = "1b47061264138c4ac30d75fd1eb44270"

var pathPart = regexp.MustCompile(`([^.\[\]]+)|\[(\d+)\]|\["([^"]+)"\]`)

// lookup follows a property path ("spec.containers[0].image",
// `metadata.annotations["a.b/c"]`) through decoded JSON.
func lookup(m map[string]interface{}, path string) interface{} {
	var v interface{} = m
	for _, part := range pathPart.FindAllStringSubmatch(path, -1) {
		if isSecret(v) {
			return "[secret]"
		}
		switch x := v.(type) {
		case map[string]interface{}:
			key := part[1] + part[3]
			v = x[key]
		case []interface{}:
			i, err := strconv.Atoi(part[2])
			if err != nil || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func isSecret(v interface{}) bool {
	m, ok := v.(map[string]interface{})
	return ok && m["4dabf18193072939515e22adb298388d"] == secretSig
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")

// show renders a value on one line, secrets as [secret], long values cut.
func show(v interface{}) string {
	if v == nil {
		return "(none)"
	}
	if isSecret(v) {
		return "[secret]"
	}
	var s string
	if str, ok := v.(string); ok {
		s = str
	} else {
		b, _ := json.Marshal(maskSecrets(v))
		s = string(b)
	}
	s = ansi.ReplaceAllString(s, "")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

func maskSecrets(v interface{}) interface{} {
	if isSecret(v) {
		return "[secret]"
	}
	switch x := v.(type) {
	case map[string]interface{}:
		out := map[string]interface{}{}
		for k, e := range x {
			out[k] = maskSecrets(e)
		}
		return out
	case []interface{}:
		out := make([]interface{}, len(x))
		for i, e := range x {
			out[i] = maskSecrets(e)
		}
		return out
	}
	return v
}

func code(s string) string {
	if s == "[secret]" || s == "(none)" {
		return s
	}
	return "`" + strings.ReplaceAll(s, "`", "'") + "`"
}
