// Package testservers is test machinery, never part of the infra binary:
// real servers the tests start on 127.0.0.1 and stop when the test ends.
// A Cloud Storage emulator (fake-gcs-server, built by tools/build-tools.sh)
// with the credentials clients insist on, and a MariaDB server from
// Debian's packages.
package testservers

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// GCS is a running Cloud Storage emulator.
type GCS struct {
	Host string // 127.0.0.1:port
	// Credentials is an authorized_user ADC file whose token endpoint is
	// local: Google clients ask for a token even with an emulator.
	Credentials string
}

// StartGCS starts fake-gcs-server from bin (the repository's bin/) with
// the buckets given. require turns a missing binary into a failure.
func StartGCS(t *testing.T, bin string, require bool, buckets ...string) GCS {
	t.Helper()
	if _, err := os.Stat(bin); err != nil {
		if require {
			t.Fatalf("no %s: build it with tools/build-tools.sh fakegcs", bin)
		}
		t.Skipf("no %s (tools/build-tools.sh fakegcs)", bin)
	}
	root := t.TempDir()
	for _, b := range buckets {
		if err := os.Mkdir(filepath.Join(root, b), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	port := FreePort(t)
	host := fmt.Sprintf("127.0.0.1:%d", port)
	// Downloads are routed by Host only when it matches -public-host.
	start(t, bin, "-scheme", "http", "-host", "127.0.0.1", "-port", fmt.Sprint(port),
		"-public-host", host, "-backend", "filesystem", "-filesystem-root", root, "-log-level", "error")
	waitFor(t, "fake-gcs-server", func() bool {
		resp, err := http.Get("http://" + host + "/storage/v1/b")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	})

	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"emulator","expires_in":3600,"token_type":"Bearer"}`)
	}))
	t.Cleanup(tokens.Close)
	creds := filepath.Join(t.TempDir(), "adc.json")
	adc := fmt.Sprintf(`{"type":"authorized_user","client_id":"test","client_secret":"test","refresh_token":"test","token_uri":%q}`, tokens.URL)
	if err := os.WriteFile(creds, []byte(adc), 0o600); err != nil {
		t.Fatal(err)
	}
	return GCS{Host: host, Credentials: creds}
}

// Env points Google clients (Go, gcloud) at the emulator: gcloud through
// its endpoint override with a throwaway configuration directory.
func (g GCS) Env(t *testing.T) []string {
	return []string{
		"STORAGE_EMULATOR_HOST=" + g.Host,
		"GOOGLE_APPLICATION_CREDENTIALS=" + g.Credentials,
		"CLOUDSDK_API_ENDPOINT_OVERRIDES_STORAGE=http://" + g.Host + "/storage/v1/",
		"CLOUDSDK_AUTH_ACCESS_TOKEN=emulator",
		"CLOUDSDK_CORE_PROJECT=test-project",
		"CLOUDSDK_CONFIG=" + t.TempDir(),
		"CLOUDSDK_CORE_DISABLE_PROMPTS=1",
	}
}

// Objects lists a bucket's object names under prefix.
func (g GCS) Objects(t *testing.T, bucket, prefix string) []string {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("http://%s/storage/v1/b/%s/o?prefix=%s", g.Host, bucket, url.QueryEscape(prefix)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Items []struct {
			Name string `json:"name"`
		} `json:"items"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range list.Items {
		out = append(out, it.Name)
	}
	return out
}

// Put writes an object, as another machine would.
func (g GCS) Put(t *testing.T, bucket, name, body string) {
	t.Helper()
	u := fmt.Sprintf("http://%s/upload/storage/v1/b/%s/o?uploadType=media&name=%s", g.Host, bucket, url.QueryEscape(name))
	resp, err := http.Post(u, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("writing gs://%s/%s: %s", bucket, name, resp.Status)
	}
}

// FreePort returns a port free on 127.0.0.1 a moment ago.
func FreePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// start runs a server until the test ends; it is killed with the test
// binary too, should that die without cleaning up.
func start(t *testing.T, bin string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv := exec.CommandContext(ctx, bin, args...)
	srv.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := srv.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = srv.Wait() })
}

// waitFor polls ready for up to 30 s.
func waitFor(t *testing.T, what string, ready func() bool) {
	t.Helper()
	for i := 0; !ready(); i++ {
		if i == 300 {
			t.Fatalf("%s did not start", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
