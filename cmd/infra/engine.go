package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/unlimited-translation/infra/internal/engine"
	"github.com/unlimited-translation/infra/internal/kubejob"
	"github.com/unlimited-translation/infra/internal/prices"
	"github.com/unlimited-translation/infra/internal/report"
)

// exitError carries an exit code other than 1 (drift: 2) with its message.
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

type engineFlags struct {
	stack       string
	dir         string
	yes         bool
	markdown    string
	showSecrets bool
	json        bool
	jsonFile    string
	skipRefresh bool
	breakLock   bool
	breakCILock bool
	deleteData  bool
	skipBackup  bool
	leftovers   bool
	from        string
	force       bool
	verify      bool
	forceProd   bool
	preview     bool
	scheduledAt string
}

// newEngineCmd builds one verb that runs the real Pulumi engine.
func newEngineCmd(use, short string, run func(*cobra.Command, *engine.Engine, engineFlags) error, flags ...string) *cobra.Command {
	var f engineFlags
	cmd := &cobra.Command{
		Use:   use + " --stack NAME",
		Short: short,
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.stack == "" {
				return usageError{fmt.Errorf("--stack is required (e.g. infra %s --stack dev)", use)}
			}
			if _, err := scheduledAt(f); err != nil {
				return err
			}
			if f.verify && f.force {
				return usageError{errors.New("--verify and --force do not go together: --verify loads into a scratch database and never touches the app's, so there is nothing to force")}
			}
			in := watchInterrupts(cmd.ErrOrStderr(), f.stack)
			defer in.stop()
			e, err := engine.Open(cmd.Context(), f.dir, f.stack, cmd.OutOrStdout(), cmd.ErrOrStderr())
			if engine.DamagedCheckpoint(err) && use == "repair" {
				did, rerr := engine.RestoreCheckpoint(cmd.Context(), f.dir, f.stack)
				if rerr != nil {
					return rerr
				}
				fmt.Fprintln(cmd.OutOrStdout(), "repair: "+did)
				e, err = engine.Open(cmd.Context(), f.dir, f.stack, cmd.OutOrStdout(), cmd.ErrOrStderr())
			}
			if err != nil {
				return damaged(err, f.stack)
			}
			in.attach(e)
			if use != "outputs" {
				// Before any lock is taken: which CI run this is (ciruns.go).
				defer e.MarkCIRun(cmd.Context())()
			}
			if use != "repair" && use != "outputs" {
				// A stack left broken by an interrupted run is said so, with
				// its repair, before anything runs on it.
				h, err := e.Health(cmd.Context())
				if err != nil {
					return damaged(err, f.stack)
				}
				if !h.OK() {
					code := 1
					if use == "drift" {
						code = 3
					}
					return exitError{code: code, msg: h.Error()}
				}
				// wake and drift say these themselves, and act on them.
				if use != "wake" && use != "drift" {
					for _, w := range h.Warnings {
						fmt.Fprintf(cmd.ErrOrStderr(), "infra: warning: %s\n", w)
					}
					// drift reports backups itself and exits on them.
					if w := e.BackupWarning(cmd.Context(), time.Now()); w != "" {
						fmt.Fprintf(cmd.ErrOrStderr(), "infra: warning: %s\n", w)
					}
				}
			}
			return in.result(use, e, damaged(run(cmd, e, f), f.stack))
		},
	}
	cmd.Flags().StringVarP(&f.stack, "stack", "s", "", "stack to operate on")
	cmd.Flags().StringVar(&f.dir, "dir", ".", "project directory holding Pulumi.yaml")
	for _, name := range flags {
		switch name {
		case "yes":
			cmd.Flags().BoolVarP(&f.yes, "yes", "y", false, "do not ask for confirmation (required without a terminal)")
		case "break-lock":
			cmd.Flags().BoolVar(&f.breakLock, "break-lock", false, "also break a lock taken on another machine (a person who knows that run is over; CI uses --break-ci-lock)")
			cmd.Flags().BoolVar(&f.breakCILock, "break-ci-lock", false, "also break a lock taken on another machine when it is provably held by a GitHub Actions run of this repository that has ended (needs GITHUB_TOKEN with actions: read); never a person's lock")
			cmd.MarkFlagsMutuallyExclusive("break-lock", "break-ci-lock")
		case "refresh":
			cmd.Flags().BoolVar(&f.skipRefresh, "skip-refresh", false, "do not read the cloud back into the state first")
		case "markdown":
			cmd.Flags().StringVar(&f.markdown, "markdown", "", "also write the report as Markdown (a pull-request comment) to `FILE`")
		case "json":
			cmd.Flags().StringVar(&f.jsonFile, "json", "", "also write the report as JSON (operations, reasons, risks per resource) to `FILE`")
		case "delete-data":
			cmd.Flags().BoolVar(&f.deleteData, "delete-data", false, "also delete the database's data disk and everything on it (asks, or needs --yes; a final backup is taken first)")
		case "delete-leftovers":
			cmd.Flags().BoolVar(&f.leftovers, "delete-leftovers", false, "delete what GKE left in the project after the destroy (NEGs, firewall rules, load-balancer parts of the stack's network and addresses) without asking")
		case "skip-backup":
			cmd.Flags().BoolVar(&f.skipBackup, "skip-backup", false, "do not take a backup first (the cluster is broken or gone, and you accept losing what changed since the last backup)")
		case "force-prod":
			cmd.Flags().BoolVar(&f.forceProd, "force-prod", false, "put a production stack to sleep too (it stops serving)")
		case "scheduled-at":
			cmd.Flags().StringVar(&f.scheduledAt, "scheduled-at", "", "the schedule's transition time (RFC 3339, e.g. 2025-01-31T19:00:00Z): do nothing when someone slept or woke the stack after it")
		case "preview":
			cmd.Flags().BoolVar(&f.preview, "preview", false, "only show what it would create and delete; change nothing, the stack file included")
		case "restore":
			cmd.Flags().StringVar(&f.from, "from", "", "backup to restore, any `infra backups` lists: gs://BUCKET/PATH[#GENERATION], PATH, or a timestamped backup's NAME (default: the newest)")
			cmd.Flags().BoolVar(&f.force, "force", false, "restore even though the database has rows: the backup's tables replace them")
			cmd.Flags().BoolVar(&f.verify, "verify", false, "a restore drill: load the backup into a scratch database and check its rows against the dump's own count; the database is not touched")
		case "list":
			cmd.Flags().BoolVar(&f.json, "json", false, "print the list as JSON")
		case "outputs":
			cmd.Flags().BoolVar(&f.showSecrets, "show-secrets", false, "print secret outputs in plain text")
			cmd.Flags().BoolVar(&f.json, "json", false, "print the outputs as JSON")
		}
	}
	return cmd
}

func noArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Errorf("unexpected argument %q (did you mean --stack %s?)", args[0], args[0])}
	}
	return nil
}

func engineCommands() []*cobra.Command {
	return []*cobra.Command{
		newEngineCmd("preview", "Show what `up` would change (real engine, needs credentials)", runPreview, "markdown", "json"),
		newEngineCmd("up", "Refresh the state from the cloud, then create or update the stack's resources", runUp, "yes", "refresh"),
		newEngineCmd("destroy", "Back the database up, then delete the stack's resources but its data disk and backup bucket (refused while protected); --delete-data deletes the disk too", runDestroy, "yes", "delete-data", "skip-backup", "delete-leftovers"),
		newEngineCmd("sleep", "Back up, then remove what is billed by the hour (cluster, load balancer) and keep the data disk, backups, address, DNS and certificate", runSleep, "yes", "skip-backup", "force-prod", "preview", "scheduled-at"),
		newEngineCmd("wake", "Bring a sleeping stack back: the same disk, address, DNS and certificate; HTTPS as soon as the load balancer is programmed", runWake, "yes", "preview", "scheduled-at"),
		newEngineCmd("backup", "Back the database up now to the stack's bucket (a Job from its backup CronJob) and print the object", runBackup),
		newEngineCmd("backups", "List the stack's backups: how old each is, and what keeps it (kept copies, the newest ones, the age rule)", runBackups, "list"),
		newEngineCmd("restore", "Load a backup (the newest, or --from) into the running database; refused when it has rows unless --force; --verify only proves it loads", runRestore, "restore"),
		newEngineCmd("refresh", "Update the state from what the cloud has", runRefresh),
		newEngineCmd("outputs", "Print the stack outputs", runOutputs, "outputs"),
		newEngineCmd("repair", "Repair a stack an interrupted run left broken: release a dead run's lock, read pending creates back from the cloud, refresh", runRepair, "break-lock"),
		newEngineCmd("drift", "Check whether the cloud still matches the state: exit 0 if so, 2 with a report if not, 3 when an interrupted run left the stack broken, 4 when an awake stack's newest backup is too old, 5 when a sleeping stack's certificate cannot renew", runDrift, "markdown"),
	}
}

