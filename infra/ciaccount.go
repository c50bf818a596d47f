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
	// Role is a predefined role (roles/…), or, with Permissions, the ID
	// of a custom project role made for this grant.
	Role string
	Why  string
	// Condition, when set, is a CEL expression the grant holds under.
	Condition string
	// Permissions make Role a custom role holding exactly these, where
	// every predefined role would give more.
	Permissions []string
}

// Custom tells whether the grant is of a custom role.
func (g Grant) Custom() bool { return len(g.Permissions) > 0 }

// RoleName is the role as IAM names it in a binding.
func (g Grant) RoleName(project string) string {
	if g.Custom() {
		return "projects/" + project + "/roles/" + g.Role
	}
	return g.Role
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
	// Bucket and BucketGrants: roles on one bucket (the state bucket),
	// each maybe narrowed to some objects by its condition.
	Bucket       pulumi.StringInput
	BucketGrants []Grant
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
	// Member is the account as an IAM member: serviceAccount:EMAIL.
	Member pulumi.StringOutput
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
		role := pulumi.String(g.RoleName(args.Project)).ToStringOutput()
		if g.Custom() {
			custom, err := NewCustomRole(ctx, name+"-"+roleName(g.Role), args.Project, g, child...)
			if err != nil {
				return nil, err
			}
			role = custom.Name
		}
		member := &projects.IAMMemberArgs{
			Project: pulumi.String(args.Project),
			Role:    role,
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
	for _, g := range args.BucketGrants {
		member := &storage.BucketIAMMemberArgs{
			Bucket: args.Bucket,
			Role:   pulumi.String(g.Role),
			Member: account.Member,
		}
		if g.Condition != "" {
			member.Condition = &storage.BucketIAMMemberConditionArgs{
				Title:       pulumi.String("limited " + roleSuffix(g.Role)),
				Description: pulumi.String(g.Why),
				Expression:  pulumi.String(g.Condition),
			}
		}
		if _, err := storage.NewBucketIAMMember(ctx, name+"-state-"+roleSuffix(g.Role), member, child...); err != nil {
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
	a.Email, a.Member = account.Email, account.Member
	return a, ctx.RegisterResourceOutputs(a, pulumi.Map{"email": account.Email})
}

// NewCustomRole makes g's custom project role, holding exactly its
// Permissions. A custom role deleted with the bootstrap stays soft-deleted
// for a while; creating it again undeletes and updates it
// (terraform-provider-google-beta v5.42.0 resourcemanager/
// resource_google_project_iam_custom_role.go,
// resourceGoogleProjectIamCustomRoleCreate).
func NewCustomRole(ctx *pulumi.Context, name, project string, g Grant, opts ...pulumi.ResourceOption) (*projects.IAMCustomRole, error) {
	return projects.NewIAMCustomRole(ctx, name, &projects.IAMCustomRoleArgs{
		Project:     pulumi.String(project),
		RoleId:      pulumi.String(g.Role),
		Title:       pulumi.String(g.Role),
		Description: pulumi.String(g.Why),
		Permissions: pulumi.ToStringArray(g.Permissions),
		Stage:       pulumi.String("GA"),
	}, opts...)
}

// roleName is a role as a resource name: roles/dns.admin -> dns-admin.
func roleName(role string) string {
	return strings.NewReplacer(".", "-", "_", "-").Replace(strings.TrimPrefix(role, "roles/"))
}
