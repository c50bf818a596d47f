package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// stateStore reads and writes the objects of a self-managed ("diy")
// backend: the checkpoints under .pulumi/stacks and the lock files under
// .pulumi/locks (pkg v3.230.0 backend/diy). Both a directory (file://) and
// a Cloud Storage bucket (gs://) hold the same layout, so locks are read and
// damaged checkpoints restored the same way on both.
type stateStore interface {
	// List returns the names under prefix, sorted.
	List(ctx context.Context, prefix string) ([]object, error)
	Read(ctx context.Context, name string) ([]byte, error)
	Write(ctx context.Context, name string, data []byte) error
	Rename(ctx context.Context, from, to string) error
	Delete(ctx context.Context, name string) error
	// Where names the store for messages.
	Where(name string) string
}

type object struct {
	Name    string
	Updated time.Time
}

// openStore opens the store behind a backend URL; ok is false for backends
// infra does not read itself (the Pulumi Cloud service, s3, azblob).
func openStore(backend string) (stateStore, bool) {
	if dir, ok := filePath(backend); ok {
		return dirStore(dir), true
	}
	u, err := url.Parse(backend)
	if err != nil || u.Scheme != "gs" || u.Host == "" {
		return nil, false
	}
	return &gcsStore{bucket: u.Host, prefix: strings.Trim(u.Path, "/")}, true
}

// dirStore is a file:// backend's directory.
type dirStore string

func (d dirStore) path(name string) string { return filepath.Join(string(d), filepath.FromSlash(name)) }

func (d dirStore) Where(name string) string { return d.path(name) }

func (d dirStore) List(_ context.Context, prefix string) ([]object, error) {
	var out []object
	root := d.path(prefix)
	if strings.HasSuffix(prefix, "/") {
		root += string(filepath.Separator)
	}
	err := filepath.WalkDir(filepath.Dir(root), func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasPrefix(p, root) {
			return nil
		}
		info, err := e.Info()
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(string(d), p)
		out = append(out, object{Name: filepath.ToSlash(rel), Updated: info.ModTime()})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	if errors.Is(err, os.ErrNotExist) {
		err = nil
	}
	return out, err
}

func (d dirStore) Read(_ context.Context, name string) ([]byte, error) {
	return os.ReadFile(d.path(name))
}

func (d dirStore) Write(_ context.Context, name string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(d.path(name)), 0o700); err != nil {
		return err
	}
	return os.WriteFile(d.path(name), data, 0o600)
}

func (d dirStore) Delete(_ context.Context, name string) error { return os.Remove(d.path(name)) }

func (d dirStore) Rename(_ context.Context, from, to string) error {
	return os.Rename(d.path(from), d.path(to))
}

// gcsStore speaks Cloud Storage's JSON API with Application Default
// Credentials, as Pulumi's gs backend does; STORAGE_EMULATOR_HOST points
// both at an emulator.
type gcsStore struct {
	bucket, prefix string
	client         *http.Client
}

func (g *gcsStore) Where(name string) string { return "gs://" + g.bucket + "/" + g.key(name) }

func (g *gcsStore) key(name string) string {
	if g.prefix == "" {
		return name
	}
	return g.prefix + "/" + name
}

func (g *gcsStore) base() string {
	if h := os.Getenv("STORAGE_EMULATOR_HOST"); h != "" {
		if !strings.Contains(h, "://") {
			h = "http://" + h
		}
		return strings.TrimSuffix(h, "/")
	}
	return "https://storage.googleapis.com"
}

func (g *gcsStore) do(ctx context.Context, method, u string, body []byte) ([]byte, error) {
	if g.client == nil {
		client, err := googleClient(storageScope)
		if err != nil {
			return nil, fmt.Errorf("Google credentials for gs://%s: %w", g.bucket, err)
		}
		g.client = client
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	resp, err := g.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("gs://%s: %w", g.bucket, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusNotFound {
		return nil, fmt.Errorf("%s %s: %w", method, u, os.ErrNotExist)
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s gs://%s: %s: %s", method, g.bucket, resp.Status, strings.TrimSpace(string(b)))
	}
	return b, nil
}

func (g *gcsStore) objectURL(name string) string {
	return fmt.Sprintf("%s/storage/v1/b/%s/o/%s", g.base(), url.PathEscape(g.bucket), url.PathEscape(g.key(name)))
}

func (g *gcsStore) List(ctx context.Context, prefix string) ([]object, error) {
	versions, err := g.list(ctx, prefix, false)
	if err != nil {
		return nil, err
	}
	out := make([]object, len(versions))
	for i, v := range versions {
		out[i] = object{Name: v.Name, Updated: v.Updated}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (g *gcsStore) Read(ctx context.Context, name string) ([]byte, error) {
	return g.do(ctx, http.MethodGet, g.objectURL(name)+"?alt=media", nil)
}

func (g *gcsStore) Write(ctx context.Context, name string, data []byte) error {
	q := url.Values{"uploadType": {"media"}, "name": {g.key(name)}}
	_, err := g.do(ctx, http.MethodPost, fmt.Sprintf("%s/upload/storage/v1/b/%s/o?%s", g.base(), url.PathEscape(g.bucket), q.Encode()), data)
	return err
}

// Copy copies an object within the bucket on the server (the JSON API's
// objects.rewrite, repeated with its token until done: a large object
// takes several calls), so a backup of any size never passes through
// here.
func (g *gcsStore) Copy(ctx context.Context, from, to string) error {
	u := fmt.Sprintf("%s/rewriteTo/b/%s/o/%s", g.objectURL(from), url.PathEscape(g.bucket), url.PathEscape(g.key(to)))
	token := ""
	for {
		q := ""
		if token != "" {
			q = "?rewriteToken=" + url.QueryEscape(token)
		}
		b, err := g.do(ctx, http.MethodPost, u+q, nil)
		if err != nil {
			return err
		}
		var r struct {
			Done  bool   `json:"done"`
			Token string `json:"rewriteToken"`
		}
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("copying %s: %w", g.Where(from), err)
		}
		if r.Done || r.Token == "" {
			return nil
		}
		token = r.Token
	}
}

// Rename copies then deletes: Cloud Storage has no rename.
func (g *gcsStore) Rename(ctx context.Context, from, to string) error {
	b, err := g.Read(ctx, from)
	if err != nil {
		return err
	}
	if err := g.Write(ctx, to, b); err != nil {
		return err
	}
	return g.Delete(ctx, from)
}

func (g *gcsStore) Delete(ctx context.Context, name string) error {
	_, err := g.do(ctx, http.MethodDelete, g.objectURL(name), nil)
	return err
}

// notFound tells whether a store error is a missing object.
func notFound(err error) bool { return errors.Is(err, os.ErrNotExist) }
