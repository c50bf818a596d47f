package stacks_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/unlimited-translation/infra/internal/mockstack"
	"github.com/unlimited-translation/infra/internal/stackfile"
	"github.com/unlimited-translation/infra/stacks"
)

const (
	clusterType      = "gcp:container/cluster:Cluster"
	addressType      = "gcp:compute/globalAddress:GlobalAddress"
	recordType       = "gcp:dns/recordSet:RecordSet"
	zoneType         = "gcp:dns/managedZone:ManagedZone"
	deploymentType   = "kubernetes:apps/v1:Deployment"
	statefulSetType  = "kubernetes:apps/v1:StatefulSet"
	serviceType      = "kubernetes:core/v1:Service"
	secretType       = "kubernetes:core/v1:Secret"
	configMapType    = "kubernetes:core/v1:ConfigMap"
	ingressType      = "kubernetes:networking.k8s.io/v1:Ingress"
	certType         = "kubernetes:networking.gke.io/v1:ManagedCertificate"
	redirectType     = "kubernetes:networking.gke.io/v1beta1:FrontendConfig"
	backendCfgType   = "kubernetes:cloud.google.com/v1:BackendConfig"
	providerType     = "pulumi:providers:kubernetes"
	pvcType          = "kubernetes:core/v1:PersistentVolumeClaim"
	pvType           = "kubernetes:core/v1:PersistentVolume"
	storageClassType = "kubernetes:storage.k8s.io/v1:StorageClass"
)

// runStack runs the real program on a committed Pulumi.<stack>.yaml.
func runStack(t *testing.T, stack string) (*mockstack.Mocks, map[string]interface{}) {
	t.Helper()
	src, err := stackfile.Load("..", stack)
	if err != nil {
		t.Fatal(err)
	}
	// What `pulumi config set --secret` gives the program: plain text
	// marked secret.
	for _, k := range []string{"mysqlRootPassword", "mysqlPassword"} {
		src.Values[stacks.Project+":"+k], src.Secrets[stacks.Project+":"+k] = "test-"+k+"-4711", true
	}
	m, outputs, err := mockstack.Run(stack, src.Values, src.SecretKeys(), stacks.Program)
	if err != nil {
		t.Fatalf("%s program: %v", stack, err)
	}
	return m, outputs
}

func TestStacksClusterAndProtection(t *testing.T) {
	for _, tc := range []struct {
		stack     string
		protected bool
		channel   string
	}{{"dev", false, "REGULAR"}, {"prod", true, "STABLE"}} {
		t.Run(tc.stack, func(t *testing.T) {
			m, _ := runStack(t, tc.stack)
			c := m.Must(t, clusterType, "cluster")
			if !c.Inputs["enableAutopilot"].BoolValue() {
				t.Error("Autopilot is off")
			}
			if got := c.Inputs["deletionProtection"].BoolValue(); got != tc.protected {
				t.Errorf("deletionProtection = %v, want %v", got, tc.protected)
			}
			if got := mockstack.Str(c.Inputs, "releaseChannel.channel"); got != tc.channel {
				t.Errorf("release channel %q, want %q", got, tc.channel)
			}
			if got := mockstack.Str(c.Inputs, "workloadIdentityConfig.workloadPool"); got != "unlimited-translation-"+tc.stack+".svc.id.goog" {
				t.Errorf("workload pool %q", got)
			}
			if mockstack.Str(c.Inputs, "resourceLabels.environment") != tc.stack || mockstack.Str(c.Inputs, "resourceLabels.team") != "ml-platform" {
				t.Errorf("labels %v", c.Inputs["resourceLabels"])
			}
			// Settings that give perpetual diffs or replacements on Autopilot.
			for _, k := range []string{"nodeConfig", "dnsConfig", "defaultMaxPodsPerNode", "nodePools", "initialNodeCount"} {
				if _, set := c.Inputs[mockstackKey(k)]; set {
					t.Errorf("cluster sets %s", k)
				}
			}
			sts := m.Must(t, statefulSetType, "translation-database")
			if sts.Request.GetProtect() != tc.protected {
				t.Errorf("database protect = %v, want %v", sts.Request.GetProtect(), tc.protected)
			}
		})
	}
}

