package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/unlimited-translation/infra/internal/standin"
)

// infra bootstrap --apply through the real engine: it creates what the
// offline plan shows, prints the variables with the cloud's values, writes
// its stack file, and a second run changes nothing.
func TestBootstrapApply(t *testing.T) {
	const project = "e2e-bootstrap-1"
	dir := t.TempDir()
	state := filepath.Join(t.TempDir(), "state")
	if err := os.MkdirAll(filepath.Join(dir, "bootstrap"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(state, 0o700); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../bootstrap/Pulumi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bootstrap", "Pulumi.yaml"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	fresh(project)
	p := proj{dir: dir, state: state, env: append(append([]string{}, baseEnv...), "PULUMI_BACKEND_URL=file://"+state)}
	args := []string{"bootstrap", "--project", project, "--github", "octo-org/unlimited-translation", "--apply"}

	r := p.mustInfra(t, args...)
	pool := "projects/" + standin.ProjectNumber + "/locations/global/workloadIdentityPools/github"
	for _, want := range []string{
		"bootstrap of " + project + " done.",
		"GCP_WORKLOAD_IDENTITY_PROVIDER = " + pool + "/providers/github\n",
		"GCP_PREVIEW_SERVICE_ACCOUNT = infra-preview@" + project + ".iam.gserviceaccount.com\n",
		"GCP_DEPLOY_SERVICE_ACCOUNT = infra-deployer@" + project + ".iam.gserviceaccount.com\n",
		"PULUMI_BACKEND_URL = gs://" + project + "-pulumi-state\n",
		"--secrets-provider gcpkms://projects/" + project + "/locations/europe-west1/keyRings/pulumi/cryptoKeys/stack-secrets\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("bootstrap output lacks %q:\n%s", want, r.stdout)
		}
	}
	// 11 APIs, bucket, key ring and key, pool and provider, preview
	// (account, viewer, bucket, key, one principal) and deployer
	// (account, 11 roles, bucket, key, two principals): 37.
	urns := cloudURNs(project)
	if len(urns) != 37 {
		t.Errorf("the cloud holds %d resources of the bootstrap, want 37:\n%s", len(urns), strings.Join(urns, "\n"))
	}
	members := map[string]bool{}
	for urn, res := range gcp.Snapshot() {
		if strings.HasPrefix(urn, "urn:pulumi:"+project+"::") && res.Type == "gcp:serviceaccount/iAMMember:IAMMember" {
			members[res.Inputs["member"].StringValue()] = true
		}
	}
	for _, m := range []string{
		"principalSet://iam.googleapis.com/" + pool + "/attribute.repository/octo-org/unlimited-translation",
		"principalSet://iam.googleapis.com/" + pool + "/attribute.ref/refs/heads/main",
		"principal://iam.googleapis.com/" + pool + "/subject/repo:octo-org/unlimited-translation:environment:production",
	} {
		if !members[m] {
			t.Errorf("no service account trusts %s (have %v)", m, members)
		}
	}
	stackFile, err := os.ReadFile(filepath.Join(dir, "bootstrap", "Pulumi."+project+".yaml"))
	if err != nil || !strings.Contains(string(stackFile), "unlimited-translation-bootstrap:github: octo-org/unlimited-translation") {
		t.Errorf("bootstrap stack file: %v\n%s", err, stackFile)
	}

	before := gcp.Snapshot()
	p.mustInfra(t, args...)
	after := gcp.Snapshot()
	for _, urn := range urns {
		if before[urn].ID != after[urn].ID {
			t.Errorf("a second bootstrap replaced %s", urn)
		}
	}
	if n := len(cloudURNs(project)); n != 37 {
		t.Errorf("after a second bootstrap the cloud holds %d", n)
	}
}
