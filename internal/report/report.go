// Package report renders a set of resource changes (from the Pulumi
// engine's events, or from two offline plans) as a summary line and as a
// pull-request comment in Markdown.
package report

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// MaxMarkdown bounds a report: GitHub refuses comments over 65,536
// characters.
const MaxMarkdown = 60000

// Report is what an operation would change.
type Report struct {
	Kind    string // "preview", "drift" or "plan diff"
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
func (c Change) Name() string { return URNName(c.URN) }

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
	title := map[string]string{"preview": "Preview", "drift": "Drift", "plan diff": "Offline plan diff"}[r.Kind]
	fmt.Fprintf(&b, "### %s of stack `%s`\n\n**%s**\n", title, r.Stack, r.Summary())
	groups := map[string][]Change{}
	var keys []string
	for _, c := range r.Changes {
		g := ComponentLabel(c.Parent)
		if _, ok := groups[g]; !ok {
			keys = append(keys, g)
		}
		groups[g] = append(groups[g], c)
	}
	sort.Strings(keys)
	const footer = "\n_%d more changes not shown: the comment is capped at %d characters. Run `infra %s --stack %s` for all of them._\n"
	shown := 0
	for _, g := range keys {
		section := "\n#### " + g + "\n\n"
		for _, c := range groups[g] {
			entry := renderChange(c)
			if b.Len()+len(section)+len(entry)+len(footer)+40 > limit {
				fmt.Fprintf(&b, footer, len(r.Changes)-shown, limit, r.command(), r.Stack)
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

func (r *Report) command() string {
	if r.Kind == "plan diff" {
		return "plan --against"
	}
	return r.Kind
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

// ComponentLabel names a component by its chain of types and its name.
func ComponentLabel(parent string) string {
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
	return fmt.Sprintf("%s `%s`", strings.Join(chain, " › "), URNName(parent))
}

// URNName is the name part of a URN.
func URNName(urn string) string { return urn[strings.LastIndex(urn, "::")+2:] }

// SecretSig marks a secret in serialized property values.
const SecretSig = "1b47061264138c4ac30d75fd1eb44270"

var pathPart = regexp.MustCompile(`([^.\[\]]+)|\[(\d+)\]|\["([^"]+)"\]`)

// Lookup follows a property path ("spec.containers[0].image",
// `metadata.annotations["a.b/c"]`) through decoded JSON.
func Lookup(m map[string]interface{}, path string) interface{} {
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
	return ok && m["4dabf18193072939515e22adb298388d"] == SecretSig
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")

// Show renders a value on one line, secrets as [secret], long values cut.
func Show(v interface{}) string {
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