// The data is a Compute Engine disk outside the cluster, always protected,
// bound through a static volume that keeps it; dev zonal, prod regional.
func TestStacksDataDisk(t *testing.T) {
	for _, tc := range []struct {
		stack, diskType, handle string
		zones                   []string
		sizeGb                  float64
		protectedClaim          bool
	}{
		{"dev", "gcp:compute/disk:Disk", "projects/unlimited-translation-dev/zones/europe-west1-b/disks/translation-dev-mysql-data",
			[]string{"europe-west1-b"}, 1, false},
		{"prod", "gcp:compute/regionDisk:RegionDisk", "projects/unlimited-translation-prod/regions/europe-west1/disks/translation-prod-mysql-data",
			[]string{"europe-west1-b", "europe-west1-c"}, 10, true},
	} {
		t.Run(tc.stack, func(t *testing.T) {
			m, outputs := runStack(t, tc.stack)
			disk := m.Must(t, tc.diskType, "database-disk")
			if !disk.Request.GetProtect() {
				t.Error("the data disk is not protected")
			}
			if got := disk.Inputs["size"].NumberValue(); got != tc.sizeGb {
				t.Errorf("disk size %v GB, want %v", got, tc.sizeGb)
			}
			if got := mockstack.Str(disk.Inputs, "type"); got != "pd-balanced" {
				t.Errorf("disk type %q", got)
			}
			if got := mockstack.Str(disk.Inputs, "labels.environment"); got != tc.stack {
				t.Errorf("disk label environment %q", got)
			}
			if len(tc.zones) == 2 && fmt.Sprint(disk.Inputs["replicaZones"].ArrayValue()) != fmt.Sprint([]interface{}{"europe-west1-b", "europe-west1-c"}) &&
				mockstack.Str(disk.Inputs, "replicaZones.0") != tc.zones[0] {
				t.Errorf("replica zones %v", disk.Inputs["replicaZones"])
			}
			if len(tc.zones) == 1 && mockstack.Str(disk.Inputs, "zone") != tc.zones[0] {
				t.Errorf("zone %q", mockstack.Str(disk.Inputs, "zone"))
			}
			if outputs["databaseDisk"] != tc.handle {
				t.Errorf("databaseDisk output %v, want %s", outputs["databaseDisk"], tc.handle)
			}

			pv := m.Must(t, pvType, "translation-database-data")
			mockstack.Expect(t, "volume", pv.Inputs, map[string]string{
				"spec.csi.driver":                    "pd.csi.storage.gke.io",
				"spec.csi.volumeHandle":              tc.handle,
				"spec.csi.fsType":                    "ext4",
				"spec.persistentVolumeReclaimPolicy": "Retain",
				"spec.claimRef.name":                 "mysql-stateful-data",
				"spec.claimRef.namespace":            "default",
				"spec.storageClassName":              "mysql-stateful-data",
				"spec.capacity.storage":              fmt.Sprintf("%vGi", tc.sizeGb),
				"spec.nodeAffinity.required.nodeSelectorTerms.0.matchExpressions.0.key": "topology.gke.io/zone",
			})
			for i, z := range tc.zones {
				if got := mockstack.Str(pv.Inputs, fmt.Sprintf("spec.nodeAffinity.required.nodeSelectorTerms.0.matchExpressions.0.values.%d", i)); got != z {
					t.Errorf("volume affinity zone %d = %q, want %q", i, got, z)
				}
			}
			sc := m.Must(t, storageClassType, "translation-database-data")
			if !sc.Inputs["allowVolumeExpansion"].BoolValue() || mockstack.Str(sc.Inputs, "provisioner") != "pd.csi.storage.gke.io" || mockstack.Str(sc.Inputs, "reclaimPolicy") != "Retain" {
				t.Errorf("storage class %v", sc.Inputs)
			}
			pvc := m.Must(t, pvcType, "translation-database-data")
			if mockstack.Str(pvc.Inputs, "spec.volumeName") != "mysql-stateful-data" || mockstack.Str(pvc.Inputs, "spec.storageClassName") != "mysql-stateful-data" {
				t.Errorf("claim does not name its volume and class: %v", pvc.Inputs["spec"])
			}
			if pvc.Request.GetProtect() != tc.protectedClaim || pvc.Request.GetRetainOnDelete() {
				t.Errorf("claim protect=%v retainOnDelete=%v", pvc.Request.GetProtect(), pvc.Request.GetRetainOnDelete())
			}
			sts := m.Must(t, statefulSetType, "translation-database")
			if _, has := sts.Inputs["spec"].ObjectValue()["volumeClaimTemplates"]; has {
				t.Error("the StatefulSet still makes its own claims")
			}
			if got := mockstack.Str(sts.Inputs, "spec.template.spec.volumes.1.persistentVolumeClaim.claimName"); got != "mysql-stateful-data" {
				t.Errorf("the pod mounts claim %q", got)
			}
		})
	}
}

