package stacks_test

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/unlimited-translation/infra/internal/mockstack"
	"github.com/unlimited-translation/infra/internal/stackfile"
	"github.com/unlimited-translation/infra/stacks"
)

// dev with mlflow on: the second app's wiring, worked out by hand.
func TestMLflowWiring(t *testing.T) {
	src, err := stackfile.Load("..", "dev")
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]string{"mysqlRootPassword": "test-root-4711", "mysqlPassword": "test-user-4711",
		// % and @ must be escaped in the URI, and % doubled in the ini.
		"mlflowDatabasePassword": "p@ss%word/1", "mlflowAdminPassword": "adm%n-password-12"}
	for k, v := range set {
		src.Values[stacks.Project+":"+k], src.Secrets[stacks.Project+":"+k] = v, true
	}
	src.Values[stacks.Project+":mlflow"] = "true"
	m, outputs, err := mockstack.Run("dev", src.Values, src.SecretKeys(), stacks.Program)
	if err != nil {
		t.Fatal(err)
	}

	inst := m.Must(t, "gcp:sql/databaseInstance:DatabaseInstance", "mlflow-database")
	mockstack.Expect(t, "instance", inst.Inputs, map[string]string{
		"name": "mlflow-dev", "region": "europe-west1", "databaseVersion": "POSTGRES_16",
		"settings.edition": "ENTERPRISE", "settings.tier": "db-f1-micro",
		"settings.connectorEnforcement": "REQUIRED", "settings.diskType": "PD_SSD",
	})
	if !inst.Request.GetProtect() {
		t.Error("the Cloud SQL instance is not protected")
	}
	user := m.Must(t, "gcp:sql/user:User", "mlflow-database-user")
	if pw := user.Inputs["password"]; !pw.IsSecret() {
		t.Error("the database user's password is not secret")
	}

	// The server's identity: its bucket and its own pods only (the
	// bootstrap grants the account cloudsql.client).
	grants := map[string]string{}
	for _, typ := range []string{"gcp:storage/bucketIAMMember:BucketIAMMember", "gcp:projects/iAMMember:IAMMember", "gcp:serviceaccount/iAMMember:IAMMember"} {
		for _, r := range m.ByType(typ) {
			if strings.HasPrefix(r.Name, "mlflow-identity") {
				grants[mockstack.Str(r.Inputs, "role")] = mockstack.Str(r.Inputs, "bucket") + mockstack.Str(r.Inputs, "member")
			}
		}
	}
	want := map[string]string{
		"roles/storage.objectUser":       "unlimited-translation-dev-dev-mlflow-artifacts" + "serviceAccount:mlflow-dev@unlimited-translation-dev.iam.gserviceaccount.com",
		"roles/iam.workloadIdentityUser": "serviceAccount:unlimited-translation-dev.svc.id.goog[mlflow/mlflow]",
	}
	if len(grants) != len(want) {
		t.Errorf("grants %v", grants)
	}
	for role, w := range want {
		if grants[role] != w {
			t.Errorf("%s: %q, want %q", role, grants[role], w)
		}
	}
	sa := m.Must(t, "kubernetes:core/v1:ServiceAccount", "mlflow")
	if got := at(sa.Inputs, "metadata", "annotations", "iam.gke.io/gcp-service-account"); got != "mlflow-dev@unlimited-translation-dev.iam.gserviceaccount.com" {
		t.Errorf("service account annotation %q", got)
	}

	secret := m.Must(t, secretType, "mlflow")
	data := secret.Inputs["stringData"]
	if !data.ContainsSecrets() {
		t.Error("the MLflow Secret's data is not secret")
	}
	if got, want := at(secret.Inputs, "stringData", "backend-store-uri"), "postgresql+psycopg2://mlflow:p%40ss%25word%2F1@127.0.0.1:5432/mlflow"; got != want {
		t.Errorf("backend store URI %q, want %q", got, want)
	}
	if got, want := at(secret.Inputs, "stringData", "auth.ini"), "[mlflow]\ndefault_permission = READ\n"+
		"database_uri = postgresql+psycopg2://mlflow:p%%40ss%%25word%%2F1@127.0.0.1:5432/mlflow_auth\n"+
		"admin_username = admin\nadmin_password = adm%%n-password-12\n"+
		"authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n"; got != want {
		t.Errorf("auth.ini:\n%s\nwant:\n%s", got, want)
	}

	// The Ingress binds MLflow's own address and certificate, not the app's.
	ing := m.Must(t, ingressType, "mlflow-public")
	if got := at(ing.Inputs, "metadata", "annotations", "kubernetes.io/ingress.global-static-ip-name"); got != "mlflow-dev-ip" {
		t.Errorf("Ingress address %q", got)
	}
	cert := m.Must(t, "gcp:compute/managedSslCertificate:ManagedSslCertificate", "mlflow-certificate")
	if got := at(ing.Inputs, "metadata", "annotations", "ingress.gcp.kubernetes.io/pre-shared-cert"); got != mockstack.Str(cert.Inputs, "name") {
		t.Errorf("Ingress certificate %q, MLflow's is %q", got, mockstack.Str(cert.Inputs, "name"))
	}
	mockstack.Expect(t, "ingress", ing.Inputs, map[string]string{"spec.rules.0.host": "mlflow.dev.translate.example.com"})
	mockstack.Expect(t, "certificate", cert.Inputs, map[string]string{"managed.domains.0": "mlflow.dev.translate.example.com"})
	rec := m.Must(t, recordType, "dns-mlflow")
	mockstack.Expect(t, "record", rec.Inputs, map[string]string{"name": "mlflow.dev.translate.example.com.", "type": "A"})
	if outputs["mlflowUrl"] != "https://mlflow.dev.translate.example.com" || outputs["mlflowDatabase"] != "unlimited-translation-dev:europe-west1:mlflow-dev" {
		t.Errorf("outputs %v", outputs)
	}
}

// Off, as the committed stacks have it: nothing of MLflow exists.
func TestMLflowOffByDefault(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		m, outputs := runStack(t, stack)
		for _, r := range m.Resources {
			if strings.Contains(r.Name, "mlflow") || strings.HasPrefix(r.Type, "gcp:sql/") {
				t.Errorf("%s: %s %s with mlflow off", stack, r.Type, r.Name)
			}
		}
		if _, ok := outputs["mlflowUrl"]; ok {
			t.Errorf("%s exports mlflowUrl", stack)
		}
	}
}

// at reads a string under keys that may hold dots (annotations).
func at(pm resource.PropertyMap, keys ...string) string {
	v := resource.NewObjectProperty(pm)
	for _, k := range keys {
		for v.IsSecret() {
			v = v.SecretValue().Element
		}
		if !v.IsObject() {
			return ""
		}
		v = v.ObjectValue()[resource.PropertyKey(k)]
	}
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	if !v.IsString() {
		return ""
	}
	return v.StringValue()
}
