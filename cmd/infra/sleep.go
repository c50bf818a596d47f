package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/unlimited-translation/infra/internal/cost"
	"github.com/unlimited-translation/infra/internal/engine"
	"github.com/unlimited-translation/infra/internal/prices"
)

// runSleep puts a stack to sleep: awake false in its stack file (so a
// plain `pulumi up` keeps it asleep), then an up that removes what the
// program no longer registers.
func runSleep(cmd *cobra.Command, e *engine.Engine, f engineFlags) error {
	out := cmd.OutOrStdout()
	switch {
	case e.Config.Local():
		return fmt.Errorf("stack %s is local: nothing of it is billed by Google Cloud, so there is nothing to put to sleep", e.Name)
	case e.Config.Production && !f.forceProd:
		return fmt.Errorf("refusing to put production stack %s to sleep: it would stop serving until woken. To do it on purpose: infra sleep --stack %s --force-prod", e.Name, e.Name)
	case !e.Config.Awake:
		fmt.Fprintf(out, "stack %s is already asleep (awake: false in Pulumi.%s.yaml); infra wake --stack %s brings it back\n", e.Name, e.Name, e.Name)
		return nil
	}
	if f.preview {
		return previewAwake(cmd, e, false)
	}
	if !f.yes {
		if err := canAsk(cmd, "sleep", e.Name); err != nil {
			return err
		}
		if err := ask(cmd, fmt.Sprintf("Put stack %s to sleep (its cluster and load balancer are deleted; the data, address, DNS and certificate stay)?", e.Name)); err != nil {
			return err
		}
	}
	if err := backupFirst(cmd, e, f); err != nil {
		return err
	}
	if err := e.SetAwake(cmd.Context(), false); err != nil {
		return err
	}
	if err := e.Up(cmd.Context(), true); err != nil {
		return fmt.Errorf("%w\nthe stack file now says awake: false; run infra sleep --stack %s again to finish, or infra wake --stack %s", err, e.Name, e.Name)
	}
	est, err := cost.ForStack(e.Root, e.Name, nil, prices.Default)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "stack %s is asleep; kept:\n", e.Name)
	for _, l := range est.Lines {
		fmt.Fprintf(out, "  - %s: %s (%s/month)\n", l.Component, l.Item, cost.Money(l.Monthly, l.MonthlyMax))
	}
	fmt.Fprintf(out, "asleep it costs %s a day (%s a month; infra cost --stack %s). Commit Pulumi.%s.yaml (awake: false); infra wake --stack %s brings it back.\n",
		cost.Money(est.Daily, est.DailyMax), cost.Money(est.Monthly, est.MonthlyMax), e.Name, e.Name, e.Name)
	return nil
}

// runWake brings a sleeping stack back: awake true, then an up.
func runWake(cmd *cobra.Command, e *engine.Engine, f engineFlags) error {
	out := cmd.OutOrStdout()
	if e.Config.Awake {
		fmt.Fprintf(out, "stack %s is awake\n", e.Name)
		return nil
	}
	if f.preview {
		return previewAwake(cmd, e, true)
	}
	if !f.yes {
		// As up does: the engine's own preview, then a question, since
		// waking brings the hourly bill back.
		if err := canAsk(cmd, "wake", e.Name); err != nil {
			return err
		}
		r, err := e.PreviewAwake(cmd.Context(), true)
		if err != nil {
			return err
		}
		if err := ask(cmd, fmt.Sprintf("Wake stack %s (%s)?", e.Name, r.Summary())); err != nil {
			return err
		}
	}
	if err := e.SetAwake(cmd.Context(), true); err != nil {
		return err
	}
	if err := e.Up(cmd.Context(), true); err != nil {
		return fmt.Errorf("%w\nthe stack file now says it is awake; infra up --stack %s finishes waking it", err, e.Name)
	}
	fmt.Fprintf(out, "stack %s is awake: the same data disk, address, DNS records and certificate; HTTPS serves as soon as the load balancer is programmed. Commit Pulumi.%s.yaml.\n", e.Name, e.Name)
	return nil
}

// previewAwake shows what wake (or sleep) would do, from the engine's own
// preview with awake overridden in memory: the stack file is not written.
func previewAwake(cmd *cobra.Command, e *engine.Engine, awake bool) error {
	r, err := e.PreviewAwake(cmd.Context(), awake)
	if err != nil {
		return err
	}
	verb := "sleep"
	if awake {
		verb = "wake"
	}
	fmt.Fprintf(cmd.OutOrStdout(), "infra %s --stack %s would: %s\nnothing was changed (Pulumi.%s.yaml included)\n", verb, e.Name, r.Summary(), e.Name)
	if at := r.AtRisk(); len(at) > 0 {
		fmt.Fprintf(cmd.OutOrStdout(), "at risk: %s\n", strings.Join(at, ", "))
	}
	return nil
}
