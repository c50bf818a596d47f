package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/unlimited-translation/infra/components"
	"github.com/unlimited-translation/infra/infra"
	"github.com/unlimited-translation/infra/internal/kubejob"
	"github.com/unlimited-translation/infra/stacks"
)

// backupPrefix is where in the bucket the backups are (the component's
// default prefix).
const backupPrefix = infra.BackupsPrefix

// Pin says why a backup is taken and whether a copy of it is kept beyond
// the bucket's lifecycle, under infra.KeptPrefix, until someone deletes it.
type Pin string

const (
	// NotPinned: a backup on demand; the lifecycle ages it out, the
	// newest copies (infra.NewestPrefix) keep the last few.
	NotPinned Pin = ""
	// PinSleep: the backup a sleep starts with, kept as the one
	// "sleep" copy: the next sleep's replaces it (the replaced version
	// stays recoverable infra.NoncurrentDays more).
	PinSleep Pin = "sleep"
	// PinDestroy and PinRestore: the backup a destroy or a forced restore
	// starts with, each kept under a name of its own.
	PinDestroy Pin = "destroy"
	PinRestore Pin = "before-restore"
)

// keptName is the kept copy's name of a pinned backup taken at now.
func (p Pin) keptName(database string, now time.Time) string {
	if p == PinSleep {
		return infra.KeptPrefix + database + "-sleep.sql.gz"
	}
	return fmt.Sprintf("%s%s-%s-%s.sql.gz", infra.KeptPrefix, database, p, now.Format("20060102T150405Z"))
}

// ErrNoCluster says the stack has no running cluster to back up from.
var ErrNoCluster = errors.New("the stack has no cluster")

// Backup runs the stack's backup now (a Job from its backup CronJob),
// waits for it, checks the object is in the bucket and returns its URL;
// a pinned backup is also copied under infra.KeptPrefix, and that copy's
// URL is returned.
func (e *Engine) Backup(ctx context.Context, pin Pin) (string, error) {
	jobs, done, err := e.kubeJobs(ctx)
	if err != nil {
		return "", err
	}
	defer done()
	now := time.Now().UTC()
	kind := string(pin)
	if pin == NotPinned {
		kind = "manual"
	}
	database := components.DefaultDatabaseName
	name := fmt.Sprintf("%s-%s-%s.sql.gz", database, now.Format("20060102T150405Z"), kind)
	job := fmt.Sprintf("%s-manual-%d", components.BackupCronJobName, now.Unix())
	fmt.Fprintf(e.Err, "infra: backing up %s: Job %s/%s\n", e.Name, jobs.Namespace, job)
	if _, err := jobs.Run(ctx, components.BackupCronJobName, job, map[string]string{"BACKUP_NAME": name}); err != nil {
		return "", fmt.Errorf("backup of %s: %w", e.Name, err)
	}
	bucket := e.bucket()
	objs, err := bucket.List(ctx, backupPrefix+name)
	if err != nil {
		return "", fmt.Errorf("backup of %s: checking the bucket: %w", e.Name, err)
	}
	if len(objs) == 0 {
		return "", fmt.Errorf("backup of %s: the Job succeeded but %s is not in the bucket", e.Name, bucket.Where(backupPrefix+name))
	}
	if pin == NotPinned {
		return bucket.Where(backupPrefix + name), nil
	}
	kept := pin.keptName(database, now)
	if err := bucket.Copy(ctx, backupPrefix+name, kept); err != nil {
		return "", fmt.Errorf("backup of %s: keeping %s as %s: %w", e.Name, bucket.Where(backupPrefix+name), bucket.Where(kept), err)
	}
	return bucket.Where(kept), nil
}

// Restore loads a backup into the running database: from, or the newest
// in the bucket. The restore refuses a database with rows unless force.
func (e *Engine) Restore(ctx context.Context, from string, force bool) (string, error) {
	object, _, err := e.restoreJob(ctx, from, "restoring %s into %s", map[string]string{"RESTORE_FORCE": strconv.FormatBool(force)})
	if err != nil && strings.Contains(err.Error(), "refused:") {
		return "", fmt.Errorf("restore of %s refused, nothing changed: the database is not empty; to replace its tables with the backup: infra restore --stack %s --from %s --force",
			e.Name, e.Name, object)
	}
	if err != nil {
		return "", fmt.Errorf("restore of %s from %s: %w", e.Name, e.bucket().Where(""), err)
	}
	return object, nil
}

