package plan

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// A second run into the same directory leaves exactly this plan's files:
// an earlier run's object that is gone is removed, a file of the user's
// is kept.
func TestWriteManifestsCleansItsOwnFiles(t *testing.T) {
	dir := t.TempDir()
	stale := generatedBy + "dev --manifests`: do not edit.\nkind: Secret\n"
	for name, body := range map[string]string{
		"30-deployment-default-gone.yaml": stale,
		"notes.yaml":                      "# mine\n",
		"README.txt":                      generatedBy + "but not yaml\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := &Plan{Stack: "dev"}
	files, err := p.WriteManifests(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 0 {
		t.Fatalf("an empty plan wrote %v", files)
	}
	entries, _ := os.ReadDir(dir)
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if !slices.Equal(left, []string{"README.txt", "notes.yaml"}) {
		t.Errorf("left %v, want the user's README.txt and notes.yaml only", left)
	}
}