// runPreview prints the summary and writes the reports asked for, also
// when the preview fails (they then say why), so a pull request still
// gets its comment; the exit code stays 1.
func runPreview(cmd *cobra.Command, e *engine.Engine, f engineFlags) error {
	if note := e.AsleepNote(); note != "" {
		fmt.Fprintf(cmd.ErrOrStderr(), "infra: %s: the preview is of what it keeps; infra wake --stack %s --preview shows what wake brings back\n", note, e.Name)
	}
	r, err := e.Preview(cmd.Context())
	if r == nil {
		return err
	}
	if err == nil {
		fmt.Fprintln(cmd.OutOrStdout(), r.Summary())
	}
	if werr := writeMarkdown(f.markdown, r); werr != nil {
		return werr
	}
	if f.jsonFile != "" {
		b, jerr := report.JSON([]*report.Report{r})
		if jerr == nil {
			jerr = os.WriteFile(f.jsonFile, b, 0o644)
		}
		if jerr != nil {
			return fmt.Errorf("writing the JSON report: %w", jerr)
		}
	}
	return err
}

func runUp(cmd *cobra.Command, e *engine.Engine, f engineFlags) error {
	// A deploy never undoes a sleep: the engine runs the program with the
	// recorded awake state (engine/awake.go); say so.
	if note := e.AsleepNote(); note != "" {
		fmt.Fprintf(cmd.OutOrStdout(), "%s: up applies changes to what it keeps; infra wake --stack %s brings it back\n", note, e.Name)
	}
	if !f.yes {
		if err := canAsk(cmd, "update", e.Name); err != nil {
			return err
		}
		preview := e.PreviewRefreshed
		if f.skipRefresh {
			preview = e.Preview
		}
		r, err := preview(cmd.Context())
		if err != nil {
			return err
		}
		if !r.HasChanges() {
			fmt.Fprintln(cmd.OutOrStdout(), r.Summary())
			return nil
		}
		if err := ask(cmd, fmt.Sprintf("Apply these changes to stack %s (%s)?", e.Name, r.Summary())); err != nil {
			return err
		}
	}
	return e.Up(cmd.Context(), !f.skipRefresh)
}

func runDestroy(cmd *cobra.Command, e *engine.Engine, f engineFlags) (err error) {
	op, question := "destroy", fmt.Sprintf("Delete every resource of stack %s (the data disk and backups are kept)?", e.Name)
	if f.deleteData {
		op, question = "destroy (with its data)", fmt.Sprintf("Delete every resource of stack %s AND its data disk, with every row of the database? A final backup is taken first.", e.Name)
		if f.skipBackup {
			question = fmt.Sprintf("Delete every resource of stack %s AND its data disk, with every row of the database, WITHOUT a final backup?", e.Name)
		}
	}
	// Called once nothing blocks the destroy, before anything changes.
	ready := func() error {
		if !f.yes {
			if err := canAsk(cmd, op, e.Name); err != nil {
				return err
			}
			if err := ask(cmd, question); err != nil {
				return err
			}
		}
		return backupFirst(cmd, e, f, engine.PinDestroy)
	}
	kept, err := e.Destroy(cmd.Context(), ready, f.deleteData)
	if err != nil {
		if lerr := leftovers(cmd, e, f, err); lerr != nil {
			fmt.Fprintf(cmd.ErrOrStderr(), "infra: %v\n", lerr)
		}
		return err
	}
	defer func() {
		if err == nil {
			err = leftovers(cmd, e, f, nil)
		}
	}()
	out := cmd.OutOrStdout()
	if f.deleteData {
		fmt.Fprintf(out, "destroyed %s, its data included\n", e.Name)
		return nil
	}
	if len(kept) > 0 {
		fmt.Fprintf(out, "kept, so that the next infra up --stack %s finds the data again:\n", e.Name)
		total, perGiB := 0.0, 0.0
		for _, k := range kept {
			fmt.Fprintf(out, "  - %s\n", k)
			total += k.Monthly
			perGiB += k.PerGiB
		}
		more := ""
		if perGiB > 0 {
			more = fmt.Sprintf(" plus $%.3f per GiB of backups", perGiB)
		}
		fmt.Fprintf(out, "  costs $%.2f/month%s while kept (%s). To delete the disk too: infra destroy --stack %s --delete-data\n", total, more, prices.Default.Note(), e.Name)
	}
	return nil
}

