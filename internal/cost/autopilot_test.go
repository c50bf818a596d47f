package cost

import (
	"math"
	"testing"
)

// Every rule, with the billed size worked out by hand.
func TestBilled(t *testing.T) {
	for _, c := range []struct {
		name       string
		containers []Container
		inits      []Container
		want       Pod
	}{
		{"a valid shape is billed as asked", []Container{{1, 2, 0.5}}, nil, Pod{1, 2, 0.5}},
		{"nothing set: the defaults", []Container{{}}, nil, Pod{0.5, 2, 1}},
		{"below the minimum", []Container{{0.1, 0.25, 0.005}}, nil, Pod{0.25, 0.5, 10.0 / 1024}},
		{"CPU rounds up to 250m", []Container{{0.3, 1, 1}}, nil, Pod{0.5, 1, 1}},
		// 4 vCPU with 2 GiB: at least 1 GiB per vCPU, so 4 GiB.
		{"too little memory per vCPU", []Container{{4, 2, 1}}, nil, Pod{4, 4, 1}},
		// 0.5 vCPU with 8 GiB: at most 6.5 GiB per vCPU, so 8/6.5 = 1.23
		// vCPU, rounded up to 1.25.
		{"too much memory per vCPU", []Container{{0.5, 8, 1}}, nil, Pod{1.25, 8, 1}},
		{"ephemeral storage capped at 10 GiB", []Container{{1, 1, 20}}, nil, Pod{1, 1, 10}},
		// Sum 0.5 + 0.5 vCPU, 1 + 2 GiB; defaults fill the second's eph.
		{"containers add up", []Container{{0.5, 1, 0.5}, {0.5, 2, 0}}, nil, Pod{1, 3, 1.5}},
		// The init container asks more memory than the app container.
		{"a larger init container counts", []Container{{0.25, 0.5, 1}}, []Container{{0.25, 1, 1}}, Pod{0.25, 1, 1}},
	} {
		got := Billed(c.containers, c.inits)
		if math.Abs(got.CPU-c.want.CPU) > 1e-9 || math.Abs(got.Memory-c.want.Memory) > 1e-9 || math.Abs(got.Ephemeral-c.want.Ephemeral) > 1e-9 {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}