func TestStacksIngressBindsAddressAndCertificateMatchesDNS(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			m, outputs := runStack(t, stack)
			addr := m.Must(t, addressType, "address")
			ing := m.Must(t, ingressType, "translation-public")
			ann := ing.Inputs["metadata"].ObjectValue()["annotations"].ObjectValue()
			if got := ann["kubernetes.io/ingress.global-static-ip-name"].StringValue(); got != addr.Inputs["name"].StringValue() {
				t.Errorf("Ingress static IP %q, address name %q", got, addr.Inputs["name"].StringValue())
			}
			// The certificate is a project resource that outlives the
			// cluster (sleep and wake keep it), named by the Ingress.
			cert := m.Must(t, "gcp:compute/managedSslCertificate:ManagedSslCertificate", "certificate")
			if got := ann["ingress.gcp.kubernetes.io/pre-shared-cert"].StringValue(); got != mockstack.Str(cert.Inputs, "name") || got == "" {
				t.Errorf("Ingress certificate annotation %q, certificate %q", got, mockstack.Str(cert.Inputs, "name"))
			}
			if _, ok := ann["networking.gke.io/managed-certificates"]; ok || len(m.ByType(certType)) != 0 {
				t.Error("a ManagedCertificate object is still made: it would die with the cluster")
			}
			if outputs["certificate"] != mockstack.Str(cert.Inputs, "name") {
				t.Errorf("certificate output %v", outputs["certificate"])
			}
			if ann["networking.gke.io/v1beta1.FrontendConfig"].StringValue() != "ssl-redirect" {
				t.Errorf("Ingress annotations %v", ann)
			}
			if _, ok := ann["kubernetes.io/ingress.class"]; ok || ing.Inputs["spec"].ObjectValue().HasValue("ingressClassName") {
				t.Error("Ingress names a class: GKE's default (external gce) must take it")
			}
			var domains []string
			for _, d := range cert.Inputs["managed"].ObjectValue()["domains"].ArrayValue() {
				domains = append(domains, d.StringValue())
			}
			var records []string
			var caa []mockstack.Resource
			for _, r := range m.ByType(recordType) {
				if r.Inputs["type"].StringValue() == "CAA" {
					caa = append(caa, r)
					continue
				}
				records = append(records, strings.TrimSuffix(r.Inputs["name"].StringValue(), "."))
				if r.Inputs["type"].StringValue() != "A" {
					t.Errorf("record %s is neither A nor CAA", r.Name)
				}
			}
			sort.Strings(domains)
			sort.Strings(records)
			if strings.Join(domains, ",") != strings.Join(records, ",") || len(domains) != 2 || !strings.HasPrefix(domains[1], "www.") {
				t.Errorf("certificate domains %v, DNS records %v", domains, records)
			}
			// One CAA record at the domain covers it and every name below
			// (www, mlflow): only Google's CA and Let's Encrypt may issue.
			if len(caa) != 1 {
				t.Fatalf("%d CAA records, want 1", len(caa))
			}
			mockstack.Expect(t, "CAA record", caa[0].Inputs, map[string]string{
				"name": domains[0] + ".", "type": "CAA",
				"rrdatas.0": `0 issue "pki.goog"`, "rrdatas.1": `0 issue "letsencrypt.org"`,
			})
			if n, ttl := len(caa[0].Inputs["rrdatas"].ArrayValue()), caa[0].Inputs["ttl"].NumberValue(); n != 2 || ttl != 3600 {
				t.Errorf("CAA record has %d values and TTL %g, want 2 and 3600", n, ttl)
			}
			if outputs["url"] != "https://"+domains[0] {
				t.Errorf("url output %v", outputs["url"])
			}
			// Public routes: the form and static files only; /query_db and a
			// catch-all default backend stay unreachable.
			for _, rule := range ing.Inputs["spec"].ObjectValue()["rules"].ArrayValue() {
				var paths []string
				for _, p := range rule.ObjectValue()["http"].ObjectValue()["paths"].ArrayValue() {
					po := p.ObjectValue()
					paths = append(paths, po["path"].StringValue()+" "+po["pathType"].StringValue())
					if svc := mockstack.Str(po, "backend.service.name"); svc != "translation-backend" {
						t.Errorf("path routes to %q", svc)
					}
				}
				if strings.Join(paths, ",") != "/ Exact,/static Prefix" {
					t.Errorf("Ingress paths %v", paths)
				}
			}
			if _, ok := ing.Inputs["spec"].ObjectValue()["defaultBackend"]; ok {
				t.Error("Ingress has a default backend: every path would reach the frontend")
			}
			if to := ing.Request.GetCustomTimeouts(); to.GetCreate() != "30m" {
				t.Errorf("Ingress create timeout %q", to.GetCreate())
			}
			redirect := m.Must(t, redirectType, "translation-public-redirect")
			if v, _ := mockstack.Path(redirect.Inputs, "spec.redirectToHttps.enabled"); !v.IsBool() || !v.BoolValue() {
				t.Error("FrontendConfig does not redirect to HTTPS")
			}
			m.Must(t, backendCfgType, "translation-public-backendconfig")
			fe := m.Must(t, serviceType, "translation-frontend")
			feAnn := fe.Inputs["metadata"].ObjectValue()["annotations"].ObjectValue()
			if got := feAnn["cloud.google.com/backend-config"].StringValue(); got != `{"default":"translation-backendconfig"}` {
				t.Errorf("frontend Service backend-config annotation %q", got)
			}
		})
	}
}

