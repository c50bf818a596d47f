package bootstrap

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/unlimited-translation/infra/internal/mockstack"
)

var sample = map[string]string{
	"gcp:project":                            "my-project-123",
	"unlimited-translation-bootstrap:github": "octo-org/unlimited-translation",
}

func run(t *testing.T, config map[string]string) (*mockstack.Mocks, map[string]interface{}) {
	t.Helper()
	m, out, err := mockstack.RunProject(Project, "my-project-123", config, nil, Program)
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
		"name": "my-project-123-pulumi-state", "location": "europe-west1", "publicAccessPrevention": "enforced",
	})
	if !boolAt(t, b, "uniformBucketLevelAccess") || !boolAt(t, b, "versioning.enabled") || boolAt(t, b, "forceDestroy") {
		t.Error("the state bucket must be uniform, versioned and never force-destroyed")
	}
	ring := m.Must(t, "gcp:kms/keyRing:KeyRing", "secrets")
	key := m.Must(t, "gcp:kms/cryptoKey:CryptoKey", "secrets")
	mockstack.Expect(t, "key ring", ring.Inputs, map[string]string{"name": "pulumi", "location": "europe-west1"})
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
		"iamcredentials.googleapis.com", "sqladmin.googleapis.com", "storage.googleapis.com", "sts.googleapis.com",
	}
	if !slices.Equal(got, want) {
		t.Errorf("APIs:\n got %v\nwant %v", got, want)
	}
}

func TestGitHubFederation(t *testing.T) {
	m, _ := run(t, sample)
	p := m.Must(t, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", "github")
	mockstack.Expect(t, "provider", p.Inputs, map[string]string{
		"attributeCondition":             "assertion.repository == 'octo-org/unlimited-translation'",
		"oidc.issuerUri":                 "https://token.actions.githubusercontent.com",
		"workloadIdentityPoolProviderId": "github",
	})
	// Only claims every token has: an absent claim in a mapping fails.
	v, _ := mockstack.Path(p.Inputs, "attributeMapping")
	got := map[string]string{}
	for k, e := range v.ObjectValue() {
		got[string(k)] = e.StringValue()
	}
	want := map[string]string{"google.subject": "assertion.sub", "attribute.repository": "assertion.repository", "attribute.ref": "assertion.ref"}
	if len(got) != len(want) {
		t.Errorf("attribute mapping %v, want %v", got, want)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("attribute mapping %s = %q, want %q", k, got[k], w)
		}
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

// The preview account: any workflow of the repository. The deployer:
// main, or the production environment, of that repository only.
func TestWhoMayImpersonate(t *testing.T) {
	m, _ := run(t, sample)
	pool := "projects/123456789012/locations/global/workloadIdentityPools/github"
	if got, want := members(m, "preview"), []string{
		"principalSet://iam.googleapis.com/" + pool + "/attribute.repository/octo-org/unlimited-translation",
	}; !slices.Equal(got, want) {
		t.Errorf("preview members:\n got %v\nwant %v", got, want)
	}
	if got, want := members(m, "deployer"), []string{
		"principal://iam.googleapis.com/" + pool + "/subject/repo:octo-org/unlimited-translation:environment:production",
		"principalSet://iam.googleapis.com/" + pool + "/attribute.ref/refs/heads/main",
	}; !slices.Equal(got, want) {
		t.Errorf("deployer members:\n got %v\nwant %v", got, want)
	}
}

// grants lists an account's roles as "scope role", with the condition.
func grants(m *mockstack.Mocks, account string) []string {
	var out []string
	for typ, scope := range map[string]string{
		"gcp:projects/iAMMember:IAMMember":              "project",
		"gcp:storage/bucketIAMMember:BucketIAMMember":   "bucket",
		"gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": "key",
	} {
		for _, r := range m.ByType(typ) {
			if mockstack.Str(r.Inputs, "member") != "serviceAccount:"+account+"@my-project-123.iam.gserviceaccount.com" {
				continue
			}
			g := scope + " " + mockstack.Str(r.Inputs, "role")
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
	if got, want := grants(m, "infra-preview"), []string{
		"bucket roles/storage.objectAdmin on my-project-123-pulumi-state",
		"key roles/cloudkms.cryptoKeyDecrypter",
		"project roles/viewer",
	}; !slices.Equal(got, want) {
		t.Errorf("preview grants:\n got %q\nwant %q", got, want)
	}
	if got, want := grants(m, "infra-deployer"), []string{
		"bucket roles/storage.objectAdmin on my-project-123-pulumi-state",
		"key roles/cloudkms.cryptoKeyEncrypterDecrypter",
		"project roles/cloudsql.admin",
		"project roles/compute.networkAdmin",
		"project roles/compute.securityAdmin",
		"project roles/compute.storageAdmin",
		"project roles/container.admin",
		"project roles/dns.admin",
		"project roles/iam.serviceAccountAdmin",
		"project roles/iam.serviceAccountUser",
		"project roles/resourcemanager.projectIamAdmin if api.getAttribute('iam.googleapis.com/modifiedGrantsByRole', []).hasOnly(['roles/container.defaultNodeServiceAccount', 'roles/artifactregistry.reader', 'roles/cloudsql.client'])",
		"project roles/serviceusage.serviceUsageAdmin",
		"project roles/storage.admin",
	}; !slices.Equal(got, want) {
		t.Errorf("deployer grants:\n got %q\nwant %q", got, want)
	}
	for _, r := range m.ByType("gcp:projects/iAMMember:IAMMember") {
		if role := mockstack.Str(r.Inputs, "role"); role == "roles/owner" || role == "roles/editor" {
			t.Errorf("%s grants %s", r.Name, role)
		}
	}
}

// The outputs are the workflows' variable names, with the values the
// cloud reports, and the KMS secrets provider.
func TestOutputs(t *testing.T) {
	_, out := run(t, map[string]string{
		"gcp:project":                                 "my-project-123",
		"unlimited-translation-bootstrap:github":      "octo-org/unlimited-translation",
		"unlimited-translation-bootstrap:region":      "us-central1",
		"unlimited-translation-bootstrap:stateBucket": "acme-state",
	})
	want := map[string]string{
		"GCP_WORKLOAD_IDENTITY_PROVIDER": "projects/123456789012/locations/global/workloadIdentityPools/github/providers/github",
		"GCP_PREVIEW_SERVICE_ACCOUNT":    "infra-preview@my-project-123.iam.gserviceaccount.com",
		"GCP_DEPLOY_SERVICE_ACCOUNT":     "infra-deployer@my-project-123.iam.gserviceaccount.com",
		"PULUMI_BACKEND_URL":             "gs://acme-state",
		"secretsProvider":                "gcpkms://projects/my-project-123/locations/us-central1/keyRings/pulumi/cryptoKeys/stack-secrets",
	}
	if len(out) != len(want) {
		t.Errorf("outputs %v", out)
	}
	for k, v := range want {
		if out[k] != v {
			t.Errorf("output %s = %v, want %s", k, out[k], v)
		}
	}
}

func TestProgramRefusesBadConfig(t *testing.T) {
	_, _, err := mockstack.RunProject(Project, "x", map[string]string{"gcp:project": "my-project-123"}, nil, Program)
	if err == nil || !strings.Contains(err.Error(), "--github") {
		t.Errorf("want the missing repository named, got %v", err)
	}
	_, _, err = mockstack.RunProject("unlimited-translation", "x", sample, nil, Program)
	if err == nil || !strings.Contains(err.Error(), "bootstrap/Pulumi.yaml") {
		t.Errorf("want the wrong project refused, got %v", err)
	}
}
