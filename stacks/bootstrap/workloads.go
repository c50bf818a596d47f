package bootstrap

import (
	"github.com/unlimited-translation/infra/infra"
	"github.com/unlimited-translation/infra/stacks"
)

// Workload is a service account the app stack's workloads run as, made
// by the bootstrap with its project roles, and the one role the deployer
// holds on it (on that account alone, not the project).
type Workload struct {
	Name, ID, DisplayName, Description string
	ProjectRoles                       []string
	// Conditions narrow project roles (role → CEL expression).
	Conditions map[string]string
	Deployer   infra.Grant
}

// UserRole lets the deployer make a cluster whose nodes run as the
// account: creating a cluster with a node service account needs
// iam.serviceAccounts.actAs on it (GKE, "Use least privilege IAM service
// accounts"); roles/iam.serviceAccountUser is actAs, get and list.
const UserRole = "roles/iam.serviceAccountUser"

// BinderRole is the custom role that lets the deployer add the Workload
// Identity binding to the backup and MLflow accounts: read and set the
// account's own IAM policy, never delete it or act as it by itself.
func BinderRole(stack string) infra.Grant {
	return infra.Grant{Role: customRoleID("AccountBinder", stack),
		Why:         "bind a Kubernetes service account of the stack to the backup or MLflow account (Workload Identity)",
		Permissions: []string{"iam.serviceAccounts.get", "iam.serviceAccounts.getIamPolicy", "iam.serviceAccounts.setIamPolicy"}}
}

// Workloads are the stack's workload accounts. MLflow's is made whether
// the stack turns MLflow on or not: an unused account costs nothing, and
// turning MLflow on then needs no new bootstrap.
func (c Config) Workloads() []Workload {
	app := stacks.Defaults(c.Stack)
	app.GCPProject = c.Project
	return []Workload{
		{Name: "nodes", ID: stacks.NodeAccountID(app), DisplayName: "GKE nodes of stack " + c.Stack,
			Description:  "The Autopilot cluster's nodes run as this account instead of the Compute Engine default",
			ProjectRoles: infra.NodeRoles, Deployer: infra.Grant{Role: UserRole, Why: "create the cluster with its nodes running as this account"}},
		{Name: "backup", ID: stacks.BackupAccountID(app), DisplayName: "MySQL backups of stack " + c.Stack,
			Description: "Used by the backup and restore jobs through Workload Identity; the stack grants it one bucket",
			Deployer:    BinderRole(c.Stack)},
		{Name: "mlflow", ID: stacks.MLflowAccountID(app), DisplayName: "MLflow tracking server of stack " + c.Stack,
			Description:  "Used by the MLflow server through Workload Identity: its Cloud SQL instance, and one bucket the stack grants",
			ProjectRoles: stacks.MLflowProjectRoles, Deployer: BinderRole(c.Stack),
			// Its own instance only, not every instance of the project.
			Conditions: map[string]string{"roles/cloudsql.client": stacks.MLflowCondition(app)}},
	}
}

// BackupBucket is the app stack's backup bucket: backupBucket of its
// stack file (infra bootstrap passes it on), else the default name.
func (c Config) BackupBucket() string {
	if c.AppBackupBucket != "" {
		return c.AppBackupBucket
	}
	app := stacks.Defaults(c.Stack)
	app.GCPProject = c.Project
	return stacks.BackupBucketName(app)
}

// ArtifactBucket is the app stack's MLflow artifact bucket.
func (c Config) ArtifactBucket() string {
	app := stacks.Defaults(c.Stack)
	app.GCPProject = c.Project
	return stacks.MLflowBucketName(app)
}
