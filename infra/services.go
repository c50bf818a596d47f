package infra

import (
	"strings"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/projects"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// StackAPIs are the Google APIs a stack uses: GKE, Compute Engine (address,
// disk), Cloud DNS, Cloud Storage (backups), Artifact Registry (prod's
// images), IAM (the backup and node service accounts) and IAM Credentials
// (Workload Identity).
var StackAPIs = []string{
	"container.googleapis.com", "compute.googleapis.com", "dns.googleapis.com",
	"storage.googleapis.com", "artifactregistry.googleapis.com", "iam.googleapis.com",
	"iamcredentials.googleapis.com",
}

// ProjectAPIsArgs configures ProjectAPIs.
type ProjectAPIsArgs struct {
	Project string
	// APIs to enable, e.g. container.googleapis.com.
	APIs []string
}

// ProjectAPIs enables the APIs a stack needs, so a fresh project works.
// They are never disabled: a destroy only forgets them, because other
// stacks and tools in the project may use them too
// (disableOnDestroy defaults to true in the provider:
// terraform-provider-google-beta v5.42.0 resource_google_project_service.go).
type ProjectAPIs struct {
	pulumi.ResourceState

	// Enabled are the services, for others to depend on.
	Enabled []pulumi.Resource
}

// NewProjectAPIs enables the APIs.
func NewProjectAPIs(ctx *pulumi.Context, name string, args ProjectAPIsArgs, opts ...pulumi.ResourceOption) (*ProjectAPIs, error) {
	a := &ProjectAPIs{}
	if err := ctx.RegisterComponentResource("translation:infra:ProjectAPIs", name, a, opts...); err != nil {
		return nil, err
	}
	for _, api := range args.APIs {
		svc, err := projects.NewService(ctx, name+"-"+strings.TrimSuffix(api, ".googleapis.com"), &projects.ServiceArgs{
			Project:                  pulumi.String(args.Project),
			Service:                  pulumi.String(api),
			DisableOnDestroy:         pulumi.Bool(false),
			DisableDependentServices: pulumi.Bool(false),
		}, pulumi.Parent(a))
		if err != nil {
			return nil, err
		}
		a.Enabled = append(a.Enabled, svc)
	}
	return a, ctx.RegisterResourceOutputs(a, pulumi.Map{})
}
