package bootstrap

import (
	"fmt"
	"slices"
	"strings"

	"github.com/unlimited-translation/infra/infra"
	"github.com/unlimited-translation/infra/stacks"
)

// Role → permission facts used below are from GCP's predefined roles
// reference (cloud.google.com/iam/docs/roles-permissions; the same data as
// `gcloud iam roles describe`): roles/viewer holds neither
// storage.objects.get nor container.secrets.get; roles/storage.objectViewer
// is storage.objects.get and .list; roles/storage.objectAdmin adds create,
// delete and update (an overwrite needs create and delete: Cloud Storage,
// "IAM permissions for XML API methods"); roles/cloudkms.cryptoKeyDecrypter
// is cryptoKeyVersions.useToDecrypt, …EncrypterDecrypter adds useToEncrypt.

// LocksPrefix is where Pulumi's self-managed backend keeps stack locks
// (pkg v3.230.0 backend/diy/lock.go: .pulumi/locks/organization/PROJECT/
// STACK/UUID.json), and infra its CI run markers beside them.
const LocksPrefix = ".pulumi/locks/"

// BucketsCondition limits a project grant to some buckets and their
// objects: IAM evaluates resource.name for Cloud Storage as
// projects/_/buckets/B, and projects/_/buckets/B/objects/O ("Resource
// attributes for IAM Conditions").
func BucketsCondition(buckets ...string) string {
	var terms []string
	for _, b := range buckets {
		terms = append(terms, fmt.Sprintf("resource.name == 'projects/_/buckets/%s'", b),
			fmt.Sprintf("resource.name.startsWith('projects/_/buckets/%s/')", b))
	}
	return strings.Join(terms, " || ")
}

// LocksCondition limits a bucket grant to the lock objects: IAM evaluates
// resource.name for Cloud Storage objects as projects/_/buckets/B/objects/O
// ("Resource attributes for IAM Conditions").
func LocksCondition(bucket string) string {
	return fmt.Sprintf("resource.name.startsWith('projects/_/buckets/%s/objects/%s')", bucket, LocksPrefix)
}

// ReaderStateGrants are the state bucket roles of the preview and drift
// accounts: read every object (a preview reads the checkpoint; listing is
// checked on the bucket, so it cannot sit behind an object condition),
// and write nothing but locks. A preview takes no lock (pkg v3.230.0
// backend/diy/backend.go: Preview never calls Lock), a drift's refresh
// preview neither; the lock grant is for infra's CI run markers and any
// future CLI that locks a preview. Checkpoints, their .bak, backups,
// history and the destroy journal stay the deployer's alone.
func ReaderStateGrants(bucket string) []infra.Grant {
	return []infra.Grant{
		{Role: "roles/storage.objectViewer", Why: "read the stack's checkpoint and list its locks"},
		{Role: "roles/storage.objectAdmin", Why: "write and remove lock objects only", Condition: LocksCondition(bucket)},
	}
}

// DeployStateGrants: the deployer owns every object of its state bucket.
var DeployStateGrants = []infra.Grant{
	{Role: "roles/storage.objectAdmin", Why: "write the checkpoint, its backups and history, locks and the destroy journal"},
}

// Key roles: readers decrypt the stack's secrets, the deployer also
// encrypts (a new secret in config, pulumi stack change-secrets-provider).
const (
	ReaderKeyRole = "roles/cloudkms.cryptoKeyDecrypter"
	DeployKeyRole = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
)

// PreviewGrants are the preview account's project roles: it reads and
// never writes. A preview of Kubernetes objects without write access
// falls back from a server-side dry run to a client-side diff
// (pulumi-kubernetes #3067).
var PreviewGrants = []infra.Grant{
	{Role: "roles/viewer", Why: "read what a preview compares with: the cluster, network, disk, DNS, buckets and the Kubernetes objects but Secrets"},
}

// customRoleID names a custom role of a stack: IDs take letters, digits,
// '_' and '.', so a stack's hyphens become underscores.
func customRoleID(kind, stack string) string {
	return "infra" + kind + "_" + strings.ReplaceAll(stack, "-", "_")
}

// DriftGrants are the drift account's: everything a preview reads, plus
// Kubernetes Secrets, which a refresh reads back (roles/viewer and
// roles/container.viewer hold no container.secrets.*; the predefined
// roles that do, container.developer and up, also write), and the names
// and ages of the stack's backups, which `infra drift` checks (listing
// objects, never reading them; objects.list is checked on the bucket,
// projects/_/buckets/B in a condition).
func DriftGrants(stack, backupBucket string) []infra.Grant {
	return []infra.Grant{
		PreviewGrants[0],
		{Role: customRoleID("SecretReader", stack), Why: "read the stack's Kubernetes Secrets, which a refresh compares",
			Permissions: []string{"container.secrets.get", "container.secrets.list"}},
		{Role: customRoleID("BackupLister", stack), Why: "list the stack's backups (names, sizes, times), for the backup age check",
			Permissions: []string{"storage.objects.list"},
			Condition:   fmt.Sprintf("resource.name == 'projects/_/buckets/%s'", backupBucket)},
	}
}

