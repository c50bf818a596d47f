package bootstrap

import (
	"fmt"
	"slices"
	"strings"

	"github.com/unlimited-translation/infra/infra"
	"github.com/unlimited-translation/infra/stacks"
)

// PreviewGrants are the preview account's project roles: it reads and
// never writes. Pull-request previews of any branch run as it. A preview
// of Kubernetes objects without write access falls back from a server-side
// dry run to a client-side diff (pulumi-kubernetes #3067).
var PreviewGrants = []infra.Grant{
	{Role: "roles/viewer", Why: "read what a preview compares with: the cluster, network, disk, DNS, buckets and the Kubernetes objects but Secrets"},
}

// PreviewStateRole and PreviewKeyRole: on the state bucket (a preview
// takes and releases the stack's lock) and on the secrets key (decrypt
// the stack's secrets, never encrypt).
const (
	PreviewStateRole = "roles/storage.objectAdmin"
	PreviewKeyRole   = "roles/cloudkms.cryptoKeyDecrypter"
	DeployStateRole  = "roles/storage.objectAdmin"
	DeployKeyRole    = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
)

// DeployerGrants are the roles `infra up`, `destroy`, `sleep`, `wake` and
// `drift` need on the project, each for the resources the stack program
// makes (infra/); nothing broader such as Editor or Owner.
func DeployerGrants() []infra.Grant {
	grantable := append(append([]string{}, infra.NodeRoles...), stacks.MLflowProjectRoles...)
	quoted := make([]string, len(grantable))
	for i, r := range grantable {
		quoted[i] = "'" + r + "'"
	}
	return []infra.Grant{
		{Role: "roles/container.admin", Why: "create, update and delete the Autopilot cluster and every Kubernetes object in it (Secrets, RBAC, NetworkPolicies, the backup Job)"},
		{Role: "roles/compute.networkAdmin", Why: "the VPC, subnet, Cloud Router and NAT, and the global address"},
		{Role: "roles/compute.securityAdmin", Why: "the Google-managed SSL certificate (Compute Network Admin excludes SSL certificates)"},
		{Role: "roles/compute.storageAdmin", Why: "the database's persistent disk, zonal or regional, and its resize"},
		{Role: "roles/dns.admin", Why: "the Cloud DNS zone and its records"},
		{Role: "roles/storage.admin", Why: "the backup and MLflow artifact buckets and the grants on them"},
		{Role: "roles/iam.serviceAccountAdmin", Why: "the node, backup and MLflow service accounts, and their Workload Identity bindings"},
		{Role: "roles/iam.serviceAccountUser", Why: "let the cluster's nodes run as the node service account"},
		{Role: "roles/serviceusage.serviceUsageAdmin", Why: "enable the APIs the stack uses (never disabled)"},
		{Role: "roles/cloudsql.admin", Why: "with mlflow: MLflow's Cloud SQL instance, its databases and its user"},
		{
			Role: "roles/resourcemanager.projectIamAdmin",
			Why: "grant the node service account " + strings.Join(infra.NodeRoles, " and ") + " and MLflow's account " +
				strings.Join(stacks.MLflowProjectRoles, " and ") + ", and no other role",
			// IAM, "Setting limits on granting roles": the condition limits
			// which roles this binding may grant or revoke.
			Condition: fmt.Sprintf("api.getAttribute('iam.googleapis.com/modifiedGrantsByRole', []).hasOnly([%s])", strings.Join(quoted, ", ")),
		},
	}
}

// APIs are what the bootstrap and the stacks use, enabled once here:
// Workload Identity Federation needs iam, iamcredentials and sts; the
// secrets key cloudkms; project IAM cloudresourcemanager; the rest are the
// stacks' (infra.StackAPIs, and stacks.MLflowAPIs for any stack that
// turns MLflow on). The Service Usage API must already be on.
func APIs() []string {
	apis := []string{"sts.googleapis.com", "cloudkms.googleapis.com", "cloudresourcemanager.googleapis.com"}
	for _, a := range append(append([]string{}, infra.StackAPIs...), stacks.MLflowAPIs...) {
		if !slices.Contains(apis, a) {
			apis = append(apis, a)
		}
	}
	return apis
}
