package bootstrap

import (
	"fmt"
	"io"
	"strings"

	"github.com/unlimited-translation/infra/infra"
)

// Variable is a GitHub repository variable or secret the workflows read.
type Variable struct {
	Name string
	// Purpose says what it is for, and when it is needed.
	Purpose string
	// Output: the bootstrap exports its value as a stack output of the
	// same name; false for a variable the user chooses.
	Output bool
}

// Variables are every repository variable the workflows read (a test
// holds .github/workflows to exactly these).
var Variables = []Variable{
	{Name: "GCP_WORKLOAD_IDENTITY_PROVIDER", Output: true, Purpose: "the GitHub OIDC provider every workflow authenticates through"},
	{Name: "GCP_PREVIEW_SERVICE_ACCOUNT", Output: true, Purpose: "read-only account of pull-request previews, any branch"},
	{Name: "GCP_DEPLOY_SERVICE_ACCOUNT", Output: true, Purpose: "account of deploy, dev-sleep-wake and drift: main or the production environment only"},
	{Name: "PULUMI_BACKEND_URL", Output: true, Purpose: "the state bucket (leave unset with Pulumi Cloud)"},
	{Name: "PROD_RUNNER", Purpose: "optional: runner label for prod's deploy and drift, inside controlPlaneAuthorizedNetworks"},
	{Name: "COST_THRESHOLD", Purpose: "optional: monthly USD increase that marks a pull request's cost (default 10)"},
	{Name: "DEV_SCHEDULE", Purpose: "optional: false stops dev's nightly sleep and morning wake"},
	{Name: "DEV_SLEEP_HOUR", Purpose: "optional: UTC hour dev sleeps, every day (default 19)"},
	{Name: "DEV_WAKE_HOUR", Purpose: "optional: UTC hour dev wakes (default 7)"},
	{Name: "DEV_WAKE_DAYS", Purpose: "optional: ISO days dev wakes, e.g. 1-5 (default) or 1,3,5"},
}

// Secrets are the repository secrets the workflows read.
var Secrets = []Variable{
	{Name: "PULUMI_CONFIG_PASSPHRASE", Purpose: "only with the passphrase secrets provider (not with the KMS key below)"},
	{Name: "PULUMI_ACCESS_TOKEN", Purpose: "only with Pulumi Cloud as the backend"},
}

// SecretsProviderOutput is the stack output with the gcpkms:// URL.
const SecretsProviderOutput = "secretsProvider"

// WriteInstructions prints what to set in GitHub and how to start the
// stacks on the new state and key. values holds the bootstrap's outputs;
// a missing one (an offline plan) is shown with how it will look.
func WriteInstructions(w io.Writer, c Config, values map[string]string) error {
	shown := func(name, pending string) string {
		if v := values[name]; v != "" {
			return v
		}
		return pending
	}
	pending := map[string]string{
		"GCP_WORKLOAD_IDENTITY_PROVIDER": "projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/" + PoolID + "/providers/" + ProviderID +
			"   (known after --apply; PROJECT_NUMBER: gcloud projects describe " + c.Project + " --format='value(projectNumber)')",
		"GCP_PREVIEW_SERVICE_ACCOUNT": infra.AccountEmail(c.Project, PreviewAccountID),
		"GCP_DEPLOY_SERVICE_ACCOUNT":  infra.AccountEmail(c.Project, DeployerAccountID),
		"PULUMI_BACKEND_URL":          "gs://" + c.StateBucket,
	}
	var b strings.Builder
	fmt.Fprintf(&b, "GitHub repository variables for %s (Settings > Secrets and variables > Actions > Variables):\n", c.Repository)
	for _, v := range Variables {
		if v.Output {
			fmt.Fprintf(&b, "  %s = %s\n", v.Name, shown(v.Name, pending[v.Name]))
		} else {
			fmt.Fprintf(&b, "  %s: %s\n", v.Name, v.Purpose)
		}
	}
	b.WriteString("GitHub repository secrets:\n")
	for _, s := range Secrets {
		fmt.Fprintf(&b, "  %s: %s\n", s.Name, s.Purpose)
	}
	fmt.Fprintf(&b, "GitHub environments: dev, and production with required reviewers and deployment branches limited to main\n")
	key := shown(SecretsProviderOutput, "")
	fmt.Fprintf(&b, "Then, for each stack:\n  pulumi login %s\n  pulumi stack init dev --secrets-provider %s\n", shown("PULUMI_BACKEND_URL", pending["PULUMI_BACKEND_URL"]), key)
	fmt.Fprintf(&b, "  (a stack made earlier: pulumi stack change-secrets-provider %s --stack dev)\n", key)
	_, err := io.WriteString(w, b.String())
	return err
}
