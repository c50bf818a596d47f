package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/unlimited-translation/infra/stacks"
)

// The desired awake state: the stack file's pin, else the record, else
// the default; what the engine resolves from the files and the store.
func TestDesiredAwake(t *testing.T) {
	at := time.Date(2025, 1, 31, 19, 0, 5, 0, time.UTC)
	asleep := `{"awake":false,"at":"2025-01-31T19:00:05Z","by":"github-actions run 42 (dev sleep/wake)"}`
	woken := `{"awake":true,"at":"2025-01-31T19:00:05Z","by":"ana@laptop"}`
	for _, c := range []struct {
		name, file, record string
		want, pinned       bool
		wantProgram        bool // the program runs with awake overridden
	}{
		{"nothing: awake", "", "", true, false, false},
		{"record asleep", "", asleep, false, false, true},
		{"record awake", "", woken, true, false, false},
		{"file pins asleep, record says awake", "  unlimited-translation:awake: \"false\"\n", woken, false, true, false},
		{"file pins awake, record says asleep", "  unlimited-translation:awake: \"true\"\n", asleep, true, true, false},
		{"file pins asleep without the namespace", "  awake: false\n", "", false, true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			root, state := t.TempDir(), t.TempDir()
			write(t, filepath.Join(root, "Pulumi.yaml"), "name: unlimited-translation\nruntime: go\n")
			write(t, filepath.Join(root, "Pulumi.dev.yaml"), "config:\n  gcp:project: p\n"+c.file)
			e := &Engine{Root: root, Name: "dev", backend: "file://" + state}
			if c.record != "" {
				write(t, filepath.Join(state, ".pulumi", "infra", stacks.Project, "dev.awake.json"), c.record)
			}
			e.Config.Awake = !strings.Contains(c.file, "false") // what stacks.Load made of the files
			if err := e.resolveAwake(context.Background()); err != nil {
				t.Fatal(err)
			}
			st := e.Awake()
			if st.Awake != c.want || st.Pinned != c.pinned || e.Config.Awake != c.want {
				t.Errorf("awake %t pinned %t (config %t), want %t %t", st.Awake, st.Pinned, e.Config.Awake, c.want, c.pinned)
			}
			if (c.record != "") != (st.Record != nil) || st.Record != nil && !st.Record.At.Equal(at) {
				t.Errorf("record %+v", st.Record)
			}
			if overridden := e.fileAwake != st.Awake; overridden != c.wantProgram {
				t.Errorf("program overridden: %t, want %t", overridden, c.wantProgram)
			}
			note := e.AsleepNote()
			switch {
			case c.want && note != "":
				t.Errorf("awake, yet: %s", note)
			case !c.want && c.pinned && note != "stack dev is asleep (awake: false in Pulumi.dev.yaml)":
				t.Errorf("note %q", note)
			case !c.want && !c.pinned && note != "stack dev is asleep (since 2025-01-31T19:00:05Z, by github-actions run 42 (dev sleep/wake))":
				t.Errorf("note %q", note)
			}
		})
	}
}

// A record that does not parse stops the verb rather than wake the stack.
func TestAwakeRecordUnreadable(t *testing.T) {
	root, state := t.TempDir(), t.TempDir()
	write(t, filepath.Join(root, "Pulumi.dev.yaml"), "config:\n  gcp:project: p\n")
	write(t, filepath.Join(state, ".pulumi", "infra", stacks.Project, "dev.awake.json"), "{not json")
	e := &Engine{Root: root, Name: "dev", backend: "file://" + state}
	e.Config.Awake = true
	if err := e.resolveAwake(context.Background()); err == nil || !strings.Contains(err.Error(), "dev.awake.json does not parse") {
		t.Errorf("got %v", err)
	}
}

