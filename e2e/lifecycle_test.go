package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/unlimited-translation/infra/internal/plan"
	"github.com/unlimited-translation/infra/internal/standin"
)

// The dev stack through its whole life with the real engine.
func TestDevLifecycle(t *testing.T) {
	p := project(t, "dev")

	// up creates every resource of the offline plan.
	p.mustInfra(t, "up", "--stack", "dev", "--yes")
	pl, err := plan.Stack("..", "dev", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, r := range pl.Resources {
		if r.Custom && !r.Read && !strings.HasPrefix(r.Type, "pulumi:providers:") {
			want[r.URN] = true
		}
	}
	held := map[string]bool{}
	// The stand-ins are shared by every test: count this stack's only.
	for _, urn := range append(urnsOf(gcp.Snapshot()), urnsOf(kube.Snapshot())...) {
		held[urn] = true
	}
	for urn := range want {
		if !held[urn] {
			t.Errorf("planned but not created: %s", urn)
		}
	}
	if len(held) != len(want) {
		t.Errorf("%d resources created, %d planned", len(held), len(want))
	}

	// Outputs are set; the kubeconfig stays secret.
	var outs map[string]interface{}
	if err := json.Unmarshal([]byte(p.mustInfra(t, "outputs", "--stack", "dev", "--json").stdout), &outs); err != nil {
		t.Fatal(err)
	}
	if outs["url"] != "https://dev.translate.example.com" || outs["address"] != "203.0.113.30" ||
		outs["kubeconfig"] != "[secret]" || outs["clusterName"] != "translation-dev" {
		t.Errorf("outputs %v", outs)
	}
	if ns, _ := outs["nameServers"].([]interface{}); len(ns) != 2 {
		t.Errorf("nameServers %v", outs["nameServers"])
	}

	// A second preview changes nothing: the program is deterministic.
	md := filepath.Join(t.TempDir(), "preview.md")
	r := p.mustInfra(t, "preview", "--stack", "dev", "--markdown", md)
	if !strings.Contains(r.stdout, "no changes to stack dev") || !strings.Contains(markdown(t, md), "<b>dev</b>: no changes to stack dev") {
		t.Errorf("second preview is not empty:\n%s", r.stdout)
	}

	t.Run("config change shows exactly that change", func(t *testing.T) {
		got := p.previewWith(t, "dev", md, "backendReplicas", "2")
		for _, want := range []string{
			"| `dev` | — | 0 | 1 | 0 | 0 | none |",
			"<b>dev</b>: 0 to create, 1 to update, 0 to replace, 0 to delete (76 unchanged)",
			"**update** `backend-fastapi-deploy` (Deployment `kubernetes:apps/v1:Deployment`) in TranslationApp › Backend › WebWorkload `translation-backend`",
			"`spec.replicas`: `1` → `2`",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("markdown lacks %q:\n%s", want, got)
			}
		}
		if strings.Contains(got, "\x1b[") {
			t.Error("markdown holds ANSI codes")
		}
	})

	t.Run("forced replacement is flagged with its reason", func(t *testing.T) {
		got := p.previewWith(t, "dev", md, "mysqlUser", "app")
		for _, want := range []string{
			"| `dev` | — | 0 | 0 | 3 | 0 | ⚠ downtime |",
			"**replace** `mysql-db-secret` (Secret `kubernetes:core/v1:Secret`), delete-before-replace",
			"**replace** `mysql-stateful` (StatefulSet `kubernetes:apps/v1:StatefulSet`), delete-before-replace",
			"**replace** `frontend-flask-deploy` (Deployment `kubernetes:apps/v1:Deployment`), delete-before-replace",
			"  - replaced because `stringData.MYSQL_USER` changed\n",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("markdown lacks %q:\n%s", want, got)
			}
		}
	})

	t.Run("drift", func(t *testing.T) {
		if r := p.infra(t, "drift", "--stack", "dev"); r.code != 0 {
			t.Fatalf("drift on a fresh stack: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		// Someone changes the cluster's release channel in the console.
		err := gcp.Tamper("urn:pulumi:dev::unlimited-translation::translation:infra:AutopilotCluster$gcp:container/cluster:Cluster::cluster", "releaseChannel",
			resource.NewObjectProperty(resource.PropertyMap{"channel": resource.NewStringProperty("RAPID")}))
		if err != nil {
			t.Fatal(err)
		}
		r := p.infra(t, "drift", "--stack", "dev", "--markdown", md)
		if r.code != 2 {
			t.Fatalf("drift after a change behind the engine's back: exit %d, want 2\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		got := markdown(t, md)
		if !strings.Contains(got, "`translation-dev` (Cluster `gcp:container/cluster:Cluster`)") || !strings.Contains(got, "RAPID") {
			t.Errorf("drift report does not name the change:\n%s", got)
		}
		// Put it back as the program has it.
		p.mustInfra(t, "up", "--stack", "dev", "--yes")
	})

	const (
		disk   = "urn:pulumi:dev::unlimited-translation::translation:infra:DataDisk$gcp:compute/disk:Disk::database-disk"
		bucket = "urn:pulumi:dev::unlimited-translation::translation:infra:BackupBucket$gcp:storage/bucket:Bucket::backups"
	)
	// The stand-ins' cluster cannot run a Job (the Kubernetes API the GKE
	// stand-in reports holds no CronJob): the backup every destroy takes
	// first fails, and the destroy must stop before anything changes.
	// kubectl goes where GKE says, with the auth plugin's token, never to
	// the endpoint in the state's kubeconfig output (203.0.113.20).
	refusedWithoutBackup := func(t *testing.T, args ...string) {
		t.Helper()
		before := len(gcp.Snapshot()) + len(kube.Snapshot())
		deletes := gcp.CallCount("Delete") + kube.CallCount("Delete")
		asked := len(gke.Requests())
		r := p.infra(t, append([]string{"destroy", "--stack", "dev", "--yes"}, args...)...)
		if r.code != 1 || !strings.Contains(r.stderr, "refusing to destroy dev, nothing was changed: the backup taken first failed") ||
			!strings.Contains(r.stderr, "infra destroy --stack dev --skip-backup") {
			t.Errorf("destroy %v with a failing backup: exit %d\n%s", args, r.code, r.stderr)
		}
		if strings.Contains(r.stderr, "203.0.113.20") || len(gke.Requests()) == asked {
			t.Errorf("the backup's kubectl did not reach the cluster GKE reports (%d requests), or went to the state's endpoint:\n%s", len(gke.Requests())-asked, r.stderr)
		}
		if after := len(gcp.Snapshot()) + len(kube.Snapshot()); after != before || gcp.CallCount("Delete")+kube.CallCount("Delete") != deletes {
			t.Errorf("destroy %v deleted something although its backup failed: %d -> %d resources", args, before, after)
		}
	}
	t.Run("destroy refuses when its backup fails", func(t *testing.T) { refusedWithoutBackup(t) })

	t.Run("destroy keeps the data disk and the backups", func(t *testing.T) {
		kubeDeletes := len(kube.Deletions())
		r := p.mustInfra(t, "destroy", "--stack", "dev", "--yes", "--skip-backup")
		// The disk, the bucket, and the enabled APIs they depend on (the
		// engine keeps what an excluded resource depends on; an API costs
		// nothing).
		var kept []string
		for _, u := range append(urnsOf(gcp.Snapshot()), urnsOf(kube.Snapshot())...) {
			if u != disk && u != bucket && !strings.Contains(u, "gcp:projects/service:Service::apis-") {
				kept = append(kept, u)
			}
		}
		if len(kept) != 0 || gcp.Snapshot()[disk].ID == "" || gcp.Snapshot()[bucket].ID == "" {
			t.Errorf("left after destroy besides the data disk, the bucket and the APIs: %v", kept)
		}
		// 1 GiB of pd-balanced at $0.10 per GiB-month (prices.json), a day
		// being 12/365 of a month: $0.003. The bucket: $0.020 per GiB.
		for _, want := range []string{
			"kept, so that the next infra up --stack dev finds the data again:",
			"Disk translation-dev-mysql-data (1 GiB pd-balanced, zonal, europe-west1-b): $0.10/month ($0.003/day)",
			"Bucket unlimited-translation-dev-dev-mysql-backups (the database's backups): $0.020 per GiB of backups per month",
			"costs $0.10/month plus $0.020 per GiB of backups while kept",
			"infra destroy --stack dev --delete-data",
		} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("destroy does not report %q:\n%s", want, r.stdout)
			}
		}
		if !strings.Contains(r.stderr, "no backup taken of dev (--skip-backup)") {
			t.Errorf("destroy --skip-backup does not say it took no backup:\n%s", r.stderr)
		}
		// The load balancer first, then the wait for its NEGs (the
		// stand-in cluster has no NEG controller: none to wait for).
		if !strings.Contains(r.stderr, "infra: deleting the load balancer of dev before its cluster") || !strings.Contains(r.stderr, "infra: the NEG controller has deleted every NEG of dev") {
			t.Errorf("destroy does not delete the load balancer before the cluster and wait for its NEGs:\n%s", r.stderr)
		}
		// Objects that own cloud resources were deleted one by one, before
		// the cluster; the rest went with the cluster.
		var clusterSeq int64
		for _, d := range gcp.Deletions() {
			if strings.HasSuffix(d.URN, "gcp:container/cluster:Cluster::cluster") {
				clusterSeq = d.Seq
			}
		}
		deleted := map[string]int64{}
		for _, d := range kube.Deletions()[kubeDeletes:] {
			deleted[d.URN[strings.LastIndex(d.URN, "$")+1:]] = d.Seq
		}
		for _, name := range []string{
			"kubernetes:networking.k8s.io/v1:Ingress::translation-public",
			"kubernetes:apps/v1:StatefulSet::translation-database",
			"kubernetes:core/v1:Service::translation-frontend",
		} {
			if s, ok := deleted[name]; !ok || s > clusterSeq {
				t.Errorf("%s: deleted=%v at %d, cluster at %d", name, ok, s, clusterSeq)
			}
		}
		if _, ok := deleted["kubernetes:apps/v1:Deployment::translation-backend"]; ok || len(deleted) != 3 {
			t.Errorf("in-cluster objects were deleted one by one: %v", deleted)
		}
	})

	// GKE's controllers make NEGs, firewall rules and load balancers that
	// Pulumi's state never holds; a destroy lists what is left of them in
	// the stack's network and offers to delete it.
	t.Run("destroy reports and deletes what GKE left", func(t *testing.T) {
		const project = "unlimited-translation-dev"
		network := compute.Link(project, "global", "networks", "translation-dev")
		neg := compute.Add(project, "zones/europe-west1-b", "networkEndpointGroups", "k8s1-5e1d-default-translation-backend-80-aa", map[string]interface{}{"network": network})
		fw := compute.Add(project, "global", "firewalls", "gke-translation-dev-1a2b-all", map[string]interface{}{"network": network})
		other := compute.Add(project, "global", "firewalls", "default-allow-ssh", map[string]interface{}{"network": compute.Link(project, "global", "networks", "default")})
		r := p.infra(t, "destroy", "--stack", "dev", "--yes", "--skip-backup")
		for _, want := range []string{
			"infra: GKE left 2 resource(s) of dev in project unlimited-translation-dev",
			"  - networkEndpointGroups k8s1-5e1d-default-translation-backend-80-aa (europe-west1-b; in network translation-dev)",
			"  - firewalls gke-translation-dev-1a2b-all (global; in network translation-dev)",
			"GKE's leftovers of dev were not deleted: infra destroy --stack dev --delete-leftovers deletes them",
		} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("destroy with leftovers: exit %d, no %q:\n%s", r.code, want, r.stderr)
			}
		}
		if r.code != 1 || strings.Contains(r.stderr, "default-allow-ssh") || len(compute.Deleted()) != 0 {
			t.Errorf("destroy with --yes alone: exit %d (want 1), deleted %v", r.code, compute.Deleted())
		}
		r = p.mustInfra(t, "destroy", "--stack", "dev", "--yes", "--skip-backup", "--delete-leftovers")
		if got := strings.Join(compute.Deleted(), " "); got != neg+" "+fw {
			t.Errorf("--delete-leftovers deleted %q, want the NEG then the firewall rule", got)
		}
		if !strings.Contains(r.stderr, "infra: deleted networkEndpointGroups k8s1-5e1d-default-translation-backend-80-aa") {
			t.Errorf("the deletions are not reported:\n%s", r.stderr)
		}
		for _, d := range compute.Deleted() {
			if d == other {
				t.Errorf("deleted a firewall rule of another network")
			}
		}
	})

	t.Run("up again binds the same disk", func(t *testing.T) {
		before := gcp.Snapshot()[disk]
		creates := gcp.CallCount("Create")
		p.mustInfra(t, "up", "--stack", "dev", "--yes")
		after := gcp.Snapshot()[disk]
		if after.ID != before.ID {
			t.Errorf("the data disk changed: %s -> %s", before.ID, after.ID)
		}
		pv := kube.Snapshot()["urn:pulumi:dev::unlimited-translation::translation:components:TranslationApp$translation:components:Database$kubernetes:core/v1:PersistentVolume::translation-database-data"]
		if got := pv.Inputs["spec"].ObjectValue()["csi"].ObjectValue()["volumeHandle"].StringValue(); got != before.ID {
			t.Errorf("the new volume names %s, the kept disk is %s", got, before.ID)
		}
		if b := gcp.Snapshot()[bucket]; b.ID != "unlimited-translation-dev-dev-mysql-backups" {
			t.Errorf("the backup bucket is %q after up", b.ID)
		}
		// Everything but the disk, the bucket and the APIs: the cluster,
		// the address, the zone, 3 records (apex, www, CAA), the backup
		// identity's Workload Identity binding and its 3 bucket grants, the
		// VPC and subnet, the certificate, the SSL policy. The accounts are
		// the bootstrap's.
		if n := gcp.CallCount("Create") - creates; n != 14 {
			t.Errorf("%d GCP creates, want 14 (all but the kept disk, bucket and APIs)", n)
		}
	})

	t.Run("destroy --delete-data", func(t *testing.T) {
		r := p.infra(t, "destroy", "--stack", "dev", "--delete-data")
		if r.code != 1 || !strings.Contains(r.stderr, "refusing to destroy (with its data) stack dev without confirmation") {
			t.Errorf("--delete-data without --yes or a terminal: exit %d\n%s", r.code, r.stderr)
		}
		refusedWithoutBackup(t, "--delete-data")
		r = p.mustInfra(t, "destroy", "--stack", "dev", "--delete-data", "--yes", "--skip-backup")
		// The bucket holds the backups, the final one included: no
		// destroy deletes it (nor the APIs it depends on).
		for _, u := range append(urnsOf(gcp.Snapshot()), urnsOf(kube.Snapshot())...) {
			if u != bucket && !strings.Contains(u, "gcp:projects/service:Service::apis-") {
				t.Errorf("left after destroy --delete-data: %s", u)
			}
		}
		if !strings.Contains(r.stdout, "destroyed dev, its data included") {
			t.Errorf("destroy --delete-data:\n%s", r.stdout)
		}
	})

	assertNoSecrets(t, p)
}

