package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// MLflow through the real engine and the stand-ins: up creates the second
// app next to the first, a second preview changes nothing, destroy keeps
// its database and artifacts, and --delete-data removes the database
// (never a bucket).
func TestMLflowLifecycle(t *testing.T) {
	const stack = "mlflow"
	p := projectAs(t, "dev", stack)
	p.pulumi(t, "config", "set", "mlflow", "true", "--stack", stack)
	p.mustInfra(t, "up", "--stack", stack, "--yes")

	prefix := "urn:pulumi:" + stack + "::unlimited-translation::"
	instance := prefix + "translation:infra:PostgresDatabase$gcp:sql/databaseInstance:DatabaseInstance::mlflow-database"
	artifacts := prefix + "translation:infra:ArtifactBucket$gcp:storage/bucket:Bucket::mlflow-artifacts"
	deployment := prefix + "translation:components:MLflow$translation:components:WebWorkload$kubernetes:apps/v1:Deployment::mlflow"
	cloud, k8s := gcp.Snapshot(), kube.Snapshot()
	if cloud[instance].ID != "mlflow-mlflow" || cloud[artifacts].ID != "unlimited-translation-dev-mlflow-mlflow-artifacts" {
		t.Fatalf("instance %q, bucket %q", cloud[instance].ID, cloud[artifacts].ID)
	}
	dep, ok := k8s[deployment]
	if !ok {
		t.Fatal("no MLflow Deployment in the cluster")
	}
	spec := dep.Inputs["spec"].ObjectValue()["template"].ObjectValue()["spec"].ObjectValue()
	proxy := spec["initContainers"].ArrayValue()[0].ObjectValue()
	args := proxy["args"].ArrayValue()
	if got := args[len(args)-1].StringValue(); got != "unlimited-translation-dev:europe-west1:mlflow-mlflow" {
		t.Errorf("the proxy dials %q", got)
	}
	var outs map[string]interface{}
	if err := json.Unmarshal([]byte(p.mustInfra(t, "outputs", "--stack", stack, "--json").stdout), &outs); err != nil {
		t.Fatal(err)
	}
	if outs["mlflowUrl"] != "https://mlflow.dev.translate.example.com" || outs["mlflowDatabase"] != "unlimited-translation-dev:europe-west1:mlflow-mlflow" {
		t.Errorf("outputs %v", outs)
	}

	md := filepath.Join(t.TempDir(), "preview.md")
	if r := p.mustInfra(t, "preview", "--stack", stack, "--markdown", md); !strings.Contains(r.stdout, "no changes to stack "+stack) {
		t.Errorf("second preview is not empty:\n%s", r.stdout)
	}

	// Sleep keeps MLflow's data, its slow parts (address, certificate,
	// DNS record) and its identity's grants, and drops the server; wake
	// brings it back on the same instance, bucket and grants.
	ids := func() map[string]string {
		out := map[string]string{}
		for u, r := range gcp.Snapshot() {
			if strings.HasPrefix(u, prefix) {
				out[u] = r.ID
			}
		}
		return out
	}
	awake := ids()
	p.mustInfra(t, "sleep", "--stack", stack, "--yes", "--skip-backup")
	asleep := ids()
	for _, kept := range []string{instance, artifacts,
		prefix + "translation:infra:PublicAddress$gcp:compute/globalAddress:GlobalAddress::mlflow-address",
		prefix + "translation:infra:Certificate$gcp:compute/managedSslCertificate:ManagedSslCertificate::mlflow-certificate",
		prefix + "translation:infra:DNS$gcp:dns/recordSet:RecordSet::dns-mlflow"} {
		if asleep[kept] == "" || asleep[kept] != awake[kept] {
			t.Errorf("sleep did not keep %s (%q, was %q)", kept, asleep[kept], awake[kept])
		}
	}
	grants := 0
	for u, id := range awake {
		if strings.Contains(u, "translation:infra:WorkloadIdentity$") && strings.Contains(u, "::mlflow-identity-") {
			grants++
			if asleep[u] != id {
				t.Errorf("sleep did not keep %s (%q, was %q)", u, asleep[u], id)
			}
		}
	}
	if grants != 2 {
		t.Errorf("MLflow's identity has %d grants, want its bucket role and Workload Identity", grants)
	}
	if _, ok := kube.Snapshot()[deployment]; ok {
		t.Error("the MLflow server runs while the stack sleeps")
	}
	p.mustInfra(t, "wake", "--stack", stack, "--yes")
	woken := ids()
	if woken[instance] != awake[instance] || woken[artifacts] != awake[artifacts] {
		t.Errorf("wake made another instance or bucket: %q %q", woken[instance], woken[artifacts])
	}
	for u, id := range asleep {
		if strings.Contains(u, "::mlflow-identity-") && woken[u] != id {
			t.Errorf("wake replaced %s", u)
		}
	}
	if _, ok := kube.Snapshot()[deployment]; !ok {
		t.Error("no MLflow server after wake")
	}

	r := p.mustInfra(t, "destroy", "--stack", stack, "--yes", "--skip-backup")
	cloud = gcp.Snapshot()
	if cloud[instance].ID == "" || cloud[artifacts].ID == "" {
		t.Errorf("destroy removed MLflow's data: instance %q, bucket %q", cloud[instance].ID, cloud[artifacts].ID)
	}
	// db-f1-micro: 0.0105 × 730 = 7.665, plus 10 GiB SSD × 0.17 = 1.70:
	// $9.37 a month, $0.308 a day (12/365 of a month).
	for _, want := range []string{
		"DatabaseInstance mlflow-mlflow (Cloud SQL db-f1-micro, 10 GiB SSD, still running): $9.37/month ($0.308/day)",
		"Bucket unlimited-translation-dev-mlflow-mlflow-artifacts (MLflow's artifacts): $0.020 per GiB",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("destroy does not report %q:\n%s", want, r.stdout)
		}
	}
	for u := range kube.Snapshot() {
		if strings.HasPrefix(u, prefix) {
			t.Errorf("left in the cluster after destroy: %s", u)
		}
	}

	p.mustInfra(t, "destroy", "--stack", stack, "--delete-data", "--yes", "--skip-backup")
	cloud = gcp.Snapshot()
	if cloud[instance].ID != "" || cloud[artifacts].ID == "" {
		t.Errorf("after --delete-data: instance %q (want gone), bucket %q (want kept)", cloud[instance].ID, cloud[artifacts].ID)
	}
	for u := range cloud {
		if strings.HasPrefix(u, prefix) && strings.Contains(u, "gcp:sql/") {
			t.Errorf("left after --delete-data: %s", u)
		}
	}

	// The passwords, also as they are escaped in the database URI and the
	// ini file, appear in no output and no state file.
	escaped := []string{"e2e-pg%25Secret%404711", "e2e-pg%%25Secret%%404711"}
	_ = filepath.Walk(p.state, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return nil
		}
		b, _ := os.ReadFile(path)
		for _, v := range escaped {
			if strings.Contains(string(b), v) {
				t.Errorf("%s holds the MLflow database password", path)
			}
		}
		return nil
	})
	assertNoSecrets(t, p)
}