// backupFirst takes the backup a destroy starts with, and refuses the
// destroy when it fails: a stack is never torn down with a database that
// was not saved, unless --skip-backup says so.
func backupFirst(cmd *cobra.Command, e *engine.Engine, f engineFlags, pin engine.Pin) error {
	errOut := cmd.ErrOrStderr()
	switch {
	case e.Config.Local():
		return nil // a local database has no bucket; its volume goes with keepDatabaseVolume
	case f.skipBackup:
		fmt.Fprintf(errOut, "infra: no backup taken of %s (--skip-backup)\n", e.Name)
		return nil
	}
	object, err := e.Backup(cmd.Context(), pin)
	if errors.Is(err, engine.ErrNoCluster) && !f.deleteData {
		fmt.Fprintf(errOut, "infra: no backup taken: %v; the data disk keeps what it holds\n", err)
		return nil
	}
	if errors.Is(err, engine.ErrNoCluster) {
		return fmt.Errorf("refusing to delete the data of %s, nothing was changed: %w, so no final backup of the disk can be taken. "+
			"Bring it back first (infra up --stack %s binds the disk again) or delete the disk without a backup (--skip-backup)", e.Name, err, e.Name)
	}
	if err != nil {
		return fmt.Errorf("refusing to destroy %s, nothing was changed: the backup taken first failed: %w\n"+
			"Fix the backup (infra backup --stack %s), or destroy without one: infra destroy --stack %s --skip-backup", e.Name, err, e.Name, e.Name)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "backup: %s (kept until you delete it)\n", object)
	return nil
}

func runBackup(cmd *cobra.Command, e *engine.Engine, _ engineFlags) error {
	object, err := e.Backup(cmd.Context(), engine.NotPinned)
	if err != nil {
		return err
	}
	fmt.Fprintln(cmd.OutOrStdout(), object)
	return nil
}

func runBackups(cmd *cobra.Command, e *engine.Engine, f engineFlags) error {
	if e.Config.Local() {
		return fmt.Errorf("stack %s runs on a local cluster: it has no backup bucket (its data stays on the volume, see keepDatabaseVolume)", e.Name)
	}
	now := time.Now()
	list, err := e.Backups(cmd.Context(), now)
	if err != nil {
		return err
	}
	if f.json {
		return writeJSON(cmd.OutOrStdout(), list)
	}
	out := cmd.OutOrStdout()
	if len(list) == 0 {
		fmt.Fprintf(out, "no backups of %s yet (take one: infra backup --stack %s)\n", e.Name, e.Name)
		return nil
	}
	fmt.Fprintf(out, "Backups of %s (restore one: infra restore --stack %s --from URL):\n", e.Name, e.Name)
	for _, b := range list {
		age := now.Sub(b.Created)
		fmt.Fprintf(out, "  %s  %s  %s old  %.1f MiB  %s\n", b.URL, b.Created.UTC().Format("2006-01-02 15:04 UTC"), ageString(age), float64(b.Size)/(1<<20), b.Keeps)
	}
	return nil
}

// ageString is a duration as a person reads an age: 3d 4h, 5h 10m.
func ageString(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
	case d >= time.Hour:
		return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dm", int(d.Minutes()))
}

func runRestore(cmd *cobra.Command, e *engine.Engine, f engineFlags) error {
	if f.verify {
		object, verified, err := e.Verify(cmd.Context(), f.from)
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "restore drill of %s passed: %s %s in a scratch database, as the dump counts them; %s was not touched\n", e.Name, object, strings.TrimPrefix(verified, "verified "), e.Name)
		return nil
	}
	if f.force {
		// --force replaces tables: what they held is saved first.
		if err := backupFirst(cmd, e, f, engine.PinRestore); err != nil {
			return err
		}
	}
	object, err := e.Restore(cmd.Context(), f.from, f.force)
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "restored %s into %s\n", object, e.Name)
	return nil
}

func runRefresh(cmd *cobra.Command, e *engine.Engine, _ engineFlags) error {
	return e.Refresh(cmd.Context())
}

func runOutputs(cmd *cobra.Command, e *engine.Engine, f engineFlags) error {
	outs, err := e.Outputs(cmd.Context(), f.showSecrets)
	if err != nil {
		return err
	}
	if f.json {
		return writeJSON(cmd.OutOrStdout(), outs)
	}
	keys := make([]string, 0, len(outs))
	for k := range outs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := outs[k]
		if s, ok := v.(string); ok && strings.Contains(s, "\n") {
			v = "(multi-line; infra outputs --json to read it)"
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%s = %v\n", k, v)
	}
	return nil
}

