package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/unlimited-translation/infra/components"
	"github.com/unlimited-translation/infra/internal/testservers"
)

// backupWorld is what the backup and restore scripts talk to, for real: a
// MySQL-compatible server (Debian's MariaDB), a Cloud Storage emulator
// (fake-gcs-server) and the Google Cloud CLI the Job's upload image runs,
// all on 127.0.0.1. The scripts are the ConfigMap's (components'
// embedded copies).
type backupWorld struct {
	db      testservers.MariaDB
	gcs     testservers.GCS
	gcsEnv  []string
	scripts string
}

// A root password with what breaks naive quoting in it.
const rootPassword = `pa"ss\wo'rd $x`

// backupPassword is the dump account's (hex, as the stacks derive it).
const backupPassword = "0123456789abcdef0123456789abcdef"

// bucket is the dev stack's backup bucket, which its CronJob names.
const bucket = "unlimited-translation-dev-dev-mysql-backups"

func newBackupWorld(t *testing.T) backupWorld {
	t.Helper()
	require := os.Getenv("INFRA_REQUIRE_CONTROLPLANE") != ""
	if _, err := exec.LookPath("gcloud"); err != nil {
		if require {
			t.Fatal("no gcloud: the Google Cloud CLI is needed to test the backup upload")
		}
		t.Skip("no gcloud")
	}
	w := backupWorld{db: testservers.StartMariaDB(t, require, rootPassword)}
	bin, _ := filepath.Abs(filepath.Join("..", "bin", "fake-gcs-server"))
	w.gcs = testservers.StartGCS(t, bin, require, bucket)
	w.gcsEnv = w.gcs.Env(t)
	w.scripts = t.TempDir()
	for name, body := range map[string]string{"backup.sh": components.BackupScript, "restore.sh": components.RestoreScript} {
		if err := os.WriteFile(filepath.Join(w.scripts, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The app's schema as the init SQL makes it, in utf8mb4 like MySQL 8's
	// default, with rows a translation app holds.
	w.db.SQL(t, "CREATE DATABASE translation CHARACTER SET utf8mb4; "+components.InitSQL+
		"INSERT INTO translations(text_de, text_en) VALUES ('Guten Morgen', 'Good morning'), ('Grüße aus Köln 🚀', 'Greetings from Cologne 🚀'), ('Zeile mit \\'Anführung\\' und \\\\ Schrägstrich', 'quote and backslash');")
	// The dump account, as the MySQL container's postStart hook makes it.
	if out, code := w.backupUser(t, backupPassword); code != 0 || !strings.Contains(out, "backup-user: backup may dump translation") {
		t.Fatalf("backup-user.sh: exit %d\n%s", code, out)
	}
	return w
}

// backupUser runs the MySQL container's postStart hook against the server.
func (w backupWorld) backupUser(t *testing.T, password string, env ...string) (string, int) {
	t.Helper()
	cmd := exec.Command("bash", "-c", components.BackupUserScript)
	cmd.Env = append(os.Environ(), "TMPDIR="+t.TempDir(), "BACKUP_USER_TRIES=3",
		"MYSQL_HOST=127.0.0.1", "MYSQL_PORT="+strconv.Itoa(w.db.Port), "MYSQL_ROOT_PASSWORD="+rootPassword,
		"MYSQL_BACKUP_USER=backup", "MYSQL_BACKUP_PASSWORD="+password, "MYSQL_DATABASE=translation")
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}

// step runs one script step with the pod's environment (the Job's env
// values) and returns its output and exit code.
func (w backupWorld) step(t *testing.T, dir, script, verb string, env ...string) (string, int) {
	t.Helper()
	cmd := exec.Command("bash", filepath.Join(w.scripts, script), verb)
	cmd.Env = append(append(append(os.Environ(), w.gcsEnv...),
		"BACKUP_DIR="+dir,
		"TERMINATION_LOG="+filepath.Join(dir, "termination-log"),
		"MYSQL_HOST=127.0.0.1", "MYSQL_PORT="+strconv.Itoa(w.db.Port),
		"MYSQL_ROOT_PASSWORD="+rootPassword, "MYSQL_DATABASE=translation",
		"MYSQL_DUMP_USER=backup", "MYSQL_DUMP_PASSWORD="+backupPassword,
	), env...)
	out, err := cmd.CombinedOutput()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatal(err)
		}
		code = ee.ExitCode()
	}
	return string(out), code
}

func (w backupWorld) rows(t *testing.T) string {
	return w.db.SQL(t, "SELECT id, text_de, text_en FROM translation.translations ORDER BY id")
}

// Dump, upload, wipe, restore: the same rows. Then the refusals and
// failures a user meets.
func TestBackupAndRestoreScripts(t *testing.T) {
	w := newBackupWorld(t)
	want := w.rows(t)
	if strings.Count(want, "\n") != 2 {
		t.Fatalf("seed rows: %q", want)
	}
	work := t.TempDir()
	const name = "translation-20261123T020000Z.sql.gz"
	out, code := w.step(t, work, "backup.sh", "dump", "BACKUP_NAME="+name)
	if code != 0 {
		t.Fatalf("dump: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(work, ".client.cnf")); !os.IsNotExist(err) {
		t.Error("the password file outlived the dump")
	}
	out, code = w.step(t, work, "backup.sh", "upload", "BACKUP_BUCKET="+bucket, "BACKUP_PREFIX=mysql/", "BACKUP_NEWEST=newest/translation.sql.gz")
	if code != 0 {
		t.Fatalf("upload: exit %d\n%s", code, out)
	}
	// The copy the lifecycle keeps the newest versions of.
	if objs := w.gcs.Objects(t, bucket, "newest/"); len(objs) != 1 || objs[0] != "newest/translation.sql.gz" {
		t.Errorf("newest copies: %v", objs)
	}
	object := "gs://" + bucket + "/mysql/" + name
	if got := read(t, filepath.Join(work, "termination-log")); got != object {
		t.Errorf("termination message %q, want %q", got, object)
	}
	if objs := w.gcs.Objects(t, bucket, "mysql/"); len(objs) != 1 || objs[0] != "mysql/"+name {
		t.Errorf("bucket holds %v", objs)
	}
	if strings.Contains(out, rootPassword) {
		t.Error("the upload printed the root password")
	}

	// What a new, empty disk gives: the init SQL's empty table.
	w.db.SQL(t, "DROP DATABASE translation; CREATE DATABASE translation CHARACTER SET utf8mb4; "+components.InitSQL)
	restore := t.TempDir()
	// From the newest copy: it restores like the timestamped one.
	if out, code := w.step(t, restore, "restore.sh", "download", "RESTORE_OBJECT=gs://"+bucket+"/newest/translation.sql.gz"); code != 0 {
		t.Fatalf("download: exit %d\n%s", code, out)
	}
	if out, code := w.step(t, restore, "restore.sh", "load"); code != 0 {
		t.Fatalf("load: exit %d\n%s", code, out)
	}
	if got := w.rows(t); got != want {
		t.Errorf("rows after restore:\n%s\nwant:\n%s", got, want)
	}

	t.Run("a database with rows is not overwritten without force", func(t *testing.T) {
		w.db.SQL(t, "INSERT INTO translation.translations(text_de, text_en) VALUES ('neu', 'new')")
		withNew := w.rows(t)
		out, code := w.step(t, restore, "restore.sh", "load")
		if code != 3 || !strings.Contains(out, "restore: refused: translation is not empty (rows in: translations)") {
			t.Errorf("load into a database with rows: exit %d\n%s", code, out)
		}
		if got := w.rows(t); got != withNew {
			t.Errorf("a refused restore changed the rows:\n%s", got)
		}
		out, code = w.step(t, restore, "restore.sh", "load", "RESTORE_FORCE=true")
		if code != 0 {
			t.Fatalf("forced load: exit %d\n%s", code, out)
		}
		if got := w.rows(t); got != want {
			t.Errorf("rows after a forced restore:\n%s\nwant:\n%s", got, want)
		}
	})

	t.Run("a restore drill proves a dump loads, and fails a damaged one", func(t *testing.T) {
		// An empty table besides the app's: the count line leaves it out.
		w.db.SQL(t, "CREATE TABLE translation.audit(id INT)")
		defer w.db.SQL(t, "DROP TABLE translation.audit")
		dump := t.TempDir()
		if out, code := w.step(t, dump, "backup.sh", "dump", "BACKUP_NAME=drill.sql.gz"); code != 0 {
			t.Fatalf("dump: exit %d\n%s", code, out)
		}
		sqlText := gunzip(t, filepath.Join(dump, "drill.sql.gz"))
		lines := strings.Split(strings.TrimSuffix(sqlText, "\n"), "\n")
		// The seed's 3 rows, one INSERT line each.
		if lines[0] != "-- infra-rows: translations=3" {
			t.Fatalf("the dump's first line is %q", lines[0])
		}
		drill := func(t *testing.T, text string) (string, int) {
			t.Helper()
			dir := t.TempDir()
			gzipTo(t, filepath.Join(dir, "restore.sql.gz"), text)
			return w.step(t, dir, "restore.sh", "load", "RESTORE_VERIFY=true")
		}
		before := w.rows(t)
		out, code := drill(t, sqlText)
		if code != 0 || !strings.Contains(out, "restore: verified: 2 tables, 3 rows loaded into a scratch database as the dump counts them; translation untouched") {
			t.Errorf("drill of a good dump: exit %d\n%s", code, out)
		}
		if got := w.db.SQL(t, "SHOW DATABASES LIKE 'translation_verify'"); got != "" {
			t.Errorf("the scratch database outlived the drill: %q", got)
		}
		if got := w.rows(t); got != before {
			t.Errorf("the drill changed the app's rows:\n%s", got)
		}
		insert := -1
		for i, l := range lines {
			if strings.HasPrefix(l, "INSERT INTO `translations` VALUES ") {
				insert = i
			}
		}
		without := func(i int) string {
			return strings.Join(append(append([]string{}, lines[:i]...), lines[i+1:]...), "\n") + "\n"
		}
		for _, c := range []struct{ name, text, says string }{
			{"cut off", strings.Join(lines[:insert], "\n") + "\n", "verify failed: the backup is incomplete: it does not end with mysqldump's '-- Dump completed' line"},
			{"a row lost", without(insert), "verify failed: table translations has 2 rows loaded, the dump counts 3"},
			{"no count line", without(0), "verify failed: the backup has no row counts on its first line"},
		} {
			out, code := drill(t, c.text)
			if code == 0 || !strings.Contains(out, c.says) {
				t.Errorf("%s: exit %d, want the message %q:\n%s", c.name, code, c.says, out)
			}
			if got := w.db.SQL(t, "SHOW DATABASES LIKE 'translation_verify'"); got != "" {
				t.Errorf("%s: the scratch database outlived the drill", c.name)
			}
		}
	})

	// The dump account reads the app's schema and nothing else; the hook
	// runs again on every start (a new password replaces the old one).
	t.Run("the backup account may only read", func(t *testing.T) {
		as := func(password, sql string) (string, error) {
			out, err := exec.Command("mysql", "--no-defaults", "-h127.0.0.1", "-P"+strconv.Itoa(w.db.Port), "-ubackup", "-p"+password, "-N", "-e", sql).CombinedOutput()
			return string(out), err
		}
		if out, err := as(backupPassword, "SELECT COUNT(*) FROM translation.translations"); err != nil || strings.TrimSpace(out) != "3" {
			t.Errorf("read: %v %s", err, out)
		}
		for _, sql := range []string{
			"INSERT INTO translation.translations(text_de) VALUES ('x')",
			"DELETE FROM translation.translations",
			"DROP TABLE translation.translations",
			"SELECT user FROM mysql.user",
			"CREATE DATABASE other",
		} {
			if out, err := as(backupPassword, sql); err == nil || !strings.Contains(out, "denied") {
				t.Errorf("%s: allowed to the backup account (%v):\n%s", sql, err, out)
			}
		}
		const next = "fedcba9876543210fedcba9876543210"
		if out, code := w.backupUser(t, next); code != 0 {
			t.Fatalf("second run: exit %d\n%s", code, out)
		}
		if _, err := as(backupPassword, "SELECT 1"); err == nil {
			t.Error("the old password still works")
		}
		if out, err := as(next, "SELECT 1"); err != nil {
			t.Errorf("new password: %v %s", err, out)
		}
		if out, code := w.backupUser(t, backupPassword); code != 0 {
			t.Fatalf("third run: exit %d\n%s", code, out)
		}
		// Nothing it cannot quote reaches SQL; a wrong root password gives up
		// without failing the container.
		if out, code := w.backupUser(t, "x' OR '1"); code != 0 || !strings.Contains(out, "must be letters, digits and _") {
			t.Errorf("quote in password: exit %d\n%s", code, out)
		}
		if out, code := w.backupUser(t, backupPassword, "MYSQL_ROOT_PASSWORD=wrong"); code != 0 || !strings.Contains(out, "MySQL did not accept root") {
			t.Errorf("wrong root password: exit %d\n%s", code, out)
		}
	})

	t.Run("failures fail the step", func(t *testing.T) {
		for _, c := range []struct {
			name, script, verb string
			env                []string
			says               string
		}{
			{"wrong password", "backup.sh", "dump", []string{"MYSQL_DUMP_PASSWORD=wrong"}, "Access denied"},
			// The dump needs only the dump account: root's password is not used.
			{"root's password alone", "backup.sh", "dump", []string{"MYSQL_DUMP_USER=root", "MYSQL_DUMP_PASSWORD=" + backupPassword}, "Access denied"},
			{"no such database", "backup.sh", "dump", []string{"MYSQL_DATABASE=nothere"}, "nothere"},
			{"a name with a slash", "backup.sh", "dump", []string{"BACKUP_NAME=../x.sql.gz"}, "bad BACKUP_NAME"},
			{"no such bucket", "backup.sh", "upload", []string{"BACKUP_BUCKET=no-such-bucket"}, "no-such-bucket"},
			{"no such object", "restore.sh", "download", []string{"RESTORE_OBJECT=gs://" + bucket + "/mysql/none.sql.gz"}, "none.sql.gz"},
			{"not a gs URL", "restore.sh", "download", []string{"RESTORE_OBJECT=/etc/passwd"}, "must be gs://BUCKET/OBJECT"},
		} {
			dir := t.TempDir()
			if c.verb == "upload" {
				// A good dump to upload.
				if out, code := w.step(t, dir, "backup.sh", "dump", "BACKUP_NAME=x.sql.gz"); code != 0 {
					t.Fatalf("dump: %s", out)
				}
			}
			out, code := w.step(t, dir, c.script, c.verb, c.env...)
			if code == 0 || !strings.Contains(out, c.says) {
				t.Errorf("%s: exit %d, output lacks %q:\n%s", c.name, code, c.says, out)
			}
			if c.verb == "dump" {
				if _, err := os.Stat(filepath.Join(dir, "name")); err == nil {
					t.Errorf("%s: a failed dump left a name for the upload", c.name)
				}
			}
		}
	})
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func gunzip(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("gzip", "-dc", path).Output()
	if err != nil {
		t.Fatalf("gzip -dc %s: %v", path, err)
	}
	return string(out)
}

func gzipTo(t *testing.T, path, text string) {
	t.Helper()
	cmd := exec.Command("gzip", "-c")
	cmd.Stdin = strings.NewReader(text)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}
