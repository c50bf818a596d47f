package stacks

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/unlimited-translation/infra/components"
	"github.com/unlimited-translation/infra/infra"
)

// The second app's names, all derived from the stack (and the project or
// domain where the name must be unique beyond it), none shared with the
// translation app's.

// MLflowHost is the server's public host name.
func MLflowHost(c Config) string { return "mlflow." + strings.TrimSuffix(c.Domain, ".") }

// MLflowInstanceName is the Cloud SQL instance.
func MLflowInstanceName(c Config) string { return fitName("mlflow-"+sanitize(c.Stack), 63) }

// MLflowBucketName is the artifact bucket: PROJECT-STACK-mlflow-artifacts.
func MLflowBucketName(c Config) string {
	return fitName(strings.ToLower(c.GCPProject+"-"+sanitize(c.Stack))+"-mlflow-artifacts", 63)
}

// MLflowAccountID is the server's Google service account.
func MLflowAccountID(c Config) string { return fitName("mlflow-"+sanitize(c.Stack), 30) }

// MLflowAddressName is the server's own static IP.
func MLflowAddressName(c Config) string { return fitName("mlflow-"+sanitize(c.Stack), 56) + "-ip" }

// MLflowCertificateName is the server's certificate, named after its host
// like the app's.
func MLflowCertificateName(c Config) string {
	sum := sha256.Sum256([]byte(MLflowHost(c)))
	return fitName("mlflow-"+sanitize(c.Stack), 50) + "-" + hex.EncodeToString(sum[:])[:8]
}

// MLflowAPIs are the Google APIs MLflow adds to a stack's.
var MLflowAPIs = []string{"sqladmin.googleapis.com"}

// MLflowProjectRoles are what MLflow's account holds on the project:
// Cloud SQL has no per-instance grant, so connecting is granted on the
// project, under MLflowCondition.
var MLflowProjectRoles = []string{"roles/cloudsql.client"}

// MLflowCondition narrows the account's Cloud SQL role to the stack's own
// instance (Cloud SQL, "IAM Conditions": resource.name is
// projects/PROJECT_ID/instances/INSTANCE, resource.type
// sqladmin.googleapis.com/Instance; Google's sample
// terraform-docs-samples cloud_sql/instance_iam_condition).
func MLflowCondition(c Config) string {
	return fmt.Sprintf("resource.name == 'projects/%s/instances/%s' && resource.type == 'sqladmin.googleapis.com/Instance'",
		c.GCPProject, MLflowInstanceName(c))
}

// mlflowDatabaseUser is the PostgreSQL user the server logs in as.
const mlflowDatabaseUser = "mlflow"

// mlflowServiceAccount is the server's Kubernetes service account.
const mlflowServiceAccount = "mlflow"

// mlflowNamespace keeps the second app's objects apart from the first's.
const mlflowNamespace = "mlflow"

// MLflowDiskGb is the database's SSD at creation (Cloud SQL's minimum)
// and MLflowDiskLimitGb how far it may grow by itself.
const (
	MLflowDiskGb      = 10
	MLflowDiskLimitGb = 100
)

// MLflowRequests are the server's and the Auth Proxy's requests: two
// workers, and a proxy at Autopilot's smallest general-purpose pod shape
// so that no container is below what Autopilot would raise.
var (
	MLflowRequests = components.Requests{CPU: "500m", Memory: "1Gi", EphemeralStorage: "1Gi"}
	ProxyRequests  = components.Requests{CPU: "250m", Memory: "512Mi", EphemeralStorage: "100Mi"}
)

// mlflowTier: Enterprise edition machine types
// (cloud.google.com/sql/docs/postgres/instance-settings).
var mlflowTier = regexp.MustCompile(`^db-(f1-micro|g1-small|custom-[0-9]+-[0-9]+)$`)

// checkMLflow validates the MLflow settings.
func (v *validation) checkMLflow(c *Config) {
	m := c.MLflow
	if !m.Enabled {
		return
	}
	if c.Local() {
		v.add("mlflow", "is true on a local stack; MLflow needs Cloud SQL and Cloud Storage, so it runs on gke only", v.setFix("mlflow", "false"))
		return
	}
	v.checkImage("mlflowImage", m.Image, pinFor(c))
	if !mlflowTier.MatchString(m.DatabaseTier) {
		v.add("mlflowDatabaseTier", fmt.Sprintf("%q is not a Cloud SQL Enterprise machine type (db-f1-micro, db-g1-small or db-custom-<vCPUs>-<MiB>)", m.DatabaseTier),
			v.setFix("mlflowDatabaseTier", "db-f1-micro"))
	}
	// MLflow 3.16.1 and later refuse to create the admin user with a
	// shorter password (mlflow PR 25751).
	v.secretLength("mlflowAdminPassword", m.AdminPassword, 12, ", which MLflow refuses for its admin")
	v.secretLength("mlflowDatabasePassword", m.DatabasePassword, 8, "")
	if name := MLflowBucketName(*c); c.GCPProject != "" && (!bucketName.MatchString(name) || strings.Contains(name, "google")) {
		v.add("gcp:project", fmt.Sprintf("gives the MLflow artifact bucket %q, which is not a Cloud Storage bucket name", name), "use a project ID without \"google\"")
	}
}