func TestStacksCompatibleNamesAndWiring(t *testing.T) {
	m, _ := runStack(t, "dev")
	want := []struct{ typ, res, name string }{
		{deploymentType, "translation-backend", "backend-fastapi-deploy"},
		{serviceType, "translation-backend", "backend-fastapi-service"},
		{deploymentType, "translation-frontend", "frontend-flask-deploy"},
		{serviceType, "translation-frontend", "translation-backend"},
		{statefulSetType, "translation-database", "mysql-stateful"},
		{serviceType, "translation-database", "mysql-headless"},
		{secretType, "translation-database", "mysql-db-secret"},
		{configMapType, "translation-database-initdb", "mysql-initdb-configmap"},
		{ingressType, "translation-public", "translation-web"},
		{redirectType, "translation-public-redirect", "ssl-redirect"},
	}
	for _, w := range want {
		r := m.Must(t, w.typ, w.res)
		if got := mockstack.Str(r.Inputs, "metadata.name"); got != w.name {
			t.Errorf("%s %s named %q, want %q", w.typ, w.res, got, w.name)
		}
		if got := mockstack.Str(r.Inputs, "metadata.namespace"); got != "default" {
			t.Errorf("%s in namespace %q", w.name, got)
		}
		if !strings.Contains(r.Provider, providerType+"::cluster") {
			t.Errorf("%s uses provider %q, not the cluster's", w.name, r.Provider)
		}
	}
	if got := mockstack.Str(m.Must(t, serviceType, "translation-frontend").Inputs, "spec.type"); got != "NodePort" {
		t.Errorf("frontend Service type %q", got)
	}
	if got := mockstack.Str(m.Must(t, serviceType, "translation-backend").Inputs, "spec.type"); got != "ClusterIP" {
		t.Errorf("backend Service type %q", got)
	}
	db := m.Must(t, serviceType, "translation-database")
	if mockstack.Str(db.Inputs, "spec.clusterIP") != "None" {
		t.Error("MySQL Service is not headless")
	}
	sts := m.Must(t, statefulSetType, "translation-database")
	if mockstack.Str(sts.Inputs, "spec.serviceName") != "mysql-headless" {
		t.Error("StatefulSet serviceName")
	}
	if mockstack.Str(m.Must(t, pvcType, "translation-database-data").Inputs, "spec.resources.requests.storage") != "1Gi" {
		t.Error("volume claim size")
	}
	cm := m.Must(t, configMapType, "translation-database-initdb")
	if !strings.Contains(cm.Inputs["data"].ObjectValue()["initdb.sql"].StringValue(), "CREATE TABLE IF NOT EXISTS translations") {
		t.Error("init SQL missing")
	}
}

