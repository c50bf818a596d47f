package integration

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/unlimited-translation/infra/internal/controlplane"
	"github.com/unlimited-translation/infra/internal/kubejob"
)

// The Jobs `infra backup` and `infra restore` make, on the real control
// plane: created from the CronJobs the dev stack declares with the env
// filled in, run to an outcome by the real Job controller (retries and the
// pod failure policy), and read back from the pod's termination message.
// The test control plane runs no containers, so the test is the kubelet of
// these pods: it runs the real scripts with each pod's own env against
// MariaDB and the Cloud Storage emulator, then writes the pod status a
// kubelet would (FallbackToLogsOnError included).
func TestBackupJobsOnTheControlPlane(t *testing.T) {
	w := newBackupWorld(t)
	bin, err := controlplane.FindBinaries("..")
	if err != nil {
		t.Fatal(err)
	}
	bin, _ = filepath.Abs(bin)
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH")) // kubejob runs kubectl
	dir := manifests(t, "dev", nil)
	objects := []string{"10-configmap-default-mysql-backup-scripts", "40-serviceaccount-default-mysql-backup",
		"40-cronjob-default-mysql-backup", "40-cronjob-default-mysql-restore"}
	for _, f := range objects {
		kubectl(t, "apply", "--server-side", "-f", file(t, dir, f))
	}
	t.Cleanup(func() {
		for _, f := range objects {
			_, _ = cp.Kubectl("delete", "-f", file(t, dir, f), "--wait=true")
		}
		_, _ = cp.Kubectl("delete", "jobs", "-l", "name=mysql-backup-pod", "--wait=true")
	})
	// kwok's node must not take these pods: the test runs them.
	for _, cj := range []string{"mysql-backup", "mysql-restore"} {
		kubectl(t, "patch", "cronjob", cj, "--type=merge", "-p",
			`{"spec":{"jobTemplate":{"spec":{"template":{"spec":{"nodeSelector":{"infra-test/kubelet":"this-test"}}}}}}}`)
	}
	jobs := kubejob.Runner{Kubeconfig: cp.Kubeconfig, Namespace: "default", Poll: 200 * time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	want := w.rows(t)

	const name = "translation-20261123T203000Z-manual.sql.gz"
	object := "gs://" + bucket + "/mysql/" + name
	t.Run("backup", func(t *testing.T) {
		defer w.kubelet(t, ctx, "mysql-backup-manual-1")()
		res, err := jobs.Run(ctx, "mysql-backup", "mysql-backup-manual-1", map[string]string{"BACKUP_NAME": name})
		if err != nil {
			t.Fatal(err)
		}
		if res.Message != object {
			t.Errorf("the Job's message is %q, want %q", res.Message, object)
		}
		if objs := w.gcs.Objects(t, bucket, "mysql/"); len(objs) != 1 || objs[0] != "mysql/"+name {
			t.Errorf("bucket holds %v", objs)
		}
		// The CronJob's template names the newest copy (BACKUP_NEWEST).
		if objs := w.gcs.Objects(t, bucket, "newest/"); len(objs) != 1 || objs[0] != "newest/translation.sql.gz" {
			t.Errorf("newest copies %v", objs)
		}
		if got := kubectl(t, "get", "job", "mysql-backup-manual-1", "-o", "jsonpath={.spec.ttlSecondsAfterFinished} {.metadata.annotations.cronjob\\.kubernetes\\.io/instantiate}"); got != "86400 manual" {
			t.Errorf("the Job's ttl and annotation: %q", got)
		}
	})

	t.Run("restore into a database with rows fails once, no retry", func(t *testing.T) {
		defer w.kubelet(t, ctx, "mysql-restore-1")()
		_, err := jobs.Run(ctx, "mysql-restore", "mysql-restore-1", map[string]string{"RESTORE_OBJECT": object, "RESTORE_FORCE": "false"})
		if err == nil || !strings.Contains(err.Error(), "restore: refused: translation is not empty") {
			t.Fatalf("restore into rows: %v", err)
		}
		// Exit 3 is final (podFailurePolicy), not retried as backoffLimit
		// would a transient failure.
		if pods := kubectl(t, "get", "pods", "-l", "job-name=mysql-restore-1", "-o", "name"); strings.Count(pods, "pod/") != 1 {
			t.Errorf("pods of a refused restore: %q, want 1", pods)
		}
		if got := w.rows(t); got != want {
			t.Errorf("a refused restore changed the rows:\n%s", got)
		}
	})

	t.Run("forced restore", func(t *testing.T) {
		w.db.SQL(t, "DELETE FROM translation.translations WHERE id = 1; INSERT INTO translation.translations(text_de, text_en) VALUES ('falsch', 'wrong')")
		defer w.kubelet(t, ctx, "mysql-restore-2")()
		res, err := jobs.Run(ctx, "mysql-restore", "mysql-restore-2", map[string]string{"RESTORE_OBJECT": object, "RESTORE_FORCE": "true"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Message != "restored into translation" {
			t.Errorf("message %q", res.Message)
		}
		if got := w.rows(t); got != want {
			t.Errorf("rows after a forced restore:\n%s\nwant:\n%s", got, want)
		}
	})

	t.Run("restore drill", func(t *testing.T) {
		defer w.kubelet(t, ctx, "mysql-restore-3")()
		res, err := jobs.Run(ctx, "mysql-restore", "mysql-restore-3", map[string]string{"RESTORE_OBJECT": object, "RESTORE_VERIFY": "true"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Message != "verified 1 table, 3 rows" {
			t.Errorf("message %q", res.Message)
		}
		if got := w.rows(t); got != want {
			t.Errorf("the drill changed the rows:\n%s", got)
		}
	})

	// What infra drift reports: the newest Job of each kind and how it
	// ended, as the Job controller wrote it.
	t.Run("the last Job and its outcome", func(t *testing.T) {
		last, err := jobs.Latest(ctx, "mysql-backup-")
		if err != nil {
			t.Fatal(err)
		}
		if last == nil || last.Name != "mysql-backup-manual-1" || last.Outcome != kubejob.Succeeded || last.Finished.IsZero() {
			t.Errorf("last backup Job: %+v", last)
		}
		// mysql-restore-3 (the drill) succeeded; -1 failed but is older.
		last, err = jobs.Latest(ctx, "mysql-restore-")
		if err != nil {
			t.Fatal(err)
		}
		if last == nil || last.Name != "mysql-restore-3" || last.Outcome != kubejob.Succeeded {
			t.Errorf("last restore Job: %+v", last)
		}
		kubectl(t, "delete", "job", "mysql-restore-2", "mysql-restore-3", "--wait=true")
		last, err = jobs.Latest(ctx, "mysql-restore-")
		if err != nil {
			t.Fatal(err)
		}
		if last == nil || last.Name != "mysql-restore-1" || last.Outcome != kubejob.Failed || !strings.Contains(last.Message, "restore: refused: translation is not empty") ||
			!strings.HasPrefix(last.String(), "Job mysql-restore-1 failed at ") {
			t.Errorf("last restore Job after the newer ones went: %+v", last)
		}
		if last, err := jobs.Latest(ctx, "no-such-cronjob-"); err != nil || last != nil {
			t.Errorf("no Job of a kind: %+v, %v", last, err)
		}
	})

	t.Run("an older template is named", func(t *testing.T) {
		_, err := jobs.Run(ctx, "mysql-backup", "mysql-backup-manual-2", map[string]string{"NOT_IN_THE_TEMPLATE": "x"})
		if err == nil || !strings.Contains(err.Error(), "no container of its template reads NOT_IN_THE_TEMPLATE") {
			t.Errorf("unknown variable: %v", err)
		}
	})
}

type podSpec struct {
	Metadata struct{ Name string }
	Spec     struct {
		InitContainers []container `json:"initContainers"`
		Containers     []container `json:"containers"`
	}
}

type container struct {
	Name    string
	Image   string
	Command []string
	Env     []struct {
		Name, Value string
		ValueFrom   *struct{ SecretKeyRef *struct{ Name, Key string } }
	}
}

// kubelet starts running the first pod of job, in the background: each
// container's script step in order, with the container's env, then the
// pod's status. The returned func stops it and waits.
func (w backupWorld) kubelet(t *testing.T, ctx context.Context, job string) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.runPod(t, ctx, job)
	}()
	return func() { cancel(); <-done }
}

func (w backupWorld) runPod(t *testing.T, ctx context.Context, job string) {
	var pod podSpec
	for {
		out, err := cp.Kubectl("get", "pods", "-l", "job-name="+job, "-o", "json")
		var list struct{ Items []podSpec }
		if err == nil && json.Unmarshal([]byte(out), &list) == nil && len(list.Items) > 0 {
			pod = list.Items[0]
			break
		}
		select {
		case <-ctx.Done():
			return // the Job's outcome says why
		case <-time.After(200 * time.Millisecond):
		}
	}
	work := t.TempDir()
	status := map[string]interface{}{}
	phase := "Succeeded"
	terminated := func(c container, code int, msg string) map[string]interface{} {
		return map[string]interface{}{"name": c.Name, "image": c.Image, "imageID": "", "ready": false, "restartCount": 0,
			"state": map[string]interface{}{"terminated": map[string]interface{}{"exitCode": code, "message": msg, "reason": map[bool]string{true: "Completed", false: "Error"}[code == 0]}}}
	}
	var statuses []interface{}
	for i, c := range append(pod.Spec.InitContainers, pod.Spec.Containers...) {
		if i == len(pod.Spec.InitContainers) {
			status["initContainerStatuses"], statuses = statuses, nil
		}
		if phase == "Failed" {
			statuses = append(statuses, map[string]interface{}{"name": c.Name, "image": c.Image, "imageID": "", "ready": false, "restartCount": 0,
				"state": map[string]interface{}{"waiting": map[string]interface{}{"reason": "PodInitializing"}}})
			continue
		}
		var env []string
		for _, e := range c.Env {
			// The pod's DNS name and its Secrets' values: the test's server
			// and accounts instead (backupWorld.step).
			if e.Name != "MYSQL_HOST" && e.ValueFrom == nil {
				env = append(env, e.Name+"="+e.Value)
			}
		}
		out, code := w.step(t, work, filepath.Base(c.Command[1]), c.Command[2], env...)
		msg, _ := os.ReadFile(filepath.Join(work, "termination-log"))
		os.Remove(filepath.Join(work, "termination-log"))
		if code != 0 {
			phase = "Failed"
			lines := strings.Split(strings.TrimSpace(out), "\n")
			msg = []byte(strings.Join(lines[max(0, len(lines)-5):], "\n")) // FallbackToLogsOnError: the log's tail
		}
		statuses = append(statuses, terminated(c, code, string(msg)))
	}
	status["containerStatuses"] = statuses
	status["phase"] = phase
	patch, _ := json.Marshal(map[string]interface{}{"status": status})
	if _, err := cp.Kubectl("patch", "pod", pod.Metadata.Name, "--subresource=status", "--type=merge", "-p", string(patch)); err != nil {
		t.Errorf("setting the status of %s: %v", pod.Metadata.Name, err)
	}
}
