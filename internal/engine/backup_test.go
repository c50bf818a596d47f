package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/unlimited-translation/infra/internal/testservers"
	"github.com/unlimited-translation/infra/stacks"
)

// Which backup `infra restore` loads: the newest by default, or what
// --from names in any of its forms; never one from another bucket.
func TestBackupObjectResolution(t *testing.T) {
	bin, _ := filepath.Abs(filepath.Join("..", "..", "bin", "fake-gcs-server"))
	cfg := stacks.Defaults("dev")
	cfg.GCPProject = "p"
	bucket := stacks.BackupBucketName(cfg) // p-dev-mysql-backups
	g := testservers.StartGCS(t, bin, os.Getenv("INFRA_REQUIRE_PULUMI") != "", bucket)
	t.Setenv("STORAGE_EMULATOR_HOST", g.Host)
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", g.Credentials)
	e := &Engine{Name: "dev", Config: cfg}
	ctx := context.Background()

	if _, err := e.backupObject(ctx, ""); err == nil || !strings.Contains(err.Error(), "no backup in gs://p-dev-mysql-backups/mysql/ yet (take one: infra backup --stack dev)") {
		t.Errorf("empty bucket: %v", err)
	}
	// Written in this order; the names do not sort by age.
	for _, name := range []string{"mysql/b-old.sql.gz", "mysql/a-new.sql.gz", "other/z.sql.gz"} {
		g.Put(t, bucket, name, "x")
		time.Sleep(20 * time.Millisecond) // distinct update times
	}
	for _, c := range []struct{ from, want, err string }{
		{"", "gs://p-dev-mysql-backups/mysql/a-new.sql.gz", ""},
		{"b-old.sql.gz", "gs://p-dev-mysql-backups/mysql/b-old.sql.gz", ""},
		{"mysql/b-old.sql.gz", "gs://p-dev-mysql-backups/mysql/b-old.sql.gz", ""},
		{"gs://p-dev-mysql-backups/mysql/b-old.sql.gz", "gs://p-dev-mysql-backups/mysql/b-old.sql.gz", ""},
		{"gs://p-dev-mysql-backups/other/z.sql.gz", "gs://p-dev-mysql-backups/other/z.sql.gz", ""},
		{"b-old", "", "no backup gs://p-dev-mysql-backups/mysql/b-old (list them: infra backups --stack dev)"},
		{"gs://elsewhere/mysql/a.sql.gz", "", "is not in the stack's bucket gs://p-dev-mysql-backups"},
	} {
		got, err := e.backupObject(ctx, c.from)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("--from %q: %v, want an error with %q", c.from, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("--from %q: %q, %v; want %q", c.from, got, err, c.want)
		}
	}
}

