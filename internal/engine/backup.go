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
	"github.com/unlimited-translation/infra/internal/kubejob"
	"github.com/unlimited-translation/infra/stacks"
)

// backupPrefix is where in the bucket the backups are (the component's
// default prefix).
const backupPrefix = "mysql/"

// ErrNoCluster says the stack has no running cluster to back up from.
var ErrNoCluster = errors.New("the stack has no cluster")

// Backup runs the stack's backup now (a Job from its backup CronJob),
// waits for it, checks the object is in the bucket and returns its URL.
func (e *Engine) Backup(ctx context.Context) (string, error) {
	jobs, done, err := e.kubeJobs(ctx)
	if err != nil {
		return "", err
	}
	defer done()
	now := time.Now().UTC()
	name := fmt.Sprintf("translation-%s-manual.sql.gz", now.Format("20060102T150405Z"))
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
	return bucket.Where(backupPrefix + name), nil
}

// Restore loads a backup into the running database: from, or the newest
// in the bucket. The restore refuses a database with rows unless force.
func (e *Engine) Restore(ctx context.Context, from string, force bool) (string, error) {
	bucket := e.bucket()
	object, err := e.backupObject(ctx, from)
	if err != nil {
		return "", err
	}
	jobs, done, err := e.kubeJobs(ctx)
	if err != nil {
		return "", err
	}
	defer done()
	job := fmt.Sprintf("%s-%d", components.RestoreCronJobName, time.Now().Unix())
	fmt.Fprintf(e.Err, "infra: restoring %s into %s: Job %s/%s\n", object, e.Name, jobs.Namespace, job)
	_, err = jobs.Run(ctx, components.RestoreCronJobName, job, map[string]string{
		"RESTORE_OBJECT": object, "RESTORE_FORCE": strconv.FormatBool(force),
	})
	if err != nil && strings.Contains(err.Error(), "refused:") {
		return "", fmt.Errorf("restore of %s refused, nothing changed: the database is not empty; to replace its tables with the backup: infra restore --stack %s --from %s --force",
			e.Name, e.Name, object)
	}
	if err != nil {
		return "", fmt.Errorf("restore of %s from %s: %w", e.Name, bucket.Where(""), err)
	}
	return object, nil
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
	prefix := name
	if prefix == "" {
		prefix = backupPrefix
	}
	objs, err := bucket.List(ctx, prefix)
	if err != nil {
		return "", fmt.Errorf("listing the backups of %s: %w", e.Name, err)
	}
	if name != "" {
		for _, o := range objs {
			if o.Name == name {
				return bucket.Where(name), nil
			}
		}
		return "", fmt.Errorf("no backup %s (list them: gcloud storage ls %s)", bucket.Where(name), bucket.Where(backupPrefix))
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
