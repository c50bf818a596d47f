package bootstrap

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/unlimited-translation/infra/infra"
	"github.com/unlimited-translation/infra/stacks"
)

// The access matrix: for each party that could reach a stack's cloud, the
// account it can obtain and what that account can do, worked out from the
// grants themselves. A test derives the same matrix from what the program
// registers and fails on any path from pull-request code to a write, a
// secret or the deployer.

// AccountAccess is one account as IAM would see it: who may become it
// (principal set values of WorkloadAttribute) and its grants.
type AccountAccess struct {
	Name    string // deployer, preview, drift
	Trusted []string
	Project []infra.Grant
	Bucket  []infra.Grant
	KeyRole string
	// Workloads are its roles on the stack's workload accounts alone.
	Workloads []infra.Grant
}

// Access are the stack's accounts as the bootstrap declares them.
func (c Config) Access() []AccountAccess {
	t := c.Trusts()
	values := func(ws []infra.Workload) []string {
		var out []string
		for _, w := range ws {
			out = append(out, w.Value())
		}
		return out
	}
	return []AccountAccess{
		{Name: "deployer", Trusted: values(t.Deployer), Project: DeployerGrants(c.Stack, c.BackupBucket(), c.ArtifactBucket()), Bucket: DeployStateGrants, KeyRole: DeployKeyRole, Workloads: workloadGrants(c.Workloads())},
		{Name: "preview", Trusted: values(t.Preview), Project: PreviewGrants, Bucket: ReaderStateGrants(c.StateBucket), KeyRole: ReaderKeyRole},
		{Name: "drift", Trusted: values(t.Drift), Project: DriftGrants(c.Stack, c.BackupBucket()), Bucket: ReaderStateGrants(c.StateBucket), KeyRole: ReaderKeyRole},
	}
}

func workloadGrants(ws []Workload) []infra.Grant {
	var out []infra.Grant
	for _, w := range ws {
		out = append(out, w.Deployer)
	}
	return out
}

// Caller is a party that may ask GitHub for a token (or, with none, holds
// only its own Google credentials).
type Caller struct {
	Name string
	// Tokens it can obtain; Workflow "*" means any file it can write.
	Tokens []infra.Workload
	// Note explains the row (why no token, what gates it).
	Note string
	// PullRequest: the caller runs a pull request's code; Approved: a
	// maintainer let it into an environment with required reviewers.
	PullRequest, Approved bool
}

// Callers are the parties of the matrix for stack c.
func (c Config) Callers() []Caller {
	tok := func(env, ref, workflow string) infra.Workload {
		return infra.Workload{RepositoryID: c.RepositoryID, OwnerID: c.OwnerID, Repository: c.Repository, Environment: env, Ref: ref, Workflow: workflow}
	}
	deployGate := "runs on every push to main"
	if c.Production {
		deployGate = "after a required reviewer approves"
	}
	callers := []Caller{
		{Name: "pull request from a fork", PullRequest: true, Note: "GitHub gives fork pull_request runs a read-only token: no id-token, no secrets"},
		{Name: "pull request from a branch, not approved", PullRequest: true, Tokens: []infra.Workload{tok("", PullRequestRef, "*")},
			Note: "its own workflow files, no environment (every environment it could name is main-only or needs a reviewer)"},
		{Name: "pull request, after a maintainer approves " + c.PreviewEnvironment(), PullRequest: true, Approved: true, Tokens: []infra.Workload{tok(c.PreviewEnvironment(), PullRequestRef, "*")},
			Note: "the pull request's code, once approved, in " + c.PreviewEnvironment()},
		{Name: "push to main, any workflow without an environment", Tokens: []infra.Workload{tok("", DeployRef, "*")}, Note: "merged code"},
		{Name: "deploy of " + c.Stack, Tokens: []infra.Workload{tok(c.DeployEnvironment(), DeployRef, DeployWorkflow)}, Note: "deploy.yml on main in " + c.DeployEnvironment() + ", " + deployGate},
		{Name: "drift of " + c.Stack, Tokens: []infra.Workload{tok(c.DriftEnvironment(), DeployRef, DriftWorkflow)}, Note: "drift.yml on main in " + c.DriftEnvironment()},
		{Name: "dev sleep/wake schedule", Tokens: []infra.Workload{tok(ScheduledStack, DeployRef, ScheduleWorkflow)}, Note: "dev-sleep-wake.yml on main in dev"},
		{Name: "another workflow on main in " + c.DeployEnvironment(), Tokens: []infra.Workload{tok(c.DeployEnvironment(), DeployRef, ".github/workflows/other.yml")},
			Note: "merged code, the wrong workflow file"},
		{Name: "an operator's laptop", Note: "the person's own Google credentials; the bootstrap lets no one impersonate these accounts (no serviceAccountTokenCreator)"},
	}
	return callers
}

