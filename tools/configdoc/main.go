// Command configdoc prints the stack config reference table that README.md
// holds between its config-table markers; with -w it rewrites README.md.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/unlimited-translation/infra/stacks"
)

func main() {
	write := flag.Bool("w", false, "rewrite README.md in place")
	flag.Parse()
	table := stacks.ConfigTable()
	if !*write {
		fmt.Print(table)
		return
	}
	b, err := os.ReadFile("README.md")
	if err != nil {
		fmt.Fprintln(os.Stderr, "configdoc:", err)
		os.Exit(1)
	}
	const start, end = "<!-- config-table:start -->\n", "<!-- config-table:end -->"
	s := string(b)
	i, j := strings.Index(s, start), strings.Index(s, end)
	if i < 0 || j < i {
		fmt.Fprintln(os.Stderr, "configdoc: README.md lacks the config-table markers")
		os.Exit(1)
	}
	if err := os.WriteFile("README.md", []byte(s[:i+len(start)]+table+s[j:]), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "configdoc:", err)
		os.Exit(1)
	}
}