// DeployerGrants are the roles `infra up`, `destroy`, `sleep` and `wake`
// need on the project, each for the resources the stack program makes
// (infra/); nothing broader such as Editor or Owner. No role over service
// accounts or project IAM: the accounts the stack's workloads run as and
// their project roles are the bootstrap's (Workloads), and the deployer
// holds a role on each of those accounts alone.
func DeployerGrants(stack string, buckets ...string) []infra.Grant {
	return []infra.Grant{
		{Role: "roles/container.admin", Why: "create, update and delete the Autopilot cluster and every Kubernetes object in it (Secrets, RBAC, NetworkPolicies, the backup Job)"},
		{Role: "roles/compute.networkAdmin", Why: "the VPC, subnet, Cloud Router and NAT, and the global address"},
		// compute.securityAdmin would add firewalls, security and SSL
		// policies; loadBalancerAdmin, the narrowest predefined role with
		// sslCertificates.create, the whole load balancer.
		{Role: customRoleID("Deployer", stack), Why: "the Google-managed SSL certificate (Compute Network Admin only reads certificates) the SSL policy and the Cloud Armor policy (named here, not left to what a predefined role happens to hold), enabling the stack's APIs without the power to disable any, and with alertEmail the uptime check, its alert policy and e-mail channel (roles/monitoring.editor would add dashboards, groups, services and metrics); deleting the firewall rules GKE leaves in the stack's VPC (infra destroy --delete-leftovers; Compute Network Admin only reads firewall rules)",
			Permissions: []string{
				"compute.sslCertificates.create", "compute.sslCertificates.delete", "compute.sslCertificates.get", "compute.sslCertificates.list",
				"compute.sslPolicies.create", "compute.sslPolicies.delete", "compute.sslPolicies.get", "compute.sslPolicies.list", "compute.sslPolicies.update",
				"compute.securityPolicies.create", "compute.securityPolicies.delete", "compute.securityPolicies.get", "compute.securityPolicies.list", "compute.securityPolicies.update",
				"compute.firewalls.delete",
				"serviceusage.services.enable", "serviceusage.services.get", "serviceusage.services.list", "serviceusage.operations.get",
				"monitoring.uptimeCheckConfigs.create", "monitoring.uptimeCheckConfigs.delete", "monitoring.uptimeCheckConfigs.get",
				"monitoring.uptimeCheckConfigs.list", "monitoring.uptimeCheckConfigs.update",
				"monitoring.alertPolicies.create", "monitoring.alertPolicies.delete", "monitoring.alertPolicies.get",
				"monitoring.alertPolicies.list", "monitoring.alertPolicies.update",
				"monitoring.notificationChannels.create", "monitoring.notificationChannels.delete", "monitoring.notificationChannels.get",
				"monitoring.notificationChannels.list", "monitoring.notificationChannels.update",
			}},
		{Role: "roles/compute.storageAdmin", Why: "the database's persistent disk, zonal or regional, and its resize"},
		{Role: "roles/dns.admin", Why: "the Cloud DNS zone and its records"},
		// Creating a bucket is checked on the project (Cloud Storage, "IAM
		// permissions for JSON methods": buckets.insert needs
		// storage.buckets.create on the project), so it carries no bucket
		// condition; it touches no existing bucket.
		{Role: customRoleID("BucketCreator", stack), Why: "create the stack's backup and MLflow artifact buckets",
			Permissions: []string{"storage.buckets.create"}},
		{Role: customRoleID("Buckets", stack), Why: "the stack's own buckets alone (backups, MLflow artifacts): their settings, grants and objects; no bucket of another stack, and no bucket delete",
			Permissions: []string{
				"storage.buckets.get", "storage.buckets.update", "storage.buckets.getIamPolicy", "storage.buckets.setIamPolicy",
				"storage.objects.get", "storage.objects.list", "storage.objects.create", "storage.objects.delete",
			},
			Condition: BucketsCondition(buckets...)},
		{Role: "roles/cloudsql.admin", Why: "with mlflow: MLflow's Cloud SQL instance, its databases and its user"},
	}
}

// APIs are what the bootstrap and the stacks use, enabled once here:
// Workload Identity Federation needs iam, iamcredentials and sts; the
// secrets key cloudkms; project IAM cloudresourcemanager; the rest are the
// stacks' (infra.StackAPIs, and stacks.MLflowAPIs and infra.MonitoringAPIs
// for any stack that turns MLflow or alertEmail on). The Service Usage API must already be on.
func APIs() []string {
	apis := []string{"sts.googleapis.com", "cloudkms.googleapis.com", "cloudresourcemanager.googleapis.com"}
	for _, a := range slices.Concat(infra.StackAPIs, stacks.MLflowAPIs, infra.MonitoringAPIs) {
		if !slices.Contains(apis, a) {
			apis = append(apis, a)
		}
	}
	return apis
}
