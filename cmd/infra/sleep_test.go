package main

import (
	"strings"
	"testing"
	"time"
)

// --scheduled-at takes an RFC 3339 time; anything else is a usage error
// that names the flag and the format, before any engine work.
func TestScheduledAtFlag(t *testing.T) {
	for _, c := range []struct {
		value string
		want  time.Time
		bad   bool
	}{
		{"", time.Time{}, false},
		{"2025-01-31T19:00:00Z", time.Date(2025, 1, 31, 19, 0, 0, 0, time.UTC), false},
		{"2025-01-31T20:00:00+01:00", time.Date(2025, 1, 31, 19, 0, 0, 0, time.UTC), false},
		{"19:00", time.Time{}, true},
		{"2025-01-31 19:00:00", time.Time{}, true},
		{"2025-01-31T19:00:00", time.Time{}, true}, // no zone: ambiguous
	} {
		got, err := scheduledAt(engineFlags{scheduledAt: c.value})
		if (err != nil) != c.bad || !got.Equal(c.want) {
			t.Errorf("%q: %v, %v", c.value, got, err)
		}
	}
	for _, verb := range []string{"sleep", "wake"} {
		_, stderr, code := infra(t, verb, "--stack", "dev", "--yes", "--scheduled-at", "tonight")
		if code != 2 || !strings.Contains(stderr, `--scheduled-at "tonight" is not an RFC 3339 time (e.g. 2025-01-31T19:00:00Z)`) {
			t.Errorf("%s --scheduled-at tonight: exit %d\n%s", verb, code, stderr)
		}
	}
}
