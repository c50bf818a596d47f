package bootstrap

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/unlimited-translation/infra/infra"
	"github.com/unlimited-translation/infra/internal/mockstack"
)

// registered derives the accounts' access from what the program
// registers, not from its declarations.
func registered(t *testing.T, m *mockstack.Mocks, c Config) []AccountAccess {
	t.Helper()
	custom := map[string][]string{}
	for _, r := range m.ByType("gcp:projects/iAMCustomRole:IAMCustomRole") {
		v, _ := mockstack.Path(r.Inputs, "permissions")
		var ps []string
		for _, p := range v.ArrayValue() {
			ps = append(ps, p.StringValue())
		}
		custom["projects/"+c.Project+"/roles/"+mockstack.Str(r.Inputs, "roleId")] = ps
	}
	grant := func(r mockstack.Resource) infra.Grant {
		g := infra.Grant{Role: mockstack.Str(r.Inputs, "role"), Condition: mockstack.Str(r.Inputs, "condition.expression")}
		if ps, ok := custom[g.Role]; ok {
			g.Permissions = ps
		}
		return g
	}
	var out []AccountAccess
	for name, id := range map[string]string{"deployer": c.DeployerAccountID(), "preview": c.PreviewAccountID(), "drift": c.DriftAccountID()} {
		a := AccountAccess{Name: name}
		member := "serviceAccount:" + infra.AccountEmail(c.Project, id)
		for _, r := range m.ByType("gcp:projects/iAMMember:IAMMember") {
			if mockstack.Str(r.Inputs, "member") == member {
				a.Project = append(a.Project, grant(r))
			}
		}
		for _, r := range m.ByType("gcp:storage/bucketIAMMember:BucketIAMMember") {
			if mockstack.Str(r.Inputs, "member") == member {
				if b := mockstack.Str(r.Inputs, "bucket"); b != c.StateBucket {
					t.Errorf("%s holds a role on bucket %s", name, b)
				}
				a.Bucket = append(a.Bucket, grant(r))
			}
		}
		for _, r := range m.ByType("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember") {
			if mockstack.Str(r.Inputs, "member") == member {
				a.KeyRole = mockstack.Str(r.Inputs, "role")
			}
		}
		// Roles on single service accounts: only the workload accounts'.
		for _, r := range m.ByType("gcp:serviceaccount/iAMMember:IAMMember") {
			if mockstack.Str(r.Inputs, "member") != member {
				continue
			}
			on := mockstack.Str(r.Inputs, "serviceAccountId")
			if !slices.ContainsFunc(c.Workloads(), func(w Workload) bool { return strings.HasSuffix(on, "/"+infra.AccountEmail(c.Project, w.ID)) }) {
				t.Errorf("%s holds %s on %s, not a workload account", name, mockstack.Str(r.Inputs, "role"), on)
			}
			a.Workloads = append(a.Workloads, grant(r))
		}
		prefix := "principalSet://iam.googleapis.com/" + mockstack.PoolName(c.PoolID()) + "/" + infra.WorkloadAttribute + "/"
		for _, mem := range members(m, name) {
			v, ok := strings.CutPrefix(mem, prefix)
			if !ok {
				t.Errorf("%s is trusted to %s, not a workload of its own pool", name, mem)
			}
			a.Trusted = append(a.Trusted, v)
		}
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b AccountAccess) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func rowsBy(rows []Row) map[string][]Row {
	out := map[string][]Row{}
	for _, r := range rows {
		out[r.Caller] = append(out[r.Caller], r)
	}
	return out
}

// The matrix derived from the registered bindings is the one infra
// bootstrap prints, and it has no path from pull-request code to a write,
// a secret or the deployer.
func TestAccessMatrix(t *testing.T) {
	for _, tc := range []struct {
		stack      string
		production bool
	}{{"dev", false}, {"prod", true}} {
		cfg := with("unlimited-translation-bootstrap:production", map[bool]string{true: "true", false: "false"}[tc.production])
		m, _ := runStack(t, tc.stack, cfg)
		c := Config{Stack: tc.stack, Project: "my-project-123", Repository: "octo-org/unlimited-translation", RepositoryID: "260064828", OwnerID: "1342004", Production: tc.production}
		c.Normalize()
		rows, err := BuildMatrix(registered(t, m, c), c.Callers(), c.StateBucket, c.Stack)
		if err != nil {
			t.Fatal(err)
		}
		declared, err := c.Matrix()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(rows, declared) {
			t.Errorf("%s: the registered bindings give\n%v\nthe declared ones\n%v", tc.stack, rows, declared)
		}
		if v := Violations(rows); len(v) > 0 {
			t.Errorf("%s: %v", tc.stack, v)
		}
		by := rowsBy(rows)
		// Worked out by hand from the grants (grants.go).
		want := map[string]struct {
			account string
			can     []string
		}{
			"pull request from a fork":                                           {"", nil},
			"pull request from a branch, not approved":                           {"", nil},
			"pull request, after a maintainer approves " + tc.stack + "-preview": {"preview", []string{CanReadState, CanWriteLocks, CanDecrypt}},
			"push to main, any workflow without an environment":                  {"", nil},
			"deploy of " + tc.stack:                                              {"deployer", []string{CanReadState, CanWriteLocks, CanWriteState, CanDecrypt, CanEncrypt, CanReadSecrets, CanChangeCloud, CanUseWorkloads}},
			"drift of " + tc.stack:                                               {"drift", []string{CanReadState, CanWriteLocks, CanDecrypt, CanReadSecrets}},
			"another workflow on main in " + tc.stack:                            {"", nil},
			"an operator's laptop":                                               {"", nil},
		}
		// Only dev's deployer trusts the schedule.
		if tc.stack == "dev" {
			want["dev sleep/wake schedule"] = want["deploy of dev"]
		} else {
			want["dev sleep/wake schedule"] = want["an operator's laptop"]
		}
		for caller, w := range want {
			got := by[caller]
			if len(got) != 1 {
				t.Errorf("%s: %s has %d rows: %v", tc.stack, caller, len(got), got)
				continue
			}
			if got[0].Account != w.account || !slices.Equal(got[0].Can, w.can) {
				t.Errorf("%s: %s obtains %q that can %v, want %q that can %v", tc.stack, caller, got[0].Account, got[0].Can, w.account, w.can)
			}
		}
	}
}

// The matrix catches a regression: the preview account with objectAdmin
// on the whole bucket again, or trusted without an environment.
func TestAccessMatrixCatchesRegressions(t *testing.T) {
	c := Config{Stack: "dev", Project: "my-project-123", Repository: "octo-org/unlimited-translation", RepositoryID: "260064828", OwnerID: "1342004"}
	c.Normalize()
	check := func(name string, mutate func([]AccountAccess), want string) {
		t.Helper()
		acc := c.Access()
		mutate(acc)
		rows, err := BuildMatrix(acc, c.Callers(), c.StateBucket, c.Stack)
		if err != nil {
			t.Fatal(err)
		}
		v := strings.Join(Violations(rows), "; ")
		if !strings.Contains(v, want) {
			t.Errorf("%s: violations %q, want one with %q", name, v, want)
		}
	}
	check("objectAdmin on the bucket", func(a []AccountAccess) {
		a[1].Bucket = []infra.Grant{{Role: "roles/storage.objectAdmin"}}
	}, "can write checkpoints, backups, history, journal (as preview)")
	check("preview trusted from any pull request workflow", func(a []AccountAccess) {
		a[1].Trusted[0] = strings.Replace(a[1].Trusted[0], "dev-preview", "", 1)
	}, "") // no environment: no token at all, so nothing to report
	check("deployer trusted from pull requests", func(a []AccountAccess) {
		a[0].Trusted = append(a[0].Trusted, strings.Replace(a[0].Trusted[0], "dev/refs/heads/main", "dev-preview/refs/pull", 1))
	}, "obtains the deployer")
	check("preview with Kubernetes Secrets", func(a []AccountAccess) {
		a[1].Project = DriftGrants("dev", c.BackupBucket())
	}, "can read Kubernetes Secrets (as preview)")
	// An unknown role is an error, not a guess.
	acc := c.Access()
	acc[1].Project = append(acc[1].Project, infra.Grant{Role: "roles/editor"})
	if _, err := BuildMatrix(acc, c.Callers(), c.StateBucket, c.Stack); err == nil || !strings.Contains(err.Error(), "no permission facts for roles/editor") {
		t.Errorf("unknown role: %v", err)
	}
}

// The deployer's bucket role reaches its stack's buckets and their
// objects, and nothing else: not a bucket whose name only starts alike,
// not the state bucket.
func TestBucketsConditionApplies(t *testing.T) {
	g := DeployerGrants("dev", "p-dev-mysql-backups", "p-dev-mlflow-artifacts")
	var role infra.Grant
	for _, x := range g {
		if x.Role == customRoleID("Buckets", "dev") {
			role = x
		}
	}
	for _, c := range []struct {
		bucket, object string
		want           bool
	}{
		{"p-dev-mysql-backups", "mysql/translation-20270101T000000Z.sql.gz", true},
		{"p-dev-mlflow-artifacts", "1/abc/artifacts/model.pkl", true},
		{"p-dev-mysql-backups-old", "mysql/x.sql.gz", false},
		{"p-dev-pulumi-state", ".pulumi/stacks/unlimited-translation/dev.json", false},
		{"p-prod-mysql-backups", "mysql/x.sql.gz", false},
	} {
		got, err := applies(role, c.bucket, c.object)
		if err != nil || got != c.want {
			t.Errorf("%s/%s: %v, %v; want %v", c.bucket, c.object, got, err, c.want)
		}
	}
	if _, err := applies(infra.Grant{Role: "r", Condition: "resource.type == 'storage.googleapis.com/Bucket'"}, "b", "o"); err == nil {
		t.Error("a condition the matrix does not understand was read as one it does")
	}
}
