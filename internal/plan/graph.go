package plan

import "strings"

// Mermaid renders the dependency graph as a Mermaid flowchart: components
// are subgraphs, custom resources nodes, an edge A --> B means B needs A
// first, and A -.-> B that B is managed through provider A.
func (p *Plan) Mermaid() string {
	ids := map[string]string{}
	for i, r := range p.Resources {
		ids[r.URN] = "r" + itoa(i)
	}
	var b strings.Builder
	b.WriteString("```mermaid\nflowchart LR\n")
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		indent := strings.Repeat("  ", depth)
		for _, r := range p.Children(parent) {
			if len(p.Children(r.URN)) > 0 {
				b.WriteString(indent + "subgraph " + ids[r.URN] + "[\"" + label(r) + "\"]\n")
				walk(r.URN, depth+1)
				b.WriteString(indent + "end\n")
			} else if r.Custom {
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
		if !r.Custom {
			continue
		}
		for _, dep := range p.customDeps(r) {
			b.WriteString("  " + ids[dep] + " --> " + ids[r.URN] + "\n")
		}
		// Dotted: the explicit provider that talks to the resource's API.
		if id, ok := ids[r.Provider]; ok {
			b.WriteString("  " + id + " -.-> " + ids[r.URN] + "\n")
		}
	}
	b.WriteString("```\n")
	return b.String()
}

// customDeps expands dependencies on components into their custom
// resources, so every edge joins two nodes.
func (p *Plan) customDeps(r *Resource) []string {
	byURN := map[string]*Resource{}
	for _, x := range p.Resources {
		byURN[x.URN] = x
	}
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

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}
