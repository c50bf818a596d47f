package plan

import (
	"strconv"
	"strings"
)

// Mermaid renders the whole dependency graph (see MermaidOf).
func (p *Plan) Mermaid() string { return p.MermaidOf(nil) }

// MermaidOf renders the dependency graph as a Mermaid flowchart: components
// are subgraphs, custom resources nodes, an edge A --> B means B needs A
// first, and A -.-> B that B is managed through provider A. With only
// non-nil, just those resources and the components around them are drawn.
func (p *Plan) MermaidOf(only map[string]bool) string {
	keep := func(r *Resource) bool { return only == nil || only[r.URN] }
	// A component is drawn when it holds something drawn.
	var holds func(urn string) bool
	holds = func(urn string) bool {
		for _, c := range p.Children(urn) {
			if (c.Custom && keep(c)) || holds(c.URN) {
				return true
			}
		}
		return false
	}
	ids := map[string]string{}
	byURN := map[string]*Resource{}
	for i, r := range p.Resources {
		byURN[r.URN] = r
		ids[r.URN] = "r" + strconv.Itoa(i)
	}
	var b strings.Builder
	b.WriteString("```mermaid\nflowchart LR\n")
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		indent := strings.Repeat("  ", depth)
		for _, r := range p.Children(parent) {
			if len(p.Children(r.URN)) > 0 {
				if !holds(r.URN) {
					continue
				}
				b.WriteString(indent + "subgraph " + ids[r.URN] + "[\"" + label(r) + "\"]\n")
				walk(r.URN, depth+1)
				b.WriteString(indent + "end\n")
			} else if r.Custom && keep(r) {
				shape := "[\"" + label(r) + "\"]"
				if r.Read {
					shape = "[(\"" + label(r) + "\")]"
				}
				b.WriteString(indent + ids[r.URN] + shape + "\n")
			}
		}
	}
	if root := p.Root(); root != nil {
		walk(root.URN, 1)
	}
	for _, r := range p.Resources {
		if !r.Custom || !keep(r) {
			continue
		}
		for _, dep := range p.customDeps(r, byURN) {
			if only == nil || only[dep] {
				b.WriteString("  " + ids[dep] + " --> " + ids[r.URN] + "\n")
			}
		}
		// Dotted: the explicit provider that talks to the resource's API.
		if id, ok := ids[r.Provider]; ok && (only == nil || only[r.Provider]) {
			b.WriteString("  " + id + " -.-> " + ids[r.URN] + "\n")
		}
	}
	b.WriteString("```\n")
	return b.String()
}

// customDeps expands dependencies on components into their custom
// resources, so every edge joins two nodes.
func (p *Plan) customDeps(r *Resource, byURN map[string]*Resource) []string {
	var out []string
	var add func(urn string)
	add = func(urn string) {
		x, ok := byURN[urn]
		if !ok || urn == r.URN {
			return
		}
		if x.Custom {
			out = append(out, urn)
			return
		}
		for _, c := range p.Children(urn) {
			add(c.URN)
		}
	}
	for _, d := range r.DependsOn {
		add(d)
	}
	return uniqueSorted(out)
}

func label(r *Resource) string {
	t := r.Type
	if i := strings.LastIndex(t, ":"); i >= 0 {
		t = t[i+1:]
	}
	return strings.ReplaceAll(t+" "+r.Name, "\"", "'")
}
