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
		{"b-old", "", "no backup gs://p-dev-mysql-backups/mysql/b-old (list them: gcloud storage ls gs://p-dev-mysql-backups/mysql/)"},
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
