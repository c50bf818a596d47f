package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/unlimited-translation/infra/stacks"
)

// A Pulumi lock names a user, a host, a pid and a time, nothing that says
// which CI run took it (pkg v3.230.0 backend/diy/lock.go). So every engine
// verb run by GitHub Actions first records, beside the locks, which run it
// is on which host; `infra repair --break-ci-lock` breaks a lock only when
// the marker of the lock's host names a run of this repository that GitHub
// says has ended and whose lifetime holds the lock's time. The marker lives
// under .pulumi/locks/, which preview jobs may write too, so it is a claim
// to check, never a proof: the proof is GitHub's answer and the times.

// runMarker is one CI run's claim to the locks its host takes.
type runMarker struct {
	Repository string    `json:"repository"`
	RunID      string    `json:"run_id"`
	RunAttempt string    `json:"run_attempt"`
	Workflow   string    `json:"workflow"`
	Job        string    `json:"job"`
	Hostname   string    `json:"hostname"`
	Started    time.Time `json:"started"`
}

// runMarkerName is where the marker of host for stack is.
func runMarkerName(stack, host string) string {
	host = strings.NewReplacer("/", "_", "\\", "_").Replace(host)
	return ".pulumi/locks/infra-runs/" + stacks.Project + "/" + stack + "/" + host + ".json"
}

// MarkCIRun writes, when run by GitHub Actions (GITHUB_ACTIONS=true) on a
// self-managed backend, the marker of this run for this host; done removes
// it (best effort: a run killed before leaves it, which is its purpose).
// Call it before any operation that takes the stack's lock. A marker that
// cannot be written is said and skipped: its lock then cannot be broken
// by --break-ci-lock, only by a person.
func (e *Engine) MarkCIRun(ctx context.Context) (done func()) {
	done = func() {}
	if os.Getenv("GITHUB_ACTIONS") != "true" {
		return done
	}
	store, ok := openStore(e.backend)
	if !ok {
		return done
	}
	host, _ := os.Hostname()
	// The default environment variables of every Actions job:
	// https://docs.github.com/en/actions/reference/workflows-and-actions/variables#default-environment-variables
	m := runMarker{
		Repository: os.Getenv("GITHUB_REPOSITORY"),
		RunID:      os.Getenv("GITHUB_RUN_ID"),
		RunAttempt: os.Getenv("GITHUB_RUN_ATTEMPT"),
		Workflow:   os.Getenv("GITHUB_WORKFLOW"),
		Job:        os.Getenv("GITHUB_JOB"),
		Hostname:   host,
		Started:    time.Now().UTC(),
	}
	b, _ := json.Marshal(m)
	name := runMarkerName(e.Name, host)
	if err := store.Write(ctx, name, b); err != nil {
		fmt.Fprintf(e.Err, "infra: could not record this CI run at %s (%v): should it be killed, only a person can break its lock (infra repair --stack %s --break-lock)\n", store.Where(name), err, e.Name)
		return done
	}
	return func() {
		_ = store.Delete(context.WithoutCancel(ctx), name)
	}
}

// ciLockEnded says whether lock l of stack was provably taken by a GitHub
// Actions run of this repository (GITHUB_REPOSITORY) that has ended: the
// marker of its host names the run, GitHub says the run is completed, and
// the lock's time is within the run's lifetime. It returns what it found,
// or the refusal: who holds the lock and what to do.
func ciLockEnded(ctx context.Context, store stateStore, stack string, l Lock) (string, error) {
	refuse := func(why, todo string) (string, error) {
		return "", fmt.Errorf("refusing to break the lock of %s with --break-ci-lock: %s. %s", l, why, todo)
	}
	person := fmt.Sprintf("If you know that run is over (a crashed laptop, a cancelled job), a person runs: infra repair --stack %s --break-lock", stack)
	name := runMarkerName(stack, l.Hostname)
	b, err := store.Read(ctx, name)
	if notFound(err) {
		return refuse(fmt.Sprintf("no CI run of infra recorded host %s (%s): it is a person's run or one infra did not start, and may still be going", l.Hostname, store.Where(name)), person)
	} else if err != nil {
		return refuse(fmt.Sprintf("the CI run marker %s cannot be read: %v", store.Where(name), err), "Retry, or "+person)
	}
	var m runMarker
	if err := json.Unmarshal(b, &m); err != nil {
		return refuse(fmt.Sprintf("the CI run marker %s does not parse: %v", store.Where(name), err), person)
	}
	if m.Hostname != l.Hostname {
		return refuse(fmt.Sprintf("the CI run marker %s is of host %q, not of the lock's host %q", store.Where(name), m.Hostname, l.Hostname), person)
	}
	repo := os.Getenv("GITHUB_REPOSITORY")
	if repo == "" {
		return refuse("GITHUB_REPOSITORY is not set, so the run cannot be looked up in this repository", "Run it in this repository's workflow, or set GITHUB_REPOSITORY=owner/name. "+person)
	}
	if m.Repository != repo {
		return refuse(fmt.Sprintf("its CI run marker names repository %q, not %s", m.Repository, repo), person)
	}
	id, err := strconv.ParseInt(m.RunID, 10, 64)
	if err != nil || id <= 0 {
		return refuse(fmt.Sprintf("its CI run marker names no run id (%q)", m.RunID), person)
	}
	holder := fmt.Sprintf("GitHub Actions run %d of %s (workflow %q, job %q)", id, repo, m.Workflow, m.Job)
	run, err := githubWorkflowRun(ctx, repo, id)
	if err != nil {
		return refuse(fmt.Sprintf("it is claimed by %s, and whether that run has ended is not known: %v", holder, err), "Fix that and retry, or "+person)
	}
	if run.HTMLURL != "" {
		holder += " " + run.HTMLURL
	}
	if run.Status != "completed" {
		return refuse(fmt.Sprintf("it is held by %s, which is still %s", holder, run.Status), "Wait for that run to end (or cancel it), then retry")
	}
	at := l.Timestamp
	if at.Before(run.CreatedAt) || at.After(run.UpdatedAt) {
		return refuse(fmt.Sprintf("its host's CI run marker names %s, but the lock was taken at %s, outside that run's lifetime (%s to %s): that run did not take it",
			holder, at.UTC().Format(time.RFC3339), run.CreatedAt.UTC().Format(time.RFC3339), run.UpdatedAt.UTC().Format(time.RFC3339)), person)
	}
	return fmt.Sprintf("released the lock of %s: it was held by %s, which has ended (%s)", l, holder, run.Conclusion), nil
}
