package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/unlimited-translation/infra/stacks"
)

// DamagedCheckpoint tells whether err is the CLI failing to load a stack's
// checkpoint (a file cut short by a killed run, for example).
func DamagedCheckpoint(err error) bool {
	return err != nil && strings.Contains(err.Error(), "failed to load checkpoint")
}

// RestoreCheckpoint puts back the last good checkpoint of a stack on a
// file backend when the current one does not parse. The backend keeps the
// previous checkpoint as <stack>.json.bak and older ones under
// .pulumi/backups/<project>/<stack>/ (pkg v3.230.0 backend/diy/state.go);
// the newest that parses wins, and the damaged file is kept beside it. It
// returns what it did.
func RestoreCheckpoint(root, stack string) (string, error) {
	dir, ok := fileBackend(root)
	if !ok {
		return "", errors.New("the checkpoint is damaged and the backend is not a file backend infra can read: restore it with pulumi stack import --file <a good export>")
	}
	file := filepath.Join(dir, ".pulumi", "stacks", stacks.Project, stack+".json")
	if good(file) {
		return "", nil
	}
	candidates := []string{file + ".bak"}
	backups, _ := filepath.Glob(filepath.Join(dir, ".pulumi", "backups", stacks.Project, stack, stack+".*.json"))
	sort.Sort(sort.Reverse(sort.StringSlice(backups))) // newest first: the names end in nanoseconds
	candidates = append(candidates, backups...)
	for _, c := range candidates {
		if !good(c) {
			continue
		}
		b, err := os.ReadFile(c)
		if err != nil {
			continue
		}
		kept := fmt.Sprintf("%s.damaged-%d", file, time.Now().Unix())
		if err := os.Rename(file, kept); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
		if err := os.WriteFile(file, b, 0o600); err != nil {
			return "", err
		}
		info, _ := os.Stat(c)
		return fmt.Sprintf("restored the checkpoint of %s from %s (saved %s); the damaged one is kept as %s. Resources created after that save may exist in the cloud untracked: if up reports \"already exists\", import them",
			stack, filepath.Base(c), info.ModTime().UTC().Format(time.RFC3339), filepath.Base(kept)), nil
	}
	return "", fmt.Errorf("the checkpoint of %s is damaged and no backup of it parses (looked at %s and %s)", stack, file+".bak", filepath.Join(dir, ".pulumi", "backups"))
}

func good(file string) bool {
	b, err := os.ReadFile(file)
	if err != nil {
		return false
	}
	var cp struct {
		Version    int             `json:"version"`
		Checkpoint json.RawMessage `json:"checkpoint"`
	}
	return json.Unmarshal(b, &cp) == nil && cp.Version > 0 && len(cp.Checkpoint) > 0
}

// fileBackend is the directory of the state backend when it is a file
// backend.
func fileBackend(root string) (string, bool) {
	u, _ := stateURL(root)
	return filePath(u)
}

func filePath(backend string) (string, bool) {
	p, err := url.Parse(backend)
	if err != nil || p.Scheme != "file" {
		return "", false
	}
	dir := p.Path
	if strings.HasPrefix(dir, "/~") {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, dir[2:])
	}
	return dir, true
}
