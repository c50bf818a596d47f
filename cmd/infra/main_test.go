package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// infra runs the CLI in process from the repository root.
func infra(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(append(args, "--dir", "../.."), &out, &errOut)
	return out.String(), errOut.String(), code
}

// ciphertexts are the encrypted values in the stack files: no output may
// contain them (the plan never decrypts, and never prints what it holds).
func ciphertexts(t *testing.T) []string {
	t.Helper()
	var cts []string
	for _, stack := range []string{"dev", "prod", "local"} {
		b, err := os.ReadFile("../../Pulumi." + stack + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if i := strings.Index(line, "secure: "); i >= 0 {
				cts = append(cts, strings.TrimSpace(line[i+len("secure: "):]))
			}
		}
	}
	// The committed files hold none (TestStackFilesHoldNoSecrets); a
	// user's may: TestPlanOfEncryptedValues covers those.
	return cts
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	for _, ct := range ciphertexts(t) {
		if bytes.Contains(got, []byte(ct)) {
			t.Fatalf("%s holds an encrypted config value", name)
		}
	}
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/infra -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (if the change is intended: go test ./cmd/infra -update)\n%s", name, firstDiff(string(want), string(got)))
	}
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl
		}
	}
	return ""
}

func TestPlanGolden(t *testing.T) {
	for _, stack := range []string{"dev", "prod", "local"} {
		for _, format := range []struct{ flag, ext string }{{"", "txt"}, {"--json", "json"}, {"--graph", "mmd"}} {
			args := []string{"plan", "--stack", stack}
			if format.flag != "" {
				args = append(args, format.flag)
			}
			out, errOut, code := infra(t, args...)
			if code != 0 {
				t.Fatalf("%v: exit %d: %s", args, code, errOut)
			}
			again, _, _ := infra(t, args...)
			if again != out {
				t.Errorf("%v: two runs differ", args)
			}
			checkGolden(t, stack+"."+format.ext, []byte(out))
		}
		dir := t.TempDir()
		if _, errOut, code := infra(t, "plan", "--stack", stack, "--manifests", dir); code != 0 {
			t.Fatalf("manifests: exit %d: %s", code, errOut)
		}
		files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no manifests written: %v", err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, filepath.Join(stack+"-manifests", filepath.Base(f)), b)
		}
		if !*update {
			golden, _ := filepath.Glob(filepath.Join("testdata", stack+"-manifests", "*.yaml"))
			if len(golden) != len(files) {
				t.Errorf("%s: %d manifests written, %d golden", stack, len(files), len(golden))
			}
		}
	}
}

