package report

import (
	"fmt"
	"sort"
	"strings"
)

// Legend explains the markers every comment uses.
const Legend = "⚠ something is lost: data, the IP address, DNS delegation, the certificate, or uptime. " +
	"⛔ the change will fail as it stands (a protected resource, GKE deletion protection, a name that stays taken); " +
	"the details say how to unlock it on purpose."

var symbols = map[string]string{"create": "+", "update": "~", "replace": "±", "delete": "-", "read": "<=", "forget": "⊘", "same": "=", "drift": "~"}

// order puts what destroys something first.
var order = map[string]int{"replace": 0, "delete": 1, "forget": 2, "read": 3, "update": 4, "create": 5, "same": 6, "drift": 0}

// Markdown renders one report as a comment (see Comment).
func (r *Report) Markdown(limit int) string { return Comment([]*Report{r}, limit) }

// Comment renders reports, one per stack, as one pull-request comment: a
// decision table (a row per stack) a reviewer can decide from alone, the
// markers' legend, then per stack the details in a collapsed section,
// replacements and deletions first with their reasons. Never over limit
// characters: graphs go first, then details are cut (and counted); the
// table is never cut.
func Comment(reps []*Report, limit int) string {
	head := header(reps)
	most := 0
	for _, r := range reps {
		most = max(most, len(r.Changes))
	}
	for _, graphs := range []bool{true, false} {
		for n := most; n >= 0; n-- {
			var b strings.Builder
			b.WriteString(head)
			for _, r := range reps {
				b.WriteString(r.details(n, graphs))
			}
			if b.Len() <= limit || (n == 0 && !graphs) {
				return b.String()
			}
			if n > 40 {
				n -= n / 4 // shrink faster while far off
			}
		}
	}
	return head
}

func header(reps []*Report) string {
	var b strings.Builder
	kind := "plan diff"
	if len(reps) > 0 {
		kind = reps[0].Kind
	}
	title := map[string]string{"preview": "Preview (Pulumi engine)", "drift": "Drift check", "plan diff": "Offline plan diff"}[kind]
	fmt.Fprintf(&b, "### %s\n\n", title)
	if kind == "drift" {
		b.WriteString("| stack | drifted | summary |\n| --- | ---: | --- |\n")
		for _, r := range reps {
			fmt.Fprintf(&b, "| `%s` | %d | %s |\n", r.Stack, len(r.Changes), cell(r.Summary()))
		}
		return b.String() + "\n"
	}
	b.WriteString("| stack | config changed | + create | ~ update | ± replace | - delete | ⚠ / ⛔ | monthly cost | base → head |\n")
	b.WriteString("| --- | --- | ---: | ---: | ---: | ---: | --- | --- | --- |\n")
	for _, r := range reps {
		revs := ""
		if r.Base != "" || r.Head != "" {
			revs = fmt.Sprintf("`%s` → `%s`", orDash(r.Base), orDash(r.Head))
		}
		if r.Err != "" {
			fmt.Fprintf(&b, "| `%s` | | | | | | ⛔ %s failed: %s | | %s |\n", r.Stack, r.Kind, cell(firstLine(r.Err)), revs)
			continue
		}
		n := r.Counts()
		cfg := "—" // only the offline diff compares stack files
		if r.Kind == "plan diff" {
			cfg = configCell(r.Config)
		}
		fmt.Fprintf(&b, "| `%s` | %s | %d | %d | %d | %d | %s | %s | %s |\n", r.Stack, cfg,
			n["create"], n["update"], n["replace"], n["delete"], markers(r), r.Cost.cell(), revs)
	}
	b.WriteString("\n<sub>" + Legend + "</sub>\n")
	return b.String()
}

