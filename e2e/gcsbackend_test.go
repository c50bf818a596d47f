package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/unlimited-translation/infra/internal/testservers"
)

// gcsBackend is a Cloud Storage emulator on 127.0.0.1 with one bucket,
// and the environment that puts a stack's state in it as a team's gs://
// backend would.
type gcsBackend struct {
	testservers.GCS
	bucket string
	env    []string
}

// startGCS starts the emulator; it stops when the test ends. Pulumi's gs
// backend insists on credentials even with STORAGE_EMULATOR_HOST: the
// emulator's come with it.
func startGCS(t *testing.T) gcsBackend {
	t.Helper()
	bin, _ := filepath.Abs(filepath.Join("..", "bin", "fake-gcs-server"))
	const bucket = "team-state"
	g := testservers.StartGCS(t, bin, os.Getenv("INFRA_REQUIRE_PULUMI") != "", bucket)
	return gcsBackend{GCS: g, bucket: bucket, env: []string{
		"PULUMI_BACKEND_URL=gs://" + bucket,
		"STORAGE_EMULATOR_HOST=" + g.Host,
		"GOOGLE_APPLICATION_CREDENTIALS=" + g.Credentials,
	}}
}

func (g gcsBackend) objects(t *testing.T, prefix string) []string {
	return g.Objects(t, g.bucket, prefix)
}

func (g gcsBackend) put(t *testing.T, name, body string) { g.Put(t, g.bucket, name, body) }

// A team's state in a bucket, used from several machines: the lock,
// interrupt and repair paths hold there as on a directory.
func TestBucketBackend(t *testing.T) {
	g := startGCS(t)
	lockDir := ".pulumi/locks/organization/unlimited-translation/"

	t.Run("two runs: one wins, the other names the holder", func(t *testing.T) {
		stack := "gs-locked"
		p := projectOn(t, "dev", stack, g.env)
		p.destroyAtEnd(t, stack)
		first, out := slowUp(t, p, stack, 2*time.Second)
		if locks := g.objects(t, lockDir+stack+"/"); len(locks) != 1 {
			t.Errorf("the running up holds %d lock objects in the bucket, want 1: %v", len(locks), locks)
		}
		r := p.infra(t, "up", "--stack", stack, "--yes")
		if r.code != 1 || !strings.Contains(r.stderr, "locked by") || !strings.Contains(r.stderr, "its owner is still running here") {
			t.Errorf("second up on the bucket: exit %d\n%s", r.code, r.stderr)
		}
		if err := first.Wait(); err != nil {
			t.Fatalf("the first run failed: %v\n%s", err, out.String())
		}
		transcript.Write(out.Bytes())
		if locks := g.objects(t, lockDir+stack+"/"); len(locks) != 0 {
			t.Errorf("locks left in the bucket after the run: %v", locks)
		}
		if s, c := stateURNs(t, p, stack), cloudURNs(stack); strings.Join(s, "\n") != strings.Join(c, "\n") || len(s) < 18 {
			t.Errorf("state and cloud differ:\nstate %v\ncloud %v", s, c)
		}
	})

	t.Run("a killed run is repaired", func(t *testing.T) {
		stack := "gs-killed"
		p := projectOn(t, "dev", stack, g.env)
		p.destroyAtEnd(t, stack)
		killThenRepair(t, p, stack)
		if locks := g.objects(t, lockDir+stack+"/"); len(locks) != 0 {
			t.Errorf("locks left in the bucket: %v", locks)
		}
	})

	t.Run("a lock from another machine is broken only when asked", func(t *testing.T) {
		stack := "gs-foreign"
		p := projectOn(t, "dev", stack, g.env)
		p.destroyAtEnd(t, stack)
		p.mustInfra(t, "up", "--stack", stack, "--yes")
		// What a CI runner cancelled mid-run leaves: its lock, its host.
		g.put(t, lockDir+stack+"/2f6d1a0c-runner.json",
			`{"pid":4242,"username":"runner","hostname":"fv-az1234-567","timestamp":"2026-11-23T06:00:00Z"}`)
		r := p.infra(t, "drift", "--stack", stack)
		if r.code != 3 || !strings.Contains(r.stderr, "locked by runner@fv-az1234-567 (pid 4242) since 2026-11-23T06:00:00Z") ||
			!strings.Contains(r.stderr, "ran on another machine and may still be running") {
			t.Errorf("drift with a foreign lock: exit %d\n%s", r.code, r.stderr)
		}
		r = p.infra(t, "repair", "--stack", stack)
		if r.code != 1 || !strings.Contains(r.stderr, "refusing to break the lock of runner@fv-az1234-567") || !strings.Contains(r.stderr, "--break-lock") {
			t.Errorf("repair without --break-lock: exit %d\n%s", r.code, r.stderr)
		}
		if locks := g.objects(t, lockDir+stack+"/"); len(locks) != 1 {
			t.Errorf("the refused repair touched the lock: %v", locks)
		}
		rep := p.mustInfra(t, "repair", "--stack", stack, "--break-lock")
		if !strings.Contains(rep.stdout, "released the lock of runner@fv-az1234-567") {
			t.Errorf("repair --break-lock:\n%s", rep.stdout)
		}
		if locks := g.objects(t, lockDir+stack+"/"); len(locks) != 0 {
			t.Errorf("locks left after repair --break-lock: %v", locks)
		}
		if r := p.infra(t, "drift", "--stack", stack); r.code != 0 {
			t.Errorf("drift after repair: exit %d\n%s", r.code, r.stderr)
		}
	})

	t.Run("a damaged checkpoint in the bucket is restored", func(t *testing.T) {
		stack := "gs-truncated"
		p := projectOn(t, "dev", stack, g.env)
		p.destroyAtEnd(t, stack)
		p.mustInfra(t, "up", "--stack", stack, "--yes")
		file := ".pulumi/stacks/unlimited-translation/" + stack + ".json"
		g.put(t, file, "")
		if r := p.infra(t, "preview", "--stack", stack); r.code == 0 || !strings.Contains(r.stderr, "infra repair --stack "+stack) {
			t.Errorf("preview on a damaged checkpoint: exit %d\n%s", r.code, r.stderr)
		}
		rep := p.mustInfra(t, "repair", "--stack", stack)
		if !strings.Contains(rep.stdout, "restored the checkpoint of "+stack+" from "+stack+".json.bak") ||
			!strings.Contains(rep.stdout, "gs://"+g.bucket+"/"+file+".damaged-") {
			t.Errorf("repair:\n%s", rep.stdout)
		}
		if r := p.infra(t, "drift", "--stack", stack); r.code != 0 {
			t.Errorf("drift after the restore: exit %d\n%s", r.code, r.stderr)
		}
	})
}