func TestPlanShowsSecretsAndUnknowns(t *testing.T) {
	out, _, code := infra(t, "plan", "--stack", "dev")
	if code != 0 {
		t.Fatal(out)
	}
	for _, want := range []string{
		"stringData.MYSQL_PASSWORD = [secret]",
		"kubeconfig = [secret]",
		"address = (known after apply)",
		"rrdatas[0] = (known after apply)",
		`metadata.annotations.kubernetes.io/ingress.global-static-ip-name = "translation-dev-ip"`,
		// 48 before backups, + bucket and its component (2), the backup
		// identity with its account and 3 grants (5), the DatabaseBackup
		// with its service account, scripts and 2 CronJobs (5), the
		// mysql-from-backup policy (1) and the IAM API (1): 62; + the network
		// with its VPC and subnet (3, no NAT in dev) and the node identity
		// with its account and 2 grants (4): 69; the certificate as a
		// project resource with its component (2) instead of the
		// ManagedCertificate object (1): 70. 66 before egress was
		// restricted; + deny egress, DNS, the three allowed pairs' egress
		// and the backup jobs' Google egress (6), and the Pod Security
		// labels on namespace default (1): 73; + the SSL policy and its
		// component (2): 75; + the CAA record (1): 76; + the backup
		// account's Secret (1): 77.
		"Plan for stack \"dev\" of unlimited-translation: 77 to create, 0 to read",
		`metadata.annotations.iam.gke.io/gcp-service-account = "mysql-backup-dev@unlimited-translation-dev.iam.gserviceaccount.com"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q", want)
		}
	}
	prod, _, _ := infra(t, "plan", "--stack", "prod")
	if !strings.Contains(prod, "<= dns (gcp:dns/managedZone:ManagedZone) read projects/unlimited-translation-prod/managedZones/example-com") {
		t.Error("prod plan does not show the adopted zone as a read")
	}
	for _, want := range []string{
		"+ translation-database (kubernetes:apps/v1:StatefulSet)\n            [protect, timeout.create=20m, timeout.update=20m]",
		"+ translation-database-data (kubernetes:core/v1:PersistentVolumeClaim)\n            [protect, deletedWith=cluster]",
		"+ database-disk (gcp:compute/regionDisk:RegionDisk)\n          [protect]",
	} {
		if !strings.Contains(prod, want) {
			t.Errorf("prod plan does not show the protected database: no %q", want)
		}
	}
}

func TestPlanErrors(t *testing.T) {
	bad := t.TempDir()
	copyFile(t, "../../Pulumi.yaml", filepath.Join(bad, "Pulumi.yaml"))
	writeFile(t, filepath.Join(bad, "Pulumi.broken.yaml"), "config: [unclosed\n")
	writeFile(t, filepath.Join(bad, "Pulumi.bad.yaml"), `config:
  gcp:project: my-project-123
  unlimited-translation:domain: https://example.com
  unlimited-translation:backendImage: registry.example.com/backend:1.0.0
  unlimited-translation:mysqlRootPassword:
    secure: v1:abc:def
  unlimited-translation:mysqlPassword:
    secure: v1:abc:def
`)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown stack", []string{"plan", "--stack", "staging", "--dir", "../.."}, 1, `unknown stack "staging": no Pulumi.staging.yaml (known stacks: dev, local, prod)`},
		{"misspelled stack", []string{"plan", "--stack", "prdo", "--dir", "../.."}, 1, `unknown stack "prdo": no Pulumi.prdo.yaml (did you mean prod? known stacks: dev, local, prod)`},
		{"invalid config", []string{"plan", "--stack", "bad", "--dir", bad}, 1, `config domain "https://example.com" must be a host name only, without scheme or path (fix: pulumi config set domain translate.example.com --stack bad)`},
		{"unreadable config", []string{"plan", "--stack", "broken", "--dir", bad}, 1, "Pulumi.broken.yaml is not valid YAML"},
		{"no project", []string{"plan", "--stack", "dev", "--dir", t.TempDir()}, 1, "no Pulumi.yaml in"},
		{"unknown flag", []string{"plan", "--stack", "dev", "--frobnicate"}, 2, "unknown flag: --frobnicate"},
		{"misspelled flag", []string{"plan", "--stak", "dev"}, 2, "unknown flag: --stak (did you mean --stack?)"},
		{"misspelled engine flag", []string{"up", "--stack", "dev", "--yse"}, 2, "unknown flag: --yse (did you mean --yes?)"},
		{"missing stack", []string{"plan"}, 2, "--stack is required"},
		{"two formats", []string{"plan", "--stack", "dev", "--json", "--graph"}, 2, "choose one of"},
		{"stray argument", []string{"plan", "dev"}, 2, "did you mean --stack dev?"},
		{"unknown command", []string{"deploy"}, 2, `unknown command "deploy"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(tc.args, &out, &errOut)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, errOut.String())
			}
			msg := errOut.String()
			if !strings.HasPrefix(msg, "infra: ") || !strings.Contains(msg, tc.want) {
				t.Errorf("stderr %q, want it to contain %q", msg, tc.want)
			}
			for _, trace := range []string{"goroutine ", "panic", ".go:"} {
				if strings.Contains(msg, trace) {
					t.Errorf("stderr shows a trace: %q", msg)
				}
			}
			if out.Len() != 0 {
				t.Errorf("stdout not empty on error: %q", out.String())
			}
		})
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, to, string(b))
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkPlanProd measures one whole offline plan of the prod stack
// (config load, validation, evaluation, JSON rendering). Target: under
// 300 ms per plan and under 100 MB peak.
func BenchmarkPlanProd(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var out, errOut bytes.Buffer
		if code := run([]string{"plan", "--stack", "prod", "--json", "--dir", "../.."}, &out, &errOut); code != 0 {
			b.Fatal(errOut.String())
		}
	}
}

