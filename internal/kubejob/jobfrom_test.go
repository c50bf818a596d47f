package kubejob

import (
	"encoding/json"
	"strings"
	"testing"
)

// A Job from a CronJob: the template's labels, the values set on every
// container that reads them (a valueFrom replaced), a day's TTL; a
// variable no container reads is refused, naming it.
func TestJobFrom(t *testing.T) {
	cronJob := `{"metadata": {"namespace": "default"}, "spec": {"jobTemplate": {
		"metadata": {"labels": {"name": "mysql-backup-pod"}},
		"spec": {"backoffLimit": 2, "template": {"spec": {
			"initContainers": [{"name": "dump", "env": [{"name": "BACKUP_NAME", "value": ""}, {"name": "MYSQL_ROOT_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]}],
			"containers": [{"name": "upload", "env": [{"name": "BACKUP_NAME", "value": ""}]}]}}}}}}`
	raw, err := jobFrom([]byte(cronJob), "mysql-backup-manual-1", map[string]string{"BACKUP_NAME": "x.sql.gz"})
	if err != nil {
		t.Fatal(err)
	}
	var job struct {
		Kind     string
		Metadata struct {
			Name, Namespace string
			Labels          map[string]string
			Annotations     map[string]string
		}
		Spec struct {
			TTL          int `json:"ttlSecondsAfterFinished"`
			BackoffLimit int `json:"backoffLimit"`
			Template     struct {
				Spec struct {
					Init []struct {
						Env []struct {
							Name, Value string
							ValueFrom   map[string]interface{} `json:"valueFrom"`
						}
					} `json:"initContainers"`
					Main []struct {
						Env []struct{ Name, Value string }
					} `json:"containers"`
				}
			}
		}
	}
	if err := json.Unmarshal(raw, &job); err != nil {
		t.Fatal(err)
	}
	if job.Kind != "Job" || job.Metadata.Name != "mysql-backup-manual-1" || job.Metadata.Namespace != "default" ||
		job.Metadata.Labels["name"] != "mysql-backup-pod" || job.Metadata.Annotations["cronjob.kubernetes.io/instantiate"] != "manual" {
		t.Errorf("metadata %+v", job.Metadata)
	}
	if job.Spec.TTL != 86400 || job.Spec.BackoffLimit != 2 {
		t.Errorf("spec: ttl %d, backoffLimit %d", job.Spec.TTL, job.Spec.BackoffLimit)
	}
	dump, upload := job.Spec.Template.Spec.Init[0].Env, job.Spec.Template.Spec.Main[0].Env
	if dump[0].Value != "x.sql.gz" || upload[0].Value != "x.sql.gz" || dump[1].ValueFrom == nil {
		t.Errorf("env: dump %+v, upload %+v", dump, upload)
	}

	if _, err := jobFrom([]byte(cronJob), "j", map[string]string{"RESTORE_VERIFY": "true"}); err == nil ||
		!strings.Contains(err.Error(), "no container of its template reads RESTORE_VERIFY (an older stack? infra up first)") {
		t.Errorf("a variable no container reads: %v", err)
	}
	if _, err := jobFrom([]byte(`{"spec": {"jobTemplate": {"spec": {}}}}`), "j", nil); err == nil || !strings.Contains(err.Error(), "has no pod template") {
		t.Errorf("no pod template: %v", err)
	}
}