// Verify is a restore drill: a Job from the restore CronJob loads the
// backup (the newest, or from) into a scratch database beside the app's
// and checks each table's rows against the count the dump carries
// (components/scripts/restore.sh); the app's database is not touched. It
// returns the backup and what was verified ("verified 2 tables, 3 rows").
func (e *Engine) Verify(ctx context.Context, from string) (object, verified string, err error) {
	object, res, err := e.restoreJob(ctx, from, "verifying %s in a scratch database of %s", map[string]string{"RESTORE_VERIFY": "true"})
	if err != nil {
		return object, "", fmt.Errorf("restore drill of %s with %s: %w", e.Name, object, err)
	}
	return object, res.Message, nil
}

// restoreJob runs a Job of the restore CronJob on the backup from names,
// saying what it does (say: the object, the stack).
func (e *Engine) restoreJob(ctx context.Context, from, say string, env map[string]string) (string, kubejob.Result, error) {
	object, err := e.backupObject(ctx, from)
	if err != nil {
		return "", kubejob.Result{}, err
	}
	jobs, done, err := e.kubeJobs(ctx)
	if err != nil {
		return object, kubejob.Result{}, err
	}
	defer done()
	job := fmt.Sprintf("%s-%d", components.RestoreCronJobName, time.Now().Unix())
	fmt.Fprintf(e.Err, "infra: "+say+": Job %s/%s\n", object, e.Name, jobs.Namespace, job)
	env["RESTORE_OBJECT"] = object
	res, err := jobs.Run(ctx, components.RestoreCronJobName, job, env)
	return object, res, err
}

// backupObject resolves --from (a gs:// URL, a path in the bucket, or a
// backup's file name) or, when empty, finds the newest backup.
func (e *Engine) backupObject(ctx context.Context, from string) (string, error) {
	bucket := e.bucket()
	name := strings.TrimPrefix(from, "gs://"+bucket.bucket+"/")
	switch {
	case strings.HasPrefix(name, "gs://"):
		return "", fmt.Errorf("--from %s is not in the stack's bucket gs://%s", from, bucket.bucket)
	case name != "" && !strings.Contains(name, "/"):
		name = backupPrefix + name
	}
	// Without --from, the newest of all: the timestamped ones age out,
	// the newest and kept copies stay.
	prefixes := []string{strings.SplitN(name, "#", 2)[0]}
	if name == "" {
		prefixes = []string{backupPrefix, infra.NewestPrefix, infra.KeptPrefix}
	}
	var objs []object
	for _, p := range prefixes {
		more, err := bucket.List(ctx, p)
		if err != nil {
			return "", fmt.Errorf("listing the backups of %s: %w", e.Name, err)
		}
		objs = append(objs, more...)
	}
	if name != "" {
		if base, gen, ok := strings.Cut(name, "#"); ok {
			// An older version of the newest copy (infra backups lists them).
			versions, err := bucket.versions(ctx, base)
			if err != nil {
				return "", fmt.Errorf("listing the backups of %s: %w", e.Name, err)
			}
			for _, v := range versions {
				if v.Name == base && fmt.Sprint(v.Generation) == gen {
					return bucket.Where(name), nil
				}
			}
		}
		for _, o := range objs {
			if o.Name == name {
				return bucket.Where(name), nil
			}
		}
		return "", fmt.Errorf("no backup %s (list them: infra backups --stack %s)", bucket.Where(name), e.Name)
	}
	if len(objs) == 0 {
		return "", fmt.Errorf("no backup in %s yet (take one: infra backup --stack %s)", bucket.Where(backupPrefix), e.Name)
	}
	newest := objs[0]
	for _, o := range objs[1:] {
		if o.Updated.After(newest.Updated) {
			newest = o
		}
	}
	return bucket.Where(newest.Name), nil
}

func (e *Engine) bucket() *gcsStore { return &gcsStore{bucket: stacks.BackupBucketName(e.Config)} }

// kubeJobs reaches the stack's cluster with a kubeconfig built from the
// stack file and the GKE API (gke.go), never from the state's outputs;
// done removes the file.
func (e *Engine) kubeJobs(ctx context.Context) (kubejob.Runner, func(), error) {
	if e.Config.Local() {
		return kubejob.Runner{}, nil, fmt.Errorf("stack %s is local: backups are kept by the GKE stacks only (a local database lives and dies with its cluster)", e.Name)
	}
	kc, err := gkeKubeconfig(ctx, e.Config.GCPProject, e.Config.Region, e.Config.ClusterName)
	if err != nil {
		return kubejob.Runner{}, nil, err
	}
	path, err := kubejob.WriteKubeconfig(kc)
	if err != nil {
		return kubejob.Runner{}, nil, err
	}
	return kubejob.Runner{Kubeconfig: path, Namespace: e.Config.Namespace}, func() { os.Remove(path) }, nil
}
