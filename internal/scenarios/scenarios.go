// Package scenarios is test machinery, never part of the infra binary:
// the table of config changes to a committed stack and what `pulumi up`
// does with each, worked out by hand from the provider rules
// (internal/rules) and the engine's step rules. The offline diff's tests
// and the engine tests (e2e) check their reports against the same table.
package scenarios

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/unlimited-translation/infra/internal/report"
)

// Short names of the resources a GKE stack registers (type::name).
const (
	cluster       = "gcp:container/cluster:Cluster::cluster"
	provider      = "pulumi:providers:kubernetes::cluster"
	address       = "gcp:compute/globalAddress:GlobalAddress::address"
	zone          = "gcp:dns/managedZone:ManagedZone::dns"
	apex          = "gcp:dns/recordSet:RecordSet::dns-apex"
	www           = "gcp:dns/recordSet:RecordSet::dns-www"
	caa           = "gcp:dns/recordSet:RecordSet::dns-caa"
	backend       = "kubernetes:apps/v1:Deployment::translation-backend"
	backSvc       = "kubernetes:core/v1:Service::translation-backend"
	database      = "kubernetes:apps/v1:StatefulSet::translation-database"
	initdb        = "kubernetes:core/v1:ConfigMap::translation-database-initdb"
	claim         = "kubernetes:core/v1:PersistentVolumeClaim::translation-database-data"
	secret        = "kubernetes:core/v1:Secret::translation-database"
	bkpSecret     = "kubernetes:core/v1:Secret::translation-database-backup"
	dbSvc         = "kubernetes:core/v1:Service::translation-database"
	frontend      = "kubernetes:apps/v1:Deployment::translation-frontend"
	frontSvc      = "kubernetes:core/v1:Service::translation-frontend"
	backCfg       = "kubernetes:cloud.google.com/v1:BackendConfig::translation-public-backendconfig"
	redirect      = "kubernetes:networking.gke.io/v1beta1:FrontendConfig::translation-public-redirect"
	ingress       = "kubernetes:networking.k8s.io/v1:Ingress::translation-public"
	namespace     = "kubernetes:core/v1:Namespace::translation"
	volume        = "kubernetes:core/v1:PersistentVolume::translation-database-data"
	class         = "kubernetes:storage.k8s.io/v1:StorageClass::translation-database-data"
	disk          = "gcp:compute/disk:Disk::database-disk"
	prodDisk      = "gcp:compute/regionDisk:RegionDisk::database-disk"
	backPDB       = "kubernetes:policy/v1:PodDisruptionBudget::translation-backend"
	frontPDB      = "kubernetes:policy/v1:PodDisruptionBudget::translation-frontend"
	denyAll       = "kubernetes:networking.k8s.io/v1:NetworkPolicy::translation-network-deny"
	public        = "kubernetes:networking.k8s.io/v1:NetworkPolicy::translation-network-public"
	toBackend     = "kubernetes:networking.k8s.io/v1:NetworkPolicy::translation-network-backend-from-frontend"
	toMySQL       = "kubernetes:networking.k8s.io/v1:NetworkPolicy::translation-network-mysql-from-frontend"
	fromBkp       = "kubernetes:networking.k8s.io/v1:NetworkPolicy::translation-network-mysql-from-backup"
	denyOut       = "kubernetes:networking.k8s.io/v1:NetworkPolicy::translation-network-deny-egress"
	dnsOut        = "kubernetes:networking.k8s.io/v1:NetworkPolicy::translation-network-dns"
	toBackendOut  = "kubernetes:networking.k8s.io/v1:NetworkPolicy::translation-network-backend-from-frontend-egress"
	toMySQLOut    = "kubernetes:networking.k8s.io/v1:NetworkPolicy::translation-network-mysql-from-frontend-egress"
	fromBkpOut    = "kubernetes:networking.k8s.io/v1:NetworkPolicy::translation-network-mysql-from-backup-egress"
	bkpGoogle     = "kubernetes:networking.k8s.io/v1:NetworkPolicy::translation-network-backup-to-google"
	nsLabels      = "kubernetes:core/v1:NamespacePatch::translation"
	sslPolicy     = "gcp:compute/sSLPolicy:SSLPolicy::tls"
	armor         = "gcp:compute/securityPolicy:SecurityPolicy::armor"
	armorParent   = "translation:infra:SecurityPolicy::armor"
	bkpSA         = "kubernetes:core/v1:ServiceAccount::translation-backup"
	bkpJob        = "kubernetes:batch/v1:CronJob::translation-backup"
	rstJob        = "kubernetes:batch/v1:CronJob::translation-backup-restore"
	bkpScript     = "kubernetes:core/v1:ConfigMap::translation-backup-scripts"
	bucket        = "gcp:storage/bucket:Bucket::backups"
	wiMember      = "gcp:serviceaccount/iAMMember:IAMMember::backup-identity-workload-identity"
	subnet        = "gcp:compute/subnetwork:Subnetwork::network"
	gcpCert       = "gcp:compute/managedSslCertificate:ManagedSslCertificate::certificate"
	bucketCreator = "gcp:storage/bucketIAMMember:BucketIAMMember::backup-identity-objectCreator"
	bucketViewer  = "gcp:storage/bucketIAMMember:BucketIAMMember::backup-identity-objectViewer"
	bucketNewest  = "gcp:storage/bucketIAMMember:BucketIAMMember::backup-identity-objectUser-newest"
)

