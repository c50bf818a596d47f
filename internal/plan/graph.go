package plan

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/unlimited-translation/infra/internal/report"
	"github.com/unlimited-translation/infra/internal/rules"
)

// Mermaid renders the whole dependency graph (see mermaid), with a legend.
func (p *Plan) Mermaid() string { return p.mermaid(nil, nil) }

// BlastGraph renders what a change report touches: every changed resource,
// everything that depends on one, and what was deleted, coloured by
// operation. Empty when nothing changes.
func (p *Plan) BlastGraph(r *report.Report) string {
	ops := map[string]string{}
	var deleted []report.Change
	byURN := p.index()
	for _, c := range r.Changes {
		if c.Op == "same" {
			continue
		}
		if _, ok := byURN[c.URN]; !ok {
			deleted = append(deleted, c)
			continue
		}
		ops[c.URN] = c.Op
	}
	if len(ops) == 0 && len(deleted) == 0 {
		return ""
	}
	// What depends on a change is affected by it.
	only := map[string]bool{}
	for u := range ops {
		only[u] = true
	}
	for grew := true; grew; {
		grew = false
		for _, res := range p.Resources {
			if only[res.URN] || !res.Custom {
				continue
			}
			for _, d := range append(p.customDeps(res, byURN), res.Provider) {
				if only[d] {
					only[res.URN], grew = true, true
					break
				}
			}
		}
	}
	return p.mermaid(only, &blast{ops: ops, deleted: deleted})
}

type blast struct {
	ops     map[string]string
	deleted []report.Change
}

func (p *Plan) index() map[string]*Resource {
	byURN := make(map[string]*Resource, len(p.Resources))
	for _, r := range p.Resources {
		byURN[r.URN] = r
	}
	return byURN
}

// mermaid renders the dependency graph as a Mermaid flowchart: components
// are subgraphs, custom resources nodes labelled with their real names, A
// --> B means B needs A first, and one dotted edge per provider leads to
// what it manages. 🔒 marks protected resources, 💾 those whose loss
// loses data. With only non-nil, just those resources (and the
// components around them) are drawn; b colours them by operation.
func (p *Plan) mermaid(only map[string]bool, b *blast) string {
	keep := func(r *Resource) bool { return only == nil || only[r.URN] }
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
	byURN := p.index()
	for i, r := range p.Resources {
		ids[r.URN] = "r" + strconv.Itoa(i)
	}
	var out strings.Builder
	out.WriteString("```mermaid\nflowchart LR\n")
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		indent := strings.Repeat("  ", depth)
		for _, r := range p.Children(parent) {
			switch {
			case len(p.Children(r.URN)) > 0:
				if !holds(r.URN) {
					continue
				}
				out.WriteString(indent + "subgraph " + ids[r.URN] + "[\"" + componentLabel(r) + "\"]\n")
				walk(r.URN, depth+1)
				out.WriteString(indent + "end\n")
			case r.Custom && keep(r):
				out.WriteString(indent + ids[r.URN] + node(r, b) + "\n")
			}
		}
	}
	if root := p.Root(); root != nil {
		walk(root.URN, 1)
	}
	if b != nil {
		for i, c := range b.deleted {
			if c.Type == "pulumi:pulumi:Stack" || !strings.Contains(c.Type, ":") || strings.HasPrefix(c.Type, "translation:") {
				continue
			}
			out.WriteString("  d" + strconv.Itoa(i) + "[\"" + esc(shortKind(c.Type)+" "+c.Label()) + "<br>- delete\"]:::delete\n")
		}
	}
	managed := map[string][]string{}
	for _, r := range p.Resources {
		if !r.Custom || !keep(r) {
			continue
		}
		for _, dep := range p.customDeps(r, byURN) {
			if dep != r.Provider && keep(byURN[dep]) {
				out.WriteString("  " + ids[dep] + " --> " + ids[r.URN] + "\n")
			}
		}
		if _, ok := ids[r.Provider]; ok && keep(byURN[r.Provider]) {
			managed[r.Provider] = append(managed[r.Provider], r.URN)
		}
	}
	// One dotted edge per provider, to the innermost component holding
	// everything it manages (13 edges into the app become one).
	for _, prov := range slices.Sorted(maps.Keys(managed)) {
		urns := managed[prov]
		target := ids[urns[0]]
		if len(urns) > 1 {
			if anc := p.commonAncestor(urns); anc != "" {
				target = ids[anc]
			}
		}
		out.WriteString("  " + ids[prov] + " -. manages " + strconv.Itoa(len(urns)) + " .-> " + target + "\n")
	}
	out.WriteString(legend(b != nil))
	out.WriteString("```\n")
	return out.String()
}

