package stacks_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/unlimited-translation/infra/components"
	"github.com/unlimited-translation/infra/internal/mockstack"
	"github.com/unlimited-translation/infra/internal/stackfile"
	"github.com/unlimited-translation/infra/stacks"
)

// Backups: a private, versioned bucket with the stack's retention, an
// account that only writes and reads it, reached through Workload
// Identity, and a CronJob that runs the dump and upload as that account.
func TestStacksBackups(t *testing.T) {
	for _, tc := range []struct {
		stack, project, bucket, account, ephemeral string
		retention, newest                          float64
		schedule, mysqlImage                       string
	}{
		// dev's backup runs while the default schedule has it awake.
		{"dev", "unlimited-translation-dev", "unlimited-translation-dev-dev-mysql-backups", "mysql-backup-dev", "1Gi", 7, 3, "30 12 * * 1-5", "mysql:8.4"},
		{"prod", "unlimited-translation-prod", "unlimited-translation-prod-prod-mysql-backups", "mysql-backup-prod", "10Gi", 30, 7, "30 2 * * *",
			// The dump runs the database's own image: prod's mirror, by digest.
			"europe-west1-docker.pkg.dev/unlimited-translation-prod/translation/mysql:8.4@sha256:0000000000000000000000000000000000000000000000000000000000000000"},
	} {
		t.Run(tc.stack, func(t *testing.T) {
			m, outputs := runStack(t, tc.stack)
			email := tc.account + "@" + tc.project + ".iam.gserviceaccount.com"

			b := m.Must(t, "gcp:storage/bucket:Bucket", "backups")
			// Timestamped backups age out; noncurrent ones (aged out or
			// deleted by hand, kept ones too) go a week later; the
			// newest copies keep their newest versions whatever their
			// age. No rule without an age sends one (noAge).
			mockstack.Expect(t, "bucket", b.Inputs, map[string]string{
				"name": tc.bucket, "location": "europe-west1", "publicAccessPrevention": "enforced",
				"lifecycleRules.0.action.type": "Delete", "lifecycleRules.0.condition.withState": "LIVE",
				"lifecycleRules.0.condition.matchesPrefixes.0": "mysql/",
				"lifecycleRules.1.action.type":                 "Delete", "lifecycleRules.1.condition.withState": "ARCHIVED",
				"lifecycleRules.1.condition.matchesPrefixes.0": "mysql/", "lifecycleRules.1.condition.matchesPrefixes.1": "kept/",
				"lifecycleRules.2.action.type": "Delete", "lifecycleRules.2.condition.withState": "ARCHIVED",
				"lifecycleRules.2.condition.matchesPrefixes.0": "newest/",
				"labels.environment":                           tc.stack,
			})
			num := func(path string) float64 {
				v, _ := mockstack.Path(b.Inputs, path)
				if !v.IsNumber() {
					return -1
				}
				return v.NumberValue()
			}
			if got := []float64{num("lifecycleRules.0.condition.age"), num("lifecycleRules.1.condition.daysSinceNoncurrentTime"), num("lifecycleRules.2.condition.numNewerVersions")}; !slices.Equal(got, []float64{tc.retention, 7, tc.newest}) {
				t.Errorf("lifecycle: age, days noncurrent, newer versions %v; want %v, 7, %v", got, tc.retention, tc.newest)
			}
			for i, want := range []bool{false, true, true} {
				noAge, _ := mockstack.Path(b.Inputs, fmt.Sprintf("lifecycleRules.%d.condition.noAge", i))
				if (noAge.IsBool() && noAge.BoolValue()) != want {
					t.Errorf("rule %d: noAge %v, want %v", i, noAge, want)
				}
			}
			if n := num("lifecycleRules.1.condition.age") + num("lifecycleRules.2.condition.age"); n != -2 {
				t.Errorf("a rule without an age sends one")
			}
			versioned, _ := mockstack.Path(b.Inputs, "versioning.enabled")
			if !b.Inputs["uniformBucketLevelAccess"].BoolValue() || !versioned.BoolValue() || b.Inputs["forceDestroy"].BoolValue() {
				t.Errorf("bucket access %v, versioning %v, forceDestroy %v", b.Inputs["uniformBucketLevelAccess"], versioned, b.Inputs["forceDestroy"])
			}
			if !b.Request.GetProtect() {
				t.Error("the backup bucket is not protected")
			}
			if outputs["backupBucket"] != tc.bucket {
				t.Errorf("backupBucket output %v", outputs["backupBucket"])
			}

			var roles []string
			for _, g := range m.ByType("gcp:storage/bucketIAMMember:BucketIAMMember") {
				if mockstack.Str(g.Inputs, "bucket") != tc.bucket || mockstack.Str(g.Inputs, "member") != "serviceAccount:"+email {
					t.Errorf("grant %s: bucket %q member %q", g.Name, mockstack.Str(g.Inputs, "bucket"), mockstack.Str(g.Inputs, "member"))
				}
				roles = append(roles, mockstack.Str(g.Inputs, "role"))
			}
			slices.Sort(roles)
			if strings.Join(roles, " ") != "roles/storage.objectCreator roles/storage.objectUser roles/storage.objectViewer" {
				t.Errorf("bucket roles %v: write and read, replace only the newest copy", roles)
			}
			newest := m.Must(t, "gcp:storage/bucketIAMMember:BucketIAMMember", "backup-identity-objectUser-newest")
			if c := mockstack.Str(newest.Inputs, "condition.expression"); c != "resource.name.startsWith('projects/_/buckets/"+tc.bucket+"/objects/newest/')" {
				t.Errorf("objectUser condition %q: it must reach the newest copy only", c)
			}
			for _, g := range m.ByType("gcp:projects/iAMMember:IAMMember") {
				if mockstack.Str(g.Inputs, "member") == "serviceAccount:"+email {
					t.Errorf("the backup account has a project-wide role: %s", mockstack.Str(g.Inputs, "role"))
				}
			}
			wi := m.Must(t, "gcp:serviceaccount/iAMMember:IAMMember", "backup-identity-workload-identity")
			mockstack.Expect(t, "workload identity grant", wi.Inputs, map[string]string{
				"serviceAccountId": "projects/" + tc.project + "/serviceAccounts/" + email,
				"role":             "roles/iam.workloadIdentityUser",
				"member":           "serviceAccount:" + tc.project + ".svc.id.goog[default/mysql-backup]",
			})
			if deps := wi.Request.GetDependencies(); !slices.ContainsFunc(deps, func(u string) bool { return strings.HasSuffix(u, "gcp:container/cluster:Cluster::cluster") }) {
				t.Errorf("the grant does not wait for the cluster (its identity pool): %v", deps)
			}

			sa := m.Must(t, "kubernetes:core/v1:ServiceAccount", "translation-backup")
			annotations, _ := mockstack.Path(sa.Inputs, "metadata.annotations")
			if mockstack.Str(sa.Inputs, "metadata.name") != "mysql-backup" || !annotations.IsObject() ||
				annotations.ObjectValue()["iam.gke.io/gcp-service-account"].StringValue() != email {
				t.Errorf("service account %v: want mysql-backup acting as %s", sa.Inputs["metadata"], email)
			}
			cj := m.Must(t, "kubernetes:batch/v1:CronJob", "translation-backup")
			pod := "spec.jobTemplate.spec.template.spec."
			mockstack.Expect(t, "backup CronJob", cj.Inputs, map[string]string{
				"metadata.name": "mysql-backup", "spec.schedule": tc.schedule, "spec.timeZone": "Etc/UTC",
				"spec.concurrencyPolicy":             "Forbid",
				pod + "serviceAccountName":           "mysql-backup",
				pod + "restartPolicy":                "Never",
				pod + "initContainers.0.image":       tc.mysqlImage,
				pod + "initContainers.0.command.2":   "dump",
				pod + "initContainers.0.env.2.value": "translation",
				// The dump runs as the read-only backup account, not root.
				pod + "initContainers.0.env.3.name":                        "MYSQL_DUMP_USER",
				pod + "initContainers.0.env.3.valueFrom.secretKeyRef.name": "mysql-backup-credentials",
				pod + "initContainers.0.env.3.valueFrom.secretKeyRef.key":  "MYSQL_BACKUP_USER",
				pod + "initContainers.0.env.4.name":                        "MYSQL_DUMP_PASSWORD",
				pod + "initContainers.0.env.4.valueFrom.secretKeyRef.key":  "MYSQL_BACKUP_PASSWORD",
				pod + "containers.0.command.2":                             "upload",
				pod + "containers.0.env.0.value":                           tc.bucket,
				pod + "containers.0.resources.requests.ephemeral-storage":  tc.ephemeral,
				pod + "volumes.0.emptyDir.sizeLimit":                       tc.ephemeral,
				"spec.jobTemplate.spec.podFailurePolicy.rules.0.action":    "FailJob",
			})
			dumpEnv, _ := mockstack.Path(cj.Inputs, pod+"initContainers.0.env")
			if !dumpEnv.IsArray() {
				t.Fatalf("the dump step has no env: %v", dumpEnv)
			}
			for _, e := range dumpEnv.ArrayValue() {
				if n := e.ObjectValue()["name"].StringValue(); n == "MYSQL_ROOT_PASSWORD" {
					t.Error("the backup CronJob holds the root password")
				}
			}
			// The account's Secret, and the MySQL container that makes the
			// account from it on every start.
			bs := m.Must(t, "kubernetes:core/v1:Secret", "translation-database-backup")
			// The password is a secret, whole stringData or the value itself.
			data := bs.Inputs["stringData"]
			secret := data.IsSecret()
			if secret {
				data = data.SecretValue().Element
			}
			password := data.ObjectValue()["MYSQL_BACKUP_PASSWORD"]
			if password.IsSecret() {
				secret, password = true, password.SecretValue().Element
			}
			if data.ObjectValue()["MYSQL_BACKUP_USER"].StringValue() != "backup" || !secret {
				t.Errorf("backup Secret %v: want user backup and a secret password", bs.Inputs["stringData"])
			}
			// HMAC-SHA256 of the root password the test gives, hex.
			if got, want := password.StringValue(), hmacHex("test-mysqlRootPassword-4711", "unlimited-translation mysql backup account"); got != want {
				t.Errorf("backup password %q, want %q", got, want)
			}
			sts := m.Must(t, "kubernetes:apps/v1:StatefulSet", "translation-database")
			mockstack.Expect(t, "MySQL container", sts.Inputs, map[string]string{
				"spec.template.spec.containers.0.lifecycle.postStart.exec.command.0": "bash",
				"spec.template.spec.containers.0.lifecycle.postStart.exec.command.2": components.BackupUserScript,
				"spec.template.spec.containers.0.env.4.name":                         "MYSQL_BACKUP_USER",
				"spec.template.spec.containers.0.env.5.valueFrom.secretKeyRef.name":  "mysql-backup-credentials",
				"spec.template.spec.containers.0.env.5.valueFrom.secretKeyRef.key":   "MYSQL_BACKUP_PASSWORD",
			})
			restore := m.Must(t, "kubernetes:batch/v1:CronJob", "translation-backup-restore")
			if suspended, _ := mockstack.Path(restore.Inputs, "spec.suspend"); !suspended.BoolValue() {
				t.Error("the restore template is not suspended")
			}
			np := m.Must(t, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "translation-network-mysql-from-backup")
			mockstack.Expect(t, "policy", np.Inputs, map[string]string{
				"spec.podSelector.matchLabels.name":                  "mysql-pod",
				"spec.ingress.0.from.0.podSelector.matchLabels.name": "mysql-backup-pod",
			})
			if port, _ := mockstack.Path(np.Inputs, "spec.ingress.0.ports.0.port"); port.NumberValue() != 3306 {
				t.Errorf("policy port %v", port)
			}
		})
	}
}

