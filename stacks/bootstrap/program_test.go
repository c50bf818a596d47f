package bootstrap

import (
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/unlimited-translation/infra/internal/mockstack"
)

var sample = map[string]string{
	"gcp:project":                                        "my-project-123",
	"unlimited-translation-bootstrap:github":             "octo-org/unlimited-translation",
	"unlimited-translation-bootstrap:githubRepositoryId": "260064828",
	"unlimited-translation-bootstrap:githubOwnerId":      "1342004",
}

// with is sample with some keys changed.
func with(kv ...string) map[string]string {
	c := maps.Clone(sample)
	for i := 0; i < len(kv); i += 2 {
		c[kv[i]] = kv[i+1]
	}
	return c
}

func run(t *testing.T, config map[string]string) (*mockstack.Mocks, map[string]interface{}) {
	t.Helper()
	return runStack(t, "dev", config)
}

func runStack(t *testing.T, stack string, config map[string]string) (*mockstack.Mocks, map[string]interface{}) {
	t.Helper()
	m, out, err := mockstack.RunProject(Project, stack, config, nil, Program)
	if err != nil {
		t.Fatal(err)
	}
	return m, out
}

func boolAt(t *testing.T, r mockstack.Resource, path string) bool {
	t.Helper()
	v, ok := mockstack.Path(r.Inputs, path)
	if !ok || !v.IsBool() {
		t.Fatalf("%s %s: not a bool (%v)", r.Name, path, v)
	}
	return v.BoolValue()
}

func TestStateBucketAndKey(t *testing.T) {
	m, _ := run(t, sample)
	b := m.Must(t, "gcp:storage/bucket:Bucket", "state")
	mockstack.Expect(t, "state bucket", b.Inputs, map[string]string{
		"name": "my-project-123-dev-pulumi-state", "location": "europe-west1", "publicAccessPrevention": "enforced",
	})
	if !boolAt(t, b, "uniformBucketLevelAccess") || !boolAt(t, b, "versioning.enabled") || boolAt(t, b, "forceDestroy") {
		t.Error("the state bucket must be uniform, versioned and never force-destroyed")
	}
	ring := m.Must(t, "gcp:kms/keyRing:KeyRing", "secrets")
	key := m.Must(t, "gcp:kms/cryptoKey:CryptoKey", "secrets")
	mockstack.Expect(t, "key ring", ring.Inputs, map[string]string{"name": "pulumi-dev", "location": "europe-west1"})
	mockstack.Expect(t, "key", key.Inputs, map[string]string{"name": "stack-secrets", "purpose": "ENCRYPT_DECRYPT", "rotationPeriod": "7776000s"})
	for _, r := range []mockstack.Resource{b, ring, key} {
		if !r.Request.GetProtect() {
			t.Errorf("%s %s is not protected", r.Type, r.Name)
		}
	}
}

func TestAPIs(t *testing.T) {
	m, _ := run(t, sample)
	var got []string
	for _, r := range m.ByType("gcp:projects/service:Service") {
		got = append(got, mockstack.Str(r.Inputs, "service"))
		if v, _ := mockstack.Path(r.Inputs, "disableOnDestroy"); !v.IsBool() || v.BoolValue() {
			t.Errorf("%s would be disabled on destroy", r.Name)
		}
	}
	sort.Strings(got)
	want := []string{
		"artifactregistry.googleapis.com", "cloudkms.googleapis.com", "cloudresourcemanager.googleapis.com",
		"compute.googleapis.com", "container.googleapis.com", "dns.googleapis.com", "iam.googleapis.com",
		"iamcredentials.googleapis.com", "monitoring.googleapis.com", "sqladmin.googleapis.com", "storage.googleapis.com", "sts.googleapis.com",
	}
	if !slices.Equal(got, want) {
		t.Errorf("APIs:\n got %v\nwant %v", got, want)
	}
}