// SetAwake writes the record, never the stack file, and refuses a pin.
func TestSetAwakeRecords(t *testing.T) {
	t.Setenv("GITHUB_ACTIONS", "true")
	t.Setenv("GITHUB_RUN_ID", "4711")
	t.Setenv("GITHUB_WORKFLOW", "dev sleep/wake")
	now = func() time.Time { return time.Date(2025, 2, 3, 7, 0, 1, 500, time.FixedZone("CET", 3600)) }
	defer func() { now = time.Now }()
	root, state := t.TempDir(), t.TempDir()
	stackFile := filepath.Join(root, "Pulumi.dev.yaml")
	write(t, stackFile, "config:\n  gcp:project: p\n")
	e := &Engine{Root: root, Name: "dev", backend: "file://" + state}
	e.Config.Awake = true
	if err := e.resolveAwake(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.awake.Pinned = true
	if err := e.SetAwake(context.Background(), false); !ErrPinned(err) ||
		!strings.Contains(err.Error(), "Remove the awake key from Pulumi.dev.yaml") || !strings.Contains(err.Error(), "set it to false there") {
		t.Errorf("pinned: %v", err)
	}
	if _, err := os.Stat(filepath.Join(state, ".pulumi", "infra", stacks.Project, "dev.awake.json")); !os.IsNotExist(err) {
		t.Errorf("a refused sleep wrote the record: %v", err)
	}
	e.awake.Pinned = false
	if err := e.recordAwake(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	if st := e.Awake(); st.Awake || e.Config.Awake || st.Record == nil {
		t.Errorf("after the record: %+v", st)
	}
	// What the next run reads.
	next := &Engine{Root: root, Name: "dev", backend: "file://" + state}
	next.Config.Awake = true
	if err := next.resolveAwake(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec := next.Awake().Record
	if next.Awake().Awake || rec == nil || rec.By != "github-actions run 4711 (dev sleep/wake)" || rec.At.Format(time.RFC3339) != "2025-02-03T06:00:01Z" {
		t.Errorf("record %+v", rec)
	}
	b, _ := os.ReadFile(filepath.Join(state, ".pulumi", "infra", stacks.Project, "dev.awake.json"))
	if string(b) != `{"awake":false,"at":"2025-02-03T06:00:01Z","by":"github-actions run 4711 (dev sleep/wake)"}` {
		t.Errorf("record file %s", b)
	}
	if b, _ := os.ReadFile(stackFile); string(b) != "config:\n  gcp:project: p\n" {
		t.Errorf("stack file written:\n%s", b)
	}
	t.Setenv("GITHUB_ACTIONS", "")
	if by := awakeBy(); strings.HasPrefix(by, "github-actions") || !strings.Contains(by, "@") {
		t.Errorf("by %q outside Actions", by)
	}
}

// A scheduled run leaves the stack as it is when someone changed it after
// the time that run is for.
func TestScheduledLeave(t *testing.T) {
	at := time.Date(2025, 1, 31, 19, 0, 0, 0, time.UTC)
	rec := func(d time.Duration) *AwakeRecord {
		return &AwakeRecord{Awake: true, At: at.Add(d), By: "ana@laptop"}
	}
	for _, c := range []struct {
		name      string
		record    *AwakeRecord
		scheduled time.Time
		want      string
	}{
		{"not scheduled", rec(time.Hour), time.Time{}, ""},
		{"no record", nil, at, ""},
		{"changed before the transition", rec(-time.Hour), at, ""},
		{"changed at the transition", rec(0), at, ""},
		{"changed after it", rec(2 * time.Hour), at,
			"stack dev: a person changed it at 2025-01-31T21:00:00Z (by ana@laptop) after the scheduled transition at 2025-01-31T19:00:00Z; leaving it"},
		{"time zones compare as instants", rec(2 * time.Hour), at.In(time.FixedZone("X", -3*3600)),
			"stack dev: a person changed it at 2025-01-31T21:00:00Z (by ana@laptop) after the scheduled transition at 2025-01-31T19:00:00Z; leaving it"},
	} {
		if got := (AwakeState{Record: c.record}).ScheduledLeave("dev", c.scheduled); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