// Names derived from the stack fit GCP's limits, and two long stack names
// still give two names.
func TestBackupNamesFit(t *testing.T) {
	c := stacks.Defaults("prod-europe-customer-acme-2026")
	c.GCPProject = "a-thirty-character-project-id1"
	id, other := stacks.BackupAccountID(c), stacks.BackupAccountID(stacks.Defaults("prod-europe-customer-acme-2027"))
	if len(id) != 30 || id == other || !strings.HasPrefix(id, "mysql-backup-prod-europ-") {
		t.Errorf("account IDs %q and %q (at most 30 characters, distinct)", id, other)
	}
	if b := stacks.BackupBucketName(c); len(b) > 63 || !strings.HasPrefix(b, "a-thirty-character-project-id1-prod-europe") {
		t.Errorf("bucket %q (%d characters)", b, len(b))
	}
	if got := stacks.BackupAccountID(stacks.Defaults("Dev_2")); got != "mysql-backup-dev-2" {
		t.Errorf("account ID of Dev_2: %q", got)
	}
}

// Asleep, the stack keeps the backup jobs' and MLflow's Workload Identity
// bindings and bucket grants (same URNs, so a sleep deletes none of them),
// and they no longer wait for a cluster; awake, they wait for it (the
// first cluster makes the identity pool).
func TestIdentitiesOutliveSleep(t *testing.T) {
	src, err := stackfile.Load("..", "dev")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"mysqlRootPassword", "mysqlPassword", "mlflowDatabasePassword", "mlflowAdminPassword"} {
		src.Values[stacks.Project+":"+k], src.Secrets[stacks.Project+":"+k] = "test-"+k+"-4711", true
	}
	src.Values[stacks.Project+":mlflow"] = "true"
	bindings := func(awake string) map[string]bool {
		m, _, err := mockstack.Run("dev", src.Values, src.SecretKeys(), stacks.ProgramWith(map[string]string{"awake": awake}))
		if err != nil {
			t.Fatalf("awake %s: %v", awake, err)
		}
		if (len(m.ByType(clusterType)) == 1) != (awake == "true") {
			t.Fatalf("awake %s: %d clusters", awake, len(m.ByType(clusterType)))
		}
		out := map[string]bool{}
		for _, typ := range []string{"gcp:serviceaccount/iAMMember:IAMMember", "gcp:storage/bucketIAMMember:BucketIAMMember"} {
			for _, r := range m.ByType(typ) {
				waits := slices.ContainsFunc(r.Request.GetDependencies(), func(u string) bool { return strings.HasSuffix(u, clusterType+"::cluster") })
				out[typ+"::"+r.Name] = waits
			}
		}
		return out
	}
	awake, asleep := bindings("true"), bindings("false")
	want := []string{
		"gcp:serviceaccount/iAMMember:IAMMember::backup-identity-workload-identity",
		"gcp:serviceaccount/iAMMember:IAMMember::mlflow-identity-workload-identity",
		"gcp:storage/bucketIAMMember:BucketIAMMember::backup-identity-objectCreator",
		"gcp:storage/bucketIAMMember:BucketIAMMember::backup-identity-objectUser-newest",
		"gcp:storage/bucketIAMMember:BucketIAMMember::backup-identity-objectViewer",
		"gcp:storage/bucketIAMMember:BucketIAMMember::mlflow-identity-objectUser",
	}
	for _, name := range want {
		if !awake[name] {
			t.Errorf("awake, %s is missing or does not wait for the cluster", name)
		}
		if waits, ok := asleep[name]; !ok || waits {
			t.Errorf("asleep, %s: registered %v, waits for a cluster %v", name, ok, waits)
		}
	}
	if len(awake) != len(want) || len(asleep) != len(want) {
		t.Errorf("bindings awake %v, asleep %v; want exactly %v", awake, asleep, want)
	}
}

func hmacHex(key, msg string) string {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(msg))
	return hex.EncodeToString(mac.Sum(nil))
}