// Row is one line of the matrix.
type Row struct {
	Caller  string
	Account string // "" for none
	Can     []string
	Note    string
	// PullRequest and Approved are the caller's.
	PullRequest, Approved bool
}

// Violations are the paths the matrix must never have: pull-request code
// that reaches the deployer, a write or (before approval) anything at all.
func Violations(rows []Row) []string {
	var out []string
	for _, r := range rows {
		if !r.PullRequest || r.Account == "" {
			continue
		}
		if !r.Approved {
			out = append(out, fmt.Sprintf("%s obtains %s without a maintainer's approval", r.Caller, r.Account))
		}
		if r.Account == "deployer" {
			out = append(out, fmt.Sprintf("%s obtains the deployer", r.Caller))
		}
		for _, c := range r.Can {
			if slices.Contains([]string{CanWriteState, CanChangeCloud, CanActAsAccounts, CanUseWorkloads, CanGrantRoles, CanEncrypt, CanReadSecrets}, c) {
				out = append(out, fmt.Sprintf("%s can %s (as %s)", r.Caller, c, r.Account))
			}
		}
	}
	return out
}

// Capabilities the matrix reports, and what pull-request code must never
// reach.
const (
	CanReadState     = "read state"
	CanWriteLocks    = "write locks"
	CanWriteState    = "write checkpoints, backups, history, journal"
	CanDecrypt       = "decrypt stack secrets"
	CanEncrypt       = "encrypt stack secrets"
	CanReadSecrets   = "read Kubernetes Secrets"
	CanChangeCloud   = "change cloud resources"
	CanActAsAccounts = "act as or re-grant any service account"
	CanUseWorkloads  = "act as or re-grant the stack's workload accounts"
	CanGrantRoles    = "grant project roles"
)

// rolePermissions are the permissions of interest of each predefined role
// the bootstrap grants (GCP predefined roles reference; see grants.go):
// writes marks a role that changes cloud resources.
var rolePermissions = map[string][]string{
	"roles/viewer":                               {},
	"roles/storage.objectViewer":                 {"storage.objects.get", "storage.objects.list"},
	"roles/storage.objectAdmin":                  {"storage.objects.get", "storage.objects.list", "storage.objects.create", "storage.objects.delete"},
	"roles/cloudkms.cryptoKeyDecrypter":          {"cloudkms.cryptoKeyVersions.useToDecrypt"},
	"roles/cloudkms.cryptoKeyEncrypterDecrypter": {"cloudkms.cryptoKeyVersions.useToDecrypt", "cloudkms.cryptoKeyVersions.useToEncrypt"},
	"roles/container.admin":                      {"container.secrets.get", "writes"},
	"roles/compute.networkAdmin":                 {"writes"},
	"roles/compute.storageAdmin":                 {"writes"},
	"roles/dns.admin":                            {"writes"},
	"roles/cloudsql.admin":                       {"writes"},
	"roles/iam.serviceAccountAdmin":              {"iam.serviceAccounts.setIamPolicy", "writes"},
	"roles/iam.serviceAccountUser":               {"iam.serviceAccounts.actAs"},
	"roles/resourcemanager.projectIamAdmin":      {"resourcemanager.projects.setIamPolicy"},
}