// mlflowKept is what MLflow keeps while the stack sleeps: its data (the
// database, the artifacts) and what takes long to get back (address,
// certificate).
type mlflowKept struct {
	database  *infra.PostgresDatabase
	artifacts *infra.ArtifactBucket
	address   *infra.PublicAddress
	cert      *infra.Certificate
}

// keptMLflow registers MLflow's kept parts; the DNS record is the DNS
// component's (see kept).
func keptMLflow(ctx *pulumi.Context, cfg Config, k keptParts) (m mlflowKept, err error) {
	if m.address, err = infra.NewPublicAddress(ctx, "mlflow-address", infra.PublicAddressArgs{
		Project: cfg.GCPProject, Name: MLflowAddressName(cfg), Labels: k.labels,
		Protect: cfg.ProtectInfrastructure, Requires: k.apis.Enabled,
	}); err != nil {
		return m, err
	}
	// Its own certificate: the app's covers apex and www, and adding a
	// name to it would replace it (every input is force-new).
	if m.cert, err = infra.NewCertificate(ctx, "mlflow-certificate", infra.CertificateArgs{
		Project: cfg.GCPProject, Name: MLflowCertificateName(cfg), Domains: []string{MLflowHost(cfg)},
		Protect: cfg.ProtectInfrastructure, Requires: k.apis.Enabled,
	}); err != nil {
		return m, err
	}
	if m.database, err = infra.NewPostgresDatabase(ctx, "mlflow-database", infra.PostgresDatabaseArgs{
		Project: cfg.GCPProject, Region: cfg.Region, Name: MLflowInstanceName(cfg),
		Version: "POSTGRES_16", Tier: cfg.MLflow.DatabaseTier,
		DiskSizeGb: MLflowDiskGb, DiskLimitGb: MLflowDiskLimitGb,
		Databases: []string{"mlflow", "mlflow_auth"},
		User:      mlflowDatabaseUser,
		Password:  cfg.MLflow.DatabasePassword.Output(),
		Labels:    k.labels, Requires: k.apis.Enabled,
	}); err != nil {
		return m, err
	}
	m.artifacts, err = infra.NewArtifactBucket(ctx, "mlflow-artifacts", infra.ArtifactBucketArgs{
		Project: cfg.GCPProject, Location: cfg.Region, Name: MLflowBucketName(cfg),
		Labels: k.labels, Requires: k.apis.Enabled,
	})
	return m, err
}

// awakeMLflow registers the server's Kubernetes objects; its identity is
// registered asleep too (see identities).
func awakeMLflow(ctx *pulumi.Context, cfg Config, k keptParts, cluster *infra.AutopilotCluster, identity *infra.WorkloadIdentity, tls *infra.SSLPolicy) (*components.MLflow, error) {
	m := k.mlflow
	return components.NewMLflow(ctx, "mlflow", components.MLflowArgs{
		Namespace:            mlflowNamespace,
		Image:                cfg.MLflow.Image,
		ImagePullPolicy:      cfg.ImagePullPolicy,
		Requests:             MLflowRequests,
		ProxyRequests:        ProxyRequests,
		DatabaseConnection:   m.database.ConnectionName,
		DatabaseUser:         mlflowDatabaseUser,
		DatabasePassword:     cfg.MLflow.DatabasePassword.Output(),
		ArtifactBucket:       m.artifacts.Name,
		GoogleServiceAccount: identity.Email,
		AdminPassword:        cfg.MLflow.AdminPassword.Output(),
		Host:                 MLflowHost(cfg),
		Public: &components.PublicEndpointArgs{
			Hosts:                []string{MLflowHost(cfg)},
			AddressName:          m.address.Name,
			PreSharedCertificate: m.cert.Name,
			SSLPolicy:            tls.Name,
			HSTSMaxAge:           cfg.HSTSMaxAge,
			// Basic-auth credentials must never go to an http:// URL,
			// not even to be redirected.
			HTTPSOnly: true,
		},
		NetworkPolicies: cfg.NetworkPolicies,
		Spot:            cfg.Spot,
		Placement:       components.Placement{DeletedWith: cluster.Cluster, RolloutTimeout: cfg.RolloutTimeout},
	}, pulumi.Providers(cluster.Provider))
}
