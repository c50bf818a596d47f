package infra

import (
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/storage"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// privateBucket is the bucket both the backups and Pulumi's state live in:
// one region, uniform access, public access prevention enforced,
// versioned, never emptied by a destroy, and protected. rules are its
// lifecycle, each a Delete when its condition holds.
func privateBucket(ctx *pulumi.Context, name, project, bucket, location string, labels map[string]string,
	rules []*storage.BucketLifecycleRuleConditionArgs, parent pulumi.Resource, requires []pulumi.Resource) (*storage.Bucket, error) {
	lifecycle := storage.BucketLifecycleRuleArray{}
	for _, cond := range rules {
		lifecycle = append(lifecycle, &storage.BucketLifecycleRuleArgs{
			Action:    &storage.BucketLifecycleRuleActionArgs{Type: pulumi.String("Delete")},
			Condition: cond,
		})
	}
	return storage.NewBucket(ctx, name, &storage.BucketArgs{
		Project:                  pulumi.String(project),
		Name:                     pulumi.String(bucket),
		Location:                 pulumi.String(location),
		StorageClass:             pulumi.String("STANDARD"),
		UniformBucketLevelAccess: pulumi.Bool(true),
		PublicAccessPrevention:   pulumi.String("enforced"),
		Versioning:               &storage.BucketVersioningArgs{Enabled: pulumi.Bool(true)},
		ForceDestroy:             pulumi.Bool(false),
		LifecycleRules:           lifecycle,
		Labels:                   pulumi.ToStringMap(labels),
	}, pulumi.Parent(parent), pulumi.DependsOn(requires), pulumi.Protect(true))
}
