// Command configdoc prints the stack config reference table that README.md
// holds between its config-table markers; with -w it rewrites README.md.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/unlimited-translation/infra/stacks"
)

func main() {
	write := flag.Bool("w", false, "rewrite README.md in place")
	flag.Parse()
	if !*write {
		fmt.Print(stacks.ConfigTable())
		return
	}
	if err := rewrite("README.md"); err != nil {
		fmt.Fprintln(os.Stderr, "configdoc:", err)
		os.Exit(1)
	}
}

func rewrite(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s, err := stacks.SpliceConfigTable(string(b))
	if err != nil {
		return err
	}
	return os.WriteFile(path, []byte(s), 0o644)
}
