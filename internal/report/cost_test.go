package report

import (
	"strings"
	"testing"
)

// The cost column and its details, with figures chosen by hand.
func TestCostCell(t *testing.T) {
	base := &Money{Min: 45.17, Max: 45.17}
	parts := func(backend float64) map[string]Money {
		return map[string]Money{"backend": {backend, backend}, "load balancer": {18.25, 18.25}}
	}
	up := NewCost(base, parts(11.88), Money{68.944, 68.944}, parts(35.65), 10)
	if got := up.cell(); got != "📈 $45.17 → $68.94 (+$23.77)" {
		t.Errorf("cell %q", got)
	}
	if len(up.Components) != 1 || up.Components[0].Component != "backend" {
		t.Errorf("changed components %+v: only the backend changed", up.Components)
	}
	if d := up.details(); !strings.Contains(d, "- `backend`: $11.88 → $35.65: +$23.77/month") || !strings.Contains(d, "📈 more than $10.00/month") {
		t.Errorf("details:\n%s", d)
	}
	// A saving below any threshold, and an autoscaled range.
	down := NewCost(&Money{322.66, 481.43}, nil, Money{320.66, 479.43}, nil, 10)
	if got := down.cell(); got != "$322.66-481.43 → $320.66-479.43 (-$2.00)" || down.Over {
		t.Errorf("saving: %q over=%v", got, down.Over)
	}
	// Only the top of the range crosses the threshold.
	wide := NewCost(&Money{100, 100}, nil, Money{100, 150}, nil, 10)
	if got := wide.cell(); got != "📈 $100.00 → $100.00-150.00 (±$0.00 to +$50.00)" {
		t.Errorf("range: %q", got)
	}
	if got := NewCost(nil, nil, Money{45.17, 45.17}, nil, 10).cell(); got != "new: $45.17" {
		t.Errorf("new stack: %q", got)
	}
	var none *Cost
	if none.cell() != "—" || none.details() != "" {
		t.Error("a report without cost shows one")
	}
}
