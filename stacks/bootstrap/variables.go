package bootstrap

import (
	"fmt"
	"io"
	"strings"

	"github.com/unlimited-translation/infra/infra"
)

// Stack outputs of the bootstrap.
const (
	ProviderOutput        = "GCP_WORKLOAD_IDENTITY_PROVIDER"
	BackendOutput         = "PULUMI_BACKEND_URL"
	AccountsOutput        = "serviceAccounts" // preview, drift, deployer → email
	SecretsProviderOutput = "secretsProvider"
)

// Variable is a GitHub variable or secret the workflows read.
type Variable struct {
	Name string
	// Purpose says what it is for, and when it is needed.
	Purpose string
	// Environment: set in each of the stack's GitHub environments (with
	// its own value there), never repository-wide.
	Environment bool
}

// Variables are every GitHub variable the workflows read (a test holds
// .github/workflows to exactly these).
var Variables = []Variable{
	{Name: "GCP_WORKLOAD_IDENTITY_PROVIDER", Environment: true, Purpose: "the stack's GitHub OIDC provider"},
	{Name: "GCP_SERVICE_ACCOUNT", Environment: true, Purpose: "the account of the environment: the deployer in STACK, the preview account in STACK-preview, the drift account in STACK-drift"},
	{Name: "PULUMI_BACKEND_URL", Environment: true, Purpose: "the stack's state bucket (leave unset with Pulumi Cloud)"},
	{Name: "INFRA_STACKS", Purpose: "optional: comma-separated stacks the workflows act on (default: every Pulumi.<stack>.yaml that sets gcp:project)"},
	{Name: "INFRA_RUNNERS", Purpose: `optional: JSON object of runner labels by stack, e.g. {"prod":"prod-runner"}, for a control plane that answers only controlPlaneAuthorizedNetworks; deploy and drift only, never pull requests`},
	{Name: "COST_THRESHOLD", Purpose: "optional: monthly USD increase that marks a pull request's cost (default 10)"},
	{Name: "DEV_SCHEDULE", Purpose: "optional: false stops dev's nightly sleep and morning wake"},
	{Name: "DEV_SLEEP_HOUR", Purpose: "optional: UTC hour dev sleeps, every day (default 19)"},
	{Name: "DEV_WAKE_HOUR", Purpose: "optional: UTC hour dev wakes (default 7)"},
	{Name: "DEV_WAKE_DAYS", Purpose: "optional: ISO days dev wakes, e.g. 1-5 (default) or 1,3,5"},
}

// Secrets are the environment secrets the workflows read: never
// repository-wide, so no job outside an approved environment sees them.
var Secrets = []Variable{
	{Name: "PULUMI_CONFIG_PASSPHRASE", Environment: true, Purpose: "only with the passphrase secrets provider (not with the KMS key)"},
	{Name: "PULUMI_ACCESS_TOKEN", Environment: true, Purpose: "only with Pulumi Cloud as the backend"},
}

// Environment is one GitHub environment of a stack, with the protection
// it must have.
type Environment struct {
	Name string
	// Account is the output key of the account it gets (AccountsOutput).
	Account string
	// Reviewers: a maintainer must approve each job before it starts.
	Reviewers bool
	// MainOnly: deployment branches limited to main.
	MainOnly bool
	Workflow string
}

// Environments are the stack's three GitHub environments.
func (c Config) Environments() []Environment {
	return []Environment{
		{Name: c.DeployEnvironment(), Account: "deployer", Reviewers: c.Production, MainOnly: true, Workflow: DeployWorkflow},
		{Name: c.PreviewEnvironment(), Account: "preview", Reviewers: true, Workflow: PreviewWorkflow},
		{Name: c.DriftEnvironment(), Account: "drift", MainOnly: true, Workflow: DriftWorkflow},
	}
}

// WriteInstructions prints the GitHub environments to make and what to
// set in each, and how to start the stack on the new state and key.
// values holds the bootstrap's outputs (the accounts flattened as
// serviceAccounts.NAME); a missing one (an offline plan) is shown with
// how it will look.
func WriteInstructions(w io.Writer, c Config, values map[string]string) error {
	shown := func(name, pending string) string {
		if v := values[name]; v != "" {
			return v
		}
		return pending
	}
	provider := shown(ProviderOutput, "projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/"+c.PoolID()+"/providers/"+ProviderID+
		"   (known after --apply; PROJECT_NUMBER: gcloud projects describe "+c.Project+" --format='value(projectNumber)')")
	backend := shown(BackendOutput, "gs://"+c.StateBucket)
	var b strings.Builder
	fmt.Fprintf(&b, "GitHub environments of stack %s in %s (Settings > Environments), each with its own variables:\n", c.Stack, c.Repository)
	for _, e := range c.Environments() {
		var rules []string
		if e.Reviewers {
			rules = append(rules, "required reviewers")
		}
		if e.MainOnly {
			rules = append(rules, "deployment branches: main only")
		} else {
			rules = append(rules, "no branch rule (pull requests run here)")
		}
		fmt.Fprintf(&b, "  %s (%s; used by %s):\n", e.Name, strings.Join(rules, ", "), e.Workflow)
		account := shown(AccountsOutput+"."+e.Account, infra.AccountEmail(c.Project, c.AccountID(e.Account)))
		for _, v := range [][2]string{{"GCP_WORKLOAD_IDENTITY_PROVIDER", provider}, {"GCP_SERVICE_ACCOUNT", account}, {"PULUMI_BACKEND_URL", backend}} {
			fmt.Fprintf(&b, "    gh variable set %s --repo %s --env %s --body '%s'\n", v[0], c.Repository, e.Name, strings.Fields(v[1])[0])
		}
	}
	if values[ProviderOutput] == "" {
		fmt.Fprintf(&b, "  (PROJECT_NUMBER: gcloud projects describe %s --format='value(projectNumber)'; --apply prints the real values)\n", c.Project)
	}
	fmt.Fprintf(&b, "  Environment secrets, only if you use them (never repository secrets):\n")
	for _, s := range Secrets {
		fmt.Fprintf(&b, "    %s: %s\n", s.Name, s.Purpose)
	}
	fmt.Fprintf(&b, "GitHub repository variables (optional, no credentials in them):\n")
	for _, v := range Variables {
		if !v.Environment {
			fmt.Fprintf(&b, "  %s: %s\n", v.Name, v.Purpose)
		}
	}
	key := shown(SecretsProviderOutput, "")
	fmt.Fprintf(&b, "Then start the stack on its state and key:\n  pulumi login %s\n  pulumi stack init %s --secrets-provider %s\n", backend, c.Stack, key)
	fmt.Fprintf(&b, "  (a stack made earlier: pulumi stack change-secrets-provider %s --stack %s)\n", key, c.Stack)
	_, err := io.WriteString(w, b.String())
	return err
}