func legend(ops bool) string {
	s := "  subgraph legend[\"Legend\"]\n"
	if ops {
		s += "    l1[\"+ create\"]:::create\n    l2[\"~ update\"]:::update\n    l3[\"± replace\"]:::replace\n" +
			"    l4[\"- delete\"]:::delete\n    l5[\"depends on a change\"]:::affected\n"
	}
	s += "    l6[\"🔒 protected\"]\n    l7[\"💾 holds data\"]\n    l8[\"( ) only read\"]\n  end\n"
	s += "  classDef create fill:#d4edda,stroke:#28a745\n  classDef update fill:#fff3cd,stroke:#d39e00\n" +
		"  classDef replace fill:#f8d7da,stroke:#c82333,stroke-width:3px\n" +
		"  classDef delete fill:#f8d7da,stroke:#c82333,stroke-dasharray:5 5\n  classDef affected fill:#f1f3f5,stroke:#868e96\n"
	return s
}

func node(r *Resource, b *blast) string {
	text := shortKind(r.Type) + " " + displayName(r)
	marks := ""
	if r.Options.Protect {
		marks += "🔒 "
	}
	if rule, _ := rules.For(r.Type); rule.Loses != nil && hasData(rule.Loses(PlainMap(r.Inputs))) {
		marks += "💾 "
	}
	text = esc(marks + text)
	class := ""
	if b != nil {
		if op, ok := b.ops[r.URN]; ok {
			text += "<br>" + map[string]string{"create": "+ create", "update": "~ update", "replace": "± replace", "read": "<= read", "forget": "forget"}[op]
			class = ":::" + map[string]string{"create": "create", "update": "update", "replace": "replace", "read": "update", "forget": "delete"}[op]
		} else {
			class = ":::affected"
		}
	}
	if r.Read {
		return "[(\"" + text + "\")]" + class
	}
	return "[\"" + text + "\"]" + class
}

// displayName is the resource's real name: the cloud name, or the
// Kubernetes object's, else its Pulumi name.
func displayName(r *Resource) string {
	in := PlainMap(r.Inputs)
	if n := report.RealName(in); n != "" {
		return n
	}
	if r.Read && r.ID != "" {
		return r.ID[strings.LastIndex(r.ID, "/")+1:]
	}
	return r.Name
}

func componentLabel(r *Resource) string { return esc(shortKind(r.Type) + " " + r.Name) }

func shortKind(t string) string {
	if strings.HasPrefix(t, "pulumi:providers:") {
		return "provider " + t[len("pulumi:providers:"):]
	}
	return t[strings.LastIndex(t, ":")+1:]
}

func esc(s string) string { return strings.ReplaceAll(s, "\"", "'") }

// commonAncestor is the innermost component that holds every one of urns.
func (p *Plan) commonAncestor(urns []string) string {
	byURN := p.index()
	chain := func(u string) []string {
		var out []string
		for r := byURN[u]; r != nil && r.Parent != ""; r = byURN[r.Parent] {
			out = append([]string{r.Parent}, out...)
		}
		return out
	}
	common := chain(urns[0])
	for _, u := range urns[1:] {
		c := chain(u)
		n := 0
		for n < len(common) && n < len(c) && common[n] == c[n] {
			n++
		}
		common = common[:n]
	}
	if len(common) <= 1 { // only the stack itself
		return ""
	}
	return common[len(common)-1]
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
