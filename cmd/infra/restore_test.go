package main

import (
	"strings"
	"testing"
)

// A restore drill never touches the database, so --force with it is a
// usage error, before any engine work.
func TestRestoreVerifyRefusesForce(t *testing.T) {
	_, stderr, code := infra(t, "restore", "--stack", "dev", "--verify", "--force")
	if code != 2 || !strings.Contains(stderr, "--verify and --force do not go together") {
		t.Errorf("restore --verify --force: exit %d\n%s", code, stderr)
	}
}