func runDrift(cmd *cobra.Command, e *engine.Engine, f engineFlags) error {
	r, err := e.Drift(cmd.Context())
	if err != nil {
		return err
	}
	if err := writeMarkdown(f.markdown, r); err != nil {
		return err
	}
	stale := backupsStale(cmd, e)
	risks, err := certificatesAtRisk(cmd, e)
	if err != nil {
		return err
	}
	if !r.HasChanges() {
		fmt.Fprintln(cmd.OutOrStdout(), r.Summary())
		switch {
		case stale != "":
			return exitError{code: 4, msg: stale}
		case risks != "":
			return exitError{code: 5, msg: risks}
		}
		return nil
	}
	fmt.Fprint(cmd.OutOrStdout(), r.Markdown(report.MaxMarkdown))
	return exitError{code: 2, msg: r.Summary()}
}

// backupsStale prints how old the newest backup is and returns why it is
// too old, or "". A bucket it cannot read is a warning, not a verdict.
func backupsStale(cmd *cobra.Command, e *engine.Engine) string {
	if e.Config.Local() {
		return ""
	}
	fr, err := e.BackupFreshness(cmd.Context(), time.Now())
	if err != nil {
		fmt.Fprintf(cmd.ErrOrStderr(), "infra: the backups of %s could not be checked: %v\n", e.Name, err)
		return ""
	}
	fmt.Fprintf(cmd.OutOrStdout(), "backups: %s\n", fr)
	var why []string
	if fr.Stale() {
		why = append(why, fr.String())
	}
	// A failed Job says why before the age bound does: a backup that
	// failed last night is news even while the one before is recent.
	if fr.Checked {
		switch job, err := e.LastBackupJob(cmd.Context()); {
		case err != nil:
			fmt.Fprintf(cmd.ErrOrStderr(), "infra: the last backup Job of %s could not be read: %v\n", e.Name, err)
		case job == nil:
			fmt.Fprintf(cmd.OutOrStdout(), "backups: no backup Job in the cluster (none ran since it was made, or their history expired)\n")
		default:
			fmt.Fprintf(cmd.OutOrStdout(), "backups: the last backup %s\n", job)
			if job.Outcome == kubejob.Failed {
				why = append(why, fmt.Sprintf("the last backup %s (kubectl logs -n %s job/%s --all-containers)", job, e.Config.Namespace, job.Name))
			}
		}
	}
	if len(why) > 0 {
		return fmt.Sprintf("backups of %s: %s", e.Name, strings.Join(why, "; "))
	}
	return ""
}

// certificatesAtRisk prints, for a sleeping stack, each certificate its
// sleep puts at risk and returns them in one message, or "". The backup
// check runs while awake, this one while asleep: at most one speaks.
func certificatesAtRisk(cmd *cobra.Command, e *engine.Engine) (string, error) {
	risks, err := certificateRisks(cmd, e)
	var msgs []string
	for _, r := range risks {
		fmt.Fprintf(cmd.OutOrStdout(), "certificate: %s\n", r.Message)
		msgs = append(msgs, r.Message)
	}
	return strings.Join(msgs, "; "), err
}

func writeMarkdown(path string, r *report.Report) error {
	if path == "" {
		return nil
	}
	if err := os.WriteFile(path, []byte(r.Markdown(report.MaxMarkdown)), 0o644); err != nil {
		return fmt.Errorf("writing the Markdown report: %w", err)
	}
	return nil
}

// canAsk refuses to go on without --yes when there is no terminal.
func canAsk(cmd *cobra.Command, op, stack string) error {
	f, ok := cmd.InOrStdin().(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return fmt.Errorf("refusing to %s stack %s without confirmation: there is no terminal to ask on; pass --yes", op, stack)
	}
	return nil
}

func ask(cmd *cobra.Command, question string) error {
	fmt.Fprintf(cmd.ErrOrStderr(), "%s [y/N] ", question)
	line, _ := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(line)); a == "y" || a == "yes" {
		return nil
	}
	return errors.New("cancelled: nothing was changed")
}

func writeJSON(w interface{ Write([]byte) (int, error) }, v interface{}) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func runRepair(cmd *cobra.Command, e *engine.Engine, f engineFlags) error {
	did, err := e.Repair(cmd.Context(), f.breakLock, f.breakCILock)
	for _, d := range did {
		fmt.Fprintln(cmd.OutOrStdout(), "repair: "+d)
	}
	if err != nil {
		return err
	}
	if len(did) == 1 {
		fmt.Fprintf(cmd.OutOrStdout(), "repair: stack %s had nothing to repair\n", e.Name)
	}
	return nil
}

// damaged adds the repair to the error of a damaged checkpoint.
func damaged(err error, stack string) error {
	if !engine.DamagedCheckpoint(err) || strings.Contains(err.Error(), "infra repair") {
		return err
	}
	return fmt.Errorf("%w\nthe stack's checkpoint is damaged (a run killed while saving it?): infra repair --stack %s restores the last good one", err, stack)
}
