package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/unlimited-translation/infra/internal/prices"
	"github.com/unlimited-translation/infra/internal/report"
)

// Kept is a resource a destroy leaves on purpose: the data disk, which
// only an explicit --delete-data removes.
type Kept struct {
	URN, Type, Name string
	// What the resource is, in a few words (size, type, zones).
	What string
	// Monthly is its list price per month; Priced is false when unknown.
	Monthly float64
	Priced  bool
}

func (k Kept) String() string {
	cost := "price unknown"
	if k.Priced {
		cost = fmt.Sprintf("$%.2f/month ($%.3f/day)", k.Monthly, k.Monthly*12/365)
	}
	return fmt.Sprintf("%s %s (%s): %s", shortType(k.Type), k.Name, k.What, cost)
}

func shortType(t string) string { return t[strings.LastIndex(t, ":")+1:] }

// dataResources are the state's data disks, and the components holding
// them: a destroy that keeps the data must leave their parents too.
func dataResources(resources []stateResource) (kept []Kept, urns []string) {
	for _, r := range resources {
		if !report.IsDataDisk(r.URN) {
			continue
		}
		urns = append(urns, r.URN)
		if report.IsDataDisk(r.Parent) {
			urns = append(urns, r.Parent)
		}
		if !r.Custom {
			continue
		}
		k := Kept{URN: r.URN, Type: r.Type, Name: report.URNName(r.URN)}
		if n, ok := r.Inputs["name"].(string); ok {
			k.Name = n
		}
		typ, _ := r.Inputs["type"].(string)
		size, _ := r.Inputs["size"].(float64)
		zones, regional := "", false
		if z, ok := r.Inputs["replicaZones"].([]interface{}); ok {
			regional = true
			zones = fmt.Sprintf("regional, %v", z)
		} else if z, ok := r.Inputs["zone"].(string); ok {
			zones = "zonal, " + z
		}
		k.What = fmt.Sprintf("%d GiB %s, %s", int(size), typ, zones)
		k.Monthly, k.Priced = prices.Default.DiskMonthly(typ, int(size), regional)
		kept = append(kept, k)
	}
	return kept, urns
}

// stateResource is the part of a state entry infra reads.
type stateResource struct {
	URN     string                 `json:"urn"`
	Type    string                 `json:"type"`
	Custom  bool                   `json:"custom"`
	Parent  string                 `json:"parent"`
	Protect bool                   `json:"protect"`
	Inputs  map[string]interface{} `json:"inputs"`
}

// unprotect turns protect off in the state for the given URNs: what
// `pulumi state unprotect` does, for the data disk on --delete-data.
func (e *Engine) unprotect(ctx context.Context, urns []string) error {
	var state map[string]interface{}
	dep, err := e.export(ctx, &state)
	if err != nil {
		return err
	}
	want := map[string]bool{}
	for _, u := range urns {
		want[u] = true
	}
	resources, _ := state["resources"].([]interface{})
	for _, r := range resources {
		m, _ := r.(map[string]interface{})
		if urn, _ := m["urn"].(string); want[urn] {
			m["protect"] = false
		}
	}
	if dep.Deployment, err = json.Marshal(state); err != nil {
		return err
	}
	if err := e.stack.Import(ctx, dep); err != nil {
		return fmt.Errorf("unprotecting the data disk of %s: %s", e.Name, brief(err))
	}
	return nil
}
