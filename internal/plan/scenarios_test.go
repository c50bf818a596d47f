package plan

import (
	"testing"

	"github.com/unlimited-translation/infra/internal/report"
	"github.com/unlimited-translation/infra/internal/scenarios"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func planJSON(t testing.TB, stack string, set map[string]string) []byte {
	t.Helper()
	pl, err := Stack("../..", stack, set)
	if err != nil {
		t.Fatal(err)
	}
	b, err := pl.FingerprintJSON(testKey)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestScenarios(t *testing.T) {
	for _, s := range scenarios.All {
		t.Run(s.Name, func(t *testing.T) {
			r, err := DiffJSON(s.Stack, planJSON(t, s.Stack, nil), planJSON(t, s.Stack, s.Set))
			if err != nil {
				t.Fatal(err)
			}
			s.Check(t, r)
			if t.Failed() {
				t.Log(r.Markdown(report.MaxMarkdown))
			}
		})
	}
}
