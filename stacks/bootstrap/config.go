// Package bootstrap is the once-per-stack program that prepares a stack's
// GCP project and the GitHub repository for it: the APIs, the stack's own
// state bucket and Cloud KMS key, GitHub's Workload Identity Federation
// and the stack's three CI service accounts (deployer, preview, drift),
// each trusted by exactly one workflow in one GitHub environment.
// bootstrap/ runs it with plain pulumi (one bootstrap stack per app stack,
// named alike); infra bootstrap plans it offline or applies it.
package bootstrap

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/unlimited-translation/infra/stacks"
)

// Project is the bootstrap program's Pulumi project name (bootstrap/Pulumi.yaml).
const Project = "unlimited-translation-bootstrap"

// DefaultRegion is where the state bucket and the key live unless told.
const DefaultRegion = "europe-west1"

// Config is what the bootstrap needs: the app stack it serves, its GCP
// project, the GitHub repository whose workflows get credentials, and
// where the state lives.
type Config struct {
	// Stack is the app stack (dev, prod): the bootstrap stack's own name.
	Stack string
	// Project is the GCP project ID (gcp:project, --project).
	Project string
	// Repository is OWNER/REPO on GitHub (github, --github).
	Repository string
	// RepositoryID and OwnerID are GitHub's numeric IDs of the repository
	// and its owner (githubRepositoryId, githubOwnerId): what the trust
	// checks, since names can be taken again after a rename or delete.
	RepositoryID, OwnerID string
	// Production: the stack's deploy environment must have required
	// reviewers, and no schedule may put it to sleep (production).
	Production bool
	// Region of the state bucket and the KMS key (region, --region).
	Region string
	// StateBucket names the state bucket (stateBucket, --state-bucket);
	// default PROJECT-STACK-pulumi-state.
	StateBucket string
	// BillingAccount, when set (billingAccount, --billing-account), is the
	// project's Cloud Billing account: the bootstrap makes a budget of
	// BudgetMonthly US dollars on the project (budgetMonthly, which
	// infra bootstrap sets to what infra cost says the stack costs).
	BillingAccount string
	BudgetMonthly  float64
	// AppBackupBucket is backupBucket of the app's stack file, when it
	// sets one (appBackupBucket): the deployer's bucket role names it.
	AppBackupBucket string
}

// Names of what the bootstrap of one stack creates: a pool per stack, so
// two stacks can share a project; account IDs of 6-30 characters, pool
// IDs of 4-32.
func (c Config) PoolID() string             { return "github-" + c.Stack }
func (c Config) DeployerAccountID() string  { return "infra-deploy-" + c.Stack }
func (c Config) PreviewAccountID() string   { return "infra-preview-" + c.Stack }
func (c Config) DriftAccountID() string     { return "infra-drift-" + c.Stack }
func (c Config) KeyRing() string            { return "pulumi-" + c.Stack }
func (c Config) DeployEnvironment() string  { return c.Stack }
func (c Config) PreviewEnvironment() string { return c.Stack + "-preview" }
func (c Config) DriftEnvironment() string   { return c.Stack + "-drift" }

// AccountID is the ID of the account named deployer, preview or drift.
func (c Config) AccountID(name string) string {
	return map[string]string{"deployer": c.DeployerAccountID(), "preview": c.PreviewAccountID(), "drift": c.DriftAccountID()}[name]
}

// stackName: the longest stack name the account IDs take (infra-preview-
// plus 16 is 30).
var stackName = regexp.MustCompile(`^[a-z]([a-z0-9-]{0,14}[a-z0-9])?$`)

var numericID = regexp.MustCompile(`^[1-9][0-9]{0,19}$`)

// Problem is one bad value: the key, the flag, what is wrong.
type Problem struct{ Key, Flag, Message string }

// Error lists every bad value at once.
type Error struct{ Problems []Problem }

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("bootstrap config:")
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  %s (--%s): %s", p.Key, p.Flag, p.Message)
	}
	return b.String()
}