// The newest backup may be a kept or newest copy once the timestamped ones
// aged out; a pinned backup is copied on the server; the listing says
// what keeps each one.
func TestBackupsKeptAndListed(t *testing.T) {
	bin, _ := filepath.Abs(filepath.Join("..", "..", "bin", "fake-gcs-server"))
	cfg := stacks.Defaults("dev")
	cfg.GCPProject = "p"
	bucket := stacks.BackupBucketName(cfg)
	g := testservers.StartGCS(t, bin, os.Getenv("INFRA_REQUIRE_PULUMI") != "", bucket)
	t.Setenv("STORAGE_EMULATOR_HOST", g.Host)
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", g.Credentials)
	e := &Engine{Name: "dev", Config: cfg}
	ctx := context.Background()

	g.Put(t, bucket, "mysql/translation-old.sql.gz", "old")
	time.Sleep(20 * time.Millisecond)
	g.Put(t, bucket, "newest/translation.sql.gz", "newer")
	if got, err := e.backupObject(ctx, ""); err != nil || got != "gs://"+bucket+"/newest/translation.sql.gz" {
		t.Errorf("newest of all: %q, %v", got, err)
	}
	// What Backup does for a sleep once the Job has written its object.
	if err := e.bucket().Copy(ctx, "newest/translation.sql.gz", PinSleep.keptName("translation", time.Now())); err != nil {
		t.Fatal(err)
	}
	if got := g.Objects(t, bucket, "kept/"); len(got) != 1 || got[0] != "kept/translation-sleep.sql.gz" {
		t.Errorf("kept: %v", got)
	}
	list, err := e.Backups(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range list {
		got = append(got, strings.TrimPrefix(b.URL, "gs://"+bucket+"/")+": "+b.Keeps)
	}
	want := []string{
		"kept/translation-sleep.sql.gz: kept until you delete it",
		"newest/translation.sql.gz: the newest, kept whatever its age (with 2 more versions)",
		"mysql/translation-old.sql.gz: goes in 7 days (backupRetentionDays)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("listing:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if list[0].Size != int64(len("newer")) {
		t.Errorf("size %d", list[0].Size)
	}
}

// What the lifecycle does to each kind of version, by hand from
// infra.BackupRules with 7 days and the newest 3.
func TestKeeps(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	day := func(d int) time.Time { return now.AddDate(0, 0, d) }
	for _, c := range []struct {
		prefix string
		v      objectVersion
		newer  int
		want   string
	}{
		{"mysql/", objectVersion{Created: day(-2)}, 0, "goes in 5 days (backupRetentionDays)"},
		{"mysql/", objectVersion{Created: day(-8)}, 0, "goes within a day (backupRetentionDays)"},
		{"mysql/", objectVersion{Created: day(-8), Noncurrent: true, NoncurrentSince: day(-1)}, 0, "deleted or replaced, recoverable: goes in 6 days"},
		{"kept/", objectVersion{Created: day(-400)}, 0, "kept until you delete it"},
		{"kept/", objectVersion{Created: day(-40), Noncurrent: true, NoncurrentSince: day(-3)}, 1, "deleted or replaced, recoverable: goes in 4 days"},
		{"newest/", objectVersion{Created: day(-90), Noncurrent: true, NoncurrentSince: day(-89)}, 2, "one of the newest 3, kept whatever its age"},
		{"newest/", objectVersion{Created: day(-91), Noncurrent: true, NoncurrentSince: day(-90)}, 3, "3 newer versions: goes within a day"},
	} {
		if got := keeps(c.prefix, c.v, c.newer, 7, 3, now); got != c.want {
			t.Errorf("%s %+v: %q, want %q", c.prefix, c.v, got, c.want)
		}
	}
}

// infra drift's backup check: an awake stack's newest backup against
// backupMaxAgeHours; a sleeping stack is not held to it.
func TestBackupFreshness(t *testing.T) {
	bin, _ := filepath.Abs(filepath.Join("..", "..", "bin", "fake-gcs-server"))
	cfg := stacks.Defaults("prod") // 36 hours
	cfg.GCPProject = "p"
	bucket := stacks.BackupBucketName(cfg)
	g := testservers.StartGCS(t, bin, os.Getenv("INFRA_REQUIRE_PULUMI") != "", bucket)
	t.Setenv("STORAGE_EMULATOR_HOST", g.Host)
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", g.Credentials)
	ctx := context.Background()
	awake := &Engine{Name: "prod", Config: cfg, awake: AwakeState{Awake: true}}
	asleep := &Engine{Name: "prod", Config: cfg}

	f, err := awake.BackupFreshness(ctx, time.Now())
	if err != nil || !f.Stale() || !strings.Contains(f.String(), "no backup at all") {
		t.Errorf("no backup, awake: %v %v", f, err)
	}
	g.Put(t, bucket, "mysql/translation-a.sql.gz", "x")
	time.Sleep(20 * time.Millisecond)
	g.Put(t, bucket, "kept/translation-sleep.sql.gz", "x")
	for _, c := range []struct {
		e     *Engine
		after time.Duration
		stale bool
		says  string
	}{
		{awake, 35 * time.Hour, false, "the newest backup, gs://" + bucket + "/kept/translation-sleep.sql.gz, is 35h0m0s old (bound 36h0m0s)"},
		{awake, 37 * time.Hour, true, "is 37h0m0s old: more than backupMaxAgeHours (36h0m0s)"},
		{asleep, 400 * time.Hour, false, "asleep; its newest backup is gs://" + bucket + "/kept/translation-sleep.sql.gz, 400h0m0s old"},
	} {
		f, err := c.e.BackupFreshness(ctx, time.Now().Add(c.after))
		if err != nil || f.Stale() != c.stale || !strings.Contains(f.String(), c.says) {
			t.Errorf("after %v: stale %v, %q (%v); want stale %v, %q", c.after, f.Stale(), f, err, c.stale, c.says)
		}
		// The check before every verb warns exactly when the bound is broken.
		if w := c.e.BackupWarning(ctx, time.Now().Add(c.after)); (w != "") != c.stale || (c.stale && !strings.Contains(w, "the backups of prod: the newest backup")) {
			t.Errorf("after %v: the warning before a verb is %q", c.after, w)
		}
	}
}
