package engine

import (
	"slices"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/unlimited-translation/infra/internal/report"
	"github.com/unlimited-translation/infra/internal/rules"
)

// NewReport builds a report from the events of a preview or refresh. The
// engine emits raw step ops (pkg v3.230.0 resource/deploy/step.go): a
// replacement is create-replacement, replace and delete-replaced (the
// delete first when it deletes before replacing); a read of a resource it
// created is read-replacement, or read when the ID is the same; a read
// resource that gets created is create-replacement with discard-replaced;
// discard drops a read resource. They are folded into the report's
// operations, the same the offline diff uses, with what each loses or why
// it fails from the rules table.
func NewReport(kind, stack string, evs []events.EngineEvent) *report.Report {
	r := &report.Report{Kind: kind, Stack: stack}
	steps := map[string][]*apitype.StepEventMetadata{}
	var order []string
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
		if isDefaultProvider(md.URN) {
			continue
		}
		if _, ok := steps[md.URN]; !ok {
			order = append(order, md.URN)
		}
		steps[md.URN] = append(steps[md.URN], md)
	}
	for _, urn := range order {
		c, same := fold(kind, steps[urn])
		if same {
			r.Same++
			continue
		}
		r.Changes = append(r.Changes, c)
	}
	sort.Slice(r.Changes, func(i, j int) bool { return r.Changes[i].URN < r.Changes[j].URN })
	return r
}

func isDefaultProvider(urn string) bool {
	return strings.Contains(urn, "::pulumi:providers:") && strings.Contains(urn, "::default")
}

// fold turns one resource's steps into one change; same is true when
// nothing changes.
func fold(kind string, mds []*apitype.StepEventMetadata) (report.Change, bool) {
	ops := map[string]bool{}
	first := ""
	var main *apitype.StepEventMetadata
	for _, md := range mds {
		op := string(md.Op)
		ops[op] = true
		if first == "" && (op == "delete-replaced" || op == "create-replacement" || op == "replace") {
			first = op
		}
		drifted := kind == "drift" && (len(md.Diffs) > 0 || len(md.DetailedDiff) > 0)
		if main == nil || op == "replace" || op == "read-replacement" || drifted {
			main = md
		}
	}
	var old, cur map[string]interface{}
	c := report.Change{URN: main.URN, Type: main.Type}
	if main.Old != nil {
		c.Parent, old = main.Old.Parent, main.Old.Inputs
	}
	if main.New != nil {
		c.Parent, cur = main.New.Parent, main.New.Inputs
	}
	c.Name = report.RealName(cur)
	if c.Name == "" {
		c.Name = report.RealName(old)
	}
	rule, _ := rules.For(c.Type)
	switch {
	case kind == "drift":
		if !ops["refresh"] || (len(main.Diffs) == 0 && len(main.DetailedDiff) == 0) {
			return c, true
		}
		c.Op = "drift"
	case ops["read-replacement"]:
		c.Op, c.Mode, c.Replaces = "replace", "read-replacement", []string{"id"}
		c.Reasons = []string{"the program now reads " + main.New.ID + " instead; the one this stack created is deleted"}
	case ops["discard-replaced"] && ops["create-replacement"]:
		c.Op, c.Note = "create", "was only read; now this stack creates and owns it. The read one is left as it is"
	case ops["replace"] || ops["create-replacement"] || ops["delete-replaced"]:
		c.Op, c.Mode = "replace", "create-before-delete"
		if first == "delete-replaced" {
			c.Mode = "delete-before-replace"
		}
		for _, md := range mds {
			c.Replaces = append(c.Replaces, md.Keys...)
		}
		slices.Sort(c.Replaces)
		c.Replaces = slices.Compact(c.Replaces)
		if len(c.Replaces) == 0 {
			c.Reasons = []string{"replaced by the engine along with a resource it depends on"}
		}
	case ops["read"]:
		if main.Old != nil && main.Old.External && main.Old.ID == main.New.ID {
			return c, true
		}
		c.Op = "read"
		if main.Old != nil && !main.Old.External {
			c.Note = "now adopted, not owned: the engine stops managing " + main.New.ID + " and deletes nothing"
		}
	case ops["discard"]:
		c.Op, c.Note = "forget", "it was only read: it stays in the cloud, untouched"
	case ops["delete"]:
		c.Op = "delete"
		if main.Old != nil && main.Old.RetainOnDelete {
			c.Op, c.Note = "forget", "retainOnDelete: removed from the state and left in the cloud, where it is still billed"
		}
	case ops["create"]:
		c.Op = "create"
	case ops["update"]:
		c.Op = "update"
	default:
		return c, true
	}
	if (c.Op == "replace" || c.Op == "delete") && main.Old != nil && rule.Loses != nil && !main.Old.RetainOnDelete {
		for _, k := range rule.Loses(old) {
			c.Risks = append(c.Risks, report.Risk{What: k.What, Detail: k.Detail})
		}
	}
	blocked(&c, main, rule)
	c.Props = props(c.Op, main, kind == "drift")
	return c, false
}

// blocked marks what the engine or the provider will refuse.
func blocked(c *report.Change, md *apitype.StepEventMetadata, rule rules.Rule) {
	if md.Old == nil {
		return
	}
	switch {
	case c.Op == "replace" && c.Mode != "read-replacement" && md.Old.Protect && (md.New == nil || md.New.Protect):
		c.Blocked, c.Unlock = "it is protected", report.Unprotect(c.URN, "replace")
	case c.Op == "delete" && md.Old.Protect:
		c.Blocked, c.Unlock = "it is protected", report.Unprotect(c.URN, "delete")
	case (c.Op == "replace" || c.Op == "delete") && rule.Blocks != nil:
		c.Blocked, c.Unlock = rule.Blocks(md.Old.Inputs)
	}
}

func props(op string, md *apitype.StepEventMetadata, outputs bool) []report.PropChange {
	if op == "create" || op == "delete" || op == "forget" {
		return nil // the whole resource comes or goes
	}
	var old, cur map[string]interface{}
	if md.Old != nil {
		old = md.Old.Inputs
		if outputs {
			old = md.Old.Outputs
		}
	}
	if md.New != nil {
		cur = md.New.Inputs
		if outputs {
			cur = md.New.Outputs
		}
	}
	paths := make([]string, 0, len(md.DetailedDiff))
	for p := range md.DetailedDiff {
		paths = append(paths, p)
	}
	if len(paths) == 0 {
		paths = append(paths, md.Diffs...)
	}
	sort.Strings(paths)
	var out []report.PropChange
	for _, p := range paths {
		pc := report.PropChange{Path: p, Old: report.Show(report.Lookup(old, p)), New: report.Show(report.Lookup(cur, p))}
		if report.IsMask(pc.Old) || report.IsMask(pc.New) {
			pc.Secret, pc.Old, pc.New = true, "[secret]", "[secret]"
		}
		out = append(out, pc)
	}
	return out
}
