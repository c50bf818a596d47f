package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/unlimited-translation/infra/internal/engine"
)

// leftovers reports what GKE left in the project once a destroy has run
// (destroyErr is its outcome) and deletes it when asked to: --delete-leftovers,
// or a yes at the terminal. A destroy refused or interrupted before it
// started deleting leaves nothing to look for.
func leftovers(cmd *cobra.Command, e *engine.Engine, f engineFlags, destroyErr error) error {
	var failed *engine.DestroyError
	if e.Config.Local() || cmd.Context().Err() != nil || (destroyErr != nil && !errors.As(destroyErr, &failed)) {
		return nil
	}
	errOut := cmd.ErrOrStderr()
	left, err := e.Leftovers(cmd.Context())
	if err != nil {
		fmt.Fprintf(errOut, "infra: warning: could not list what GKE left in project %s: %v\n", e.Config.GCPProject, err)
		return nil
	}
	if len(left) == 0 {
		return nil
	}
	fmt.Fprintf(errOut, "infra: GKE left %d resource(s) of %s in project %s; they are billed or block deleting the network:\n", len(left), e.Name, e.Config.GCPProject)
	for _, l := range left {
		fmt.Fprintf(errOut, "  - %s\n", l)
	}
	again := ""
	if destroyErr != nil {
		again = fmt.Sprintf(", then infra destroy --stack %s again", e.Name)
	}
	notDeleted := fmt.Errorf("GKE's leftovers of %s were not deleted: infra destroy --stack %s --delete-leftovers deletes them%s", e.Name, e.Name, again)
	if !f.leftovers {
		if f.yes || canAsk(cmd, "delete the leftovers of", e.Name) != nil {
			return notDeleted
		}
		if err := ask(cmd, fmt.Sprintf("Delete these %d leftover(s) of %s?", len(left), e.Name)); err != nil {
			return notDeleted
		}
	}
	if err := e.DeleteLeftovers(cmd.Context(), left); err != nil {
		return fmt.Errorf("deleting what GKE left of %s: %w", e.Name, err)
	}
	if destroyErr != nil {
		fmt.Fprintf(errOut, "infra: the leftovers are gone: infra destroy --stack %s again finishes the destroy\n", e.Name)
	}
	return nil
}
