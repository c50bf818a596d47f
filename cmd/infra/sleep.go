package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/spf13/cobra"

	"github.com/unlimited-translation/infra/internal/cost"
	"github.com/unlimited-translation/infra/internal/engine"
	"github.com/unlimited-translation/infra/internal/prices"
	"github.com/unlimited-translation/infra/stacks"
)

// runSleep puts a stack to sleep: it records awake false in the state
// store (engine/awake.go; the stack file is not written, so no commit),
// then runs an up that removes what the program no longer registers.
// Every later infra up reads the record and keeps the stack asleep.
func runSleep(cmd *cobra.Command, e *engine.Engine, f engineFlags) error {
	out := cmd.OutOrStdout()
	scheduled, err := scheduledAt(f)
	if err != nil {
		return err
	}
	switch {
	case e.Config.Local():
		return fmt.Errorf("stack %s is local: nothing of it is billed by Google Cloud, so there is nothing to put to sleep", e.Name)
	case e.Config.Production && !f.forceProd:
		return fmt.Errorf("refusing to put production stack %s to sleep: it would stop serving until woken. To do it on purpose: infra sleep --stack %s --force-prod", e.Name, e.Name)
	}
	st := e.Awake()
	if proceed, err := toward(cmd, e, false, scheduled); err != nil || !proceed {
		return err
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
	if err := backupFirst(cmd, e, f, engine.PinSleep); err != nil {
		return err
	}
	if st.Awake {
		if err := e.SetAwake(cmd.Context(), false); err != nil {
			return err
		}
	}
	if _, err := e.DrainLoadBalancer(cmd.Context()); err != nil {
		return err
	}
	if err := e.Up(cmd.Context(), true); err != nil {
		return fmt.Errorf("%w\nstack %s is recorded asleep (every infra up keeps it so): run infra sleep --stack %s again to finish, or infra wake --stack %s to bring it back", err, e.Name, e.Name, e.Name)
	}
	// The estimate reads the stack file, which does not say it sleeps.
	est, err := cost.ForStack(e.Root, e.Name, map[string]string{stacks.Project + ":awake": "false"}, prices.Default)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "stack %s is asleep; kept:\n", e.Name)
	for _, l := range est.Lines {
		fmt.Fprintf(out, "  - %s: %s (%s/month)\n", l.Component, l.Item, cost.Money(l.Monthly, l.MonthlyMax))
	}
	if certs, err := e.Certificates(cmd.Context()); err != nil {
		fmt.Fprintf(cmd.ErrOrStderr(), "infra: the certificates of %s could not be read: %v\n", e.Name, err)
	} else if note := engine.SleepCertificateNote(certs, e.Name, time.Now()); note != "" {
		fmt.Fprintln(out, note)
	}
	fmt.Fprintf(out, "asleep it costs %s a day (%s a month; infra cost --stack %s). Every infra up keeps it asleep; infra wake --stack %s brings it back.\n",
		cost.Money(est.Daily, est.DailyMax), cost.Money(est.Monthly, est.MonthlyMax), e.Name, e.Name)
	return nil
}

// runWake brings a sleeping stack back: it records awake true, then runs
// an up.
func runWake(cmd *cobra.Command, e *engine.Engine, f engineFlags) error {
	out := cmd.OutOrStdout()
	scheduled, err := scheduledAt(f)
	if err != nil {
		return err
	}
	st := e.Awake()
	if proceed, err := toward(cmd, e, true, scheduled); err != nil || !proceed {
		return err
	}
	// Before the stack is recorded awake: a lapsed certificate is
	// replaced by the up below.
	risks, err := certificateRisks(cmd, e)
	if err != nil {
		return err
	}
	var lapsed []resource.URN
	for _, r := range risks {
		if r.Lapsed && r.Protected {
			return fmt.Errorf("refusing to wake stack %s, nothing was changed: %s", e.Name, r.Message)
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "infra: %s\n", r.Message)
		if r.Lapsed {
			lapsed = append(lapsed, r.URN)
		}
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
	if !st.Awake {
		if err := e.SetAwake(cmd.Context(), true); err != nil {
			return err
		}
	}
	if err := e.UpReplacing(cmd.Context(), true, lapsed); err != nil {
		return fmt.Errorf("%w\nstack %s is recorded awake; infra wake --stack %s (or infra up --stack %s) finishes waking it", err, e.Name, e.Name, e.Name)
	}
	fmt.Fprintf(out, "stack %s is awake: the same data disk, address, DNS records and certificate; HTTPS serves as soon as the load balancer is programmed.\n", e.Name)
	return nil
}

// scheduledAt parses --scheduled-at; the zero time when not given.
func scheduledAt(f engineFlags) (time.Time, error) {
	if f.scheduledAt == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, f.scheduledAt)
	if err != nil {
		return time.Time{}, usageError{fmt.Errorf("--scheduled-at %q is not an RFC 3339 time (e.g. 2025-01-31T19:00:00Z)", f.scheduledAt)}
	}
	return t, nil
}

