// Command costdoc prints the cost table README.md holds between its
// cost-table markers, from `infra cost` of the committed stacks; with -w it
// rewrites README.md.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/unlimited-translation/infra/internal/cost"
	"github.com/unlimited-translation/infra/internal/prices"
)

func main() {
	write := flag.Bool("w", false, "rewrite README.md in place")
	flag.Parse()
	table, err := cost.ReadmeTable(".", prices.Default)
	if err == nil && *write {
		var b []byte
		if b, err = os.ReadFile("README.md"); err == nil {
			var s string
			if s, err = cost.SpliceReadme(string(b), table); err == nil {
				err = os.WriteFile("README.md", []byte(s), 0o644)
			}
		}
	} else if err == nil {
		fmt.Print(table)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "costdoc:", err)
		os.Exit(1)
	}
}
