package engine

import (
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/unlimited-translation/infra/internal/report"
)

// NewReport builds a report from the events of a preview or refresh.
func NewReport(kind, stack string, evs []events.EngineEvent) *report.Report {
	r := &report.Report{Kind: kind, Stack: stack}
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

func newChange(op string, md *apitype.StepEventMetadata, outputs bool) report.Change {
	c := report.Change{Op: op, URN: md.URN, Type: md.Type}
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
		c.Props = append(c.Props, report.PropChange{Path: p, Old: report.Show(report.Lookup(old, p)), New: report.Show(report.Lookup(new, p))})
	}
	return c
}
