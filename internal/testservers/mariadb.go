package testservers

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// MariaDB is a running MySQL-compatible server (Debian's mariadb-server)
// with a root password, reachable on 127.0.0.1 over TCP only.
type MariaDB struct {
	Port         int
	RootPassword string
}

// StartMariaDB initialises a data directory of its own and starts the
// server on a free port; it stops, and its files go, when the test ends.
// require turns a missing server into a failure.
func StartMariaDB(t *testing.T, require bool, rootPassword string) MariaDB {
	t.Helper()
	server, err := exec.LookPath("mariadbd")
	if err != nil {
		server, err = exec.LookPath("/usr/sbin/mariadbd")
	}
	if err != nil {
		if require {
			t.Fatal("no mariadbd: apt-get install mariadb-server (tools/test.sh does)")
		}
		t.Skip("no mariadbd (apt-get install mariadb-server)")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	install := exec.Command("mariadb-install-db", "--no-defaults", "--user="+currentUser(), "--datadir="+data,
		"--auth-root-authentication-method=normal", "--skip-test-db")
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	port := FreePort(t)
	socket := filepath.Join(dir, "mysqld.sock")
	start(t, server, "--no-defaults", "--user="+currentUser(), "--datadir="+data,
		"--bind-address=127.0.0.1", fmt.Sprintf("--port=%d", port), "--socket="+socket,
		"--pid-file="+filepath.Join(dir, "mysqld.pid"), "--skip-name-resolve", "--log-error="+filepath.Join(dir, "error.log"))
	waitFor(t, "mariadbd", func() bool {
		return exec.Command("mysqladmin", "--no-defaults", "--socket="+socket, "-uroot", "ping").Run() == nil
	})
	db := MariaDB{Port: port}
	// Root over TCP, with a password, as MySQL's image makes it.
	pw := strings.ReplaceAll(strings.ReplaceAll(rootPassword, `\`, `\\`), `'`, `\'`)
	if _, err := db.sql(socket, "", fmt.Sprintf("CREATE OR REPLACE USER 'root'@'127.0.0.1' IDENTIFIED BY '%s'; "+
		"GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;", pw)); err != nil {
		t.Fatal(err)
	}
	db.RootPassword = rootPassword
	return db
}

// SQL runs statements as root over TCP and returns the rows, tab-separated.
func (m MariaDB) SQL(t *testing.T, stmts string) string {
	t.Helper()
	out, err := m.sql("", m.RootPassword, stmts)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (m MariaDB) sql(socket, password, stmts string) (string, error) {
	args := []string{"--no-defaults", "--default-character-set=utf8mb4", "-uroot", "-N", "-B", "-e", stmts}
	if socket != "" {
		args = append(args, "--socket="+socket)
	} else {
		args = append(args, "-h127.0.0.1", fmt.Sprintf("-P%d", m.Port))
	}
	cmd := exec.Command("mysql", args...)
	cmd.Env = append(os.Environ(), "MYSQL_PWD="+password)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("mysql: %v: %s", err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

func currentUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "root"
}
