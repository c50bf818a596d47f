package components

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// MLflowArgs configures an MLflow tracking server.
type MLflowArgs struct {
	// Namespace of every object, created unless "default". Default "mlflow".
	Namespace string
	// Image of the server; it must hold psycopg2, google-cloud-storage and
	// Flask-WTF (the official -full images do).
	Image           string
	ImagePullPolicy string
	// Requests of the server container and of the Cloud SQL Auth Proxy.
	Requests, ProxyRequests Requests
	// ProxyImage of the Cloud SQL Auth Proxy. Default DefaultProxyImage.
	ProxyImage string
	// DatabaseConnection is the Cloud SQL instance's connection name
	// (PROJECT:REGION:INSTANCE), which the proxy dials.
	DatabaseConnection pulumi.StringInput
	// DatabaseUser and DatabasePassword log in to both databases.
	DatabaseUser     string
	DatabasePassword pulumi.StringInput
	// Database holds runs and models; AuthDatabase the users and their
	// permissions. Defaults "mlflow" and "mlflow_auth".
	Database, AuthDatabase string
	// ArtifactBucket the server stores artifacts in; clients reach them
	// through the server, so they need no Google credentials.
	ArtifactBucket pulumi.StringInput
	// GoogleServiceAccount the pods act as through Workload Identity.
	GoogleServiceAccount pulumi.StringInput
	// AdminPassword of the "admin" user of MLflow's basic auth.
	AdminPassword pulumi.StringInput
	// Host is the public host name: the server answers only it (and
	// localhost, for port-forwards).
	Host string
	// Public, when set, exposes the server through its own Ingress.
	Public *PublicEndpointArgs
	// NetworkPolicies lets only the server's port in.
	NetworkPolicies bool
	Spot            bool
	Placement       Placement
}

// DefaultProxyImage is the Cloud SQL Auth Proxy v2 release the sidecar
// runs (github.com/GoogleCloudPlatform/cloud-sql-proxy releases).
const DefaultProxyImage = "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.25.3"

// MLflowPort is the server's port (mlflow server's default).
const MLflowPort = 5000

// mlflowPods select the server's pods.
var mlflowPods = map[string]string{"name": "mlflow-server-pod", "app": MLflowLabel}

// MLflowLabel is the app label of every MLflow object.
const MLflowLabel = "mlflow"

// MLflow is an MLflow tracking server: runs in PostgreSQL through the
// Cloud SQL Auth Proxy, artifacts in a bucket, users in MLflow's basic
// auth, and on GKE its own HTTPS endpoint.
type MLflow struct {
	pulumi.ResourceState

	Workload *WebWorkload
	Public   *PublicEndpoint
}

