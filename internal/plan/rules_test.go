package plan

import (
	"strings"
	"testing"

	"github.com/unlimited-translation/infra/internal/rules"
)

// Every resource type a stack registers has its own entry in the rules
// table: a new type must come with its provider's replacement rules.
func TestEveryTypeHasRules(t *testing.T) {
	for _, c := range []struct {
		stack string
		set   map[string]string
	}{{"dev", nil}, {"prod", nil}, {"local", nil}, {"dev", map[string]string{"unlimited-translation:mlflow": "true"}}} {
		stack := c.stack
		p, err := Stack("../..", stack, c.set)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Resources {
			if !r.Custom || r.Type == "pulumi:pulumi:Stack" {
				continue
			}
			if !rules.Known(r.Type) {
				t.Errorf("%s: %s has no entry in internal/rules/table.go", stack, r.Type)
			}
		}
	}
	for _, typ := range rules.Types() {
		r, _ := rules.For(typ)
		if !strings.Contains(r.Source, " v") || len(r.ForceNew) == 0 {
			t.Errorf("%s: entry without an upstream source or force-new inputs", typ)
		}
	}
}

// The unknown-type check works: a type nobody knows has no entry.
func TestUnknownTypeHasNoRules(t *testing.T) {
	if rules.Known("gcp:redis/instance:Instance") {
		t.Error("a type never added is known")
	}
}
