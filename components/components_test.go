package components

import (
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/unlimited-translation/infra/internal/mockstack"
)

func run(t *testing.T, program func(ctx *pulumi.Context) error) *mockstack.Mocks {
	t.Helper()
	m, _, err := mockstack.Run("test", nil, nil, program)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

var small = Requests{CPU: "250m", Memory: "512Mi", EphemeralStorage: "100Mi"}

func TestWebWorkloadDefaultsAndParenting(t *testing.T) {
	m := run(t, func(ctx *pulumi.Context) error {
		_, err := NewWebWorkload(ctx, "web", WebWorkloadArgs{
			DeploymentName: "d", ContainerName: "c", ServiceName: "s",
			Labels: map[string]string{"name": "p"}, Image: "img:1", Requests: small,
		})
		return err
	})
	comp := m.Must(t, "translation:components:WebWorkload", "web")
	if comp.Custom {
		t.Error("WebWorkload is not a component")
	}
	dep := m.Must(t, "kubernetes:apps/v1:Deployment", "web")
	svc := m.Must(t, "kubernetes:core/v1:Service", "web")
	for _, r := range []mockstack.Resource{dep, svc} {
		if !strings.HasSuffix(r.Request.GetParent(), "translation:components:WebWorkload::web") {
			t.Errorf("%s parent %q", r.Type, r.Request.GetParent())
		}
		if ns := mockstack.Str(r.Inputs, "metadata.namespace"); ns != "default" {
			t.Errorf("%s namespace %q", r.Type, ns)
		}
	}
	c := "spec.template.spec.containers.0."
	mockstack.Expect(t, "deployment", dep.Inputs, map[string]string{
		c + "imagePullPolicy":                      "IfNotPresent",
		c + "resources.requests.cpu":               "250m",
		c + "resources.requests.ephemeral-storage": "100Mi",
		"spec.selector.matchLabels.name":           "p",
	})
	if v, _ := mockstack.Path(dep.Inputs, "spec.replicas"); v.NumberValue() != 1 {
		t.Errorf("replicas %v", v)
	}
	if got := mockstack.Str(svc.Inputs, "spec.type"); got != "ClusterIP" {
		t.Errorf("service type %q", got)
	}
	if v, _ := mockstack.Path(svc.Inputs, "spec.ports.0.port"); v.NumberValue() != 80 {
		t.Errorf("port %v", v)
	}
}

func TestBackendAndFrontendCanBeRenamed(t *testing.T) {
	m := run(t, func(ctx *pulumi.Context) error {
		if _, err := NewBackend(ctx, "be", BackendArgs{Namespace: "apps", Image: "b:2", Requests: small,
			DeploymentName: "api", ServiceName: "api-svc", Replicas: 3}); err != nil {
			return err
		}
		_, err := NewFrontend(ctx, "fe", FrontendArgs{Namespace: "apps", Image: "f:2", Requests: small,
			ServiceName: "web", ServiceType: "LoadBalancer", DatabaseSecret: pulumi.String("creds")})
		return err
	})
	be := m.Must(t, "kubernetes:apps/v1:Deployment", "be")
	if mockstack.Str(be.Inputs, "metadata.name") != "api" || mockstack.Str(be.Inputs, "metadata.namespace") != "apps" {
		t.Errorf("backend deployment %v", be.Inputs["metadata"])
	}
	if v, _ := mockstack.Path(be.Inputs, "spec.replicas"); v.NumberValue() != 3 {
		t.Errorf("backend replicas %v", v)
	}
	if mockstack.Str(m.Must(t, "kubernetes:core/v1:Service", "be").Inputs, "metadata.name") != "api-svc" {
		t.Error("backend service name")
	}
	fe := m.Must(t, "kubernetes:core/v1:Service", "fe")
	if mockstack.Str(fe.Inputs, "metadata.name") != "web" || mockstack.Str(fe.Inputs, "spec.type") != "LoadBalancer" {
		t.Errorf("frontend service %v", fe.Inputs)
	}
	fd := m.Must(t, "kubernetes:apps/v1:Deployment", "fe")
	if got := mockstack.Str(fd.Inputs, "spec.template.spec.containers.0.env.1.valueFrom.secretKeyRef.name"); got != "creds" {
		t.Errorf("frontend secret ref %q", got)
	}
	if got := mockstack.Str(fd.Inputs, "spec.template.spec.containers.0.env.2.value"); got != "translation" {
		t.Errorf("DB_NAME %q", got)
	}
}

func TestDatabaseStorageAndSecret(t *testing.T) {
	m := run(t, func(ctx *pulumi.Context) error {
		_, err := NewDatabase(ctx, "db", DatabaseArgs{
			Image: "mysql:8.4", Requests: small, StorageSize: "5Gi", StorageClass: "premium-rwo",
			User: "app", RootPassword: pulumi.ToSecret(pulumi.String("r00t-pass")).(pulumi.StringOutput),
			Password: pulumi.ToSecret(pulumi.String("app-pass1")).(pulumi.StringOutput), Protect: true,
		})
		return err
	})
	// Without a Disk the cluster provisions the volume from the class.
	pvc := m.Must(t, "kubernetes:core/v1:PersistentVolumeClaim", "db-data")
	mockstack.Expect(t, "claim", pvc.Inputs, map[string]string{
		"metadata.name":                   "mysql-stateful-data",
		"spec.storageClassName":           "premium-rwo",
		"spec.resources.requests.storage": "5Gi",
		"spec.accessModes.0":              "ReadWriteOnce",
	})
	if len(m.ByType("kubernetes:core/v1:PersistentVolume")) != 0 {
		t.Error("a static volume without a disk")
	}
	sts := m.Must(t, "kubernetes:apps/v1:StatefulSet", "db")
	mockstack.Expect(t, "StatefulSet", sts.Inputs, map[string]string{
		"spec.template.spec.volumes.1.persistentVolumeClaim.claimName": "mysql-stateful-data",
		"spec.template.spec.containers.0.image":                        "mysql:8.4",
		"spec.template.spec.containers.0.volumeMounts.0.mountPath":     "/var/lib/mysql",
		"spec.template.spec.containers.0.volumeMounts.1.mountPath":     "/docker-entrypoint-initdb.d",
		"spec.template.spec.containers.0.env.3.value":                  "translation",
		"spec.template.spec.volumes.0.configMap.name":                  "mysql-initdb-configmap",
	})
	if !sts.Request.GetProtect() {
		t.Error("protect not set")
	}
	sec := m.Must(t, "kubernetes:core/v1:Secret", "db")
	if !sec.Inputs["stringData"].IsSecret() {
		t.Error("Secret stringData is not secret")
	}
}

func TestPublicEndpointObjects(t *testing.T) {
	m := run(t, func(ctx *pulumi.Context) error {
		_, err := NewPublicEndpoint(ctx, "pub", PublicEndpointArgs{
			Hosts: []string{"a.example.com", "www.a.example.com"}, AddressName: pulumi.String("ip-name"),
			ServiceName: pulumi.String("web"), Paths: []PublicPath{{Path: "/app", PathType: "Prefix"}},
		})
		return err
	})
	ing := m.Must(t, "kubernetes:networking.k8s.io/v1:Ingress", "pub")
	ann := ing.Inputs["metadata"].ObjectValue()["annotations"].ObjectValue()
	if ann["kubernetes.io/ingress.global-static-ip-name"].StringValue() != "ip-name" {
		t.Error("static IP annotation")
	}
	if got := mockstack.Str(ing.Inputs, "spec.rules.1.host"); got != "www.a.example.com" {
		t.Errorf("second host %q", got)
	}
	if got := mockstack.Str(ing.Inputs, "spec.rules.0.http.paths.0.path"); got != "/app" {
		t.Errorf("custom path %q", got)
	}
	bc := m.Must(t, "kubernetes:cloud.google.com/v1:BackendConfig", "pub-backendconfig")
	if !slices.ContainsFunc(ing.Request.GetDependencies(), func(u string) bool {
		return strings.HasSuffix(u, "kubernetes:cloud.google.com/v1:BackendConfig::"+bc.Name)
	}) {
		t.Errorf("the Ingress does not wait for its BackendConfig: depends on %v", ing.Request.GetDependencies())
	}
	if mockstack.Str(bc.Inputs, "spec.healthCheck.requestPath") != "/" || mockstack.Str(bc.Inputs, "metadata.name") != DefaultBackendConfigName {
		t.Errorf("BackendConfig %v", bc.Inputs)
	}
	if ann := BackendConfigAnnotations("x"); ann["cloud.google.com/backend-config"] != `{"default":"x"}` {
		t.Errorf("annotation %v", ann)
	}
	// Without an SSL policy or HSTS: a redirect, Google's TLS default, no
	// header, and the HTTP listener kept for the redirect.
	fc := m.Must(t, "kubernetes:networking.gke.io/v1beta1:FrontendConfig", "pub-redirect")
	if v, _ := mockstack.Path(fc.Inputs, "spec.redirectToHttps.enabled"); !v.IsBool() || !v.BoolValue() {
		t.Errorf("FrontendConfig %v", fc.Inputs["spec"])
	}
	if _, has := mockstack.Path(fc.Inputs, "spec.sslPolicy"); has {
		t.Errorf("an SSL policy nobody asked for: %v", fc.Inputs["spec"])
	}
	if _, has := mockstack.Path(bc.Inputs, "spec.customResponseHeaders"); has {
		t.Errorf("a response header nobody asked for: %v", bc.Inputs["spec"])
	}
	if _, has := ann["kubernetes.io/ingress.allow-http"]; has {
		t.Error("HTTP turned off without HTTPSOnly")
	}
}

// The edge hardened: the FrontendConfig names the SSL policy, the
// BackendConfig adds HSTS, and HTTPSOnly drops the HTTP listener (and
// with it the redirect, which only lives there).
func TestPublicEndpointTLSAndHSTS(t *testing.T) {
	m := run(t, func(ctx *pulumi.Context) error {
		_, err := NewPublicEndpoint(ctx, "pub", PublicEndpointArgs{
			Hosts: []string{"a.example.com"}, AddressName: pulumi.String("ip-name"), ServiceName: pulumi.String("web"),
			SSLPolicy: pulumi.String("translation-dev-tls"), HSTSMaxAge: 31536000, HTTPSOnly: true,
		})
		return err
	})
	fc := m.Must(t, "kubernetes:networking.gke.io/v1beta1:FrontendConfig", "pub-redirect")
	if got := mockstack.Str(fc.Inputs, "spec.sslPolicy"); got != "translation-dev-tls" {
		t.Errorf("FrontendConfig sslPolicy %q", got)
	}
	if _, has := mockstack.Path(fc.Inputs, "spec.redirectToHttps"); has {
		t.Errorf("a redirect on a load balancer without HTTP: %v", fc.Inputs["spec"])
	}
	bc := m.Must(t, "kubernetes:cloud.google.com/v1:BackendConfig", "pub-backendconfig")
	if got := mockstack.Str(bc.Inputs, "spec.customResponseHeaders.headers.0"); got != "Strict-Transport-Security: max-age=31536000" {
		t.Errorf("response header %q", got)
	}
	ing := m.Must(t, "kubernetes:networking.k8s.io/v1:Ingress", "pub")
	ann := ing.Inputs["metadata"].ObjectValue()["annotations"].ObjectValue()
	if got := ann["kubernetes.io/ingress.allow-http"]; !got.IsString() || got.StringValue() != "false" {
		t.Errorf("allow-http %v", got)
	}
}

func TestTranslationAppReNamespaced(t *testing.T) {
	m := run(t, func(ctx *pulumi.Context) error {
		_, err := NewTranslationApp(ctx, "app", TranslationAppArgs{
			Namespace: "translation",
			Backend:   BackendArgs{Image: "b:1", Requests: small},
			Frontend:  FrontendArgs{Image: "f:1", Requests: small, ServiceType: "LoadBalancer"},
			Database: DatabaseArgs{Image: "mysql:8.4", Requests: small, StorageSize: "1Gi", User: "u",
				RootPassword: pulumi.String("rootpass1"), Password: pulumi.String("userpass1"), SecretName: "db-creds"},
		})
		return err
	})
	ns := m.Must(t, "kubernetes:core/v1:Namespace", "app")
	if mockstack.Str(ns.Inputs, "metadata.name") != "translation" {
		t.Error("namespace not created")
	}
	for _, r := range m.Resources {
		if !r.Custom || r.Type == "kubernetes:core/v1:Namespace" {
			continue
		}
		if got := mockstack.Str(r.Inputs, "metadata.namespace"); got != "translation" {
			t.Errorf("%s %s in namespace %q", r.Type, r.Name, got)
		}
		found := false
		for _, d := range r.Request.GetDependencies() {
			found = found || strings.HasSuffix(d, "kubernetes:core/v1:Namespace::app")
		}
		if !found {
			t.Errorf("%s %s does not wait for its namespace", r.Type, r.Name)
		}
	}
	if len(m.ByType("kubernetes:networking.k8s.io/v1:Ingress")) != 0 {
		t.Error("no Public args, yet an Ingress was made")
	}
	fd := m.Must(t, "kubernetes:apps/v1:Deployment", "app-frontend")
	if got := mockstack.Str(fd.Inputs, "spec.template.spec.containers.0.env.0.valueFrom.secretKeyRef.name"); got != "db-creds" {
		t.Errorf("frontend reads secret %q", got)
	}
	if _, ok := mockstack.Path(m.Must(t, "kubernetes:core/v1:Service", "app-frontend").Inputs, "metadata.annotations.cloud\\.google\\.com/backend-config"); ok {
		t.Error("backend-config annotation without a public endpoint")
	}
}