func TestStacksSecretsStaySecret(t *testing.T) {
	m, outputs := runStack(t, "dev")
	sec := m.Must(t, secretType, "translation-database")
	sd := sec.Inputs["stringData"]
	if sd.IsSecret() {
		sd = sd.SecretValue().Element // the whole map is secret: fine
	} else {
		for _, k := range []string{"MYSQL_ROOT_PASSWORD", "MYSQL_PASSWORD"} {
			if !sd.ObjectValue()[mockstackKey(k)].IsSecret() {
				t.Errorf("Secret %s is not marked secret", k)
			}
		}
	}
	if got := sd.ObjectValue()["MYSQL_USER"]; !got.IsString() || got.StringValue() != "translation" {
		t.Errorf("MYSQL_USER %v", got)
	}
	fe := m.Must(t, deploymentType, "translation-frontend")
	env := map[string]string{}
	for i := 0; i < 3; i++ {
		name := mockstack.Str(fe.Inputs, "spec.template.spec.containers.0.env."+itoa(i)+".name")
		ref := mockstack.Str(fe.Inputs, "spec.template.spec.containers.0.env."+itoa(i)+".valueFrom.secretKeyRef.name") + "/" +
			mockstack.Str(fe.Inputs, "spec.template.spec.containers.0.env."+itoa(i)+".valueFrom.secretKeyRef.key")
		env[name] = ref
	}
	if env["DB_USER"] != "mysql-db-secret/MYSQL_USER" || env["DB_PASSWORD"] != "mysql-db-secret/MYSQL_PASSWORD" {
		t.Errorf("frontend env from Secret: %v", env)
	}
	prov := m.Must(t, providerType, "cluster")
	if !prov.Inputs["kubeconfig"].IsSecret() {
		t.Error("provider kubeconfig is not secret")
	}
	if !strings.Contains(mockstack.Str(prov.Inputs, "kubeconfig"), "command: gke-gcloud-auth-plugin") {
		t.Error("kubeconfig does not use gke-gcloud-auth-plugin")
	}
	if mockstack.Str(prov.Inputs, "clusterIdentifier") == "" {
		t.Error("provider has no clusterIdentifier")
	}
	for _, k := range []string{"url", "address", "nameServers", "clusterName", "kubeconfig", "dnsZone"} {
		if outputs[k] == nil {
			t.Errorf("stack output %s missing", k)
		}
	}
}

func TestStacksRequestsAndProbes(t *testing.T) {
	for _, tc := range []struct {
		stack              string
		backendCPU, memory string
		replicas           float64
	}{{"dev", "1", "2Gi", 1}, {"prod", "2", "4Gi", 2}} {
		t.Run(tc.stack, func(t *testing.T) {
			m, _ := runStack(t, tc.stack)
			be := m.Must(t, deploymentType, "translation-backend")
			c := "spec.template.spec.containers.0."
			if got := mockstack.Str(be.Inputs, c+"resources.requests.cpu"); got != tc.backendCPU {
				t.Errorf("backend cpu %q", got)
			}
			if got := mockstack.Str(be.Inputs, c+"resources.requests.memory"); got != tc.memory {
				t.Errorf("backend memory %q", got)
			}
			if v, _ := mockstack.Path(be.Inputs, "spec.replicas"); v.NumberValue() != tc.replicas {
				t.Errorf("backend replicas %v", v)
			}
			if _, ok := mockstack.Path(be.Inputs, c+"resources.limits"); ok {
				t.Error("limits set: Autopilot rewrites them")
			}
			if mockstack.Str(be.Inputs, c+"startupProbe.httpGet.path") != "/" {
				t.Error("backend has no startup probe")
			}
			if v, _ := mockstack.Path(be.Inputs, c+"startupProbe.failureThreshold"); v.NumberValue()*10 < 300 {
				t.Error("backend startup probe allows less than 5 minutes")
			}
			fe := m.Must(t, deploymentType, "translation-frontend")
			if mockstack.Str(fe.Inputs, c+"readinessProbe.httpGet.path") != "/" || mockstack.Str(fe.Inputs, c+"livenessProbe.httpGet.path") != "/" {
				t.Error("frontend probes")
			}
			for _, r := range append(m.ByType(deploymentType), m.ByType(statefulSetType)...) {
				if mockstack.Str(r.Inputs, c+"resources.requests.ephemeral-storage") == "" {
					t.Errorf("%s has no ephemeral-storage request", r.Name)
				}
				img := mockstack.Str(r.Inputs, c+"image")
				if tc.stack == "prod" && (strings.HasSuffix(img, ":latest") || !strings.Contains(img, ":")) {
					t.Errorf("prod image %q is not pinned", img)
				}
			}
		})
	}
}

