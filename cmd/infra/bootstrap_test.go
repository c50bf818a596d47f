package main

import (
	"os"
	"strings"
	"testing"

	"github.com/unlimited-translation/infra/stacks/bootstrap"
)

// The offline bootstrap plans everything, prints the variables with the
// values it can know, and creates nothing.
func TestBootstrapOffline(t *testing.T) {
	out, errOut, code := infra(t, "bootstrap", "--project", "my-project-123", "--github", "octo-org/unlimited-translation")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		`Plan for stack "my-project-123" of unlimited-translation-bootstrap: 44 to create, 0 to read`,
		`attributeCondition = "assertion.repository == 'octo-org/unlimited-translation'"`,
		"GCP_PREVIEW_SERVICE_ACCOUNT = infra-preview@my-project-123.iam.gserviceaccount.com",
		"GCP_DEPLOY_SERVICE_ACCOUNT = infra-deployer@my-project-123.iam.gserviceaccount.com",
		"PULUMI_BACKEND_URL = gs://my-project-123-pulumi-state",
		"GCP_WORKLOAD_IDENTITY_PROVIDER = projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/github/providers/github",
		"pulumi stack init dev --secrets-provider gcpkms://projects/my-project-123/locations/europe-west1/keyRings/pulumi/cryptoKeys/stack-secrets",
		"roles/resourcemanager.projectIamAdmin: grant the node service account",
		"Nothing was created. To create it: infra bootstrap --project my-project-123 --github octo-org/unlimited-translation --region europe-west1 --apply",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("bootstrap output lacks %q", want)
		}
	}
}

// Bad input: every problem named with its flag, exit 1, no trace, before
// anything else.
func TestBootstrapBadInput(t *testing.T) {
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"--project", "My Project", "--github", "octo-org"},
			[]string{`gcp:project (--project): "My Project" is not a project ID`, `(--github): "octo-org" is not OWNER/REPO`}},
		{[]string{"--github", "octo-org/x", "--region", "mars-north1"},
			[]string{"gcp:project (--project): is required", `(--region): "mars-north1" is not a region`}},
		{[]string{"--project", "my-project-123", "--github", "https://github.com/octo-org/x", "--apply"},
			[]string{"is a URL"}},
	}
	for _, c := range cases {
		out, errOut, code := infra(t, append([]string{"bootstrap"}, c.args...)...)
		if code != 1 || out != "" {
			t.Errorf("%v: exit %d, stdout %q", c.args, code, out)
		}
		for _, w := range c.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("%v: stderr lacks %q:\n%s", c.args, w, errOut)
			}
		}
		if strings.Contains(errOut, "goroutine") || strings.Contains(errOut, "panic") {
			t.Errorf("%v: a trace:\n%s", c.args, errOut)
		}
	}
}

// The README's table lists every role the deployer gets.
func TestReadmeListsDeployerRoles(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range bootstrap.DeployerGrants() {
		if !strings.Contains(string(b), "| `"+g.Role+"` |") {
			t.Errorf("README's bootstrap table lacks %s", g.Role)
		}
	}
}