// NewMLflow creates the server's objects.
func NewMLflow(ctx *pulumi.Context, name string, args MLflowArgs, opts ...pulumi.ResourceOption) (*MLflow, error) {
	m := &MLflow{}
	if err := ctx.RegisterComponentResource("translation:components:MLflow", name, m, opts...); err != nil {
		return nil, err
	}
	ns := orDefault(args.Namespace, "mlflow")
	place, err := namespace(ctx, name, ns, args.Placement, m)
	if err != nil {
		return nil, err
	}
	meta := func(n string) *metav1.ObjectMetaArgs {
		return &metav1.ObjectMetaArgs{Name: pulumi.String(n), Namespace: pulumi.String(ns),
			Labels: pulumi.StringMap{"app": pulumi.String(MLflowLabel)}}
	}
	saMeta := meta("mlflow")
	saMeta.Annotations = pulumi.StringMap{"iam.gke.io/gcp-service-account": args.GoogleServiceAccount}
	sa, err := corev1.NewServiceAccount(ctx, name, &corev1.ServiceAccountArgs{Metadata: saMeta}, place.inCluster(m)...)
	if err != nil {
		return nil, err
	}
	db, authDB := orDefault(args.Database, "mlflow"), orDefault(args.AuthDatabase, "mlflow_auth")
	config := pulumi.All(args.DatabasePassword, args.AdminPassword).ApplyT(func(v []interface{}) map[string]string {
		dbPassword, admin := v[0].(string), v[1].(string)
		return map[string]string{
			"backend-store-uri": PostgresURI(args.DatabaseUser, dbPassword, db),
			"auth.ini":          AuthConfig(PostgresURI(args.DatabaseUser, dbPassword, authDB), admin),
			"flask-secret-key":  flaskKey(admin),
		}
	}).(pulumi.StringMapOutput)
	secret, err := corev1.NewSecret(ctx, name, &corev1.SecretArgs{
		Metadata:   meta("mlflow-server"),
		StringData: pulumi.ToSecret(config).(pulumi.StringMapOutput),
	}, place.inCluster(m)...)
	if err != nil {
		return nil, err
	}
	secretName := secret.Metadata.Name().Elem()
	fromSecret := func(env, key string) *corev1.EnvVarArgs { return secretEnv(env, secretName, key) }
	// mlflow server answers only the hosts it is told (its security
	// middleware, 3.5+: mlflow/server/fastapi_security.py); /health is
	// exempt from that (HEALTH_ENDPOINTS) and from basic auth
	// (mlflow/server/auth/__init__.py is_unprotected_route), so probes and
	// the load balancer's health check need neither.
	serverArgs := []string{"mlflow", "server", "--app-name", "basic-auth",
		"--host", "0.0.0.0", "--port", fmt.Sprint(MLflowPort), "--workers", "2",
		"--serve-artifacts", "--allowed-hosts", args.Host + ",localhost:*,127.0.0.1:*",
		"--cors-allowed-origins", "https://" + args.Host}
	serviceType, annotations := "ClusterIP", map[string]string(nil)
	var pub PublicEndpointArgs
	if args.Public != nil {
		pub = *args.Public
		pub.IngressName = orDefault(pub.IngressName, "mlflow")
		pub.BackendConfigName = orDefault(pub.BackendConfigName, "mlflow-backendconfig")
		pub.FrontendConfigName = orDefault(pub.FrontendConfigName, "mlflow-ssl-redirect")
		pub.CertificateName = orDefault(pub.CertificateName, "mlflow-certificate")
		serviceType, annotations = "NodePort", BackendConfigAnnotations(pub.BackendConfigName)
	}
	w, err := NewWebWorkload(ctx, name, WebWorkloadArgs{
		Namespace:       ns,
		DeploymentName:  "mlflow-server",
		ContainerName:   "mlflow",
		ServiceName:     "mlflow-server",
		Labels:          mlflowPods,
		Image:           args.Image,
		ImagePullPolicy: args.ImagePullPolicy,
		// One replica: the auth database migrates at every start, and two
		// starting together would race (see README, "MLflow").
		Replicas:                  1,
		Port:                      MLflowPort,
		ServiceType:               serviceType,
		ServiceAnnotations:        annotations,
		ServiceOwnsCloudResources: serviceType != "ClusterIP",
		Requests:                  args.Requests,
		Args:                      serverArgs,
		// The server's workers and artifact proxying use temp files.
		RunAs: RunAs{Scratch: []string{"/tmp"}},
		Env: corev1.EnvVarArray{
			fromSecret("MLFLOW_BACKEND_STORE_URI", "backend-store-uri"),
			fromSecret("MLFLOW_FLASK_SERVER_SECRET_KEY", "flask-secret-key"),
			&corev1.EnvVarArgs{Name: pulumi.String("MLFLOW_ARTIFACTS_DESTINATION"), Value: pulumi.Sprintf("gs://%s", args.ArtifactBucket)},
			&corev1.EnvVarArgs{Name: pulumi.String("MLFLOW_AUTH_CONFIG_PATH"), Value: pulumi.String("/etc/mlflow/auth.ini")},
		},
		VolumeMounts: corev1.VolumeMountArray{&corev1.VolumeMountArgs{
			Name: pulumi.String("auth-config"), MountPath: pulumi.String("/etc/mlflow"), ReadOnly: pulumi.Bool(true)}},
		Volumes: corev1.VolumeArray{&corev1.VolumeArgs{
			Name: pulumi.String("auth-config"),
			Secret: &corev1.SecretVolumeSourceArgs{SecretName: secretName, Items: corev1.KeyToPathArray{
				&corev1.KeyToPathArgs{Key: pulumi.String("auth.ini"), Path: pulumi.String("auth.ini")}}},
		}},
		ServiceAccountName: "mlflow",
		Sidecars:           corev1.ContainerArray{authProxy(args)},
		// Migrations of an empty database take a while on a shared core.
		StartupProbe:   httpProbe("/health", MLflowPort, 10, 30),
		ReadinessProbe: httpProbe("/health", MLflowPort, 10, 3),
		LivenessProbe:  httpProbe("/health", MLflowPort, 20, 3),
		Spot:           args.Spot,
		Placement:      place,
	}, pulumi.Parent(m), pulumi.DependsOn([]pulumi.Resource{sa}))
	if err != nil {
		return nil, err
	}
	m.Workload = w
	if args.NetworkPolicies {
		// The server reaches Cloud Storage, and its proxy the Cloud SQL
		// Admin API and the instance on 3307 (Cloud SQL, "About the Cloud
		// SQL Auth Proxy": it connects to the instance on port 3307 only).
		if _, err := NewNetworkPolicies(ctx, name+"-network", NetworkPoliciesArgs{
			Namespace: ns, Public: mlflowPods, PublicPort: MLflowPort, LoadBalanced: args.Public != nil,
			Google:    []GoogleEgress{{Name: "mlflow-to-google", From: mlflowPods, Ports: []int{3307}}},
			Placement: place,
		}, pulumi.Parent(m)); err != nil {
			return nil, err
		}
	}
	outputs := pulumi.Map{"serviceName": w.ServiceName}
	if args.Public != nil {
		pub.Namespace, pub.Placement = ns, place
		pub.ServiceName, pub.ServicePort = w.ServiceName, MLflowPort
		pub.Paths = []PublicPath{{Path: "/", PathType: "Prefix"}}
		pub.HealthCheckPath = "/health"
		pub.Labels = map[string]string{"app": MLflowLabel}
		if m.Public, err = NewPublicEndpoint(ctx, name+"-public", pub, pulumi.Parent(m)); err != nil {
			return nil, err
		}
		outputs["ingressName"] = m.Public.Ingress.Metadata.Name()
	}
	return m, ctx.RegisterResourceOutputs(m, outputs)
}