// prod is protected: destroy stops before touching anything.
func TestProdDestroyRefused(t *testing.T) {
	p := project(t, "prod")
	p.mustInfra(t, "up", "--stack", "prod", "--yes")
	before := len(gcp.Snapshot()) + len(kube.Snapshot())
	deletes := gcp.CallCount("Delete") + kube.CallCount("Delete")
	r := p.infra(t, "destroy", "--stack", "prod", "--yes")
	if r.code != 1 {
		t.Fatalf("destroy of prod: exit %d, want 1\n%s", r.code, r.stderr)
	}
	for _, want := range []string{
		"refusing to destroy stack prod: nothing was changed",
		"kubernetes:apps/v1:StatefulSet translation-database is protected",
		"gcp:container/cluster:Cluster cluster has GKE deletion protection",
		"gcp:compute/globalAddress:GlobalAddress address is protected",
		"gcp:dns/recordSet:RecordSet dns-apex is protected",
		"pulumi config set deletionProtection false --stack prod",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if after := len(gcp.Snapshot()) + len(kube.Snapshot()); after != before || gcp.CallCount("Delete")+kube.CallCount("Delete") != deletes {
		t.Errorf("refused destroy deleted something: %d -> %d resources", before, after)
	}

	// What a user reaches for next: Pulumi's own destroy that skips what
	// is protected. The address, the records and the cluster stay; the
	// in-cluster objects that depend on them may go.
	out, err := p.pulumiRun("destroy", "--stack", "prod", "--exclude-protected", "--yes", "--skip-preview")
	if err != nil {
		t.Fatalf("pulumi destroy --exclude-protected: %v\n%s", err, out)
	}
	left := gcp.Snapshot()
	for _, want := range []string{
		"gcp:compute/globalAddress:GlobalAddress::address",
		"gcp:dns/recordSet:RecordSet::dns-apex",
		"gcp:dns/recordSet:RecordSet::dns-www",
		"gcp:container/cluster:Cluster::cluster",
		"gcp:compute/regionDisk:RegionDisk::database-disk",
	} {
		found := false
		for urn := range left {
			found = found || (strings.HasPrefix(urn, "urn:pulumi:prod::") && strings.HasSuffix(urn, want))
		}
		if !found {
			t.Errorf("pulumi destroy --exclude-protected deleted %s", want)
		}
	}
	assertNoSecrets(t, p)
}

// A destroy without --yes and without a terminal is refused, not hung.
func TestNoConfirmationWithoutTerminal(t *testing.T) {
	p := project(t, "dev")
	creates := gcp.CallCount("Create") + kube.CallCount("Create")
	r := p.infra(t, "up", "--stack", "dev")
	if r.code != 1 || !strings.Contains(r.stderr, "refusing to update stack dev without confirmation") {
		t.Errorf("up without --yes: exit %d\n%s", r.code, r.stderr)
	}
	if gcp.CallCount("Create")+kube.CallCount("Create") != creates {
		t.Errorf("something was created without confirmation")
	}
}

// The README's path with the stock CLI: a file backend in a directory
// made just before (pulumi login), the stack created from the committed
// stack file, then preview: the program stops on the secrets not set yet,
// naming each with its command; once set, the preview runs.
func TestFirstPreviewNeedsTheSecrets(t *testing.T) {
	p := bare(t, "dev")
	state := filepath.Join(t.TempDir(), "pulumi-state")
	if err := os.Mkdir(state, 0o700); err != nil { // the README's mkdir
		t.Fatal(err)
	}
	// No backend chosen yet, and a home of its own: the login is this
	// test's alone.
	p.env = append(append([]string{}, baseEnv...), "PULUMI_BACKEND_URL=", "PULUMI_HOME="+t.TempDir())
	p.pulumi(t, "login", "file://"+state)
	fresh("dev")
	p.pulumi(t, "stack", "init", "dev", "--secrets-provider", "passphrase")
	r := p.infra(t, "preview", "--stack", "dev")
	for _, k := range []string{"mysqlRootPassword", "mysqlPassword"} {
		if want := k + ": is required and not set\n    fix: pulumi config set --secret " + k + " <value> --stack dev"; !strings.Contains(r.stderr, want) {
			t.Errorf("preview without secrets: exit %d, no %q:\n%s", r.code, want, r.stderr)
		}
	}
	if r.code != 1 {
		t.Errorf("preview without secrets: exit %d", r.code)
	}
	for k, v := range secretVals {
		p.pulumi(t, "config", "set", "--secret", k, v, "--stack", "dev")
	}
	p.mustInfra(t, "preview", "--stack", "dev")
	// Committed as the README says: the file now holds this user's salt
	// and ciphertexts, never the plain values.
	b, _ := os.ReadFile(filepath.Join(p.dir, "Pulumi.dev.yaml"))
	for _, v := range secretVals {
		if strings.Contains(string(b), v) {
			t.Errorf("Pulumi.dev.yaml holds a secret in plain text")
		}
	}
	if !strings.Contains(string(b), "encryptionsalt:") || strings.Count(string(b), "secure: v1:") != len(secretVals) {
		t.Errorf("Pulumi.dev.yaml after config set:\n%s", b)
	}
}

// assertNoSecrets: no output, markdown or log line, nor the state file,
// holds a secret in plain text.
func assertNoSecrets(t *testing.T, p proj) {
	t.Helper()
	secrets := []string{"LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg=="} // the cluster CA, inside the kubeconfig
	for _, v := range secretVals {
		secrets = append(secrets, v)
	}
	for _, s := range secrets {
		if strings.Contains(transcript.String(), s) {
			t.Errorf("a secret appears in infra's output or markdown: %q", s)
		}
	}
	_ = filepath.Walk(p.state, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return nil
		}
		b, _ := os.ReadFile(path)
		for _, v := range secretVals {
			if strings.Contains(string(b), v) {
				t.Errorf("%s holds a password in plain text", path)
			}
		}
		return nil
	})
}

// previewWith sets one config value, returns the Markdown of `infra
// preview`, and takes the value out again.
func (p proj) previewWith(t *testing.T, stack, md, key, value string) string {
	t.Helper()
	p.pulumi(t, "config", "set", key, value, "--stack", stack)
	defer p.pulumi(t, "config", "rm", key, "--stack", stack)
	p.mustInfra(t, "preview", "--stack", stack, "--markdown", md)
	return markdown(t, md)
}

// urnsOf lists the dev stack's URNs among what a stand-in holds.
func urnsOf(m map[string]standin.Resource) []string {
	var out []string
	for u := range m {
		if strings.HasPrefix(u, "urn:pulumi:dev::") {
			out = append(out, u)
		}
	}
	sort.Strings(out)
	return out
}