func TestStacksTeardownOrder(t *testing.T) {
	m, _ := runStack(t, "dev")
	// Objects that own cloud resources are deleted explicitly.
	owns := map[string]bool{
		statefulSetType + "/translation-database":    true,
		ingressType + "/translation-public":          true,
		certType + "/translation-public-certificate": true,
		serviceType + "/translation-frontend":        true,
	}
	for _, r := range m.Resources {
		if !r.Custom || !strings.HasPrefix(r.Type, "kubernetes:") {
			continue
		}
		dw := r.Request.GetDeletedWith()
		if owns[r.Type+"/"+r.Name] {
			if dw != "" {
				t.Errorf("%s %s owns cloud resources but is deleted with %s", r.Type, r.Name, dw)
			}
		} else if !strings.HasSuffix(dw, clusterType+"::cluster") {
			t.Errorf("%s %s lives only in the cluster but deletedWith=%q", r.Type, r.Name, dw)
		}
	}
	// Address and DNS never wait for the cluster.
	for _, r := range append(m.ByType(recordType), m.ByType(zoneType)...) {
		for _, dep := range r.Request.GetDependencies() {
			if strings.Contains(dep, "Cluster") {
				t.Errorf("%s depends on the cluster", r.Name)
			}
		}
	}
}

func TestStacksDNSZoneCreatedOrAdopted(t *testing.T) {
	dev, _ := runStack(t, "dev")
	if z := dev.Must(t, zoneType, "dns"); z.Read || z.Inputs["dnsName"].StringValue() != "dev.translate.example.com." {
		t.Errorf("dev zone: read=%v dnsName=%v", z.Read, z.Inputs["dnsName"])
	}
	prod, outputs := runStack(t, "prod")
	if z := prod.Must(t, zoneType, "dns"); !z.Read {
		t.Error("prod zone should be adopted (read), not created")
	}
	if outputs["dnsZone"] != "example-com" {
		t.Errorf("prod dnsZone output %v", outputs["dnsZone"])
	}
}

