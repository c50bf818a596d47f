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

// BenchmarkDiffProd measures the diff of two prod plans (a storage class
// change: replacements, protection, risks).
func BenchmarkDiffProd(b *testing.B) {
	base := planJSON(b, "prod", nil)
	head := planJSON(b, "prod", map[string]string{"unlimited-translation:mysqlStorageClass": "premium-rwo"})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DiffJSON("prod", base, head); err != nil {
			b.Fatal(err)
		}
	}
}
