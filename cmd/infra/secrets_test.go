package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A fresh clone has no secrets: the offline plan still plans, marks them
// not set and names the command that sets them.
func TestPlanWithoutSecrets(t *testing.T) {
	out, errOut, code := infra(t, "plan", "--stack", "dev")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, k := range []string{"mysqlRootPassword", "mysqlPassword"} {
		want := "Not set yet (planned as [secret]; preview and up stop until it is): " + k + ": pulumi config set --secret " + k + " <value> --stack dev"
		if !strings.Contains(out, want) {
			t.Errorf("plan does not say %q", want)
		}
	}
}

// A user's stack file with encrypted values, one of them a plain setting
// (Pulumi allows --secret on any key): no output holds a ciphertext, the
// plain setting is planned with its default and said so, nothing reports
// it as an invalid value.
func TestPlanOfEncryptedValues(t *testing.T) {
	dir := t.TempDir()
	project, err := os.ReadFile("../../Pulumi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	stack, err := os.ReadFile("../../Pulumi.dev.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cts := []string{
		"v1:Zm9vYmFyYmF6cXV4:c2VjcmV0LXJvb3QtcGFzc3dvcmQtY2lwaGVy",
		"v1:cXV4YmF6YmFyZm9v:c2VjcmV0LXVzZXItcGFzc3dvcmQtY2lwaGVy",
		"v1:YmF6cXV4Zm9vYmFy:dGhyZWUtcmVwbGljYXMtZW5jcnlwdGVk",
	}
	stack = append(stack, []byte("  unlimited-translation:mysqlRootPassword:\n    secure: "+cts[0]+
		"\n  unlimited-translation:mysqlPassword:\n    secure: "+cts[1]+
		"\n  unlimited-translation:backendCpuTarget:\n    secure: "+cts[2]+"\n")...)
	for name, b := range map[string][]byte{"Pulumi.yaml": project, "Pulumi.dev.yaml": append([]byte("encryptionsalt: v1:c2FsdHNhbHQ=:v1:aGFzaA==:dGFn\n"), stack...)} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var all bytes.Buffer
	for _, args := range [][]string{
		{"plan", "--stack", "dev"},
		{"plan", "--stack", "dev", "--json"},
		{"plan", "--stack", "dev", "--manifests", t.TempDir()},
		{"cost", "--stack", "dev"},
	} {
		var out, errOut bytes.Buffer
		if code := run(append(args, "--dir", dir), &out, &errOut); code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, code, errOut.String())
		}
		all.Write(out.Bytes())
		all.Write(errOut.Bytes())
	}
	for _, ct := range cts {
		if strings.Contains(all.String(), ct) {
			t.Errorf("an output holds the ciphertext %s", ct)
		}
	}
	text := all.String()
	if !strings.Contains(text, "Stored encrypted, planned with their defaults (the offline plan cannot decrypt them): backendCpuTarget") {
		t.Errorf("the plan does not say backendCpuTarget is stored encrypted:\n%.600s", text)
	}
	if strings.Contains(text, "Not set yet") {
		t.Error("secrets set (encrypted) are reported as not set")
	}
	if strings.Contains(text, "must be a whole number") {
		t.Error("the encrypted replicas were parsed as a value")
	}
}