func markers(r *Report) string {
	var parts []string
	if bl := r.Blocked(); len(bl) > 0 {
		names := make([]string, len(bl))
		for i, c := range bl {
			names[i] = "`" + c.Label() + "`"
		}
		parts = append(parts, "⛔ will fail: "+strings.Join(names, ", "))
	}
	if risks := r.AtRisk(); len(risks) > 0 {
		parts = append(parts, "⚠ "+strings.Join(risks, ", "))
	}
	n := r.Counts()
	if n["read"]+n["forget"] > 0 {
		parts = append(parts, fmt.Sprintf("%d read, %d forgotten (nothing deleted)", n["read"], n["forget"]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "<br>")
}

func configCell(cfg []ConfigChange) string {
	if len(cfg) == 0 {
		return "none"
	}
	var parts []string
	for i, c := range cfg {
		if i == 6 {
			parts = append(parts, fmt.Sprintf("+%d more", len(cfg)-6))
			break
		}
		switch {
		case c.Secret:
			parts = append(parts, fmt.Sprintf("`%s` (secret, changed)", c.Key))
		case c.Added:
			parts = append(parts, fmt.Sprintf("`%s` set to %s", c.Key, short(c.New)))
		case c.Removed:
			parts = append(parts, fmt.Sprintf("`%s` unset (was %s)", c.Key, short(c.Old)))
		default:
			parts = append(parts, fmt.Sprintf("`%s` %s → %s", c.Key, short(c.Old), short(c.New)))
		}
	}
	return strings.Join(parts, "<br>")
}

func short(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return code(s)
}

func orDash(s string) string {
	if s == "" {
		return "working tree"
	}
	return s
}

// cell keeps a value inside one table cell.
func cell(s string) string {
	return strings.NewReplacer("|", "\\|", "\n", " ").Replace(s)
}

// details renders a stack's changes, at most n of them, in a collapsed
// section.
func (r *Report) details(n int, graph bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n<details><summary><b>%s</b>: %s</summary>\n\n", r.Stack, cell(r.Summary()))
	if r.Err != "" {
		fmt.Fprintf(&b, "The %s failed; nothing else is known about this stack:\n\n```\n%s\n```\n</details>\n", r.Kind, strings.ReplaceAll(r.Err, "```", "'''"))
		return b.String()
	}
	if len(r.Config) > 0 {
		b.WriteString("**Config changed**\n\n")
		for _, c := range r.Config {
			switch {
			case c.Secret:
				fmt.Fprintf(&b, "- `%s`: changed (secret)\n", c.Key)
			default:
				fmt.Fprintf(&b, "- `%s`: %s → %s\n", c.Key, showConfig(c.Old, c.Removed || c.Added && c.Old == ""), showConfig(c.New, c.Removed))
			}
		}
		b.WriteString("\n")
	}
	b.WriteString(r.Cost.details())
	changes := append([]Change{}, r.Changes...)
	sort.SliceStable(changes, func(i, j int) bool { return order[changes[i].Op] < order[changes[j].Op] })
	group := ""
	shown := 0
	for _, c := range changes {
		if shown == n {
			fmt.Fprintf(&b, "\n_%d more changes not shown: the comment is capped at %d characters. Run `%s` for all of them._\n",
				len(changes)-shown, MaxMarkdown, r.command())
			break
		}
		if g := groupTitle(c.Op); g != group {
			group = g
			fmt.Fprintf(&b, "\n**%s**\n\n", g)
		}
		b.WriteString(renderChange(c))
		shown++
	}
	if graph && r.Graph != "" {
		b.WriteString("\n**What changes, and what depends on it**\n\n" + r.Graph)
	}
	b.WriteString("\n</details>\n")
	return b.String()
}

func showConfig(v string, unset bool) string {
	if unset && v == "" {
		return "(unset)"
	}
	return code(v)
}

func groupTitle(op string) string {
	switch op {
	case "replace", "delete":
		return "Replaced or deleted"
	case "read", "forget":
		return "No longer managed (nothing deleted in the cloud)"
	case "update":
		return "Updated in place"
	case "create":
		return "Created"
	case "same":
		return "Resource options only (nothing changes in the cloud)"
	}
	return "Drifted"
}

func (r *Report) command() string {
	switch r.Kind {
	case "plan diff":
		return "infra plan --stack " + r.Stack + " --against " + orDash(r.Base)
	case "drift":
		return "infra drift --stack " + r.Stack
	}
	return "infra preview --stack " + r.Stack
}

func renderChange(c Change) string {
	var b strings.Builder
	marks := ""
	if c.Blocked != "" {
		marks += "⛔ "
	}
	if len(c.Risks) > 0 {
		marks += "⚠ "
	}
	fmt.Fprintf(&b, "- %s`%s` **%s** `%s` (%s)", marks, symbols[c.Op], c.Op, c.Label(), shortType(c.Type))
	if c.Mode != "" {
		fmt.Fprintf(&b, ", %s", c.Mode)
	}
	if g := ComponentLabel(c.Parent); g != "stack" {
		fmt.Fprintf(&b, " in %s", g)
	}
	b.WriteString("\n")
	if len(c.Replaces) > 0 {
		fmt.Fprintf(&b, "  - replaced because `%s` changed\n", strings.Join(c.Replaces, "`, `"))
	}
	for _, r := range c.Reasons {
		fmt.Fprintf(&b, "  - %s\n", r)
	}
	for _, k := range c.Risks {
		fmt.Fprintf(&b, "  - ⚠ **%s**: %s\n", k.What, k.Detail)
	}
	if c.Blocked != "" {
		fmt.Fprintf(&b, "  - ⛔ **will fail**: %s", c.Blocked)
		if c.Unlock != "" {
			fmt.Fprintf(&b, ". To go ahead on purpose: %s", c.Unlock)
		}
		b.WriteString("\n")
	}
	if c.Note != "" {
		fmt.Fprintf(&b, "  - %s\n", c.Note)
	}
	for _, p := range c.Props {
		if p.Secret {
			fmt.Fprintf(&b, "  - `%s`: changed (secret)\n", p.Path)
			continue
		}
		fmt.Fprintf(&b, "  - `%s`: %s → %s\n", p.Path, code(p.Old), code(p.New))
	}
	return b.String()
}

// shortType is "StatefulSet" for kubernetes:apps/v1:StatefulSet, with the
// full token kept for the curious.
func shortType(t string) string {
	s := t[strings.LastIndex(t, ":")+1:]
	return s + " `" + t + "`"
}