// namespaced are the objects of dev's cluster that live in the app's
// namespace.
var namespaced = []string{backend, backSvc, database, initdb, claim, secret, bkpSecret, dbSvc, frontend, frontSvc, backCfg, redirect, ingress,
	backPDB, frontPDB, denyAll, public, toBackend, toMySQL, fromBkp, bkpSA, bkpJob, rstJob, bkpScript,
	denyOut, dnsOut, toBackendOut, toMySQLOut, fromBkpOut, bkpGoogle}

// inCluster are the 33 objects the dev cluster's provider manages: the
// namespaced ones, the data volume and its class, and the Pod Security
// labels on namespace default.
var inCluster = append([]string{volume, class, nsLabels}, namespaced...)

func Ops(op string, names ...string) map[string]string {
	m := map[string]string{}
	for _, n := range names {
		m[n] = op
	}
	return m
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

const p = "unlimited-translation:"

// Scenario is one change to a committed stack file and what `pulumi up`
// would do, worked out by hand from the provider rules (internal/rules)
// and the engine's step rules. The same table drives the engine test in
// e2e/, where the real engine must agree.
type Scenario struct {
	Name  string
	Stack string
	Set   map[string]string
	// New: the base has no such stack file.
	New bool
	// Ops is every resource that changes: short name → operation.
	Ops map[string]string
	// Modes of some replacements.
	Modes map[string]string
	// Risk kinds flagged (⚠), and the resources that will fail (⛔).
	Risks   []string
	Blocked []string
}

// All are the scenarios, for dev and prod.
var All = []Scenario{
	{Name: "cluster name", Stack: "dev", Set: map[string]string{p + "clusterName": "translation-dev2"},
		// The data disk is named after the stack, not the cluster: it stays,
		// and the new cluster's volume binds it. The certificate is a
		// project resource: the new load balancer serves it at once. The
		// program names the cluster, so the bridge deletes the old one
		// first, and the engine deletes what depends on it before that.
		Ops:   merge(Ops("replace", cluster, provider), Ops("replace", inCluster...)),
		Modes: map[string]string{cluster: "delete-before-replace", database: "delete-before-replace", backend: "delete-before-replace"},
		Risks: []string{"downtime"}},
	{Name: "region", Stack: "dev", Set: map[string]string{"gcp:region": "europe-west4"},
		// A disk or bucket cannot move regions: they would be replaced, and
		// they are always protected (backup, new stack, restore instead).
		// The subnet is regional too: a new one, with the same name, in the
		// new region.
		// The bucket goes first (it is named), so the grants that name it
		// are replaced with it.
		Ops:     merge(Ops("replace", cluster, provider, disk, bucket, subnet, bucketCreator, bucketViewer, bucketNewest), Ops("replace", inCluster...)),
		Risks:   []string{"data", "downtime"},
		Blocked: []string{disk, bucket}},
	{Name: "address name", Stack: "dev", Set: map[string]string{p + "addressName": "translation-dev-ip2"},
		// The named address is deleted first, and the Ingress that names
		// it (in its metadata) with it: the load balancer is rebuilt.
		Ops:   merge(Ops("replace", address, ingress), Ops("update", apex, www)),
		Risks: []string{"IP", "downtime"}},
	{Name: "domain", Stack: "dev", Set: map[string]string{p + "domain": "dev.translate.example.org"},
		// Another domain is another certificate, provisioned anew; the
		// named zone and certificate are deleted first, and the Ingress that
		// names the certificate with them.
		Ops:   merge(Ops("replace", zone, apex, www, caa, gcpCert, ingress)),
		Risks: []string{"DNS delegation", "certificate", "downtime"}},
	{Name: "zone name", Stack: "dev", Set: map[string]string{p + "dnsZoneName": "dev-zone"},
		Ops:   Ops("replace", zone, apex, www, caa),
		Risks: []string{"DNS delegation", "downtime"}},
	{Name: "created zone adopted, same name", Stack: "dev",
		Set: map[string]string{p + "createDnsZone": "false", p + "dnsZoneName": "dev-translate-example-com"},
		Ops: Ops("read", zone)},
	{Name: "created zone adopted, another name", Stack: "dev",
		Set:   map[string]string{p + "createDnsZone": "false", p + "dnsZoneName": "example-com"},
		Ops:   Ops("replace", zone, apex, www, caa),
		Modes: map[string]string{zone: "read-replacement", apex: "create-before-delete"},
		Risks: []string{"DNS delegation", "downtime"}},
	{Name: "MySQL user", Stack: "dev", Set: map[string]string{p + "mysqlUser": "app"},
		// The Secret's data is force-new and it keeps its name: deleted
		// first, so the engine replaces what reads its name too.
		Ops:   Ops("replace", secret, database, frontend),
		Modes: map[string]string{secret: "delete-before-replace", database: "delete-before-replace", frontend: "delete-before-replace"},
		Risks: []string{"downtime"}},
	{Name: "MySQL user, prod", Stack: "prod", Set: map[string]string{p + "mysqlUser": "app"},
		Ops:     Ops("replace", secret, database, frontend),
		Risks:   []string{"downtime"},
		Blocked: []string{database}},
	{Name: "disk type", Stack: "dev", Set: map[string]string{p + "databaseDiskType": "pd-ssd"},
		// type is force-new on a disk, and the disk is always protected.
		// The class's parameters are force-new too; it keeps its name, so
		// it goes first, and what reads it is replaced with it: the engine
		// makes a dependent's whole top-level input (spec) unknown, and an
		// unknown spec forces a new volume, claim and StatefulSet.
		Ops:     Ops("replace", disk, class, claim, volume, database),
		Risks:   []string{"data", "downtime"},
		Blocked: []string{disk}},
	{Name: "disk type, prod", Stack: "prod", Set: map[string]string{p + "databaseDiskType": "pd-ssd"},
		Ops:     Ops("replace", prodDisk, class, claim, volume, database),
		Risks:   []string{"data", "downtime"},
		Blocked: []string{prodDisk, claim, database}},
	{Name: "storage size growth", Stack: "dev", Set: map[string]string{p + "mysqlStorageSize": "2Gi"},
		// The backup pods get room for a dump of the bigger disk.
		Ops: Ops("update", disk, volume, claim, bkpJob, rstJob)},
	{Name: "namespace", Stack: "dev",
		Set: map[string]string{p + "namespace": "translation", p + "frontendImage": "example/frontend:1.0"},
		// The volume and its class are cluster-wide: the volume follows its
		// new claim in place, and the disk is untouched.
		// The Workload Identity grant names the namespace: a new grant.
		// The new namespace carries the Pod Security labels itself;
		// default's are taken back.
		Ops:   merge(Ops("replace", namespaced...), Ops("replace", wiMember), Ops("create", namespace), Ops("update", volume), Ops("delete", nsLabels)),
		Risks: []string{"downtime"}},
	{Name: "adopted zone created, same name, prod", Stack: "prod", Set: map[string]string{p + "createDnsZone": "true"},
		// The read zone is never deleted (it was not this stack's), and a
		// zone with its name cannot be created next to it.
		Ops: Ops("create", zone), Blocked: []string{zone}},
	// The TLS floor and HSTS change in place: the policy is patched, the
	// BackendConfig updated; the load balancer keeps serving.
	{Name: "TLS profile", Stack: "dev", Set: map[string]string{p + "sslPolicyProfile": "RESTRICTED"}, Ops: Ops("update", sslPolicy)},
	// Signing is a setting of the zone: updated in place, records kept.
	{Name: "DNSSEC off", Stack: "dev", Set: map[string]string{p + "dnssec": "false"}, Ops: Ops("update", zone)},
	// A CAA record gone lets any CA issue; nothing stops resolving.
	{Name: "CAA off", Stack: "dev", Set: map[string]string{p + "caa": "false"}, Ops: Ops("delete", caa)},
	// Cloud Armor's rules are patched in place; the policy comes and goes
	// with the BackendConfig naming it (an empty name detaches it).
	{Name: "rate limit", Stack: "prod", Set: map[string]string{p + "armorRateLimit": "40"}, Ops: Ops("update", armor)},
	{Name: "WAF rules", Stack: "prod", Set: map[string]string{p + "armorWafRules": "sqli,xss"}, Ops: Ops("update", armor)},
	{Name: "Cloud Armor on", Stack: "dev", Set: map[string]string{p + "cloudArmor": "true"}, Ops: merge(Ops("create", armor, armorParent), Ops("update", backCfg))},
	{Name: "Cloud Armor off", Stack: "prod", Set: map[string]string{p + "cloudArmor": "false"}, Ops: merge(Ops("delete", armor, armorParent), Ops("update", backCfg))},
	{Name: "HSTS max-age", Stack: "dev", Set: map[string]string{p + "hstsMaxAge": "31536000"}, Ops: Ops("update", backCfg)},
	{Name: "backend replicas", Stack: "dev", Set: map[string]string{p + "backendReplicas": "2"}, Ops: Ops("update", backend)},
	{Name: "CPU request", Stack: "dev", Set: map[string]string{p + "backendCpu": "2"}, Ops: Ops("update", backend)},
	{Name: "label", Stack: "dev", Set: map[string]string{p + "labels": `{"team":"ml-platform","cost-center":"translation-dev","owner":"ana"}`},
		Ops: Ops("update", cluster, address, zone, disk, bucket)},
	{Name: "image tag", Stack: "dev", Set: map[string]string{p + "backendImage": "datatrigger/unlimited-translation_backend_fastapi:v2"},
		Ops: Ops("update", backend)},
	{Name: "release channel", Stack: "dev", Set: map[string]string{p + "releaseChannel": "RAPID"}, Ops: Ops("update", cluster)},
}

// short is a URN's type::name.
func Short(urn string) string {
	if i := strings.LastIndex(urn, "$"); i >= 0 {
		return urn[i+1:]
	}
	parts := strings.Split(urn, "::")
	return parts[len(parts)-2] + "::" + parts[len(parts)-1]
}

// Check compares a report with the scenario: operations, modes, what is
// at risk and what will fail.
func (s Scenario) Check(t *testing.T, r *report.Report) {
	t.Helper()
	s.CheckOps(t, r)
	s.checkRisks(t, r)
	var blocked []string
	for _, c := range r.Blocked() {
		blocked = append(blocked, Short(c.URN))
	}
	sort.Strings(blocked)
	wantB := append([]string{}, s.Blocked...)
	sort.Strings(wantB)
	if strings.Join(blocked, ",") != strings.Join(wantB, ",") {
		t.Errorf("will fail %v, want %v", blocked, wantB)
	}
}

// CheckOps compares operations and modes only.
func (s Scenario) CheckOps(t *testing.T, r *report.Report) {
	t.Helper()
	got := map[string]string{}
	for _, c := range r.Changes {
		if c.Op == "same" {
			continue
		}
		got[Short(c.URN)] = c.Op
		if m, ok := s.Modes[Short(c.URN)]; ok && c.Mode != m {
			t.Errorf("%s: mode %q, want %q", Short(c.URN), c.Mode, m)
		}
	}
	for k, v := range s.Ops {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	for k, v := range got {
		if _, ok := s.Ops[k]; !ok && !s.New {
			t.Errorf("%s: unexpected %q", k, v)
		}
	}
}

func (s Scenario) checkRisks(t *testing.T, r *report.Report) {
	t.Helper()
	risks := r.AtRisk()
	want := append([]string{}, s.Risks...)
	sort.Strings(want)
	if strings.Join(risks, ",") != strings.Join(want, ",") {
		t.Errorf("at risk %v, want %v", risks, want)
	}
}

// RenameAppWithAlias edits the program in a copy of the repository at dir
// so that the app component is named "unlimited-translation" on GKE, with
// its old name as an alias: the rename a maintainer would make.
func RenameAppWithAlias(dir string) error {
	return editProgram(dir, [][2]string{{
		"components.NewTranslationApp(ctx, appName, appArgs, pulumi.Providers(cluster.Provider))",
		`components.NewTranslationApp(ctx, "unlimited-translation", appArgs, pulumi.Providers(cluster.Provider), pulumi.Aliases([]pulumi.Alias{{Name: pulumi.String(appName)}}))`,
	}})
}

// RemovePublicEndpoint edits the program in a copy of the repository at
// dir so that no stack gets a public endpoint: the "removed component"
// scenario, which only a change of code can make.
func RemovePublicEndpoint(dir string) error {
	return editProgram(dir, [][2]string{
		{"AppArgs(cfg, &components.PublicEndpointArgs{", "AppArgs(cfg, nil, &components.PublicEndpointArgs{"},
		{"func AppArgs(cfg Config, public *components.PublicEndpointArgs, place", "func AppArgs(cfg Config, public, _ *components.PublicEndpointArgs, place"},
		{"AppArgs(cfg, nil, components.Placement{})", "AppArgs(cfg, nil, nil, components.Placement{})"},
	})
}

// editProgram replaces text in stacks/program.go of the copy at dir.
func editProgram(dir string, edits [][2]string) error {
	file := filepath.Join(dir, "stacks", "program.go")
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	s := string(b)
	for _, e := range edits {
		if !strings.Contains(s, e[0]) {
			return fmt.Errorf("stacks/program.go has no %q to change", e[0])
		}
		s = strings.Replace(s, e[0], e[1], 1)
	}
	return os.WriteFile(file, []byte(s), 0o644)
}

// RemovedComponent is what removing the public endpoint does to dev: the
// load balancer goes; the certificate, a project resource, stays. With no
// load balancer in front, the frontend's port is no longer limited to its
// ranges: allow-public is updated.
var RemovedComponent = Scenario{Name: "removed component", Stack: "dev",
	Ops: merge(Ops("delete", ingress, redirect, backCfg, "translation:components:PublicEndpoint::translation-public"),
		Ops("update", frontSvc, public)),
	Risks: []string{"downtime"}}

// Decode reads the change report JSON (report.JSON) back into reports,
// for tests that drive the infra binary.
func Decode(b []byte) ([]*report.Report, error) {
	var in struct {
		Kind   string `json:"kind"`
		Stacks []struct {
			Stack   string `json:"stack"`
			Error   string `json:"error"`
			Changes []struct {
				URN      string        `json:"urn"`
				Type     string        `json:"type"`
				Name     string        `json:"name"`
				Op       string        `json:"op"`
				Mode     string        `json:"mode"`
				Replaces []string      `json:"replaces"`
				Risks    []report.Risk `json:"risks"`
				Blocked  string        `json:"blocked"`
			} `json:"changes"`
		} `json:"stacks"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, err
	}
	var out []*report.Report
	for _, s := range in.Stacks {
		r := &report.Report{Kind: in.Kind, Stack: s.Stack, Err: s.Error}
		for _, c := range s.Changes {
			r.Changes = append(r.Changes, report.Change{URN: c.URN, Type: c.Type, Name: c.Name, Op: c.Op, Mode: c.Mode,
				Replaces: c.Replaces, Risks: c.Risks, Blocked: c.Blocked})
		}
		out = append(out, r)
	}
	return out, nil
}

// CopyWorkingTree copies the files git knows in repo (tracked ones, and
// new ones it does not ignore) as they are on disk into dst, so a test
// sees this working tree's program, uncommitted changes included.
func CopyWorkingTree(repo, dst string) error {
	// HEAD's files too: one removed from the index is in neither list.
	files, err := exec.Command("git", "-C", repo, "ls-files", "--cached", "--others", "--exclude-standard", "--with-tree=HEAD").Output()
	if err != nil {
		return fmt.Errorf("git ls-files in %s: %w", repo, err)
	}
	for _, f := range strings.Fields(string(files)) {
		b, err := os.ReadFile(filepath.Join(repo, f))
		if errors.Is(err, os.ErrNotExist) {
			// Deleted in the working tree (git rm'd files are not even
			// listed): the copy must not keep it.
			if err := os.Remove(filepath.Join(dst, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dst, f)), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, f), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
