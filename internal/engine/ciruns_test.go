package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// fakeGitHub stands in for the GitHub REST API on 127.0.0.1: runs of
// owner/repo by id; any other id answers status (404 unless set).
func fakeGitHub(t *testing.T, runs map[int64]string, status int) *httptest.Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer gh-test-token" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"message":"Bad credentials"}`)
			return
		}
		var id int64
		if _, err := fmt.Sscanf(r.URL.Path, "/repos/owner/repo/actions/runs/%d", &id); err == nil {
			if body, ok := runs[id]; ok {
				fmt.Fprint(w, body)
				return
			}
		}
		w.WriteHeader(status)
		fmt.Fprint(w, `{"message":"Not Found"}`)
	}))
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func run(id int64, status string, created, updated time.Time) string {
	b, _ := json.Marshal(map[string]interface{}{
		"id": id, "status": status, "conclusion": "cancelled",
		"created_at": created, "updated_at": updated,
		"html_url": fmt.Sprintf("https://github.com/owner/repo/actions/runs/%d", id),
	})
	return string(b)
}

// --break-ci-lock breaks only the lock of a GitHub Actions run of this
// repository that GitHub says has ended and that was running when the
// lock was taken; everything else is refused, naming the holder.
func TestBreakCILock(t *testing.T) {
	at := time.Date(2026, 3, 1, 19, 0, 5, 0, time.UTC)
	lock := Lock{Pid: 4242, Username: "runner", Hostname: "fv-az1-1", Timestamp: at}
	marker := func(host, runID string) runMarker {
		return runMarker{Repository: "owner/repo", RunID: runID, RunAttempt: "1", Workflow: "deploy", Job: "up", Hostname: host, Started: at}
	}
	gh := fakeGitHub(t, map[int64]string{
		101: run(101, "completed", at.Add(-time.Minute), at.Add(10*time.Minute)),
		102: run(102, "in_progress", at.Add(-time.Minute), at.Add(time.Minute)),
		103: run(103, "completed", at.Add(-2*time.Hour), at.Add(-time.Hour)), // ended before the lock
	}, http.StatusNotFound)
	broken := fakeGitHub(t, nil, http.StatusInternalServerError)

	cases := []struct {
		name    string
		markers []runMarker // written under their host's name
		file    string      // else under this host's name
		api     string
		token   string
		want    string // "" → broken
	}{
		{name: "completed run, lock within its lifetime", markers: []runMarker{marker("fv-az1-1", "101")}, want: ""},
		{name: "run still going", markers: []runMarker{marker("fv-az1-1", "102")},
			want: "it is held by GitHub Actions run 102 of owner/repo (workflow \"deploy\", job \"up\") https://github.com/owner/repo/actions/runs/102, which is still in_progress. Wait for that run to end"},
		{name: "a person's lock: no marker", markers: nil,
			want: "refusing to break the lock of runner@fv-az1-1 (pid 4242) since 2026-03-01T19:00:05Z with --break-ci-lock: no CI run of infra recorded host fv-az1-1"},
		{name: "only another host's marker", markers: []runMarker{marker("fv-az2-2", "101")},
			want: "no CI run of infra recorded host fv-az1-1"},
		{name: "marker under the lock's host name, of another host", markers: []runMarker{marker("fv-az2-2", "101")}, file: "fv-az1-1",
			want: `is of host "fv-az2-2", not of the lock's host "fv-az1-1"`},
		{name: "lock outside the run's lifetime (forged marker)", markers: []runMarker{marker("fv-az1-1", "103")},
			want: "but the lock was taken at 2026-03-01T19:00:05Z, outside that run's lifetime (2026-03-01T17:00:05Z to 2026-03-01T18:00:05Z): that run did not take it"},
		{name: "API 404", markers: []runMarker{marker("fv-az1-1", "999")},
			want: "whether that run has ended is not known: GitHub answered GET " + gh.URL + "/repos/owner/repo/actions/runs/999 with 404 Not Found: Not Found"},
		{name: "API 500", markers: []runMarker{marker("fv-az1-1", "101")}, api: broken.URL,
			want: "with 500 Internal Server Error"},
		{name: "no token", markers: []runMarker{marker("fv-az1-1", "101")}, token: "-",
			want: "GITHUB_TOKEN (or GH_TOKEN) is needed"},
		{name: "marker of another repository", markers: []runMarker{func() runMarker { m := marker("fv-az1-1", "101"); m.Repository = "fork/repo"; return m }()},
			want: "its CI run marker names repository \"fork/repo\", not owner/repo"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			api := gh.URL
			if c.api != "" {
				api = c.api
			}
			t.Setenv("GITHUB_API_URL", api)
			t.Setenv("GITHUB_REPOSITORY", "owner/repo")
			t.Setenv("GH_TOKEN", "")
			t.Setenv("GITHUB_TOKEN", "gh-test-token")
			if c.token == "-" {
				t.Setenv("GITHUB_TOKEN", "")
			}
			store := dirStore(t.TempDir())
			for _, m := range c.markers {
				host := m.Hostname
				if c.file != "" {
					host = c.file
				}
				b, _ := json.Marshal(m)
				if err := store.Write(context.Background(), runMarkerName("dev", host), b); err != nil {
					t.Fatal(err)
				}
			}
			note, err := ciLockEnded(context.Background(), store, "dev", lock)
			if c.want == "" {
				if err != nil || !strings.Contains(note, "released the lock of runner@fv-az1-1") || !strings.Contains(note, "run 101") {
					t.Fatalf("not broken: %q, %v", note, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("broken (%s), want refused with %q", note, c.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, c.want) {
				t.Errorf("refusal:\n%s\nwant it to contain:\n%s", msg, c.want)
			}
			// Every refusal names the holder and says what to do.
			if !strings.Contains(msg, "runner@fv-az1-1 (pid 4242)") || !(strings.Contains(msg, "--break-lock") || strings.Contains(msg, "Wait for")) {
				t.Errorf("refusal does not name the holder and what to do:\n%s", msg)
			}
		})
	}
}

// A run on GitHub Actions records itself for its host before it locks,
// and removes the record at the end; elsewhere nothing is written.
func TestMarkCIRun(t *testing.T) {
	dir := t.TempDir()
	e := &Engine{Name: "dev", Err: os.Stderr, backend: "file://" + dir}
	host, _ := os.Hostname()
	name := runMarkerName("dev", host)
	store := dirStore(dir)

	t.Setenv("GITHUB_ACTIONS", "")
	e.MarkCIRun(context.Background())
	if _, err := store.Read(context.Background(), name); !notFound(err) {
		t.Fatalf("a marker outside CI: %v", err)
	}

	t.Setenv("GITHUB_ACTIONS", "true")
	t.Setenv("GITHUB_REPOSITORY", "owner/repo")
	t.Setenv("GITHUB_RUN_ID", "101")
	t.Setenv("GITHUB_RUN_ATTEMPT", "2")
	t.Setenv("GITHUB_WORKFLOW", "deploy")
	t.Setenv("GITHUB_JOB", "up")
	done := e.MarkCIRun(context.Background())
	b, err := store.Read(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(name, ".pulumi/locks/infra-runs/unlimited-translation/dev/") {
		t.Errorf("marker at %s", name)
	}
	var m runMarker
	if err := json.Unmarshal(b, &m); err != nil || m.Repository != "owner/repo" || m.RunID != "101" || m.RunAttempt != "2" ||
		m.Workflow != "deploy" || m.Job != "up" || m.Hostname != host || m.Started.IsZero() {
		t.Errorf("marker %s: %+v %v", b, m, err)
	}
	done()
	if _, err := store.Read(context.Background(), name); !notFound(err) {
		t.Errorf("the marker is left after the run: %v", err)
	}
}
