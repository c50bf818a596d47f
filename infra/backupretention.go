package infra

import (
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/storage"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Where backups live in their bucket. Facts from Cloud Storage's
// "Object Lifecycle Management" page (cloud.google.com/storage/docs/
// lifecycle): a rule acts only when all of its conditions hold; age
// counts days since an object was created; isLive false matches
// noncurrent versions; numNewerVersions N matches a version with at least
// N newer versions of the same name, the live one included;
// daysSinceNoncurrentTime counts days since a version became noncurrent;
// matchesPrefix limits a rule to names with one of the prefixes; Delete
// on a live object of a versioned bucket makes it noncurrent, on a
// noncurrent one removes it. No condition can say "the newest N across
// names", so the newest backups are kept under one name:
const (
	// BackupsPrefix: every backup, under its own timestamped name; aged
	// out RetentionDays after it was written.
	BackupsPrefix = "mysql/"
	// NewestPrefix: every backup is also copied to one name per
	// database; its newest KeepNewest versions are never deleted by age,
	// whatever happens to the schedule.
	NewestPrefix = "newest/"
	// KeptPrefix: what a sleep or a destroy leaves behind (pinned). No rule
	// touches a live object here: it stays until someone deletes it.
	KeptPrefix = "kept/"
)

// LifecycleRule is one Delete rule of the backup bucket, in the terms of
// Cloud Storage's conditions; nil means the condition is not set.
type LifecycleRule struct {
	Age                     *int
	IsLive                  bool
	DaysSinceNoncurrentTime *int
	NumNewerVersions        *int
	Prefixes                []string
}

// BackupRules are the backup bucket's lifecycle: timestamped backups go
// retentionDays after they were written; every version of the newest
// copy but the newest keepNewest goes; noncurrent versions of timestamped
// and kept backups (aged out, or deleted by a person) go NoncurrentDays
// later, so a mistake can still be undone for a week.
func BackupRules(retentionDays, keepNewest int) []LifecycleRule {
	return []LifecycleRule{
		{Age: &retentionDays, IsLive: true, Prefixes: []string{BackupsPrefix}},
		{DaysSinceNoncurrentTime: intp(NoncurrentDays), IsLive: false, Prefixes: []string{BackupsPrefix, KeptPrefix}},
		{NumNewerVersions: &keepNewest, IsLive: false, Prefixes: []string{NewestPrefix}},
	}
}

func intp(i int) *int { return &i }

// args is the rule as the provider takes it. A rule without an age sets
// noAge: else the provider sends age 0, which every object meets, and the
// rule leans on its other conditions alone (pulumi-gcp sdk v7.38.0
// storage.BucketLifecycleRuleCondition, Age and NoAge).
func (r LifecycleRule) args() *storage.BucketLifecycleRuleConditionArgs {
	state := "ARCHIVED"
	if r.IsLive {
		state = "LIVE"
	}
	c := &storage.BucketLifecycleRuleConditionArgs{
		WithState:       pulumi.String(state),
		MatchesPrefixes: pulumi.ToStringArray(r.Prefixes),
	}
	if r.Age != nil {
		c.Age = pulumi.Int(*r.Age)
	} else {
		c.NoAge = pulumi.Bool(true)
	}
	if r.DaysSinceNoncurrentTime != nil {
		c.DaysSinceNoncurrentTime = pulumi.Int(*r.DaysSinceNoncurrentTime)
	}
	if r.NumNewerVersions != nil {
		c.NumNewerVersions = pulumi.Int(*r.NumNewerVersions)
	}
	return c
}
