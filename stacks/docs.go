package stacks

import (
	"fmt"
	"strings"
)

// ConfigTable renders Settings as the README's config reference table.
func ConfigTable() string {
	var b strings.Builder
	b.WriteString("| key | type | default (dev) | default (prod) | description |\n")
	b.WriteString("| --- | --- | --- | --- | --- |\n")
	cell := func(s string) string {
		if s == "" {
			return `""`
		}
		return "`" + s + "`"
	}
	for _, s := range Settings {
		dev, prod := s.Default("dev"), s.Default("prod")
		if !s.Required {
			dev, prod = cell(dev), cell(prod)
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", s.Name(), s.Type, dev, prod, s.Doc)
	}
	return b.String()
}
