package stacks

import (
	"fmt"
	"strings"
)

// ConfigTable renders Settings as the README's config reference table.
func ConfigTable() string {
	var b strings.Builder
	b.WriteString("| key | type | default (dev) | default (prod) | default (local) | description |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- |\n")
	cell := func(s string) string {
		if s == "" {
			return `""`
		}
		return "`" + s + "`"
	}
	for _, s := range Settings {
		cols := []string{s.Default("dev"), s.Default("prod"), s.Default("local")}
		if !s.Required {
			for i := range cols {
				cols[i] = cell(cols[i])
			}
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", s.Name(), s.Type, strings.Join(cols, " | "), s.Doc)
	}
	return b.String()
}
