package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A run killed while a directory backend wrote the checkpoint's
// attributes sidecar leaves it empty: every load then fails with EOF
// though the checkpoint is whole. Repair sets the sidecar aside.
func TestRestoreSetsADamagedAttributesFileAside(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PULUMI_BACKEND_URL", "file://"+dir)
	stacks := filepath.Join(dir, ".pulumi", "stacks", "unlimited-translation")
	if err := os.MkdirAll(stacks, 0o700); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(stacks, "dev.json")
	if err := os.WriteFile(file, []byte(`{"version":3,"checkpoint":{"stack":"dev"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file+".attrs", nil, 0o600); err != nil {
		t.Fatal(err)
	}
	did, err := RestoreCheckpoint(context.Background(), t.TempDir(), "dev")
	if err != nil || !strings.Contains(did, "set aside the checkpoint's damaged attributes file") {
		t.Fatalf("did %q, err %v", did, err)
	}
	if _, err := os.Stat(file + ".attrs"); !os.IsNotExist(err) {
		t.Errorf("the damaged attributes file is still in place: %v", err)
	}
	if kept, _ := filepath.Glob(file + ".attrs.damaged-*"); len(kept) != 1 {
		t.Errorf("the damaged attributes file is not kept: %v", kept)
	}
	// A whole checkpoint with sound attributes: nothing to do.
	if err := os.WriteFile(file+".attrs", []byte(`{"user.content_type":"application/json"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if did, err := RestoreCheckpoint(context.Background(), t.TempDir(), "dev"); did != "" || err != nil {
		t.Errorf("second restore: %q, %v", did, err)
	}
}