// The committed stack files hold nothing a user cannot use: no secret
// (encrypted or not), no placeholder ciphertext, no encryption salt; the
// comments say which secrets to set.
func TestStackFilesHoldNoSecrets(t *testing.T) {
	for _, stack := range []string{"dev", "prod", "local"} {
		b, err := os.ReadFile(filepath.Join("..", "Pulumi."+stack+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"secure:", "encryptionsalt", "encryptedkey", "mysqlRootPassword:", "mysqlPassword:"} {
			if strings.Contains(string(b), bad) {
				t.Errorf("Pulumi.%s.yaml holds %q", stack, bad)
			}
		}
		for _, k := range []string{"mysqlRootPassword", "mysqlPassword"} {
			if !strings.Contains(string(b), "pulumi config set --secret "+k) {
				t.Errorf("Pulumi.%s.yaml does not say how to set %s", stack, k)
			}
		}
	}
}

func TestLocalStackHasNoCloudResources(t *testing.T) {
	m, outputs := runStack(t, "local")
	for _, r := range m.Resources {
		if strings.HasPrefix(r.Type, "gcp:") || r.Type == ingressType || r.Type == certType {
			t.Errorf("local stack creates %s %s", r.Type, r.Name)
		}
		if r.Custom && strings.HasPrefix(r.Type, "kubernetes:") {
			if !strings.Contains(r.Provider, providerType+"::local") {
				t.Errorf("%s uses provider %q", r.Name, r.Provider)
			}
			if r.Request.GetDeletedWith() != "" {
				t.Errorf("%s deleted with %s on a local cluster", r.Name, r.Request.GetDeletedWith())
			}
		}
	}
	fe := m.Must(t, serviceType, "translation-frontend")
	if mockstack.Str(fe.Inputs, "spec.type") != "NodePort" {
		t.Error("frontend not exposed by a NodePort")
	}
	if _, ok := mockstack.Path(fe.Inputs, "metadata.annotations"); ok {
		t.Error("frontend carries GKE annotations on a local cluster")
	}
	be := m.Must(t, deploymentType, "translation-backend")
	if got := mockstack.Str(be.Inputs, "spec.template.spec.containers.0.resources.requests.cpu"); got != "250m" {
		t.Errorf("local backend cpu %q", got)
	}
	if _, ok := mockstack.Path(m.Must(t, pvcType, "translation-database-data").Inputs, "spec.storageClassName"); ok {
		t.Error("local volume names a StorageClass instead of the cluster default")
	}
	if outputs["frontendService"] != "translation-backend" {
		t.Errorf("outputs %v", outputs)
	}
}

// prod scales the backend between 2 and 4 pods at 70 % CPU; dev keeps a
// fixed count. Both stacks get budgets and network policies.
func TestStacksAutoscalingAndPolicies(t *testing.T) {
	for _, tc := range []struct {
		stack    string
		min, max float64
	}{{"dev", 0, 0}, {"prod", 2, 4}} {
		t.Run(tc.stack, func(t *testing.T) {
			m, _ := runStack(t, tc.stack)
			hpas := m.ByType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler")
			if tc.max == 0 {
				if len(hpas) != 0 {
					t.Errorf("dev has %d autoscalers", len(hpas))
				}
			} else {
				if len(hpas) != 1 {
					t.Fatalf("%d autoscalers, want 1", len(hpas))
				}
				spec := hpas[0].Inputs["spec"].ObjectValue()
				target, _ := mockstack.Path(hpas[0].Inputs, "spec.metrics.0.resource.target.averageUtilization")
				if spec["minReplicas"].NumberValue() != tc.min || spec["maxReplicas"].NumberValue() != tc.max || target.NumberValue() != 70 {
					t.Errorf("autoscaler %v", spec)
				}
			}
			if n := len(m.ByType("kubernetes:policy/v1:PodDisruptionBudget")); n != 2 {
				t.Errorf("%d disruption budgets, want 2 (frontend, backend)", n)
			}
			// Deny in, deny out, DNS out, public in; backend and MySQL
			// from the frontend, MySQL from the backup jobs, each in and
			// out; the backup jobs out to Google: 4 + 3×2 + 1.
			if n := len(m.ByType("kubernetes:networking.k8s.io/v1:NetworkPolicy")); n != 11 {
				t.Errorf("%d network policies, want 11", n)
			}
		})
	}
}

// A fresh project works: the APIs are enabled by the program, never
// disabled on destroy, and the cluster waits for them.
func TestStacksEnableAPIs(t *testing.T) {
	m, _ := runStack(t, "dev")
	svcs := m.ByType("gcp:projects/service:Service")
	var names []string
	for _, s := range svcs {
		names = append(names, mockstack.Str(s.Inputs, "service"))
		if s.Inputs["disableOnDestroy"].BoolValue() || mockstack.Str(s.Inputs, "project") != "unlimited-translation-dev" {
			t.Errorf("%s: disableOnDestroy %v, project %q", s.Name, s.Inputs["disableOnDestroy"], mockstack.Str(s.Inputs, "project"))
		}
	}
	sort.Strings(names)
	want := "artifactregistry.googleapis.com compute.googleapis.com container.googleapis.com dns.googleapis.com iam.googleapis.com iamcredentials.googleapis.com storage.googleapis.com"
	if strings.Join(names, " ") != want {
		t.Errorf("APIs %v, want %s", names, want)
	}
	for _, r := range []struct{ typ, name string }{{clusterType, "cluster"}, {"gcp:compute/disk:Disk", "database-disk"}} {
		deps := m.Must(t, r.typ, r.name).Request.GetDependencies()
		if !slices.ContainsFunc(deps, func(u string) bool { return strings.HasSuffix(u, "gcp:projects/service:Service::apis-container") }) {
			t.Errorf("%s does not wait for the APIs: %v", r.name, deps)
		}
	}
}

// With caa off, the domain gets its A records and no CAA record (a name
// whose CAA the user manages elsewhere).
func TestStacksCAAOff(t *testing.T) {
	src, err := stackfile.Load("..", "dev")
	if err != nil {
		t.Fatal(err)
	}
	src.Values[stacks.Project+":caa"] = "false"
	for _, k := range []string{"mysqlRootPassword", "mysqlPassword"} {
		src.Values[stacks.Project+":"+k], src.Secrets[stacks.Project+":"+k] = "test-"+k+"-4711", true
	}
	m, _, err := mockstack.Run("dev", src.Values, src.SecretKeys(), stacks.Program)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, r := range m.ByType(recordType) {
		types = append(types, r.Inputs["type"].StringValue())
	}
	if strings.Join(types, ",") != "A,A" {
		t.Errorf("record types %v, want the two A records only", types)
	}
}