func TestPlanJSONDependenciesAndOptions(t *testing.T) {
	out, errOut, code := infra(t, "plan", "--stack", "prod", "--json")
	if code != 0 {
		t.Fatal(errOut)
	}
	var p struct {
		SchemaVersion int `json:"schemaVersion"`
		Resources     []struct {
			URN       string   `json:"urn"`
			Type      string   `json:"type"`
			Name      string   `json:"name"`
			Provider  string   `json:"provider"`
			Operation string   `json:"operation"`
			DependsOn []string `json:"dependsOn"`
			Options   struct {
				Protect        bool              `json:"protect"`
				DeletedWith    string            `json:"deletedWith"`
				CustomTimeouts map[string]string `json:"customTimeouts"`
			} `json:"options"`
		} `json:"resources"`
		Outputs map[string]interface{} `json:"outputs"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	byName := map[string]int{}
	for i, r := range p.Resources {
		byName[r.Type+"/"+r.Name] = i
	}
	addr := p.Resources[byName["gcp:compute/globalAddress:GlobalAddress/address"]]
	ing := p.Resources[byName["kubernetes:networking.k8s.io/v1:Ingress/translation-public"]]
	if !slices.Contains(ing.DependsOn, addr.URN) {
		t.Errorf("Ingress dependsOn %v lacks the address (an input dependency)", ing.DependsOn)
	}
	if ing.Options.CustomTimeouts["create"] != "30m" {
		t.Errorf("Ingress timeouts %v", ing.Options.CustomTimeouts)
	}
	if !strings.HasSuffix(ing.Provider, "pulumi:providers:kubernetes::cluster") || addr.Provider == "" {
		t.Errorf("providers: ingress %q, address %q", ing.Provider, addr.Provider)
	}
	sts := p.Resources[byName["kubernetes:apps/v1:StatefulSet/translation-database"]]
	if !sts.Options.Protect || sts.Options.DeletedWith != "" {
		t.Errorf("prod StatefulSet options %+v", sts.Options)
	}
	if zone := p.Resources[byName["gcp:dns/managedZone:ManagedZone/dns"]]; zone.Operation != "read" {
		t.Errorf("prod zone operation %q", zone.Operation)
	}
	if p.Outputs["kubeconfig"] != "[secret]" || p.Outputs["address"] != "(known after apply)" {
		t.Errorf("outputs %v", p.Outputs)
	}
}

func TestPlanManifestsAreKubernetesObjects(t *testing.T) {
	dir := t.TempDir()
	if _, errOut, code := infra(t, "plan", "--stack", "dev", "--manifests", dir); code != 0 {
		t.Fatal(errOut)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	kinds := map[string]bool{}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		var obj map[string]interface{}
		if err := yaml.Unmarshal(b, &obj); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		kind, _ := obj["kind"].(string)
		meta, _ := obj["metadata"].(map[string]interface{})
		if obj["apiVersion"] == "" || kind == "" || meta["name"] == "" {
			t.Errorf("%s lacks apiVersion/kind/metadata.name", f)
		}
		kinds[kind] = true
	}
	for _, k := range []string{"Deployment", "StatefulSet", "Service", "Secret", "ConfigMap", "Ingress", "FrontendConfig", "BackendConfig", "PersistentVolume", "PersistentVolumeClaim", "StorageClass", "PodDisruptionBudget", "NetworkPolicy", "CronJob", "ServiceAccount", "Namespace"} {
		if !kinds[k] {
			t.Errorf("no %s manifest", k)
		}
	}
	// 12 of the app (the certificate is no cluster object), the data disk's static volume and its class,
	// 2 disruption budgets, 11 network policies, the backup's service account, scripts and 2 CronJobs,
	// the backup account's Secret, and namespace default's Pod Security labels.
	if len(files) != 33 {
		t.Errorf("%d manifests, want 33", len(files))
	}
}