// Cloud Storage bucket names (cloud.google.com/storage/docs/buckets,
// "Bucket naming"): 3-63 characters of lowercase letters, digits, -, _
// and ., starting and ending with a letter or digit; no "goog" prefix and
// no "google".
var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$`)

// Project IDs ("Creating and managing projects"): 6-30 characters of
// lowercase letters, digits and hyphens, starting with a letter, not
// ending with a hyphen, and never containing "google".
var projectID = regexp.MustCompile(`^[a-z][a-z0-9-]{4,28}[a-z0-9]$`)

// GitHub names: an owner of 1-39 letters, digits and single hyphens, not
// at either end; a repository of 1-100 letters, digits, '.', '-', '_'.
var (
	ownerName = regexp.MustCompile(`^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$`)
	repoName  = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)
)

// Values are the config as the bootstrap stack holds it (full keys).
func (c Config) Values() map[string]string {
	return map[string]string{
		"gcp:project":                   c.Project,
		Project + ":github":             c.Repository,
		Project + ":githubRepositoryId": c.RepositoryID,
		Project + ":githubOwnerId":      c.OwnerID,
		Project + ":production":         fmt.Sprint(c.Production),
		Project + ":region":             c.Region,
		Project + ":stateBucket":        c.StateBucket,
		Project + ":billingAccount":     c.BillingAccount,
		Project + ":appBackupBucket":    c.AppBackupBucket,
		Project + ":budgetMonthly":      strconv.FormatFloat(c.BudgetMonthly, 'f', 2, 64),
	}
}

// Normalize fills the defaults.
func (c *Config) Normalize() {
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	if c.StateBucket == "" && c.Project != "" && c.Stack != "" {
		c.StateBucket = c.Project + "-" + c.Stack + "-pulumi-state"
	}
}

// Validate checks every value before any cloud call.
func (c Config) Validate() error {
	var ps []Problem
	add := func(key, flag, format string, a ...any) {
		ps = append(ps, Problem{Key: key, Flag: flag, Message: fmt.Sprintf(format, a...)})
	}
	if c.Stack == "" {
		add("stack", "stack", "is required: the app stack this bootstrap serves (dev, prod), which is also the bootstrap stack's name")
	} else if !stackName.MatchString(c.Stack) {
		add("stack", "stack", "%q is not a stack this bootstrap can serve: 1-16 lowercase letters, digits and hyphens, starting with a letter (the app stack, e.g. dev or prod; it names the accounts infra-preview-STACK)", c.Stack)
	}
	switch {
	case c.Project == "":
		add("gcp:project", "project", "is required: the ID of the GCP project to prepare (gcloud projects list shows it)")
	case strings.Contains(c.Project, ":"):
		add("gcp:project", "project", "%q is a domain-scoped project ID; its names do not fit bucket and account names: use a project with a plain ID", c.Project)
	case !projectID.MatchString(c.Project) || strings.Contains(c.Project, "google"):
		add("gcp:project", "project", "%q is not a project ID: 6-30 lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen (the ID, not the display name or number)", c.Project)
	}
	if c.Repository == "" {
		add(Project+":github", "github", "is required: the GitHub repository as OWNER/REPO, e.g. octo-org/unlimited-translation")
	} else if msg := checkRepository(c.Repository); msg != "" {
		add(Project+":github", "github", "%q %s", c.Repository, msg)
	}
	for _, id := range []struct{ key, flag, value, what string }{
		{"githubRepositoryId", "github-repository-id", c.RepositoryID, ".id"},
		{"githubOwnerId", "github-owner-id", c.OwnerID, ".owner.id"},
	} {
		if !numericID.MatchString(id.value) {
			what := "is required"
			if id.value != "" {
				what = fmt.Sprintf("%q is not a GitHub ID", id.value)
			}
			add(Project+":"+id.key, id.flag, "%s: the numeric ID the workflows' tokens carry (gh api repos/%s --jq %s)", what, orRepo(c.Repository), id.what)
		}
	}
	if !slices.Contains(stacks.Regions, c.Region) {
		add(Project+":region", "region", "%q is not a region the stacks accept: one of %s", c.Region, strings.Join(stacks.Regions, ", "))
	}
	if c.StateBucket != "" && (!bucketName.MatchString(c.StateBucket) || strings.HasPrefix(c.StateBucket, "goog") || strings.Contains(c.StateBucket, "google")) {
		add(Project+":stateBucket", "state-bucket", "%q is not a bucket name: 3-63 lowercase letters, digits, '-', '_' or '.', starting and ending with a letter or digit, without goog/google", c.StateBucket)
	}
	if c.BillingAccount != "" && !billingAccount.MatchString(c.BillingAccount) {
		add(Project+":billingAccount", "billing-account", "%q is not a Cloud Billing account ID: three groups of six letters or digits, e.g. 012345-6789AB-CDEF01 (gcloud billing projects describe %s --format='value(billingAccountName)')", c.BillingAccount, orProject(c.Project))
	}
	if c.BillingAccount != "" && c.BudgetMonthly <= 0 {
		add(Project+":budgetMonthly", "billing-account", "is %.2f: a budget needs an amount above zero (infra bootstrap sets it from infra cost --stack %s)", c.BudgetMonthly, c.Stack)
	}
	if len(ps) > 0 {
		return &Error{Problems: ps}
	}
	return nil
}

// billingAccount is a Cloud Billing account ID as the Billing API names
// accounts (billingAccounts/012345-567890-ABCDEF).
var billingAccount = regexp.MustCompile(`^[0-9A-Z]{6}-[0-9A-Z]{6}-[0-9A-Z]{6}$`)

func orProject(p string) string {
	if p == "" {
		return "PROJECT"
	}
	return p
}

func orRepo(r string) string {
	if r == "" {
		return "OWNER/REPO"
	}
	return r
}

func checkRepository(r string) string {
	owner, repo, ok := strings.Cut(r, "/")
	switch {
	case strings.HasPrefix(r, "https://") || strings.HasPrefix(r, "git@"):
		return "is a URL: give OWNER/REPO, e.g. octo-org/unlimited-translation"
	case !ok || strings.Contains(repo, "/"):
		return "is not OWNER/REPO (one slash), e.g. octo-org/unlimited-translation"
	case len(owner) > 39 || !ownerName.MatchString(owner):
		return fmt.Sprintf("has owner %q: GitHub owners are 1-39 letters, digits and single hyphens, not at either end", owner)
	case !repoName.MatchString(repo) || repo == "." || repo == "..":
		return fmt.Sprintf("has repository %q: 1-100 letters, digits, '.', '-' or '_'", repo)
	case strings.HasSuffix(repo, ".git"):
		return "ends in .git: give the repository's name without it"
	}
	return ""
}
