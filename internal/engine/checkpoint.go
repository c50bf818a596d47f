package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
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
// self-managed backend (a directory or a gs:// bucket) when the current one
// does not parse. The backend keeps the previous checkpoint as
// <stack>.json.bak and, with PULUMI_RETAIN_CHECKPOINTS, older ones under
// .pulumi/backups/<project>/<stack>/ (pkg v3.230.0 backend/diy/state.go);
// the newest that parses wins, and the damaged one is kept beside it. It
// returns what it did.
func RestoreCheckpoint(ctx context.Context, root, stack string) (string, error) {
	backend, _ := stateURL(root)
	store, ok := openStore(backend)
	if !ok {
		return "", fmt.Errorf("the checkpoint is damaged and %s is not a backend infra can read: restore it with pulumi stack import --file <a good export>", backend)
	}
	file := ".pulumi/stacks/" + stacks.Project + "/" + stack + ".json"
	// A directory backend keeps each object's attributes in a sidecar
	// <name>.attrs; one cut short fails every load with EOF although the
	// checkpoint is whole, and a missing one is read as no attributes
	// (gocloud.dev v0.37.0 blob/fileblob/attrs.go, getAttrs).
	attrsNote := ""
	if _, isDir := store.(dirStore); isDir {
		if b, err := store.Read(ctx, file+".attrs"); err == nil && !json.Valid(b) {
			kept := fmt.Sprintf("%s.attrs.damaged-%d", file, time.Now().Unix())
			if err := store.Rename(ctx, file+".attrs", kept); err != nil {
				return "", fmt.Errorf("setting the damaged attributes file aside: %w", err)
			}
			attrsNote = fmt.Sprintf("set aside the checkpoint's damaged attributes file (kept as %s)", store.Where(kept))
		}
	}
	if b, err := store.Read(ctx, file); err == nil && good(b) {
		return attrsNote, nil
	}
	candidates := []object{{Name: file + ".bak"}}
	backups, err := store.List(ctx, ".pulumi/backups/"+stacks.Project+"/"+stack+"/"+stack+".")
	if err != nil {
		return "", fmt.Errorf("listing the backups of %s: %w", stack, err)
	}
	slices.Reverse(backups) // newest first: the names end in nanoseconds
	candidates = append(candidates, backups...)
	for _, c := range candidates {
		b, err := store.Read(ctx, c.Name)
		if err != nil || !good(b) {
			continue
		}
		kept := fmt.Sprintf("%s.damaged-%d", file, time.Now().Unix())
		if err := store.Rename(ctx, file, kept); err != nil && !notFound(err) {
			return "", fmt.Errorf("setting the damaged checkpoint aside: %w", err)
		}
		if err := store.Write(ctx, file, b); err != nil {
			return "", fmt.Errorf("writing the restored checkpoint: %w", err)
		}
		return fmt.Sprintf("restored the checkpoint of %s from %s; the damaged one is kept as %s. Resources created after that save may exist in the cloud untracked: if up reports \"already exists\", import them",
			stack, path.Base(c.Name), store.Where(kept)), nil
	}
	return "", fmt.Errorf("the checkpoint of %s is damaged and no backup of it parses (looked at %s and %s)", stack, store.Where(file+".bak"), store.Where(".pulumi/backups/"+stacks.Project+"/"+stack))
}

func good(b []byte) bool {
	var cp struct {
		Version    int             `json:"version"`
		Checkpoint json.RawMessage `json:"checkpoint"`
	}
	return json.Unmarshal(b, &cp) == nil && cp.Version > 0 && len(cp.Checkpoint) > 0
}

// filePath is the directory of a file:// backend.
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
