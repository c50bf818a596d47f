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
	out, errOut, code := infra(t, "bootstrap", "--stack", "prod", "--project", "my-project-123", "--github", "octo-org/unlimited-translation",
		"--github-repository-id", "260064828", "--github-owner-id", "1342004")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		`Plan for stack "prod" of unlimited-translation-bootstrap: 69 to create, 0 to read`,
		`attributeCondition = "assertion.repository_id == '260064828' && assertion.repository_owner_id == '1342004'"`,
		"gh variable set GCP_SERVICE_ACCOUNT --repo octo-org/unlimited-translation --env prod --body 'infra-deploy-prod@my-project-123.iam.gserviceaccount.com'",
		"gh variable set GCP_SERVICE_ACCOUNT --repo octo-org/unlimited-translation --env prod-preview --body 'infra-preview-prod@my-project-123.iam.gserviceaccount.com'",
		"gh variable set GCP_SERVICE_ACCOUNT --repo octo-org/unlimited-translation --env prod-drift --body 'infra-drift-prod@my-project-123.iam.gserviceaccount.com'",
		"gh variable set PULUMI_BACKEND_URL --repo octo-org/unlimited-translation --env prod --body 'gs://my-project-123-prod-pulumi-state'",
		"prod (required reviewers, deployment branches: main only; used by .github/workflows/deploy.yml)",
		"prod-preview (required reviewers, no branch rule (pull requests run here); used by .github/workflows/pr-preview.yml)",
		"pulumi stack init prod --secrets-provider gcpkms://projects/my-project-123/locations/europe-west1/keyRings/pulumi-prod/cryptoKeys/stack-secrets",
		"  gke-nodes-prod (nodes): roles/container.defaultNodeServiceAccount, roles/artifactregistry.reader; deployer: roles/iam.serviceAccountUser, to create the cluster with its nodes running as this account",
		"  mysql-backup-prod (backup): no project role; deployer: infraAccountBinder_prod, to bind a Kubernetes service account of the stack to the backup or MLflow account (Workload Identity) (custom role: iam.serviceAccounts.get, iam.serviceAccounts.getIamPolicy, iam.serviceAccounts.setIamPolicy)",
		"| deploy of prod (deploy.yml on main in prod, after a required reviewer approves) | `infra-deploy-prod` | read state, write locks, write checkpoints, backups, history, journal, decrypt stack secrets, encrypt stack secrets, read Kubernetes Secrets, change cloud resources, act as or re-grant the stack's workload accounts |",
		"| pull request, after a maintainer approves prod-preview (the pull request's code, once approved, in prod-preview) | `infra-preview-prod` | read state, write locks, decrypt stack secrets |",
		"| pull request from a fork (GitHub gives fork pull_request runs a read-only token: no id-token, no secrets) | none | nothing in the cloud |",
		"| dev sleep/wake schedule (dev-sleep-wake.yml on main in dev) | none | nothing in the cloud |",
		"Nothing was created. To create it: infra bootstrap --stack prod --project my-project-123 --github octo-org/unlimited-translation --github-repository-id 260064828 --github-owner-id 1342004 --region europe-west1 --apply",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("bootstrap output lacks %q", want)
		}
	}
	// A budget at dev's monthly figure: $45.17 (internal/cost's golden,
	// checked by hand in TestEstimateByHand), rounded up.
	out, errOut, code = infra(t, "bootstrap", "--stack", "dev", "--github", "octo-org/x", "--github-repository-id", "1", "--github-owner-id", "2", "--billing-account", "012345-6789AB-CDEF01")
	if code != 0 || !strings.Contains(out, `amount.specifiedAmount.units = "46"`) || !strings.Contains(out, "--billing-account 012345-6789AB-CDEF01 --apply") {
		t.Errorf("bootstrap with a budget: exit %d %s\n%s", code, errOut, out)
	}
	// The project comes from the stack file when not given.
	out, errOut, code = infra(t, "bootstrap", "--stack", "dev", "--github", "octo-org/x", "--github-repository-id", "1", "--github-owner-id", "2")
	if code != 0 || !strings.Contains(out, "infra-deploy-dev@unlimited-translation-dev.iam.gserviceaccount.com") {
		t.Errorf("bootstrap of dev from its stack file: exit %d %s\n%s", code, errOut, out)
	}
}

// Bad input: every problem named with its flag, exit 1, no trace, before
// anything else.
func TestBootstrapBadInput(t *testing.T) {
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"--stack", "dev", "--project", "My Project", "--github", "octo-org", "--github-repository-id", "1", "--github-owner-id", "2"},
			[]string{`gcp:project (--project): "My Project" is not a project ID`, `(--github): "octo-org" is not OWNER/REPO`}},
		{[]string{"--stack", "nofile", "--github", "octo-org/x", "--region", "mars-north1", "--github-repository-id", "1", "--github-owner-id", "2"},
			[]string{"gcp:project (--project): is required", `(--region): "mars-north1" is not a region`}},
		{[]string{"--stack", "dev", "--project", "my-project-123", "--github", "https://github.com/octo-org/x", "--apply"},
			[]string{"is a URL", "githubRepositoryId (--github-repository-id): is required"}},
		{[]string{"--project", "my-project-123", "--github", "octo-org/x", "--github-repository-id", "x1", "--github-owner-id", "2"},
			[]string{"stack (--stack): is required", `"x1" is not a GitHub ID`}},
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
	for _, g := range bootstrap.DeployerGrants("dev") {
		if g.Custom() {
			continue
		}
		if !strings.Contains(string(b), "| `"+g.Role+"` |") {
			t.Errorf("README's bootstrap table lacks %s", g.Role)
		}
	}
}
