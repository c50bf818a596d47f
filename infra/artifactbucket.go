package infra

import (
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/storage"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ArtifactBucketArgs configures an ArtifactBucket.
type ArtifactBucketArgs struct {
	Project string
	// Location of the bucket: the stack's region.
	Location string
	// Name of the bucket (globally unique).
	Name   string
	Labels map[string]string
	// Requires are resources (enabled APIs) the bucket waits for.
	Requires []pulumi.Resource
}

// ArtifactNoncurrentDays is how long an overwritten or deleted artifact
// stays recoverable as a noncurrent version.
const ArtifactNoncurrentDays = 30

// ArtifactBucket is the Cloud Storage bucket a server keeps its artifacts
// (models, plots, files of runs) in. Artifacts never expire; like the
// backups, the bucket outlives the cluster and `infra destroy` keeps it.
type ArtifactBucket struct {
	pulumi.ResourceState

	Bucket *storage.Bucket
	// Name of the bucket.
	Name pulumi.StringOutput
}

// NewArtifactBucket creates the bucket.
func NewArtifactBucket(ctx *pulumi.Context, name string, args ArtifactBucketArgs, opts ...pulumi.ResourceOption) (*ArtifactBucket, error) {
	b := &ArtifactBucket{}
	if err := ctx.RegisterComponentResource("translation:infra:ArtifactBucket", name, b, opts...); err != nil {
		return nil, err
	}
	// Live objects stay; a deleted one is recoverable for
	// ArtifactNoncurrentDays (cloud.google.com/storage/docs/lifecycle).
	bucket, err := privateBucket(ctx, name, args.Project, args.Name, args.Location, args.Labels, []*storage.BucketLifecycleRuleConditionArgs{
		{DaysSinceNoncurrentTime: pulumi.Int(ArtifactNoncurrentDays), WithState: pulumi.String("ARCHIVED")},
	}, b, args.Requires)
	if err != nil {
		return nil, err
	}
	b.Bucket, b.Name = bucket, bucket.Name
	return b, ctx.RegisterResourceOutputs(b, pulumi.Map{"name": bucket.Name, "url": bucket.Url})
}
