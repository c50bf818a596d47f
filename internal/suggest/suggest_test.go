package suggest

import "testing"

func TestNearest(t *testing.T) {
	for _, tc := range []struct {
		s          string
		candidates []string
		want       string
	}{
		{"stak", []string{"stack", "dir", "yes"}, "stack"},
		{"dve", []string{"dev", "local", "prod"}, "dev"},
		{"prd", []string{"dev", "local", "prod"}, "prod"},
		{"backendReplica", []string{"backendReplicas", "frontendReplicas"}, "backendReplicas"},
		// Nothing in common, or too far: no guess.
		{"b", []string{"a"}, ""},
		{"staging", []string{"dev", "prod"}, ""},
		{"", []string{"dev"}, ""},
	} {
		if got := Nearest(tc.s, tc.candidates); got != tc.want {
			t.Errorf("Nearest(%q, %v) = %q, want %q", tc.s, tc.candidates, got, tc.want)
		}
	}
}
