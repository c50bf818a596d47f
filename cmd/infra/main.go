// Command infra runs the unlimited-translation stacks: `infra plan` shows
// offline what a stack would create; preview, up, destroy, refresh, outputs
// and drift run the real Pulumi engine through the Automation API.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"early.invalid/termquiet"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/unlimited-translation/infra/internal/suggest"
	"github.com/unlimited-translation/infra/stacks"
)

func main() {
	termquiet.Restore()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// usageError marks mistakes in the command line itself (exit code 2).
type usageError struct{ error }

// run executes the CLI and returns its exit code: 0 success, 1 failure,
// 2 bad usage. Errors are printed as one clear message, never a trace.
func run(args []string, stdout, stderr io.Writer) (code int) {
	// A bug must still end in one line, never a Go stack trace.
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "infra: internal error: %v (please report it with the command you ran)\n", r)
			code = 1
		}
	}()
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "infra: "+message(err))
	var ue usageError
	var ee exitError
	switch {
	case errors.As(err, &ue), strings.HasPrefix(err.Error(), "unknown command"):
		return 2
	case errors.As(err, &ee):
		return ee.code
	}
	return 1
}

// message extracts the user-facing text, unwrapping the multierror the
// Pulumi SDK wraps program errors in.
func message(err error) string {
	var ce *stacks.ConfigError
	if errors.As(err, &ce) {
		return ce.Error()
	}
	return err.Error()
}

// flagError is a usage error (exit 2) that, for an unknown flag, names the
// command's flag it was probably meant to be.
func flagError(cmd *cobra.Command, err error) error {
	name, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !ok {
		return usageError{err}
	}
	var flags []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) { flags = append(flags, f.Name) })
	if near := suggest.Nearest(name, flags); near != "" {
		return usageError{fmt.Errorf("%w (did you mean --%s?)", err, near)}
	}
	return usageError{err}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "infra",
		Short:         "Provision and inspect the unlimited-translation stacks",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(flagError)
	root.AddCommand(newPlanCmd())
	root.AddCommand(newCostCmd())
	root.AddCommand(newBootstrapCmd())
	root.AddCommand(engineCommands()...)
	return root
}
