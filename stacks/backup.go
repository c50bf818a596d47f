package stacks

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
)

// Backup is where and when the database is backed up (GKE only).
type Backup struct {
	// Bucket name; empty derives it from the project and stack.
	Bucket string
	// Schedule of the backup CronJob, cron syntax, UTC.
	Schedule string
	// RetentionDays a backup is kept.
	RetentionDays int
	// KeepNewest backups are never deleted by age.
	KeepNewest int
	// MaxAgeHours: an awake stack whose newest backup is older fails
	// infra drift.
	MaxAgeHours int
}

// BackupBucketName is backupBucket, or PROJECT-STACK-mysql-backups
// shortened to a bucket name's 63 characters.
func BackupBucketName(c Config) string {
	if c.Backup.Bucket != "" {
		return c.Backup.Bucket
	}
	return fitName(strings.ToLower(c.GCPProject+"-"+sanitize(c.Stack))+"-mysql-backups", 63)
}

// BackupAccountID is the backup service account's ID: mysql-backup-STACK,
// shortened to IAM's 30 characters.
func BackupAccountID(c Config) string { return fitName("mysql-backup-"+sanitize(c.Stack), 30) }

// BackupEphemeralStorage is what a backup pod asks for: room for the
// compressed dump of a full disk, within Autopilot's 10Gi ceiling
// (GKE, "Resource requests in Autopilot": ephemeral storage 10 MiB to 10 GiB).
func BackupEphemeralStorage(c Config) string {
	gb := DiskSizeGb(c)
	if gb < 1 {
		gb = 1
	}
	if gb > 10 {
		gb = 10
	}
	return fmt.Sprintf("%dGi", gb)
}

// sanitize keeps lowercase letters, digits and dashes of a stack name.
func sanitize(s string) string {
	return strings.Trim(regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(s), "-"), "-")
}

// fitName cuts name to max characters, ending with a short hash of the
// whole so that two long names still differ.
func fitName(name string, max int) string {
	if len(name) <= max {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	return strings.TrimRight(name[:max-7], "-") + "-" + hex.EncodeToString(sum[:])[:6]
}

var (
	bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{1,61}[a-z0-9]$`)
	cronField  = regexp.MustCompile(`^[0-9*/,-]+$`)
)

// checkBackup validates the backup settings. Bucket naming rules:
// cloud.google.com/storage/docs/buckets#naming.
func (v *validation) checkBackup(c Config) {
	b := c.Backup
	if name := BackupBucketName(c); (b.Bucket != "" || c.GCPProject != "") && !bucketName.MatchString(name) || strings.HasPrefix(name, "goog") || strings.Contains(name, "google") || strings.Contains(name, "..") {
		v.add("backupBucket", fmt.Sprintf("%q is not a Cloud Storage bucket name (3-63 lowercase letters, digits, dashes, underscores or dots; starts and ends with a letter or digit; no \"goog\" prefix, no \"google\")", name),
			v.setFix("backupBucket", fitName(strings.ToLower(sanitize(c.GCPProject+"-"+c.Stack))+"-mysql-backups", 63)))
	}
	if !validSchedule(b.Schedule) {
		v.add("backupSchedule", fmt.Sprintf("%q is not a cron schedule (five fields: minute hour day-of-month month day-of-week, in UTC; or @daily, @hourly, @weekly)", b.Schedule),
			v.setFix("backupSchedule", "30 2 * * *"))
	}
	if b.RetentionDays < 1 || b.RetentionDays > 3650 {
		v.add("backupRetentionDays", fmt.Sprintf("is %d; keep backups between 1 and 3650 days", b.RetentionDays), v.setFix("backupRetentionDays", "7"))
	}
	if b.KeepNewest < 1 || b.KeepNewest > 100 {
		v.add("backupKeepNewest", fmt.Sprintf("is %d; keep between 1 and 100 newest backups whatever their age", b.KeepNewest), v.setFix("backupKeepNewest", "3"))
	}
	if b.MaxAgeHours < 1 || b.MaxAgeHours > 8760 {
		v.add("backupMaxAgeHours", fmt.Sprintf("is %d; give the hours (1 to 8760) after which a missing backup is an alert", b.MaxAgeHours), v.setFix("backupMaxAgeHours", "36"))
	}
}

// validSchedule accepts what the CronJob controller parses: five numeric
// fields or a predefined schedule; time zones go in the CronJob's own
// field, which the component sets to UTC.
func validSchedule(s string) bool {
	switch s {
	case "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly":
		return true
	}
	f := strings.Fields(s)
	if len(f) != 5 {
		return false
	}
	for _, x := range f {
		if !cronField.MatchString(x) {
			return false
		}
	}
	return true
}
