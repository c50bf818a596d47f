package infra

import (
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/storage"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// BackupBucketArgs configures a BackupBucket.
type BackupBucketArgs struct {
	Project string
	// Location of the bucket: the stack's region, so backups stay with
	// the data they copy.
	Location string
	// Name of the bucket (globally unique).
	Name string
	// RetentionDays a backup is kept after it was written; KeepNewest
	// copies are kept whatever their age (BackupRules).
	RetentionDays, KeepNewest int
	Labels                    map[string]string
	// Requires are resources (enabled APIs) the bucket waits for.
	Requires []pulumi.Resource
}

// NoncurrentDays is how long an overwritten, deleted or aged-out backup
// stays recoverable as a noncurrent version.
const NoncurrentDays = 7

// BackupBucket is the Cloud Storage bucket the database's backups go to.
// Like the data disk it outlives the cluster and is always protected:
// `infra destroy` keeps it, with the backups in it.
type BackupBucket struct {
	pulumi.ResourceState

	Bucket *storage.Bucket
	// Name of the bucket.
	Name pulumi.StringOutput
}

// NewBackupBucket creates the bucket.
func NewBackupBucket(ctx *pulumi.Context, name string, args BackupBucketArgs, opts ...pulumi.ResourceOption) (*BackupBucket, error) {
	b := &BackupBucket{}
	if err := ctx.RegisterComponentResource("translation:infra:BackupBucket", name, b, opts...); err != nil {
		return nil, err
	}
	var rules []*storage.BucketLifecycleRuleConditionArgs
	for _, r := range BackupRules(args.RetentionDays, args.KeepNewest) {
		rules = append(rules, r.args())
	}
	bucket, err := privateBucket(ctx, name, args.Project, args.Name, args.Location, args.Labels, rules, b, args.Requires)
	if err != nil {
		return nil, err
	}
	b.Bucket, b.Name = bucket, bucket.Name
	return b, ctx.RegisterResourceOutputs(b, pulumi.Map{"name": bucket.Name, "url": bucket.Url})
}
