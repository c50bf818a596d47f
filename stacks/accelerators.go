package stacks

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/unlimited-translation/infra/components"
)

// GPU is what this tool knows of one GKE accelerator type.
type GPU struct {
	// Counts are the GPUs per node Autopilot offers for the type (GKE,
	// "Deploy GPU workloads in Autopilot", read 2026-04 through a crawl).
	Counts []int
	// Regions where Compute Engine has the type in at least one zone.
	// Google's "GPU regions and zones availability" page was not among
	// the sources here: the list is the SkyPilot catalog's (an export of
	// Google's Cloud Catalog and Compute APIs, catalogs/v8/gcp/vms.csv at
	// 006059e0), limited to the regions in Regions.
	Regions []string
}

// GPUs are the accelerator types backendAccelerator accepts. Others exist
// (A100, H100 and newer); they are left out until their regions and
// prices are in the repository, and the translation models do not need
// them.
var GPUs = map[string]GPU{
	"nvidia-l4": {Counts: []int{1, 2, 4, 8}, Regions: []string{
		"asia-east1", "asia-northeast1", "asia-northeast3", "asia-south1", "asia-southeast1",
		"europe-west1", "europe-west2", "europe-west3", "europe-west4", "europe-west6",
		"me-central2", "northamerica-northeast1", "northamerica-northeast2",
		"us-central1", "us-east1", "us-east4", "us-west1", "us-west4",
	}},
	"nvidia-tesla-t4": {Counts: []int{1, 2, 4}, Regions: []string{
		"asia-east1", "asia-east2", "asia-northeast1", "asia-northeast3", "asia-south1", "asia-southeast1", "asia-southeast2",
		"australia-southeast1", "europe-central2",
		"europe-west1", "europe-west2", "europe-west3", "europe-west4",
		"me-west1", "northamerica-northeast1", "southamerica-east1",
		"us-central1", "us-east1", "us-east4", "us-west1", "us-west2", "us-west3", "us-west4",
	}},
}

// backendAccelerator is the backend's GPU, or nil for the CPU backend.
func backendAccelerator(c Config) *components.Accelerator {
	if c.BackendAccelerator == "" || c.Local() {
		return nil
	}
	return &components.Accelerator{Type: c.BackendAccelerator, Count: c.BackendAcceleratorCount}
}

// checkAccelerator validates backendAccelerator and its count.
func (v *validation) checkAccelerator(c Config) {
	if c.BackendAccelerator == "" {
		return
	}
	if c.Local() {
		v.add("backendAccelerator", "is set on a local stack; GPUs are an Autopilot option here", "pulumi config rm backendAccelerator --stack "+v.stack)
		return
	}
	names := slices.Sorted(maps.Keys(GPUs))
	g, ok := GPUs[c.BackendAccelerator]
	if !ok {
		v.add("backendAccelerator", fmt.Sprintf("%q is not one of %s", c.BackendAccelerator, strings.Join(names, ", ")), v.setFix("backendAccelerator", "nvidia-l4"))
		return
	}
	if !slices.Contains(g.Counts, c.BackendAcceleratorCount) {
		counts := make([]string, len(g.Counts))
		for i, n := range g.Counts {
			counts[i] = strconv.Itoa(n)
		}
		v.add("backendAcceleratorCount", fmt.Sprintf("is %d; a %s node has %s GPUs", c.BackendAcceleratorCount, c.BackendAccelerator, strings.Join(counts, ", ")),
			v.setFix("backendAcceleratorCount", "1"))
	}
	if !slices.Contains(g.Regions, c.Region) {
		var here []string
		for _, n := range names {
			if slices.Contains(GPUs[n].Regions, c.Region) {
				here = append(here, n)
			}
		}
		alt := "no GPU type this tool knows is offered there"
		if len(here) > 0 {
			alt = "offered there: " + strings.Join(here, ", ")
		}
		v.add("backendAccelerator", fmt.Sprintf("%s is not offered in %s; %s", c.BackendAccelerator, c.Region, alt),
			"choose a region with it, e.g. pulumi config set gcp:region us-central1 --stack "+v.stack+", or another type")
	}
}
