package infra

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/serviceaccount"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/storage"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// WorkloadIdentityArgs configures a WorkloadIdentity.
type WorkloadIdentityArgs struct {
	Project string
	// AccountID of the Google service account, which the stack's
	// bootstrap made (WorkloadAccount) with its project roles.
	AccountID string
	// Bucket and BucketRoles: what the account may do in one bucket the
	// stack owns.
	Bucket      pulumi.StringInput
	BucketRoles []string
	// PrefixGrants are roles on the objects under one prefix of Bucket
	// alone (an IAM condition on the object name).
	PrefixGrants []PrefixGrant
	// Namespace and KubernetesServiceAccount of the pods that act as the
	// Google service account.
	Namespace                string
	KubernetesServiceAccount string
	// Requires: the enabled APIs and, while awake, the cluster: the
	// project's workload identity pool (PROJECT.svc.id.goog) exists once
	// a cluster with Workload Identity was made, and a binding naming it
	// before then fails with "Identity Pool does not exist"
	// (terraform-google-kubernetes-engine #916).
	Requires []pulumi.Resource
}

// BackupBucketRoles are what the backup account holds on its bucket, and
// nothing else anywhere: create objects (a backup) and read them (the
// upload check, a restore). Not delete or overwrite: a compromised job
// cannot remove earlier backups.
var BackupBucketRoles = []string{"roles/storage.objectCreator", "roles/storage.objectViewer"}

// PrefixGrant is a bucket role limited to the objects under Prefix.
type PrefixGrant struct{ Role, Prefix, Why string }

// BackupNewestGrant lets the backup jobs replace the newest copy (an
// overwrite needs storage.objects.delete as well as create: Cloud
// Storage, "IAM permissions for JSON methods"), under NewestPrefix alone:
// the timestamped backups stay out of their reach.
var BackupNewestGrant = PrefixGrant{Role: "roles/storage.objectUser", Prefix: NewestPrefix, Why: "replace the newest copy of the backup"}

// WorkloadIdentity lets the pods of one Kubernetes service account run
// as a Google service account, through Workload Identity (no key exists
// anywhere), and gives that account its roles on one bucket. It holds no
// cluster resource, so a sleeping stack keeps it: the first backup after
// a wake does not wait for IAM to propagate.
type WorkloadIdentity struct {
	pulumi.ResourceState

	// Email of the Google service account, for the Kubernetes service
	// account's iam.gke.io/gcp-service-account annotation.
	Email pulumi.StringOutput
}

// NewWorkloadIdentity creates the bindings.
func NewWorkloadIdentity(ctx *pulumi.Context, name string, args WorkloadIdentityArgs, opts ...pulumi.ResourceOption) (*WorkloadIdentity, error) {
	id := &WorkloadIdentity{}
	// It was the backup jobs' BackupIdentity: the alias keeps that one's
	// account and grants in place.
	opts = append(opts, pulumi.Aliases([]pulumi.Alias{{Type: pulumi.String("translation:infra:BackupIdentity")}}))
	if err := ctx.RegisterComponentResource("translation:infra:WorkloadIdentity", name, id, opts...); err != nil {
		return nil, err
	}
	child := []pulumi.ResourceOption{pulumi.Parent(id), pulumi.DependsOn(args.Requires)}
	email := AccountEmail(args.Project, args.AccountID)
	member := pulumi.String("serviceAccount:" + email)
	for _, role := range args.BucketRoles {
		if _, err := storage.NewBucketIAMMember(ctx, name+"-"+roleSuffix(role), &storage.BucketIAMMemberArgs{
			Bucket: args.Bucket,
			Role:   pulumi.String(role),
			Member: member,
		}, child...); err != nil {
			return nil, err
		}
	}
	for _, g := range args.PrefixGrants {
		// IAM evaluates resource.name of an object as
		// projects/_/buckets/B/objects/O ("Resource attributes for IAM
		// Conditions").
		if _, err := storage.NewBucketIAMMember(ctx, name+"-"+roleSuffix(g.Role)+"-"+strings.TrimSuffix(g.Prefix, "/"), &storage.BucketIAMMemberArgs{
			Bucket: args.Bucket,
			Role:   pulumi.String(g.Role),
			Member: member,
			Condition: &storage.BucketIAMMemberConditionArgs{
				Title:       pulumi.String("only " + g.Prefix),
				Description: pulumi.String(g.Why),
				Expression:  pulumi.Sprintf("resource.name.startsWith('projects/_/buckets/%s/objects/%s')", args.Bucket, g.Prefix),
			},
		}, child...); err != nil {
			return nil, err
		}
	}
	// The Kubernetes service account may act as the Google one
	// (cloud.google.com/kubernetes-engine/docs/how-to/workload-identity).
	_, err := serviceaccount.NewIAMMember(ctx, name+"-workload-identity", &serviceaccount.IAMMemberArgs{
		ServiceAccountId: pulumi.String("projects/" + args.Project + "/serviceAccounts/" + email),
		Role:             pulumi.String("roles/iam.workloadIdentityUser"),
		Member:           pulumi.String(WorkloadIdentityMember(args.Project, args.Namespace, args.KubernetesServiceAccount)),
	}, child...)
	if err != nil {
		return nil, err
	}
	// The email follows from the ID (IAM: ACCOUNT_ID@PROJECT.iam.gserviceaccount.com),
	// so previews show the annotation that names it.
	id.Email = pulumi.String(email).ToStringOutput()
	return id, ctx.RegisterResourceOutputs(id, pulumi.Map{"email": id.Email})
}

// AccountEmail is the email of a user-managed service account.
func AccountEmail(project, accountID string) string {
	return fmt.Sprintf("%s@%s.iam.gserviceaccount.com", accountID, project)
}

// WorkloadIdentityMember is the IAM principal of a Kubernetes service
// account in the project's workload identity pool.
func WorkloadIdentityMember(project, namespace, ksa string) string {
	return fmt.Sprintf("serviceAccount:%s.svc.id.goog[%s/%s]", project, namespace, ksa)
}

// roleSuffix names a binding's resource after its role: "objectCreator".
func roleSuffix(role string) string {
	for i := len(role) - 1; i >= 0; i-- {
		if role[i] == '.' || role[i] == '/' {
			return role[i+1:]
		}
	}
	return role
}
