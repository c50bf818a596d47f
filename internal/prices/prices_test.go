package prices

import "testing"

func TestDiskMonthly(t *testing.T) {
	for _, c := range []struct {
		typ      string
		gib      int
		regional bool
		want     float64
	}{
		{"pd-balanced", 1, false, 0.10},  // 1 × $0.10
		{"pd-balanced", 10, true, 2.00},  // 10 × $0.10 × 2 replicas
		{"pd-ssd", 20, false, 3.40},      // 20 × $0.17
		{"pd-standard", 200, true, 16.0}, // 200 × $0.04 × 2
	} {
		got, ok := Default.DiskMonthly(c.typ, c.gib, c.regional)
		if !ok || got < c.want-1e-9 || got > c.want+1e-9 {
			t.Errorf("%s %d GiB regional=%v: $%.4f, want $%.2f", c.typ, c.gib, c.regional, got, c.want)
		}
	}
	if _, ok := Default.DiskMonthly("hyperdisk", 1, false); ok {
		t.Error("an unknown disk type has a price")
	}
}