// permissions of a grant: a custom role's own list, a predefined role's
// from the table; an unknown role is an error, never a guess.
func permissions(g infra.Grant) ([]string, error) {
	if g.Custom() {
		return g.Permissions, nil
	}
	p, ok := rolePermissions[g.Role]
	if !ok {
		return nil, fmt.Errorf("no permission facts for %s: add them to rolePermissions, from GCP's roles reference", g.Role)
	}
	return p, nil
}

var (
	startsWith = regexp.MustCompile(`^resource\.name\.startsWith\('([^']*)'\)$`)
	nameIs     = regexp.MustCompile(`^resource\.name == '([^']*)'$`)
)

// applies tells whether a grant's condition holds for an object. Only the
// forms the bootstrap writes are understood: startsWith and == on
// resource.name, joined by ||.
func applies(g infra.Grant, bucket, object string) (bool, error) {
	if g.Condition == "" {
		return true, nil
	}
	name := "projects/_/buckets/" + bucket + "/objects/" + object
	for _, term := range strings.Split(g.Condition, " || ") {
		if m := startsWith.FindStringSubmatch(term); m != nil {
			if strings.HasPrefix(name, m[1]) {
				return true, nil
			}
			continue
		}
		if m := nameIs.FindStringSubmatch(term); m != nil {
			if name == m[1] {
				return true, nil
			}
			continue
		}
		return false, fmt.Errorf("condition %q of %s: not a form the access matrix understands", g.Condition, g.Role)
	}
	return false, nil
}

// StateObjects are the objects of a stack in its state bucket, by kind.
func StateObjects(stack string) (locks string, others []string) {
	p := stacks.Project
	return ".pulumi/locks/organization/" + p + "/" + stack + "/0f6c.json", []string{
		".pulumi/stacks/" + p + "/" + stack + ".json",
		".pulumi/stacks/" + p + "/" + stack + ".json.bak",
		".pulumi/backups/" + p + "/" + stack + "/" + stack + ".1.json",
		".pulumi/history/" + p + "/" + stack + "/" + stack + "-1.history.json",
		".pulumi/infra/" + p + "/" + stack + ".destroy-journal.json",
		".pulumi/infra/" + p + "/" + stack + ".awake.json",
	}
}

// can works out what an account can do.
func (a AccountAccess) can(bucket, stack string) ([]string, error) {
	has := func(gs []infra.Grant, perm, object string) (bool, error) {
		for _, g := range gs {
			ps, err := permissions(g)
			if err != nil {
				return false, err
			}
			ok := slices.Contains(ps, perm)
			if ok && object != "" {
				if ok, err = applies(g, bucket, object); err != nil {
					return false, err
				}
			}
			if ok {
				return true, nil
			}
		}
		return false, nil
	}
	writes := func(gs []infra.Grant, object string) (bool, error) {
		c, err := has(gs, "storage.objects.create", object)
		if err != nil || !c {
			return false, err
		}
		return has(gs, "storage.objects.delete", object)
	}
	// Project-wide storage roles reach the state bucket too.
	bucketGrants := append(append([]infra.Grant{}, a.Bucket...), a.Project...)
	locks, others := StateObjects(stack)
	checks := []struct {
		what string
		fn   func() (bool, error)
	}{
		{CanReadState, func() (bool, error) { return has(bucketGrants, "storage.objects.get", others[0]) }},
		{CanWriteLocks, func() (bool, error) { return writes(bucketGrants, locks) }},
		{CanWriteState, func() (bool, error) {
			for _, o := range others {
				if w, err := writes(bucketGrants, o); err != nil || w {
					return w, err
				}
			}
			return false, nil
		}},
		{CanDecrypt, func() (bool, error) {
			return has([]infra.Grant{{Role: a.KeyRole}}, "cloudkms.cryptoKeyVersions.useToDecrypt", "")
		}},
		{CanEncrypt, func() (bool, error) {
			return has([]infra.Grant{{Role: a.KeyRole}}, "cloudkms.cryptoKeyVersions.useToEncrypt", "")
		}},
		{CanReadSecrets, func() (bool, error) { return has(a.Project, "container.secrets.get", "") }},
		{CanChangeCloud, func() (bool, error) {
			for _, g := range a.Project {
				ps, err := permissions(g)
				if err != nil {
					return false, err
				}
				for _, p := range ps {
					if p == "writes" || strings.HasSuffix(p, ".create") || strings.HasSuffix(p, ".enable") {
						return true, nil
					}
				}
			}
			return false, nil
		}},
		{CanActAsAccounts, func() (bool, error) {
			if ok, err := has(a.Project, "iam.serviceAccounts.actAs", ""); err != nil || ok {
				return ok, err
			}
			return has(a.Project, "iam.serviceAccounts.setIamPolicy", "")
		}},
		{CanUseWorkloads, func() (bool, error) {
			if ok, err := has(a.Workloads, "iam.serviceAccounts.actAs", ""); err != nil || ok {
				return ok, err
			}
			return has(a.Workloads, "iam.serviceAccounts.setIamPolicy", "")
		}},
		{CanGrantRoles, func() (bool, error) { return has(a.Project, "resourcemanager.projects.setIamPolicy", "") }},
	}
	var out []string
	for _, c := range checks {
		ok, err := c.fn()
		if err != nil {
			return nil, fmt.Errorf("account %s: %w", a.Name, err)
		}
		if ok {
			out = append(out, c.what)
		}
	}
	return out, nil
}

