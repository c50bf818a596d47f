package quantity

import "testing"

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
	}{
		{"250m", 0.25},
		{"4000m", 4},
		{"1", 1},
		{"1.5", 1.5},
		{".5", 0.5},
		{"512Mi", 512 * Mi},
		{"2Gi", 2 * Gi},
		{"100M", 100e6},
		{"1k", 1000},
		{"1e3", 1000},
		{"5E-1", 0.5},
	} {
		got, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("Parse(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, in := range []string{"", "2GB", "-1", "abc", "1.", "2 Gi", "1e", "1e99", "m", "Gi"} {
		if _, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) accepted a malformed quantity", in)
		}
	}
}