// authProxy is the Cloud SQL Auth Proxy as a native sidecar: it listens
// on 127.0.0.1:5432 and dials the instance with the pod's Workload
// Identity, over TLS. Its startup probe holds the server back until it is
// ready (cloud.google.com/sql/docs/postgres/connect-kubernetes-engine).
func authProxy(args MLflowArgs) *corev1.ContainerArgs {
	return &corev1.ContainerArgs{
		Name:          pulumi.String("cloud-sql-proxy"),
		Image:         pulumi.String(orDefault(args.ProxyImage, DefaultProxyImage)),
		RestartPolicy: pulumi.String("Always"),
		Args: pulumi.StringArray{
			pulumi.String("--port=5432"), pulumi.String("--structured-logs"),
			pulumi.String("--health-check"), pulumi.String("--http-address=0.0.0.0"),
			pulumi.String("--exit-zero-on-sigterm"), args.DatabaseConnection,
		},
		Resources:     args.ProxyRequests.args(nil),
		StartupProbe:  httpProbe("/startup", 9090, 1, 60),
		LivenessProbe: httpProbe("/liveness", 9090, 20, 3),
		// The image's own user is 65532 (cloud-sql-proxy Dockerfile: USER
		// 65532, distroless nonroot); it writes nothing.
		SecurityContext: RunAs{UID: 65532}.container(),
	}
}

// PostgresURI is the SQLAlchemy URI of a database behind the proxy, the
// password escaped for a URL.
func PostgresURI(user, password, database string) string {
	u := url.URL{Scheme: "postgresql+psycopg2", User: url.UserPassword(user, password), Host: "127.0.0.1:5432", Path: "/" + database}
	return u.String()
}

// AuthConfig is basic auth's ini file. configparser reads % as the start
// of an interpolation, so a literal one is written %%.
func AuthConfig(databaseURI, adminPassword string) string {
	esc := func(s string) string { return strings.ReplaceAll(s, "%", "%%") }
	return "[mlflow]\n" +
		"default_permission = READ\n" +
		"database_uri = " + esc(databaseURI) + "\n" +
		"admin_username = admin\n" +
		"admin_password = " + esc(adminPassword) + "\n" +
		"authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n"
}

// flaskKey is the server's CSRF key: it must be the same in every worker
// and replica and survive restarts, so it is derived from a secret the
// stack already holds.
func flaskKey(adminPassword string) string {
	sum := sha256.Sum256([]byte("mlflow-flask-secret-key\x00" + adminPassword))
	return hex.EncodeToString(sum[:])
}
