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
// only an explicit --delete-data removes, and the backup bucket.
type Kept struct {
	URN, Type, Name string
	// What the resource is, in a few words (size, type, zones).
	What string
	// Monthly is its list price per month; Priced is false when unknown.
	Monthly float64
	Priced  bool
	// PerGiB is what it costs per GiB stored and month, when its price
	// depends on what is in it (the bucket).
	PerGiB float64
}

func (k Kept) String() string {
	cost := "price unknown"
	switch {
	case k.Priced:
		cost = fmt.Sprintf("$%.2f/month ($%.3f/day)", k.Monthly, k.Monthly*12/365)
	case k.PerGiB > 0:
		cost = fmt.Sprintf("$%.3f per GiB of backups per month", k.PerGiB)
	}
	return fmt.Sprintf("%s %s (%s): %s", shortType(k.Type), k.Name, k.What, cost)
}

func shortType(t string) string { return t[strings.LastIndex(t, ":")+1:] }

// dataResources are the state's data disks and backup buckets, and the
// components holding them: a destroy that keeps them must leave their
// parents too. diskURNs are the disk's alone, which --delete-data removes.
func dataResources(resources []stateResource) (kept []Kept, urns, diskURNs []string) {
	for _, r := range resources {
		if !report.IsKeptData(r.URN) {
			continue
		}
		urns = append(urns, r.URN)
		if report.IsDeletedWithData(r.URN) {
			diskURNs = append(diskURNs, r.URN)
		}
		if !r.Custom {
			continue
		}
		k := Kept{URN: r.URN, Type: r.Type, Name: report.URNName(r.URN)}
		if n, ok := r.Inputs["name"].(string); ok {
			k.Name = n
		}
		switch {
		case report.IsBackupBucket(r.URN), report.IsArtifactBucket(r.URN):
			k.What = "MLflow's artifacts"
			if report.IsBackupBucket(r.URN) {
				k.What = "the database's backups"
			}
			k.PerGiB = prices.Default.StorageGiBMonth()
			kept = append(kept, k)
			continue
		case report.IsSQLDatabase(r.URN):
			// The instance stands for its databases and user.
			if r.Type == "gcp:sql/databaseInstance:DatabaseInstance" {
				kept = append(kept, sqlKept(k, r.Inputs))
			}
			continue
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
	return kept, urns, diskURNs
}

// sqlKept is a kept Cloud SQL instance: it keeps running, so it is
// priced at its tier and storage.
func sqlKept(k Kept, in map[string]interface{}) Kept {
	settings, _ := in["settings"].(map[string]interface{})
	tier, _ := settings["tier"].(string)
	size, _ := settings["diskSize"].(float64)
	size = max(size, prices.CloudSQLMinGiB)
	k.What = fmt.Sprintf("Cloud SQL %s, %d GiB SSD, still running", tier, int(size))
	r, _ := prices.Default.For("")
	if cost, ok := r.CloudSQLMonthly(tier, size, prices.Default.HoursPerMonth); ok {
		k.Monthly, k.Priced = cost, true
	}
	return k
}

// withoutDisk drops what --delete-data removes from what a destroy keeps.
func withoutDisk(kept []Kept) []Kept {
	var out []Kept
	for _, k := range kept {
		if !report.IsDeletedWithData(k.URN) {
			out = append(out, k)
		}
	}
	return out
}

// without returns urns less those in drop.
func without(urns, drop []string) []string {
	gone := map[string]bool{}
	for _, d := range drop {
		gone[d] = true
	}
	var out []string
	for _, u := range urns {
		if !gone[u] {
			out = append(out, u)
		}
	}
	return out
}

// stateResource is the part of a state entry infra reads.
type stateResource struct {
	URN     string                 `json:"urn"`
	Type    string                 `json:"type"`
	Custom  bool                   `json:"custom"`
	Parent  string                 `json:"parent"`
	Protect bool                   `json:"protect"`
	Inputs  map[string]interface{} `json:"inputs"`
	Outputs map[string]interface{} `json:"outputs"`
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
