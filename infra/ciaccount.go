package infra

import (
	"strings"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/kms"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/projects"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/serviceaccount"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/storage"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Grant is one role with the reason it is needed, and, for a role that
// could do more than that, an IAM condition that narrows it.
type Grant struct {
	Role string
	Why  string
	// Condition, when set, is a CEL expression the grant holds under.
	Condition string
}

// Principal is one set of workflows, named for the plan (e.g. "main").
type Principal struct {
	Name   string
	Member pulumi.StringOutput
}

// CIAccountArgs configures a CIAccount.
type CIAccountArgs struct {
	Project     string
	AccountID   string
	DisplayName string
	// ProjectGrants are roles on the project.
	ProjectGrants []Grant
	// Bucket and BucketRole: a role on one bucket (the state bucket).
	Bucket     pulumi.StringInput
	BucketRole string
	// Key and KeyRole: a role on one Cloud KMS key (the secrets key).
	Key     *kms.CryptoKey
	KeyRole string
	// Principals may impersonate the account (roles/iam.workloadIdentityUser).
	Principals []Principal
	// Requires are resources (enabled APIs) every child waits for.
	Requires []pulumi.Resource
}

// CIAccount is a Google service account that GitHub workflows impersonate
// through Workload Identity Federation, with exactly the grants listed.
type CIAccount struct {
	pulumi.ResourceState

	Email pulumi.StringOutput
}

// NewCIAccount creates the account, its grants and who may use it.
func NewCIAccount(ctx *pulumi.Context, name string, args CIAccountArgs, opts ...pulumi.ResourceOption) (*CIAccount, error) {
	a := &CIAccount{}
	if err := ctx.RegisterComponentResource("translation:infra:CIAccount", name, a, opts...); err != nil {
		return nil, err
	}
	child := []pulumi.ResourceOption{pulumi.Parent(a), pulumi.DependsOn(args.Requires)}
	account, err := serviceaccount.NewAccount(ctx, name, &serviceaccount.AccountArgs{
		Project:     pulumi.String(args.Project),
		AccountId:   pulumi.String(args.AccountID),
		DisplayName: pulumi.String(args.DisplayName),
	}, child...)
	if err != nil {
		return nil, err
	}
	for _, g := range args.ProjectGrants {
		member := &projects.IAMMemberArgs{
			Project: pulumi.String(args.Project),
			Role:    pulumi.String(g.Role),
			Member:  account.Member,
		}
		if g.Condition != "" {
			member.Condition = &projects.IAMMemberConditionArgs{
				Title:       pulumi.String("limited " + roleSuffix(g.Role)),
				Description: pulumi.String(g.Why),
				Expression:  pulumi.String(g.Condition),
			}
		}
		// The whole role in the name: dns.admin and storage.admin both end
		// in admin, and two resources may not share a URN.
		if _, err := projects.NewIAMMember(ctx, name+"-"+roleName(g.Role), member, child...); err != nil {
			return nil, err
		}
	}
	if args.BucketRole != "" {
		if _, err := storage.NewBucketIAMMember(ctx, name+"-state-"+roleSuffix(args.BucketRole), &storage.BucketIAMMemberArgs{
			Bucket: args.Bucket,
			Role:   pulumi.String(args.BucketRole),
			Member: account.Member,
		}, child...); err != nil {
			return nil, err
		}
	}
	if args.KeyRole != "" {
		if _, err := kms.NewCryptoKeyIAMMember(ctx, name+"-key-"+roleSuffix(args.KeyRole), &kms.CryptoKeyIAMMemberArgs{
			CryptoKeyId: args.Key.ID(),
			Role:        pulumi.String(args.KeyRole),
			Member:      account.Member,
		}, child...); err != nil {
			return nil, err
		}
	}
	for _, p := range args.Principals {
		if _, err := serviceaccount.NewIAMMember(ctx, name+"-from-"+p.Name, &serviceaccount.IAMMemberArgs{
			ServiceAccountId: account.Name,
			Role:             pulumi.String("roles/iam.workloadIdentityUser"),
			Member:           p.Member,
		}, child...); err != nil {
			return nil, err
		}
	}
	a.Email = account.Email
	return a, ctx.RegisterResourceOutputs(a, pulumi.Map{"email": account.Email})
}

// roleName is a role as a resource name: roles/dns.admin -> dns-admin.
func roleName(role string) string {
	return strings.ReplaceAll(strings.TrimPrefix(role, "roles/"), ".", "-")
}