func TestGitHubFederation(t *testing.T) {
	m, _ := run(t, sample)
	pool := m.Must(t, "gcp:iam/workloadIdentityPool:WorkloadIdentityPool", "github")
	mockstack.Expect(t, "pool", pool.Inputs, map[string]string{"workloadIdentityPoolId": "github-dev"})
	p := m.Must(t, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", "github")
	mockstack.Expect(t, "provider", p.Inputs, map[string]string{
		"attributeCondition":             "assertion.repository_id == '260064828' && assertion.repository_owner_id == '1342004'",
		"oidc.issuerUri":                 "https://token.actions.githubusercontent.com",
		"workloadIdentityPoolProviderId": "github",
	})
	v, _ := mockstack.Path(p.Inputs, "attributeMapping")
	got := map[string]string{}
	for k, e := range v.ObjectValue() {
		got[string(k)] = e.StringValue()
	}
	want := map[string]string{
		"google.subject": "assertion.sub",
		"attribute.workload": "assertion.repository_id + '/' + assertion.repository_owner_id + '/' + assertion.environment + '/' + " +
			"(assertion.ref.startsWith('refs/pull/') ? 'refs/pull' : assertion.ref) + '/' + assertion.job_workflow_ref.extract('{workflow}@')",
	}
	if !maps.Equal(got, want) {
		t.Errorf("attribute mapping\n got %v\nwant %v", got, want)
	}
}

// members lists who may impersonate an account, by the account's
// component name.
func members(m *mockstack.Mocks, account string) []string {
	var out []string
	for _, r := range m.ByType("gcp:serviceaccount/iAMMember:IAMMember") {
		if strings.HasPrefix(r.Name, account+"-from-") {
			if mockstack.Str(r.Inputs, "role") != "roles/iam.workloadIdentityUser" {
				out = append(out, "wrong role "+mockstack.Str(r.Inputs, "role"))
			}
			out = append(out, mockstack.Str(r.Inputs, "member"))
		}
	}
	sort.Strings(out)
	return out
}

// Each account trusts one workflow file on one ref in one environment of
// one repository (by ID), all in one attribute; dev's deployer also the
// schedule, prod's never.
func TestWhoMayImpersonate(t *testing.T) {
	set := "principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/"
	const ids, wf = "260064828/1342004/", "/octo-org/unlimited-translation/.github/workflows/"
	m, _ := run(t, sample)
	for account, want := range map[string][]string{
		"preview": {set + "github-dev/attribute.workload/" + ids + "dev-preview/refs/pull" + wf + "pr-preview.yml"},
		"drift":   {set + "github-dev/attribute.workload/" + ids + "dev-drift/refs/heads/main" + wf + "drift.yml"},
		"deployer": {
			set + "github-dev/attribute.workload/" + ids + "dev/refs/heads/main" + wf + "deploy.yml",
			set + "github-dev/attribute.workload/" + ids + "dev/refs/heads/main" + wf + "dev-sleep-wake.yml",
		},
	} {
		if got := members(m, account); !slices.Equal(got, want) {
			t.Errorf("dev %s members:\n got %v\nwant %v", account, got, want)
		}
	}
	m, _ = runStack(t, "prod", with("unlimited-translation-bootstrap:production", "true"))
	if got, want := members(m, "deployer"), []string{
		set + "github-prod/attribute.workload/" + ids + "prod/refs/heads/main" + wf + "deploy.yml",
	}; !slices.Equal(got, want) {
		t.Errorf("prod deployer members:\n got %v\nwant %v", got, want)
	}
}

// grants lists an account's roles as "scope role", with the condition.
func grants(m *mockstack.Mocks, account string) []string {
	var out []string
	for typ, scope := range map[string]string{
		"gcp:projects/iAMMember:IAMMember":              "project",
		"gcp:storage/bucketIAMMember:BucketIAMMember":   "bucket",
		"gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": "key",
		"gcp:serviceaccount/iAMMember:IAMMember":        "service account",
	} {
		for _, r := range m.ByType(typ) {
			if mockstack.Str(r.Inputs, "member") != "serviceAccount:"+account+"@my-project-123.iam.gserviceaccount.com" {
				continue
			}
			g := scope + " " + mockstack.Str(r.Inputs, "role")
			if scope == "service account" {
				id := mockstack.Str(r.Inputs, "serviceAccountId")
				g = scope + " " + id[strings.LastIndex(id, "/")+1:strings.Index(id, "@")] + " " + mockstack.Str(r.Inputs, "role")
			}
			if scope == "bucket" {
				g += " on " + mockstack.Str(r.Inputs, "bucket")
			}
			if c := mockstack.Str(r.Inputs, "condition.expression"); c != "" {
				g += " if " + c
			}
			out = append(out, g)
		}
	}
	sort.Strings(out)
	return out
}

func TestGrants(t *testing.T) {
	m, _ := run(t, sample)
	locks := " if resource.name.startsWith('projects/_/buckets/my-project-123-dev-pulumi-state/objects/.pulumi/locks/')"
	for account, want := range map[string][]string{
		"infra-preview-dev": {
			"bucket roles/storage.objectAdmin on my-project-123-dev-pulumi-state" + locks,
			"bucket roles/storage.objectViewer on my-project-123-dev-pulumi-state",
			"key roles/cloudkms.cryptoKeyDecrypter",
			"project roles/viewer",
		},
		"infra-drift-dev": {
			"bucket roles/storage.objectAdmin on my-project-123-dev-pulumi-state" + locks,
			"bucket roles/storage.objectViewer on my-project-123-dev-pulumi-state",
			"key roles/cloudkms.cryptoKeyDecrypter",
			// The app stack's backup bucket, by its default name.
			"project projects/my-project-123/roles/infraBackupLister_dev if resource.name == 'projects/_/buckets/my-project-123-dev-mysql-backups'",
			"project projects/my-project-123/roles/infraSecretReader_dev",
			"project roles/viewer",
		},
		"infra-deploy-dev": {
			"bucket roles/storage.objectAdmin on my-project-123-dev-pulumi-state",
			"key roles/cloudkms.cryptoKeyEncrypterDecrypter",
			"project projects/my-project-123/roles/infraBucketCreator_dev",
			"project projects/my-project-123/roles/infraBuckets_dev if resource.name == 'projects/_/buckets/my-project-123-dev-mysql-backups' || resource.name.startsWith('projects/_/buckets/my-project-123-dev-mysql-backups/') || resource.name == 'projects/_/buckets/my-project-123-dev-mlflow-artifacts' || resource.name.startsWith('projects/_/buckets/my-project-123-dev-mlflow-artifacts/')",
			"project projects/my-project-123/roles/infraDeployer_dev",
			"project roles/cloudsql.admin",
			"project roles/compute.networkAdmin",
			"project roles/compute.storageAdmin",
			"project roles/container.admin",
			"project roles/dns.admin",
			"service account gke-nodes-dev roles/iam.serviceAccountUser",
			"service account mlflow-dev projects/my-project-123/roles/infraAccountBinder_dev",
			"service account mysql-backup-dev projects/my-project-123/roles/infraAccountBinder_dev",
		},
		// The workload accounts: what GKE's nodes and MLflow need on the
		// project, nothing for the backup account (its bucket is the
		// stack's to grant).
		"gke-nodes-dev":    {"project roles/artifactregistry.reader", "project roles/container.defaultNodeServiceAccount"},
		"mysql-backup-dev": nil,
		"mlflow-dev":       {"project roles/cloudsql.client if resource.name == 'projects/my-project-123/instances/mlflow-dev' && resource.type == 'sqladmin.googleapis.com/Instance'"},
	} {
		if got := grants(m, account); !slices.Equal(got, want) {
			t.Errorf("%s grants:\n got %q\nwant %q", account, got, want)
		}
	}
	for _, r := range m.ByType("gcp:projects/iAMMember:IAMMember") {
		if role := mockstack.Str(r.Inputs, "role"); slices.Contains([]string{"roles/owner", "roles/editor", "roles/compute.securityAdmin", "roles/serviceusage.serviceUsageAdmin",
			"roles/iam.serviceAccountAdmin", "roles/iam.serviceAccountUser", "roles/resourcemanager.projectIamAdmin"}, role) {
			t.Errorf("%s grants %s", r.Name, role)
		}
	}
	// The custom roles hold exactly their permissions.
	for name, want := range map[string][]string{
		"drift-infraSecretReader-dev":     {"container.secrets.get", "container.secrets.list"},
		"account-binder":                  {"iam.serviceAccounts.get", "iam.serviceAccounts.getIamPolicy", "iam.serviceAccounts.setIamPolicy"},
		"drift-infraBackupLister-dev":     {"storage.objects.list"},
		"deployer-infraBucketCreator-dev": {"storage.buckets.create"},
		"deployer-infraBuckets-dev": {"storage.buckets.get", "storage.buckets.getIamPolicy", "storage.buckets.setIamPolicy", "storage.buckets.update",
			"storage.objects.create", "storage.objects.delete", "storage.objects.get", "storage.objects.list"},
		"deployer-infraDeployer-dev": {"compute.firewalls.delete",
			"compute.securityPolicies.create", "compute.securityPolicies.delete", "compute.securityPolicies.get", "compute.securityPolicies.list", "compute.securityPolicies.update",
			"compute.sslCertificates.create", "compute.sslCertificates.delete", "compute.sslCertificates.get", "compute.sslCertificates.list",
			"compute.sslPolicies.create", "compute.sslPolicies.delete", "compute.sslPolicies.get", "compute.sslPolicies.list", "compute.sslPolicies.update",
			"monitoring.alertPolicies.create", "monitoring.alertPolicies.delete", "monitoring.alertPolicies.get", "monitoring.alertPolicies.list", "monitoring.alertPolicies.update",
			"monitoring.notificationChannels.create", "monitoring.notificationChannels.delete", "monitoring.notificationChannels.get", "monitoring.notificationChannels.list",
			"monitoring.notificationChannels.update",
			"monitoring.uptimeCheckConfigs.create", "monitoring.uptimeCheckConfigs.delete", "monitoring.uptimeCheckConfigs.get", "monitoring.uptimeCheckConfigs.list",
			"monitoring.uptimeCheckConfigs.update",
			"serviceusage.operations.get", "serviceusage.services.enable", "serviceusage.services.get", "serviceusage.services.list"},
	} {
		r := m.Must(t, "gcp:projects/iAMCustomRole:IAMCustomRole", name)
		v, _ := mockstack.Path(r.Inputs, "permissions")
		var got []string
		for _, p := range v.ArrayValue() {
			got = append(got, p.StringValue())
		}
		sort.Strings(got)
		if !slices.Equal(got, want) {
			t.Errorf("custom role %s: %v, want %v", name, got, want)
		}
	}
}

// The outputs are what the environments' variables take, with the values
// the cloud reports, and the KMS secrets provider.
func TestOutputs(t *testing.T) {
	_, out := runStack(t, "prod", with(
		"unlimited-translation-bootstrap:region", "us-central1",
		"unlimited-translation-bootstrap:stateBucket", "acme-state",
		"unlimited-translation-bootstrap:production", "true",
	))
	want := map[string]interface{}{
		"GCP_WORKLOAD_IDENTITY_PROVIDER": "projects/123456789012/locations/global/workloadIdentityPools/github-prod/providers/github",
		"serviceAccounts": map[string]interface{}{
			"preview":  "infra-preview-prod@my-project-123.iam.gserviceaccount.com",
			"drift":    "infra-drift-prod@my-project-123.iam.gserviceaccount.com",
			"deployer": "infra-deploy-prod@my-project-123.iam.gserviceaccount.com",
		},
		"PULUMI_BACKEND_URL": "gs://acme-state",
		"secretsProvider":    "gcpkms://projects/my-project-123/locations/us-central1/keyRings/pulumi-prod/cryptoKeys/stack-secrets",
	}
	if !reflect.DeepEqual(out, want) {
		t.Errorf("outputs\n got %v\nwant %v", out, want)
	}
}

func TestProgramRefusesBadConfig(t *testing.T) {
	_, _, err := mockstack.RunProject(Project, "dev", map[string]string{"gcp:project": "my-project-123"}, nil, Program)
	if err == nil || !strings.Contains(err.Error(), "--github") || !strings.Contains(err.Error(), "githubRepositoryId (--github-repository-id): is required") {
		t.Errorf("want the missing repository and its ID named, got %v", err)
	}
	_, _, err = mockstack.RunProject(Project, "My_Stack", sample, nil, Program)
	if err == nil || !strings.Contains(err.Error(), `"My_Stack" is not a stack`) {
		t.Errorf("want the bad stack name refused, got %v", err)
	}
	_, _, err = mockstack.RunProject("unlimited-translation", "x", sample, nil, Program)
	if err == nil || !strings.Contains(err.Error(), "bootstrap/Pulumi.yaml") {
		t.Errorf("want the wrong project refused, got %v", err)
	}
}

// The workload accounts are made here, adopting one an app stack made
// before (their IDs are the ones the app stack uses).
func TestWorkloadAccounts(t *testing.T) {
	m, _ := run(t, sample)
	var got []string
	for _, r := range m.ByType("gcp:serviceaccount/account:Account") {
		if r.Inputs["createIgnoreAlreadyExists"].IsBool() && r.Inputs["createIgnoreAlreadyExists"].BoolValue() {
			got = append(got, mockstack.Str(r.Inputs, "accountId"))
		}
	}
	sort.Strings(got)
	if want := []string{"gke-nodes-dev", "mlflow-dev", "mysql-backup-dev"}; !slices.Equal(got, want) {
		t.Errorf("accounts adopted if they exist: %v, want %v", got, want)
	}
}
