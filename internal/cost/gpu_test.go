package cost

import (
	"math"
	"strings"
	"testing"

	"github.com/unlimited-translation/infra/internal/prices"
)

// A GPU backend: its requests as they are (no Autopilot rounding for the
// accelerator class) at Spot pod rates, plus the GPUs at the Spot GPU
// price. Worked by hand from prices.json (us-central1 stands in for
// europe-west1):
//
//	pod:  1 vCPU × 0.0133 + 2 GiB × 0.0014767 + 500/1024 GiB × 0.0000548
//	      = 0.0133 + 0.0029534 + 0.0000267578125 = 0.0162801578125 $/h
//	GPUs: 2 × 0.2231 = 0.4462 $/h
//	month: (0.0162801578125 + 0.4462) × 730
//	       = 0.4624801578125 × 730 = 337.6105152 $
func TestGPUBackendPrice(t *testing.T) {
	p := "unlimited-translation:"
	e, err := ForStack("../..", "dev", map[string]string{p + "backendAccelerator": "nvidia-l4", p + "backendAcceleratorCount": "2"}, prices.Default)
	if err != nil {
		t.Fatal(err)
	}
	var line *Line
	for i, l := range e.Lines {
		if l.Component == "backend" {
			line = &e.Lines[i]
		}
	}
	if line == nil {
		t.Fatalf("no backend line: %+v", e.Lines)
	}
	if math.Abs(line.Monthly-337.6105152) > 1e-6 {
		t.Errorf("backend %.7f/month, want 337.6105152", line.Monthly)
	}
	if !strings.Contains(line.Item, "2 × nvidia-l4") || !strings.Contains(line.Item, "1 vCPU, 2 GiB") {
		t.Errorf("item %q", line.Item)
	}
	if !strings.Contains(line.Assumption, "2 GPU at $0.2231/hour") || !strings.Contains(line.Assumption, "premium is not counted") {
		t.Errorf("assumption %q", line.Assumption)
	}
	// The price list's notes on GPU and Spot figures come with the report.
	notes := strings.Join(e.Notes, "\n")
	if !strings.Contains(notes, "GPU prices per GPU-hour from the SkyPilot catalog") || !strings.Contains(notes, "Spot prices move") {
		t.Errorf("notes:\n%s", notes)
	}

	// On demand, one T4: (1 × 0.0445 + 2 × 0.0049225 + 500/1024 × 0.0000548
	// + 0.35) × 730 = (0.0445 + 0.009845 + 0.0000267578125 + 0.35) × 730
	// = 0.4043717578125 × 730 = 295.1913832 $.
	e, err = ForStack("../..", "dev", map[string]string{p + "backendAccelerator": "nvidia-tesla-t4", p + "spot": "false"}, prices.Default)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range e.Lines {
		if l.Component == "backend" && math.Abs(l.Monthly-295.1913832) > 1e-6 {
			t.Errorf("T4 backend %.7f/month, want 295.1913832", l.Monthly)
		}
	}
}

// A price list without GPU prices says so instead of pricing GPUs at 0
// silently.
func TestGPUWithoutPrice(t *testing.T) {
	list := prices.Default
	r := list.Regions["us-central1"]
	r.GPUHour, r.SpotGPUHour = nil, nil
	list.Regions = map[string]prices.Region{"us-central1": r}
	e, err := ForStack("../..", "dev", map[string]string{"unlimited-translation:backendAccelerator": "nvidia-l4"}, list)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range e.Lines {
		if l.Component == "backend" {
			found = strings.Contains(l.Assumption, "no nvidia-l4 price in the price list")
		}
	}
	if !found {
		t.Errorf("no note of the missing GPU price: %+v", e.Lines)
	}
}