// toward decides whether a sleep (want false) or a wake (want true) has
// work to do, and says why when it has none. Already in that state: done
// unless the up that recorded it did not finish (then it runs again), or
// the stack file pins it. Otherwise: refused when the file pins the other
// state, left alone when a person changed it after the scheduled time.
func toward(cmd *cobra.Command, e *engine.Engine, want bool, scheduled time.Time) (bool, error) {
	out := cmd.OutOrStdout()
	st := e.Awake()
	if st.Awake != want {
		if st.Pinned {
			return false, &engine.PinnedError{Stack: e.Name, Verb: map[bool]string{false: "sleep", true: "wake"}[want], Awake: st.Awake}
		}
		return !leave(cmd, e, scheduled), nil
	}
	done, err := deployedAs(cmd, e, want)
	if err != nil {
		return false, err
	}
	switch {
	case (done || st.Pinned) && want:
		fmt.Fprintf(out, "stack %s is awake\n", e.Name)
	case done || st.Pinned:
		fmt.Fprintf(out, "%s; infra wake --stack %s brings it back\n", alreadyNote(e), e.Name)
	case want:
		fmt.Fprintf(out, "stack %s is recorded awake (%s) but still sleeps: finishing the wake\n", e.Name, st.Record.Since())
	default:
		fmt.Fprintf(out, "stack %s is recorded asleep (%s) but still runs parts that sleep removes: finishing the sleep\n", e.Name, st.Record.Since())
	}
	return !done && !st.Pinned, nil
}

// leave tells whether a scheduled transition leaves the stack as it is,
// and says why (engine.AwakeState.ScheduledLeave).
func leave(cmd *cobra.Command, e *engine.Engine, scheduled time.Time) bool {
	why := e.Awake().ScheduledLeave(e.Name, scheduled)
	if why != "" {
		fmt.Fprintln(cmd.OutOrStdout(), why)
	}
	return why != ""
}

// deployedAs tells whether the last up left the stack as awake says (its
// awake output; a stack never deployed, or without the output, counts as
// done): a sleep or wake whose up failed is finished by running it again.
func deployedAs(cmd *cobra.Command, e *engine.Engine, awake bool) (bool, error) {
	outs, err := e.Outputs(cmd.Context(), false)
	if err != nil {
		return false, err
	}
	v, ok := outs["awake"].(bool)
	return !ok || v == awake, nil
}

// alreadyNote says that a sleeping stack sleeps, and since when.
func alreadyNote(e *engine.Engine) string {
	return strings.Replace(e.AsleepNote(), " is asleep", " is already asleep", 1)
}

// previewAwake shows what wake (or sleep) would do, from the engine's own
// preview with awake overridden in memory: nothing is recorded or written.
func previewAwake(cmd *cobra.Command, e *engine.Engine, awake bool) error {
	r, err := e.PreviewAwake(cmd.Context(), awake)
	if err != nil {
		return err
	}
	verb := "sleep"
	if awake {
		verb = "wake"
	}
	fmt.Fprintf(cmd.OutOrStdout(), "infra %s --stack %s would: %s\nnothing was changed\n", verb, e.Name, r.Summary())
	if at := r.AtRisk(); len(at) > 0 {
		fmt.Fprintf(cmd.OutOrStdout(), "at risk: %s\n", strings.Join(at, ", "))
	}
	return nil
}

// certificateRisks reads what a sleep does to the stack's certificates
// (engine.CertificateRisks): nothing for a local or awake stack.
func certificateRisks(cmd *cobra.Command, e *engine.Engine) ([]engine.CertificateRisk, error) {
	if e.Config.Local() || e.Awake().Awake {
		return nil, nil
	}
	certs, err := e.Certificates(cmd.Context())
	if err != nil {
		return nil, fmt.Errorf("reading the certificates of %s: %w", e.Name, err)
	}
	return engine.CertificateRisks(certs, e.Name, true, time.Now()), nil
}
