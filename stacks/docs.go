package stacks

import (
	"fmt"
	"strings"
)

// README markers around the generated config table.
const (
	tableStart = "<!-- config-table:start -->\n"
	tableEnd   = "<!-- config-table:end -->"
)

// SpliceConfigTable returns readme with the text between its config-table
// markers replaced by ConfigTable.
func SpliceConfigTable(readme string) (string, error) {
	i, j := strings.Index(readme, tableStart), strings.Index(readme, tableEnd)
	if i < 0 || j < i {
		return "", fmt.Errorf("README lacks the %q ... %q markers", strings.TrimSpace(tableStart), tableEnd)
	}
	return readme[:i+len(tableStart)] + ConfigTable() + readme[j:], nil
}

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
