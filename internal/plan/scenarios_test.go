package plan

import (
	"strings"
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
			md := r.Markdown(report.MaxMarkdown)
			// No noise: no empty paths, no provider-version changes, no
			// absent-versus-empty, no unknown-versus-unknown.
			for _, noise := range []string{"- ``:", "default_7_38_0", "(none) → `{}`", "`{}` → (none)", "`(known after apply)` → `(known after apply)`"} {
				if strings.Contains(md, noise) {
					t.Errorf("the report holds noise %q", noise)
				}
			}
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

// A secret-derived input that changes is reported as changed (secret),
// and never shows either value or its fingerprint.
func TestSecretChangeByContent(t *testing.T) {
	r, err := DiffJSON("dev", planJSON(t, "dev", nil), planJSON(t, "dev", map[string]string{"unlimited-translation:mysqlUser": "app"}))
	if err != nil {
		t.Fatal(err)
	}
	md := r.Markdown(report.MaxMarkdown)
	if !strings.Contains(md, "- `stringData.MYSQL_USER`: changed (secret)") || strings.Contains(md, "[secret:") || strings.Contains(md, "app") && strings.Contains(md, "MYSQL_USER`: `") {
		t.Errorf("secret change not reported by content:\n%s", md)
	}
	// The same plan twice: fingerprints equal, nothing changes.
	same, err := DiffJSON("dev", planJSON(t, "dev", nil), planJSON(t, "dev", nil))
	if err != nil || same.HasChanges() {
		t.Errorf("an unchanged stack shows changes: %v %v", err, same.Changes)
	}
}
