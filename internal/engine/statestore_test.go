package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A stack's lock directory is listed without its namesakes: the locks of
// "dev" are not those of "dev2".
func TestDirStoreListsOnlyUnderThePrefix(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{"locks/dev/a.json", "locks/dev2/b.json", "locks/dev/sub/c.json", "backups/dev/dev.1.json", "backups/dev/dev2.1.json"} {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s := dirStore(root)
	for prefix, want := range map[string]string{
		"locks/dev/":       "locks/dev/a.json locks/dev/sub/c.json",
		"backups/dev/dev.": "backups/dev/dev.1.json",
		"locks/none/":      "",
	} {
		objs, err := s.List(context.Background(), prefix)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range objs {
			got = append(got, o.Name)
		}
		if strings.Join(got, " ") != want {
			t.Errorf("List(%q) = %v, want %s", prefix, got, want)
		}
	}
}
