package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Sleep keeps exactly what holds data or takes long to get back; wake
// brings the rest back around the same disk, address, zone and
// certificate; a sleeping stack is not drifted, and sleeping twice is a
// no-op. Neither writes the stack file (no commit), and a deploy never
// undoes a sleep or a wake: it reads the awake record.
func TestSleepAndWake(t *testing.T) {
	const stack = "sleepy"
	p := projectAs(t, "dev", stack)
	p.destroyAtEnd(t, stack)
	p.mustInfra(t, "up", "--stack", stack, "--yes")
	stackPath := filepath.Join(p.dir, "Pulumi."+stack+".yaml")
	committed, err := os.ReadFile(stackPath)
	if err != nil {
		t.Fatal(err)
	}
	unchanged := func(t *testing.T, after string) {
		t.Helper()
		if b, _ := os.ReadFile(stackPath); !bytes.Equal(b, committed) {
			t.Errorf("%s changed the stack file:\n%s", after, b)
		}
	}
	record := func(t *testing.T) map[string]interface{} {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(p.state, ".pulumi", "infra", "unlimited-translation", stack+".awake.json"))
		if err != nil {
			t.Fatalf("no awake record: %v", err)
		}
		var r map[string]interface{}
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("awake record %s: %v", b, err)
		}
		return r
	}
	ids := func() map[string]string {
		out := map[string]string{}
		for urn, r := range gcp.Snapshot() {
			if strings.HasPrefix(urn, "urn:pulumi:"+stack+"::") {
				out[urn[strings.LastIndex(urn, "$")+1:]] = r.ID
			}
		}
		return out
	}
	before := ids()

	// A preview of sleep deletes (never replaces) and touches nothing.
	had := len(cloudURNs(stack))
	pr := p.mustInfra(t, "sleep", "--stack", stack, "--preview")
	if !strings.Contains(pr.stdout, "infra sleep --stack sleepy would: 0 to create, 0 to update, 0 to replace, ") ||
		!strings.Contains(pr.stdout, "nothing was changed") || len(cloudURNs(stack)) != had {
		t.Errorf("sleep --preview:\n%s", pr.stdout)
	}
	unchanged(t, "sleep --preview")

	// GKE's NEG controller, played: it holds a NEG for the frontend and
	// deletes it 2 s after the Service it serves goes. The cluster must
	// not go before (GKE: a cluster deleted first leaks its NEGs).
	negsWhenClusterWent := playNEGController(t, stack, "k8s1-0a1b2c3d-default-frontend-80-4e5f6a7b", 2*time.Second)
	ingresses := 0
	deletedBefore := len(kube.Deletions())

	// The stand-ins' cluster runs no Job: the backup sleep takes first
	// cannot run here (tested on its own in the lifecycle test).
	r := p.mustInfra(t, "sleep", "--stack", stack, "--yes", "--skip-backup")
	for _, d := range kube.Deletions()[deletedBefore:] {
		if strings.Contains(d.URN, "$kubernetes:networking.k8s.io/v1:Ingress::") {
			ingresses++
		}
	}
	if ingresses == 0 || !strings.Contains(r.stderr, "infra: deleting the load balancer of "+stack+" before its cluster") ||
		!strings.Contains(r.stderr, "infra: the NEG controller has deleted every NEG of "+stack) {
		t.Errorf("sleep did not delete the Ingress (%d deleted) and wait for the NEGs:\n%s", ingresses, r.stderr)
	}
	if n := negsWhenClusterWent(); n != 0 {
		t.Errorf("the cluster was deleted while the NEG controller still held %d NEGs", n)
	}
	asleep := ids()
	kept := map[string]bool{
		"gcp:compute/globalAddress:GlobalAddress::address":                     true,
		"gcp:dns/managedZone:ManagedZone::dns":                                 true,
		"gcp:dns/recordSet:RecordSet::dns-apex":                                true,
		"gcp:dns/recordSet:RecordSet::dns-www":                                 true,
		"gcp:dns/recordSet:RecordSet::dns-caa":                                 true,
		"gcp:compute/managedSslCertificate:ManagedSslCertificate::certificate": true,
		"gcp:compute/disk:Disk::database-disk":                                 true,
		"gcp:storage/bucket:Bucket::backups":                                   true,
		"gcp:compute/network:Network::network":                                 true,
		"gcp:compute/subnetwork:Subnetwork::network":                           true,
		// The backup jobs' identity (the account is the bootstrap's):
		// kept, so the first backup after a wake needs no new IAM grant.
		"gcp:serviceaccount/iAMMember:IAMMember::backup-identity-workload-identity":      true,
		"gcp:storage/bucketIAMMember:BucketIAMMember::backup-identity-objectCreator":     true,
		"gcp:storage/bucketIAMMember:BucketIAMMember::backup-identity-objectViewer":      true,
		"gcp:storage/bucketIAMMember:BucketIAMMember::backup-identity-objectUser-newest": true,
	}
	for short := range asleep {
		if !kept[short] && !strings.HasPrefix(short, "gcp:projects/service:Service::") {
			t.Errorf("asleep, the stack still has %s", short)
		}
	}
	for short := range kept {
		if asleep[short] == "" || asleep[short] != before[short] {
			t.Errorf("%s: %q before, %q asleep", short, before[short], asleep[short])
		}
	}
	if n := len(cloudURNs(stack)) - len(asleep); n != 0 {
		t.Errorf("%d Kubernetes objects left asleep", n)
	}
	unchanged(t, "sleep")
	if r := record(t); r["awake"] != false || r["by"] == "" || r["at"] == "" {
		t.Errorf("the awake record does not say it sleeps: %v", r)
	}
	// Unused address $0.01 × 730 = $7.30, zone $0.20, disk $0.10,
	// backups 14 × 0.1 GiB × $0.02 = $0.028: $7.628 a month, $0.25 a day.
	if !strings.Contains(r.stdout, "asleep it costs $0.25 a day ($7.63 a month") {
		t.Errorf("sleep does not say what it keeps for how much:\n%s", r.stdout)
	}
	// The stand-in's certificate expires 90 days after its create: wake
	// for its renewal from 60 days on.
	// (the up was minutes ago: either side of a midnight)
	renew, renewBefore := time.Now().UTC().Add(60*24*time.Hour).Format("2006-01-02"), time.Now().UTC().Add(60*24*time.Hour-10*time.Minute).Format("2006-01-02")
	if !strings.Contains(r.stdout, "the certificate of "+stack+" expires at ") ||
		!strings.Contains(r.stdout, "have it awake between "+renew+" and then") && !strings.Contains(r.stdout, "have it awake between "+renewBefore+" and then") {
		t.Errorf("sleep does not say by when to wake for the certificate (%s):\n%s", renew, r.stdout)
	}

	t.Run("a sleeping stack is not drifted, and stays asleep", func(t *testing.T) {
		if r := p.infra(t, "drift", "--stack", stack); r.code != 0 {
			t.Errorf("drift of a sleeping stack: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		// A deploy of the sleeping stack (the stack file still says
		// nothing of sleep) keeps it asleep, and says so.
		creates := gcp.CallCount("Create") + kube.CallCount("Create")
		up := p.mustInfra(t, "up", "--stack", stack, "--yes")
		if gcp.CallCount("Create")+kube.CallCount("Create") != creates {
			t.Error("up of a sleeping stack created something")
		}
		if !strings.Contains(up.stdout, "stack "+stack+" is asleep (since ") ||
			!strings.Contains(up.stdout, "up applies changes to what it keeps; infra wake --stack "+stack+" brings it back") {
			t.Errorf("up does not say the stack sleeps:\n%s", up.stdout)
		}
		if outs := p.mustInfra(t, "outputs", "--stack", stack, "--json").stdout; !strings.Contains(outs, `"awake": false`) {
			t.Errorf("up woke the stack:\n%s", outs)
		}
		r := p.mustInfra(t, "sleep", "--stack", stack, "--yes", "--skip-backup")
		if !strings.Contains(r.stdout, "is already asleep (since ") {
			t.Errorf("second sleep:\n%s", r.stdout)
		}
		unchanged(t, "up and a second sleep")
	})

	t.Run("a scheduled wake leaves a later sleep", func(t *testing.T) {
		// The schedule's wake was due before the person's sleep: it
		// leaves the stack asleep.
		r := p.mustInfra(t, "wake", "--stack", stack, "--yes", "--scheduled-at", "2001-01-01T07:00:00Z")
		if !strings.Contains(r.stdout, "a person changed it at ") ||
			!strings.Contains(r.stdout, "after the scheduled transition at 2001-01-01T07:00:00Z; leaving it") {
			t.Errorf("scheduled wake:\n%s", r.stdout)
		}
		if record(t)["awake"] != false {
			t.Error("the scheduled wake changed the record")
		}
	})

	// The stand-in's certificate expires 90 days after its create; a
	// long sleep is an expiry moved closer, read back by a refresh as the
	// sleep's own refresh reads the cloud's.
	certURN := ""
	for urn := range gcp.Snapshot() {
		if strings.HasPrefix(urn, "urn:pulumi:"+stack+"::") && strings.HasSuffix(urn, "$gcp:compute/managedSslCertificate:ManagedSslCertificate::certificate") {
			certURN = urn
		}
	}
	var refreshed result
	expireIn := func(t *testing.T, d time.Duration) string {
		t.Helper()
		at := time.Now().UTC().Add(d).Format(time.RFC3339)
		if err := gcp.TamperOutput(certURN, "expireTime", resource.NewStringProperty(at)); err != nil {
			t.Fatal(err)
		}
		refreshed = p.mustInfra(t, "refresh", "--stack", stack)
		return at
	}
	t.Run("a sleep into the renewal window is reported by drift", func(t *testing.T) {
		// 10½ days left: inside the 30 days renewal needs, "in 10 days".
		at := expireIn(t, 10*24*time.Hour+12*time.Hour)
		r := p.infra(t, "drift", "--stack", stack)
		if r.code != 5 || !strings.Contains(r.stdout, "certificate: the certificate translation-"+stack) ||
			!strings.Contains(r.stdout, "expires at "+at+", in 10 days") || !strings.Contains(r.stdout, "infra wake --stack "+stack) {
			t.Errorf("drift of a stack asleep 10 days before its certificate expires: exit %d, want 5\n%s%s", r.code, r.stdout, r.stderr)
		}
		// 31 days left: renewal has not begun, nothing to report. The
		// health check before the refresh read the 10 days in the state.
		expireIn(t, 31*24*time.Hour)
		if !strings.Contains(refreshed.stderr, "infra: warning: the certificate translation-"+stack) {
			t.Errorf("the verb before which the certificate was at risk did not warn:\n%s", refreshed.stderr)
		}
		if r := p.infra(t, "drift", "--stack", stack); r.code != 0 || strings.Contains(r.stdout, "certificate:") {
			t.Errorf("drift 31 days before expiry: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	})

	t.Run("wake --preview", func(t *testing.T) {
		// What wake brings back, as creates only: the kept resources
		// are unchanged, none replaced.
		// (the engine calls Create with preview set, so count what exists)
		had := len(cloudURNs(stack))
		r := p.mustInfra(t, "wake", "--stack", stack, "--preview")
		if !strings.Contains(r.stdout, "to create, 0 to update, 0 to replace, 0 to delete") || strings.Contains(r.stdout, "would: 0 to create") {
			t.Errorf("wake --preview:\n%s", r.stdout)
		}
		if now := len(cloudURNs(stack)); now != had {
			t.Errorf("wake --preview made %d resources %d", had, now)
		}
		unchanged(t, "wake --preview")
		if record(t)["awake"] != false {
			t.Error("wake --preview changed the awake record")
		}
		// Without a terminal to ask on, wake needs --yes, as up does.
		if r := p.infra(t, "wake", "--stack", stack); r.code == 0 || !strings.Contains(r.stderr, "refusing to wake stack "+stack+" without confirmation") {
			t.Errorf("wake without --yes: exit %d\n%s", r.code, r.stderr)
		}
	})

	t.Run("wake", func(t *testing.T) {
		// The certificate lapsed during the sleep: wake replaces it.
		at := expireIn(t, -24*time.Hour)
		deleted := len(gcp.Deletions())
		r := p.mustInfra(t, "wake", "--stack", stack, "--yes")
		if !strings.Contains(r.stderr, "expired at "+at+" while stack "+stack+" slept") || !strings.Contains(r.stderr, "replaces it with a new one") {
			t.Errorf("wake does not say the certificate lapsed:\n%s", r.stderr)
		}
		replaced := false
		for _, d := range gcp.Deletions()[deleted:] {
			replaced = replaced || d.URN == certURN
		}
		if !replaced {
			t.Errorf("wake did not replace the lapsed certificate %s", certURN)
		}
		awake := ids()
		for short, id := range before {
			if kept[short] && awake[short] != id {
				t.Errorf("%s changed: %s -> %s", short, id, awake[short])
			}
			if awake[short] == "" {
				t.Errorf("%s did not come back", short)
			}
		}
		if s, c := stateURNs(t, p, stack), cloudURNs(stack); strings.Join(s, "\n") != strings.Join(c, "\n") {
			t.Errorf("state and cloud differ after wake:\nstate %v\ncloud %v", s, c)
		}
		if !strings.Contains(r.stdout, "is awake: the same data disk, address, DNS records and certificate") {
			t.Errorf("wake:\n%s", r.stdout)
		}
		if r := p.infra(t, "drift", "--stack", stack); r.code != 0 {
			t.Errorf("drift after wake: exit %d\n%s", r.code, r.stderr)
		}
		unchanged(t, "wake")
		if record(t)["awake"] != true {
			t.Error("the awake record does not say it is awake")
		}
		// A deploy after the wake keeps it awake.
		deletes := gcp.CallCount("Delete") + kube.CallCount("Delete")
		up := p.mustInfra(t, "up", "--stack", stack, "--yes")
		if gcp.CallCount("Delete")+kube.CallCount("Delete") != deletes || strings.Contains(up.stdout, "is asleep") {
			t.Errorf("up after wake deleted something:\n%s", up.stdout)
		}
		if s, c := stateURNs(t, p, stack), cloudURNs(stack); strings.Join(s, "\n") != strings.Join(c, "\n") {
			t.Errorf("state and cloud differ after up:\nstate %v\ncloud %v", s, c)
		}
	})

	t.Run("a NEG the controller never deletes is reported, and the sleep goes on", func(t *testing.T) {
		playNEGController(t, stack, "k8s1-0a1b2c3d-default-frontend-80-stuck", -1)
		r := p.runBin(t, infraBin, []string{"INFRA_NEG_WAIT=3s"}, "sleep", "--stack", stack, "--yes", "--skip-backup")
		if r.code != 0 || !strings.Contains(r.stderr, "infra: warning: after 3s GKE's NEG controller still holds 1 NEGs of "+stack+" (k8s1-0a1b2c3d-default-frontend-80-stuck)") ||
			!strings.Contains(r.stderr, "gcloud compute network-endpoint-groups delete NAME --zone ZONE --project unlimited-translation-dev") {
			t.Errorf("sleep with a NEG left: exit %d\n%s", r.code, r.stderr)
		}
		if outs := p.mustInfra(t, "outputs", "--stack", stack, "--json").stdout; !strings.Contains(outs, `"awake": false`) {
			t.Errorf("the sleep did not finish:\n%s", outs)
		}
	})
}

// playNEGController plays GKE's NEG controller in the stand-in cluster
// for stack: it holds neg in namespace default and deletes it after
// delay once a Service of stack is deleted (never, for a negative
// delay). It returns how many NEGs it held when the stack's cluster was
// deleted (-1: not deleted).
func playNEGController(t *testing.T, stack, neg string, delay time.Duration) func() int {
	t.Helper()
	var held atomic.Int32
	held.Store(-1)
	gke.SetNEGs("default", neg)
	prevKube, prevGCP := kube.OnDelete, gcp.OnDelete
	kube.OnDelete = func(urn, typ string) {
		if typ == "kubernetes:core/v1:Service" && strings.HasPrefix(urn, "urn:pulumi:"+stack+"::") && delay >= 0 {
			time.AfterFunc(delay, func() { gke.SetNEGs("default") })
		}
	}
	gcp.OnDelete = func(urn, typ string) {
		if typ == "gcp:container/cluster:Cluster" && strings.HasPrefix(urn, "urn:pulumi:"+stack+"::") {
			held.Store(int32(len(gke.NEGs("default"))))
		}
		prevGCP(urn, typ)
	}
	t.Cleanup(func() {
		kube.OnDelete, gcp.OnDelete = prevKube, prevGCP
		gke.SetNEGs("default")
	})
	return func() int { return int(held.Load()) }
}

// Production does not sleep unless told to, and nothing is touched.
func TestSleepRefusedForProd(t *testing.T) {
	p := project(t, "prod")
	r := p.infra(t, "sleep", "--stack", "prod", "--yes")
	if r.code != 1 || !strings.Contains(r.stderr, "refusing to put production stack prod to sleep") || !strings.Contains(r.stderr, "--force-prod") {
		t.Errorf("sleep of prod: exit %d\n%s", r.code, r.stderr)
	}
	stackFile, _ := os.ReadFile(filepath.Join(p.dir, "Pulumi.prod.yaml"))
	if strings.Contains(string(stackFile), "awake") {
		t.Error("a refused sleep wrote to the stack file")
	}
	if _, err := os.Stat(filepath.Join(p.state, ".pulumi", "infra")); !os.IsNotExist(err) {
		t.Errorf("a refused sleep wrote an awake record: %v", err)
	}
}

// A stack file that sets awake decides: sleep and wake refuse to change
// it, say how, and touch nothing; infra up follows the file.
func TestSleepAndWakeRefusedWhenPinned(t *testing.T) {
	p := project(t, "dev")
	for _, c := range []struct{ value, verb, set string }{
		{"true", "sleep", "false"},
		{"false", "wake", "true"},
	} {
		p.pulumi(t, "config", "set", "awake", c.value, "--stack", "dev")
		stackFile, _ := os.ReadFile(filepath.Join(p.dir, "Pulumi.dev.yaml"))
		r := p.infra(t, c.verb, "--stack", "dev", "--yes")
		if r.code != 1 || !strings.Contains(r.stderr, "refusing to "+c.verb+" stack dev, nothing was changed: Pulumi.dev.yaml sets awake: "+c.value) ||
			!strings.Contains(r.stderr, "Remove the awake key from Pulumi.dev.yaml") || !strings.Contains(r.stderr, "set it to "+c.set+" there") {
			t.Errorf("%s of a pinned stack: exit %d\n%s%s", c.verb, r.code, r.stdout, r.stderr)
		}
		if b, _ := os.ReadFile(filepath.Join(p.dir, "Pulumi.dev.yaml")); !bytes.Equal(b, stackFile) {
			t.Errorf("a refused %s wrote the stack file", c.verb)
		}
		if _, err := os.Stat(filepath.Join(p.state, ".pulumi", "infra")); !os.IsNotExist(err) {
			t.Errorf("a refused %s wrote an awake record: %v", c.verb, err)
		}
	}
	// A time the schedule could not have meant is a usage error.
	if r := p.infra(t, "sleep", "--stack", "dev", "--yes", "--scheduled-at", "19:00"); r.code != 2 || !strings.Contains(r.stderr, "--scheduled-at \"19:00\" is not an RFC 3339 time") {
		t.Errorf("bad --scheduled-at: exit %d\n%s", r.code, r.stderr)
	}
}
