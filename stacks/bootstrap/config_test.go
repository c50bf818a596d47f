package bootstrap

import (
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	ok := Config{Stack: "dev", Project: "my-project-123", Repository: "octo-org/unlimited-translation", RepositoryID: "260064828", OwnerID: "1342004"}
	cases := []struct {
		name string
		edit func(*Config)
		want string // "" for valid; else fragments of the message
	}{
		{"valid", func(*Config) {}, ""},
		{"valid: dots and underscores in a repository", func(c *Config) { c.Repository = "a-b/x.y_z" }, ""},
		{"valid: own bucket", func(c *Config) { c.StateBucket = "acme-tf.state_1" }, ""},
		{"no project", func(c *Config) { c.Project = "" }, "gcp:project (--project): is required"},
		{"project display name", func(c *Config) { c.Project = "My Project" }, `"My Project" is not a project ID`},
		{"project too short", func(c *Config) { c.Project = "abc12" }, "is not a project ID"},
		{"project too long", func(c *Config) { c.Project = "a234567890123456789012345678901" }, "is not a project ID"},
		{"project ends with a hyphen", func(c *Config) { c.Project = "my-project-" }, "is not a project ID"},
		{"project starts with a digit", func(c *Config) { c.Project = "1my-project" }, "is not a project ID"},
		{"project number", func(c *Config) { c.Project = "123456789012" }, "is not a project ID"},
		{"project with google", func(c *Config) { c.Project = "my-google-app" }, "is not a project ID"},
		{"domain-scoped project", func(c *Config) { c.Project = "example.com:my-app" }, "domain-scoped"},
		{"no repository", func(c *Config) { c.Repository = "" }, "unlimited-translation-bootstrap:github (--github): is required"},
		{"repository without owner", func(c *Config) { c.Repository = "unlimited-translation" }, "is not OWNER/REPO"},
		{"repository URL", func(c *Config) { c.Repository = "https://github.com/octo-org/x" }, "is a URL"},
		{"two slashes", func(c *Config) { c.Repository = "octo-org/x/y" }, "is not OWNER/REPO"},
		{"owner with underscore", func(c *Config) { c.Repository = "octo_org/x" }, `has owner "octo_org"`},
		{"owner with a leading hyphen", func(c *Config) { c.Repository = "-octo/x" }, `has owner "-octo"`},
		{"owner with double hyphen", func(c *Config) { c.Repository = "octo--org/x" }, `has owner "octo--org"`},
		{"owner too long", func(c *Config) { c.Repository = strings.Repeat("a", 40) + "/x" }, "1-39"},
		{"repository with a space", func(c *Config) { c.Repository = "octo/my repo" }, `has repository "my repo"`},
		{"repository ..", func(c *Config) { c.Repository = "octo/.." }, `has repository ".."`},
		{"repository .git", func(c *Config) { c.Repository = "octo/x.git" }, "ends in .git"},
		{"unknown region", func(c *Config) { c.Region = "europe-west99" }, `unlimited-translation-bootstrap:region (--region): "europe-west99" is not a region`},
		{"bucket with capitals", func(c *Config) { c.StateBucket = "My-Bucket" }, "stateBucket (--state-bucket)"},
		{"bucket goog prefix", func(c *Config) { c.StateBucket = "goog-state" }, "without goog/google"},
		{"valid: a 16-character stack", func(c *Config) { c.Stack = "staging-eu-west1" }, ""},
		{"no stack", func(c *Config) { c.Stack = "" }, "stack (--stack): is required"},
		{"stack too long for the account IDs", func(c *Config) { c.Stack = "staging-europe-w1" }, `"staging-europe-w1" is not a stack`},
		{"stack with capitals", func(c *Config) { c.Stack = "Prod" }, `"Prod" is not a stack`},
		{"no repository ID", func(c *Config) { c.RepositoryID = "" }, "githubRepositoryId (--github-repository-id): is required: the numeric ID the workflows' tokens carry (gh api repos/octo-org/unlimited-translation --jq .id)"},
		{"repository ID not a number", func(c *Config) { c.RepositoryID = "octo-org/x" }, `githubRepositoryId (--github-repository-id): "octo-org/x" is not a GitHub ID`},
		{"owner ID with a leading zero", func(c *Config) { c.OwnerID = "0123" }, `githubOwnerId (--github-owner-id): "0123" is not a GitHub ID`},
		{"valid: a billing account and an amount", func(c *Config) { c.BillingAccount, c.BudgetMonthly = "012345-6789AB-CDEF01", 45.17 }, ""},
		{"billing account as a resource name", func(c *Config) { c.BillingAccount, c.BudgetMonthly = "billingAccounts/012345-6789AB-CDEF01", 45.17 },
			`billingAccount (--billing-account): "billingAccounts/012345-6789AB-CDEF01" is not a Cloud Billing account ID`},
		{"a budget of nothing", func(c *Config) { c.BillingAccount = "012345-6789AB-CDEF01" }, "budgetMonthly (--billing-account): is 0.00: a budget needs an amount above zero"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.edit(&c)
			c.Normalize()
			err := c.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error with %q, got %v", tc.want, err)
			}
		})
	}
}

// Every bad value is reported at once, and the defaults are the
// documented ones.
func TestValidateReportsAllAndDefaults(t *testing.T) {
	c := Config{Stack: "dev", Project: "X", Repository: "nope", RepositoryID: "1", OwnerID: "2"}
	c.Normalize()
	if c.Region != "europe-west1" || c.StateBucket != "X-dev-pulumi-state" {
		t.Errorf("defaults: %+v", c)
	}
	err := c.Validate()
	if err == nil || strings.Count(err.Error(), "\n  ") != 3 {
		t.Fatalf("want three problems (project, repository, bucket from the bad project), got %v", err)
	}
}
