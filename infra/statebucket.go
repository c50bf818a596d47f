package infra

import (
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/storage"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// StateHistoryDays is how long a replaced state checkpoint stays
// recoverable in the state bucket (and StateHistoryVersions how many newer
// ones must exist before it goes).
const (
	StateHistoryDays     = 30
	StateHistoryVersions = 10
)

// StateBucketArgs configures a StateBucket.
type StateBucketArgs struct {
	Project  string
	Name     string
	Location string
	// Requires are resources (enabled APIs) it waits for.
	Requires []pulumi.Resource
}

// StateBucket is the Cloud Storage bucket Pulumi keeps the stacks' state
// and locks in (pulumi login gs://NAME): private (uniform access, public
// access prevention enforced), versioned so an overwritten checkpoint can
// be recovered, and protected.
type StateBucket struct {
	pulumi.ResourceState

	Bucket *storage.Bucket
	Name   pulumi.StringOutput
}

// NewStateBucket creates the bucket.
func NewStateBucket(ctx *pulumi.Context, name string, args StateBucketArgs, opts ...pulumi.ResourceOption) (*StateBucket, error) {
	b := &StateBucket{}
	if err := ctx.RegisterComponentResource("translation:infra:StateBucket", name, b, opts...); err != nil {
		return nil, err
	}
	// Both conditions must hold (cloud.google.com/storage/docs/lifecycle):
	// old checkpoints go once they are a month old and ten newer exist.
	bucket, err := privateBucket(ctx, name, args.Project, args.Name, args.Location,
		map[string]string{"app": "unlimited-translation", "purpose": "pulumi-state"},
		[]*storage.BucketLifecycleRuleConditionArgs{{
			DaysSinceNoncurrentTime: pulumi.Int(StateHistoryDays),
			NumNewerVersions:        pulumi.Int(StateHistoryVersions),
			WithState:               pulumi.String("ARCHIVED"),
		}}, b, args.Requires)
	if err != nil {
		return nil, err
	}
	b.Bucket, b.Name = bucket, bucket.Name
	return b, ctx.RegisterResourceOutputs(b, pulumi.Map{"name": bucket.Name, "url": bucket.Url})
}