// obtains tells whether a token of the caller maps to a trusted value;
// a "*" workflow stands for any file the caller can write.
func obtains(tok infra.Workload, trusted string) bool {
	if tok.Environment == "" {
		return false // no environment claim: WorkloadMapping fails, no token
	}
	if tok.Workflow != "*" {
		return tok.Value() == trusted
	}
	prefix := strings.TrimSuffix(tok.Value(), "*")
	return strings.HasPrefix(trusted, prefix) && strings.HasPrefix(trusted[len(prefix):], ".github/workflows/")
}

// BuildMatrix evaluates callers against accounts.
func BuildMatrix(accounts []AccountAccess, callers []Caller, bucket, stack string) ([]Row, error) {
	var rows []Row
	for _, c := range callers {
		var got []string
		for _, a := range accounts {
			for _, tok := range c.Tokens {
				for _, v := range a.Trusted {
					if obtains(tok, v) && !slices.Contains(got, a.Name) {
						got = append(got, a.Name)
					}
				}
			}
		}
		if len(got) == 0 {
			rows = append(rows, Row{Caller: c.Name, Note: c.Note, PullRequest: c.PullRequest, Approved: c.Approved})
			continue
		}
		sort.Strings(got)
		for _, name := range got {
			i := slices.IndexFunc(accounts, func(a AccountAccess) bool { return a.Name == name })
			can, err := accounts[i].can(bucket, stack)
			if err != nil {
				return nil, err
			}
			rows = append(rows, Row{Caller: c.Name, Account: name, Can: can, Note: c.Note, PullRequest: c.PullRequest, Approved: c.Approved})
		}
	}
	return rows, nil
}

// Matrix is the stack's access matrix from the bootstrap's declarations.
func (c Config) Matrix() ([]Row, error) {
	return BuildMatrix(c.Access(), c.Callers(), c.StateBucket, c.Stack)
}

// WriteMatrix renders rows as a Markdown table.
func WriteMatrix(b *strings.Builder, c Config, rows []Row) {
	b.WriteString("| caller | account it can obtain | what that account can do |\n| --- | --- | --- |\n")
	for _, r := range rows {
		acc, can := "none", "nothing in the cloud"
		if r.Account != "" {
			acc = "`" + c.AccountID(r.Account) + "`"
			can = strings.Join(r.Can, ", ")
			if can == "" {
				can = "read the project"
			}
		}
		fmt.Fprintf(b, "| %s (%s) | %s | %s |\n", r.Caller, r.Note, acc, can)
	}
}
