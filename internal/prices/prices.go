// Package prices holds the GCP list prices infra reports costs with. The
// figures live in prices.json, with the date they were read and their
// source, so they are updated without touching code.
package prices

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

//go:embed prices.json
var raw []byte

// List is the price list.
type List struct {
	Read         string             `json:"read"`
	Region       string             `json:"region"`
	Source       string             `json:"source"`
	DiskGiBMonth map[string]float64 `json:"diskGiBMonth"`
	// StorageGiBMonth is Cloud Storage Standard in one region.
	StorageGiBMonth float64 `json:"storageGiBMonth"`
}

// Default is the list embedded in the binary.
var Default = func() List {
	var l List
	if err := json.Unmarshal(raw, &l); err != nil {
		panic(fmt.Sprintf("prices.json: %v", err)) // a build defect, caught by the tests
	}
	return l
}()

// DiskMonthly is what a persistent disk costs per month: its size times
// the type's price, twice for a regional disk (two replicas are billed).
func (l List) DiskMonthly(diskType string, gib int, regional bool) (float64, bool) {
	p, ok := l.DiskGiBMonth[diskType]
	if !ok {
		return 0, false
	}
	cost := p * float64(gib)
	if regional {
		cost *= 2
	}
	return cost, true
}

// Note says where the figures come from, for the end of a report.
func (l List) Note() string {
	return fmt.Sprintf("%s list prices read %s (%s); other regions differ", l.Region, l.Read, l.Source)
}
