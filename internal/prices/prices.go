// Package prices holds the GCP list prices infra reports costs with. The
// figures live in prices.json, with the date they were read and their
// source, so they are updated without touching code; a user's own file of
// the same shape replaces them (infra cost --prices FILE).
package prices

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

//go:embed prices.json
var raw []byte

// List is the price list.
type List struct {
	Read          string            `json:"read"`
	Source        string            `json:"source"`
	HoursPerMonth float64           `json:"hoursPerMonth"`
	Regions       map[string]Region `json:"regions"`
	// FallbackRegion's figures stand in for a region the list lacks; a
	// report says so.
	FallbackRegion string            `json:"fallbackRegion"`
	Notes          map[string]string `json:"notes"`
}

// Region is one region's prices, USD.
type Region struct {
	VCPUHour          float64            `json:"vcpuHour"`
	MemoryGiBHour     float64            `json:"memoryGiBHour"`
	EphemeralGiBHour  float64            `json:"ephemeralGiBHour"`
	SpotVCPUHour      float64            `json:"spotVcpuHour"`
	SpotMemoryGiBHour float64            `json:"spotMemoryGiBHour"`
	ClusterHour       float64            `json:"clusterHour"`
	FreeTierMonthly   float64            `json:"freeTierMonthly"`
	LBFirstFiveHour   float64            `json:"lbFirstFiveRulesHour"`
	LBExtraRuleHour   float64            `json:"lbExtraRuleHour"`
	UnusedAddressHour float64            `json:"unusedAddressHour"`
	DNSZoneMonth      float64            `json:"dnsZoneMonth"`
	DiskGiBMonth      map[string]float64 `json:"diskGiBMonth"`
	StorageGiBMonth   float64            `json:"storageGiBMonth"`
	NATVMHour         float64            `json:"natVmHour"`
	NATAddressHour    float64            `json:"natAddressHour"`
	// ArmorPolicyMonth and ArmorRuleMonth price a Cloud Armor Standard
	// security policy and each of its rules for a month.
	ArmorPolicyMonth float64 `json:"armorPolicyMonth"`
	ArmorRuleMonth   float64 `json:"armorRuleMonth"`
	// GPUHour and SpotGPUHour price one GPU of a type (GKE's accelerator
	// names) for an hour, on demand and on Spot.
	GPUHour     map[string]float64 `json:"gpuHour,omitempty"`
	SpotGPUHour map[string]float64 `json:"spotGpuHour,omitempty"`
	// CloudSQLTierHour prices a Cloud SQL Enterprise instance of a machine
	// type (single zone) for an hour; CloudSQLSSDGiBMonth its SSD.
	CloudSQLTierHour    map[string]float64 `json:"cloudSqlTierHour,omitempty"`
	CloudSQLSSDGiBMonth float64            `json:"cloudSqlSsdGiBMonth,omitempty"`
}

// Default is the list embedded in the binary.
var Default = func() List {
	l, err := Parse(raw)
	if err != nil {
		panic(fmt.Sprintf("prices.json: %v", err)) // a build defect, caught by the tests
	}
	return l
}()

// Parse reads a price list and checks it is whole.
func Parse(b []byte) (List, error) {
	var l List
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return List{}, err
	}
	if l.HoursPerMonth <= 0 || len(l.Regions) == 0 {
		return List{}, fmt.Errorf("needs hoursPerMonth and at least one region")
	}
	if _, ok := l.Regions[l.FallbackRegion]; !ok {
		return List{}, fmt.Errorf("fallbackRegion %q is not among the regions", l.FallbackRegion)
	}
	for name, r := range l.Regions {
		if r.VCPUHour <= 0 || r.MemoryGiBHour <= 0 || r.ClusterHour <= 0 || len(r.DiskGiBMonth) == 0 {
			return List{}, fmt.Errorf("region %s lacks Autopilot, cluster or disk prices", name)
		}
	}
	return l, nil
}

// Load reads a user's price list file.
func Load(path string) (List, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return List{}, fmt.Errorf("reading the price list: %w", err)
	}
	l, err := Parse(b)
	if err != nil {
		return List{}, fmt.Errorf("price list %s: %w", path, err)
	}
	return l, nil
}

// For returns a region's prices and whether they are that region's own
// (false: the fallback region's stand in).
func (l List) For(region string) (Region, bool) {
	if r, ok := l.Regions[region]; ok {
		return r, true
	}
	return l.Regions[l.FallbackRegion], false
}

// Known lists the regions with prices of their own.
func (l List) Known() []string {
	var out []string
	for r := range l.Regions {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// DiskMonthly is what a persistent disk costs per month in the fallback
// region: its size times the type's price, twice for a regional disk (two
// replicas are billed).
func (l List) DiskMonthly(diskType string, gib int, regional bool) (float64, bool) {
	return l.Regions[l.FallbackRegion].DiskMonthly(diskType, gib, regional)
}

// DiskMonthly is a disk's monthly price in this region.
func (r Region) DiskMonthly(diskType string, gib int, regional bool) (float64, bool) {
	p, ok := r.DiskGiBMonth[diskType]
	if !ok {
		return 0, false
	}
	cost := p * float64(gib)
	if regional {
		cost *= 2
	}
	return cost, true
}

// CloudSQLMinGiB is the smallest SSD a Cloud SQL instance has.
const CloudSQLMinGiB = 10

// CloudSQLMonthly is what a single-zone Cloud SQL instance of a tier with
// gib of SSD (at least CloudSQLMinGiB) costs for hours: ok is false when
// the tier has no price, and the figure is then its storage alone.
func (r Region) CloudSQLMonthly(tier string, gib, hours float64) (cost float64, ok bool) {
	cost = max(gib, CloudSQLMinGiB) * r.CloudSQLSSDGiBMonth
	hour, ok := r.CloudSQLTierHour[tier]
	return cost + hour*hours, ok
}

// StorageGiBMonth is Cloud Storage Standard in the fallback region.
func (l List) StorageGiBMonth() float64 { return l.Regions[l.FallbackRegion].StorageGiBMonth }

// Note says where the figures come from, for the end of a report.
func (l List) Note() string {
	return fmt.Sprintf("%s list prices read %s (%s); other regions differ", l.FallbackRegion, l.Read, l.Source)
}