// What a pull request's code could write into the state bucket is never
// executed by the deployer: a destroy journal forged in the bucket (a
// provider whose kubeconfig runs a command, put back as if a cut-off
// destroy had dropped it) is refused by repair, which puts nothing back
// and runs nothing. The bootstrap keeps such writes out of reach (the
// preview and drift accounts write under .pulumi/locks/ alone, tested in
// stacks/bootstrap); this is the second line, where the emulator enforces
// no IAM.
func TestForgedJournalIsRefused(t *testing.T) {
	g := startGCS(t)
	stack := "gs-forged"
	p := projectOn(t, "dev", stack, g.env)
	p.destroyAtEnd(t, stack)
	p.mustInfra(t, "up", "--stack", stack, "--yes")
	before := stateURNs(t, p, stack)

	marker := filepath.Join(t.TempDir(), "ran")
	prefix := "urn:pulumi:" + stack + "::unlimited-translation::"
	cluster := prefix + "translation:infra:AutopilotCluster$gcp:container/cluster:Cluster::cluster"
	forged := `{"stack": "` + stack + `", "resources": [{
		"urn": "` + prefix + `pulumi:providers:kubernetes::evil", "type": "pulumi:providers:kubernetes", "custom": true, "id": "1",
		"deletedWith": "` + cluster + `",
		"inputs": {"kubeconfig": "{\"apiVersion\":\"v1\",\"kind\":\"Config\",\"users\":[{\"name\":\"u\",\"user\":{\"exec\":{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"command\":\"touch\",\"args\":[\"` + marker + `\"]}}}]}"}
	}]}`
	journal := ".pulumi/infra/unlimited-translation/" + stack + ".destroy-journal.json"
	g.put(t, journal, forged)
	// What the refusal tells a person to do before the stack is destroyed
	// at the end: take it away (an empty journal puts nothing back).
	t.Cleanup(func() { g.put(t, journal, `{"stack": "`+stack+`", "resources": []}`) })

	r := p.infra(t, "repair", "--stack", stack)
	if r.code != 1 || !strings.Contains(r.stderr, "refusing the destroy journal gs://"+g.bucket+"/"+journal+", nothing was put back") ||
		!strings.Contains(r.stderr, "is a provider (pulumi:providers:kubernetes)") {
		t.Errorf("repair with a forged journal: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if after := stateURNs(t, p, stack); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Errorf("the forged journal changed the state:\nbefore %v\nafter %v", before, after)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the forged provider's command ran")
	}
	// Kept for whoever looks into how it got there.
	if objs := g.objects(t, journal); len(objs) != 1 {
		t.Errorf("the refused journal is gone: %v", objs)
	}
}
