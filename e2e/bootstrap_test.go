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
	// The bootstrap stack is named after the app stack it serves.
	const project, stack = "e2e-bootstrap-1", "e2eboot"
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
	fresh(stack)
	p := proj{dir: dir, state: state, env: append(append([]string{}, baseEnv...), "PULUMI_BACKEND_URL=file://"+state)}
	args := []string{"bootstrap", "--stack", stack, "--project", project, "--github", "octo-org/unlimited-translation",
		"--github-repository-id", "260064828", "--github-owner-id", "1342004", "--apply"}

	r := p.mustInfra(t, args...)
	pool := "projects/" + standin.ProjectNumber + "/locations/global/workloadIdentityPools/github-" + stack
	for _, want := range []string{
		"bootstrap of stack " + stack + " in " + project + " done.",
		"--env " + stack + " --body '" + pool + "/providers/github'\n",
		"--env " + stack + "-preview --body 'infra-preview-" + stack + "@" + project + ".iam.gserviceaccount.com'\n",
		"--env " + stack + "-drift --body 'infra-drift-" + stack + "@" + project + ".iam.gserviceaccount.com'\n",
		"--env " + stack + " --body 'infra-deploy-" + stack + "@" + project + ".iam.gserviceaccount.com'\n",
		"--env " + stack + " --body 'gs://" + project + "-" + stack + "-pulumi-state'\n",
		"--secrets-provider gcpkms://projects/" + project + "/locations/europe-west1/keyRings/pulumi-" + stack + "/cryptoKeys/stack-secrets\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("bootstrap output lacks %q:\n%s", want, r.stdout)
		}
	}
	// Worked out by hand: 12 APIs, bucket, key ring and key, pool and
	// provider (17); preview: account, viewer, two bucket grants, key, one
	// principal (6); drift: the same plus two custom roles and their
	// grants (10);
	// deployer: account, 8 project grants and its 3 custom roles, bucket,
	// key, one principal (15, no schedule: the stack is not dev); the
	// binder role (1); workload accounts: nodes' account, 2 project roles,
	// the deployer's role on it (4), backup's account and the deployer's
	// role (2), MLflow's account, cloudsql.client and the deployer's role
	// (3). 58.
	urns := cloudURNs(stack)
	if len(urns) != 58 {
		t.Errorf("the cloud holds %d resources of the bootstrap, want 58:\n%s", len(urns), strings.Join(urns, "\n"))
	}
	members := map[string]bool{}
	for urn, res := range gcp.Snapshot() {
		if strings.HasPrefix(urn, "urn:pulumi:"+stack+"::") && res.Type == "gcp:serviceaccount/iAMMember:IAMMember" {
			m := res.Inputs["member"].StringValue()
			if strings.HasPrefix(m, "principalSet:") {
				members[m] = true
			} else if m != "serviceAccount:infra-deploy-"+stack+"@"+project+".iam.gserviceaccount.com" {
				t.Errorf("%s may use a service account", m)
			}
		}
	}
	const ids, wf = "260064828/1342004/", "/octo-org/unlimited-translation/.github/workflows/"
	for _, m := range []string{
		"principalSet://iam.googleapis.com/" + pool + "/attribute.workload/" + ids + stack + "/refs/heads/main" + wf + "deploy.yml",
		"principalSet://iam.googleapis.com/" + pool + "/attribute.workload/" + ids + stack + "-preview/refs/pull" + wf + "pr-preview.yml",
		"principalSet://iam.googleapis.com/" + pool + "/attribute.workload/" + ids + stack + "-drift/refs/heads/main" + wf + "drift.yml",
	} {
		if !members[m] {
			t.Errorf("no service account trusts %s (have %v)", m, members)
		}
	}
	if len(members) != 3 {
		t.Errorf("trusted: %v, want exactly the three workflows", members)
	}
	stackFile, err := os.ReadFile(filepath.Join(dir, "bootstrap", "Pulumi."+stack+".yaml"))
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
	if n := len(cloudURNs(stack)); n != 58 {
		t.Errorf("after a second bootstrap the cloud holds %d", n)
	}
}
