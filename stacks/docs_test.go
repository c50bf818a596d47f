package stacks

import (
	"os"
	"strings"
	"testing"
)

// The README's config table is generated from Settings; this keeps it true.
// Regenerate with: go run ./tools/configdoc -w
func TestREADMEConfigTable(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := SpliceConfigTable(string(b))
	if err != nil {
		t.Fatal(err)
	}
	if want != string(b) {
		t.Errorf("README config table is stale: run go run ./tools/configdoc -w")
	}
}

func TestEverySettingIsDocumented(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Settings {
		if seen[s.Key] {
			t.Errorf("duplicate setting %s", s.Key)
		}
		seen[s.Key] = true
		if s.Type == "" || !strings.HasSuffix(s.Doc, ".") {
			t.Errorf("%s: type %q, doc %q (want a type and a sentence)", s.Key, s.Type, s.Doc)
		}
	}
}
