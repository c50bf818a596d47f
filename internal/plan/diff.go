package plan

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/unlimited-translation/infra/internal/report"
)

// DiffJSON compares two plans in their JSON form (`infra plan --json`):
// resources added, removed and changed, and for changed ones every input
// or option that differs, old → new. Secrets are [secret] on both sides.
func DiffJSON(stack string, oldJSON, newJSON []byte) (*report.Report, error) {
	var old, cur jsonPlan
	if len(oldJSON) > 0 {
		if err := json.Unmarshal(oldJSON, &old); err != nil {
			return nil, fmt.Errorf("reading the base plan: %w", err)
		}
	}
	if err := json.Unmarshal(newJSON, &cur); err != nil {
		return nil, fmt.Errorf("reading the plan: %w", err)
	}
	olds := map[string]jsonResource{}
	for _, r := range old.Resources {
		olds[r.URN] = r
	}
	rep := &report.Report{Kind: "plan diff", Stack: stack}
	for _, r := range cur.Resources {
		o, existed := olds[r.URN]
		delete(olds, r.URN)
		if !existed {
			rep.Changes = append(rep.Changes, report.Change{Op: "create", URN: r.URN, Type: r.Type, Parent: r.Parent})
			continue
		}
		props := diffProps(flattenPlain(o), flattenPlain(r))
		if len(props) == 0 {
			rep.Same++
			continue
		}
		rep.Changes = append(rep.Changes, report.Change{Op: "update", URN: r.URN, Type: r.Type, Parent: r.Parent, Props: props})
	}
	for _, r := range olds {
		rep.Changes = append(rep.Changes, report.Change{Op: "delete", URN: r.URN, Type: r.Type, Parent: r.Parent})
	}
	sort.Slice(rep.Changes, func(i, j int) bool { return rep.Changes[i].URN < rep.Changes[j].URN })
	return rep, nil
}

// flattenPlain lists a resource's inputs, options, provider and
// dependencies as property path → rendered value.
func flattenPlain(r jsonResource) map[string]string {
	out := map[string]string{}
	var walk func(path string, v interface{})
	walk = func(path string, v interface{}) {
		switch x := v.(type) {
		case map[string]interface{}:
			if len(x) == 0 {
				out[path] = "{}"
			}
			for k, e := range x {
				walk(joinPath(path, k), e)
			}
		case []interface{}:
			if len(x) == 0 {
				out[path] = "[]"
			}
			for i, e := range x {
				walk(path+"["+strconv.Itoa(i)+"]", e)
			}
		default:
			out[path] = report.Show(x)
		}
	}
	walk("", r.Inputs)
	opts, _ := json.Marshal(r.Options)
	var o map[string]interface{}
	_ = json.Unmarshal(opts, &o)
	walk("(options)", o)
	out["(provider)"] = r.Provider
	out["(dependsOn)"] = strings.Join(r.DependsOn, ", ")
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

func diffProps(old, cur map[string]string) []report.PropChange {
	keys := map[string]bool{}
	for k := range old {
		keys[k] = true
	}
	for k := range cur {
		keys[k] = true
	}
	var out []report.PropChange
	for k := range keys {
		o, okO := old[k]
		n, okN := cur[k]
		if okO && okN && o == n {
			continue
		}
		if !okO {
			o = "(none)"
		}
		if !okN {
			n = "(none)"
		}
		out = append(out, report.PropChange{Path: k, Old: o, New: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}
