package stacks

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// pinned is a digest in the form production requires (a test value).
const pinned = "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// validSource is a complete, valid config for stack; tests mutate a copy.
func validSource() MapSource {
	return MapSource{
		Values: map[string]string{
			"gcp:project":          "my-project-123",
			"gcp:region":           "us-central1",
			p("domain"):            "translate.example.com",
			p("mysqlRootPassword"): "root-password-1",
			p("mysqlPassword"):     "user-password-1",
			// A dev cluster on the internet runs no latest image.
			p("backendImage"): "registry.example.com/translation/backend:1.0.0",
			// Used only by the cases that turn mlflow on.
			p("mlflowDatabasePassword"): "mlflow-db-password-1",
			p("mlflowAdminPassword"):    "mlflow-admin-password-1",
		},
		Secrets: map[string]bool{p("mysqlRootPassword"): true, p("mysqlPassword"): true, p("mlflowDatabasePassword"): true, p("mlflowAdminPassword"): true},
	}
}

// sourceFor is validSource with what a production stack must add: the
// control plane's authorised ranges and images by digest.
func sourceFor(stack string) MapSource {
	src := validSource()
	if IsProduction(stack) {
		src.Values[p("controlPlaneAuthorizedNetworks")] = "198.51.100.0/24"
		src.Values[p("backendImage")] += pinned
		src.Values[p("frontendImage")] = "registry.example.com/translation/frontend:1.0.0" + pinned
		src.Values[p("mysqlImage")] = "mysql:8.4" + pinned
	}
	return src
}

func TestLoadValidDefaults(t *testing.T) {
	for _, tc := range []struct {
		stack        string
		protect      bool
		backendCPU   string
		backendImage string
	}{
		{"dev", false, "1", "registry.example.com/translation/backend:1.0.0"},
		{"prod", true, "2", "registry.example.com/translation/backend:1.0.0" + pinned},
	} {
		c, err := Load(tc.stack, sourceFor(tc.stack))
		if err != nil {
			t.Fatalf("%s: %v", tc.stack, err)
		}
		if c.DeletionProtection != tc.protect || c.Database.Protect != tc.protect {
			t.Errorf("%s: deletionProtection=%v protectDatabase=%v, want %v", tc.stack, c.DeletionProtection, c.Database.Protect, tc.protect)
		}
		if c.ProtectInfrastructure != tc.protect {
			t.Errorf("%s: protectInfrastructure=%v, want %v", tc.stack, c.ProtectInfrastructure, tc.protect)
		}
		if c.Backend.CPU != tc.backendCPU || c.Backend.Image != tc.backendImage {
			t.Errorf("%s: backend %s %s", tc.stack, c.Backend.CPU, c.Backend.Image)
		}
		if c.DNSZoneName != "translate-example-com" {
			t.Errorf("%s: derived zone name %q", tc.stack, c.DNSZoneName)
		}
		if c.Database.Password.Reveal() != "user-password-1" {
			t.Errorf("%s: password not loaded", tc.stack)
		}
	}
}

func TestLoadRejectsBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stack string
		set   map[string]string
		unset []string
		plain []string // keys stored unencrypted
		key   string   // the key the problem names
		want  string   // part of the message
		fix   string   // part of the fix
	}{
		{name: "missing domain", unset: []string{p("domain")}, key: "domain", want: "is required and not set", fix: "pulumi config set domain <value> --stack dev"},
		{name: "domain with scheme", set: map[string]string{p("domain"): "https://translate.example.com"}, key: "domain", want: "without scheme or path"},
		{name: "domain single label", set: map[string]string{p("domain"): "localhost"}, key: "domain", want: "not a fully qualified domain name"},
		{name: "domain with www", set: map[string]string{p("domain"): "www.example.com"}, key: "domain", want: "www. is added for you"},
		{name: "domain bad label", set: map[string]string{p("domain"): "-bad.example.com"}, key: "domain", want: `label "-bad"`},
		{name: "domain uppercase", set: map[string]string{p("domain"): "Translate.Example.com"}, key: "domain", want: "must be lowercase"},
		{name: "unknown region", set: map[string]string{"gcp:region": "us-central"}, key: "gcp:region", want: `"us-central" is not a GCP region`, fix: "pulumi config set gcp:region us-central1 --stack dev"},
		{name: "zone instead of region", set: map[string]string{"gcp:region": "europe-west1-b"}, key: "gcp:region", want: "is a zone; Autopilot clusters are regional", fix: "gcp:region europe-west1 "},
		{name: "missing project", unset: []string{"gcp:project"}, key: "gcp:project", want: "is required and not set", fix: "pulumi config set gcp:project <value>"},
		{name: "bad project", set: map[string]string{"gcp:project": "My_Project"}, key: "gcp:project", want: "is not a GCP project ID"},
		{name: "bad alert address", set: map[string]string{p("alertEmail"): "ops at example.com"}, key: "alertEmail", want: `"ops at example.com" is not an e-mail address`},
		{name: "zero replicas", set: map[string]string{p("backendReplicas"): "0"}, key: "backendReplicas", want: "must be at least 1, got 0", fix: "pulumi config set backendReplicas 1 --stack dev"},
		{name: "replicas not a number", set: map[string]string{p("frontendReplicas"): "two"}, key: "frontendReplicas", want: `must be a whole number, got "two"`},
		{name: "malformed cpu", set: map[string]string{p("backendCpu"): "4 cores"}, key: "backendCpu", want: `"4 cores" is not a Kubernetes quantity`},
		{name: "malformed memory", set: map[string]string{p("frontendMemory"): "1GB"}, key: "frontendMemory", want: `"1GB" is not a Kubernetes quantity`},
		{name: "autopilot ratio", set: map[string]string{p("backendCpu"): "4", p("backendMemory"): "2Gi"}, key: "backendMemory", want: "0.50 GiB per vCPU; Autopilot allows 1 to 6.5", fix: "backendMemory 8Gi"},
		{name: "cpu below autopilot minimum", set: map[string]string{p("frontendCpu"): "100m"}, key: "frontendCpu", want: "Autopilot needs between 250m and 30 vCPU"},
		{name: "ephemeral too large", set: map[string]string{p("backendEphemeralStorage"): "20Gi"}, key: "backendEphemeralStorage", want: "Autopilot allows 10Mi to 10Gi", fix: "backendEphemeralStorage 10Gi --stack dev"},
		{name: "ephemeral too small", set: map[string]string{p("frontendEphemeralStorage"): "1Mi"}, key: "frontendEphemeralStorage", want: "Autopilot allows 10Mi to 10Gi", fix: "frontendEphemeralStorage 10Mi --stack dev"},
		{name: "memory too large", set: map[string]string{p("frontendMemory"): "200Gi"}, key: "frontendMemory", want: "Autopilot needs between 512Mi and 110Gi", fix: "frontendMemory 110Gi --stack dev"},
		{name: "disk not in whole GiB", set: map[string]string{p("mysqlStorageSize"): "1.5Gi"}, key: "mysqlStorageSize", want: `is "1.5Gi"; the data disk is sized in whole GiB`, fix: "mysqlStorageSize 2Gi --stack dev"},
		{name: "missing secret", unset: []string{p("mysqlPassword")}, key: "mysqlPassword", want: "is required and not set", fix: "pulumi config set --secret mysqlPassword <value> --stack dev"},
		{name: "plain-text secret", plain: []string{p("mysqlRootPassword")}, key: "mysqlRootPassword", want: "is stored in plain text", fix: "pulumi config set --secret mysqlRootPassword <value> --stack dev"},
		{name: "short password", set: map[string]string{p("mysqlPassword"): "abc"}, key: "mysqlPassword", want: "shorter than 8 characters", fix: "--secret mysqlPassword"},
		{name: "prod without deletion protection", stack: "prod", set: map[string]string{p("deletionProtection"): "false"}, key: "deletionProtection", want: "is false on a production stack", fix: "pulumi config set allowUnprotectedProd true --stack prod"},
		{name: "prod without database protection", stack: "prod", set: map[string]string{p("protectDatabase"): "false"}, key: "protectDatabase", want: "production database must be protected"},
		{name: "prod without infrastructure protection", stack: "prod", set: map[string]string{p("protectInfrastructure"): "false"}, key: "protectInfrastructure", want: "its cluster, address and DNS must be protected"},
		{name: "latest in prod", stack: "prod", set: map[string]string{p("backendImage"): "datatrigger/unlimited-translation_backend_fastapi:latest"}, key: "backendImage", want: "has no digest; production runs images by digest only", fix: "backendImage datatrigger/unlimited-translation_backend_fastapi:<version>@sha256:<digest> --stack prod"},
		{name: "tag in prod", stack: "prod", set: map[string]string{p("frontendImage"): "r.example.com/f:1.2"}, key: "frontendImage", want: "get it with `crane digest r.example.com/f:1.2`", fix: "frontendImage r.example.com/f:1.2@sha256:<digest>"},
		{name: "mysql tag in prod", stack: "prod", set: map[string]string{p("mysqlImage"): "mysql:8.4"}, key: "mysqlImage", want: "`gcloud artifacts docker images describe mysql:8.4 --format='value(image_summary.digest)'`"},
		{name: "default latest in dev", unset: []string{p("backendImage")}, key: "backendImage", want: `"datatrigger/unlimited-translation_backend_fastapi:latest" is not pinned: use a version tag or a digest, never latest`, fix: "backendImage datatrigger/unlimited-translation_backend_fastapi:<version> --stack dev"},
		{name: "untagged in dev", set: map[string]string{p("frontendImage"): "datatrigger/unlimited-translation_frontend_flask"}, key: "frontendImage", want: "never latest"},
		{name: "untagged mysql", set: map[string]string{p("mysqlImage"): "mysql"}, key: "mysqlImage", want: "is not pinned"},
		{name: "bad bool", set: map[string]string{p("deletionProtection"): "yes please"}, key: "deletionProtection", want: `must be true or false, got "yes please"`},
		{name: "bad release channel", set: map[string]string{p("releaseChannel"): "beta"}, key: "releaseChannel", want: `"BETA" is not a GKE release channel`},
		{name: "bad maintenance time", set: map[string]string{p("maintenanceStartTime"): "25:00"}, key: "maintenanceStartTime", want: "is not a time of day as HH:MM"},
		{name: "bad cluster name", set: map[string]string{p("clusterName"): "Translation_Cluster"}, key: "clusterName", want: "is not a GKE cluster name"},
		{name: "bad label value", set: map[string]string{p("labels"): `{"team":"ML Platform"}`}, key: "labels", want: `label "team" has value "ML Platform"`},
		{name: "reserved label", set: map[string]string{p("labels"): `{"environment":"x"}`}, key: "labels", want: `label "environment" is set by the program`},
		{name: "labels not a map", set: map[string]string{p("labels"): `team`}, key: "labels", want: "must be a map of strings"},
		{name: "small disk", set: map[string]string{p("mysqlStorageSize"): "50Mi"}, key: "mysqlStorageSize", want: "bills at least 1Gi per disk"},
		{name: "disk not in whole GiB", set: map[string]string{p("mysqlStorageSize"): "1500Mi"}, key: "mysqlStorageSize", want: "is \"1500Mi\"; the data disk is sized in whole GiB"},
		{name: "disk type", set: map[string]string{p("databaseDiskType"): "ssd"}, key: "databaseDiskType", want: "\"ssd\" is not one of pd-balanced, pd-ssd, pd-standard"},
		{name: "storage class on GKE", set: map[string]string{p("mysqlStorageClass"): "premium-rwo"}, key: "mysqlStorageClass", want: "on GKE the data is a Compute Engine disk"},
		{name: "regional pd-standard too small", set: map[string]string{p("databaseDiskReplication"): "regional", p("databaseDiskType"): "pd-standard", p("mysqlStorageSize"): "100Gi"}, key: "mysqlStorageSize", want: "a regional pd-standard disk is at least 200Gi"},
		{name: "zone of another region", set: map[string]string{p("databaseZones"): "europe-west1-b"}, key: "databaseZones", want: "\"europe-west1-b\" is not a zone of the region us-central1"},
		{name: "root as app user", set: map[string]string{p("mysqlUser"): "root"}, key: "mysqlUser", want: "must not be root"},
		{name: "TLS profile unknown", set: map[string]string{p("sslPolicyProfile"): "COMPATIBLE"}, key: "sslPolicyProfile", want: `"COMPATIBLE" is not MODERN or RESTRICTED`, fix: "pulumi config set sslPolicyProfile MODERN --stack dev"},
		{name: "HSTS max-age negative", set: map[string]string{p("hstsMaxAge"): "-1"}, key: "hstsMaxAge", want: "-1 is not a number of seconds from 0 (no header) to 63072000", fix: "pulumi config set hstsMaxAge 86400 --stack dev"},
		{name: "rollout timeout not a duration", set: map[string]string{p("rolloutTimeout"): "20"}, key: "rolloutTimeout", want: `"20" is not a duration from 30s to 2h`},
		{name: "rollout timeout too short", set: map[string]string{p("rolloutTimeout"): "5s"}, key: "rolloutTimeout", want: `"5s" is not a duration from 30s to 2h`, fix: "pulumi config set rolloutTimeout 20m --stack dev"},
		{name: "namespace with stock image", set: map[string]string{p("namespace"): "translation"}, key: "namespace", want: "stock frontend image only reaches MySQL in namespace default"},
		{name: "bad pull policy", set: map[string]string{p("imagePullPolicy"): "Sometimes"}, key: "imagePullPolicy", want: "is not one of Always, IfNotPresent, Never"},
		{name: "autoscaler below replicas", set: map[string]string{p("backendReplicas"): "3", p("backendMaxReplicas"): "2"}, key: "backendMaxReplicas", want: "is 2, below backendReplicas 3"},
		{name: "backup bucket name", set: map[string]string{p("backupBucket"): "Google-Backups"}, key: "backupBucket", want: "\"Google-Backups\" is not a Cloud Storage bucket name"},
		{name: "backup schedule", set: map[string]string{p("backupSchedule"): "daily at 3"}, key: "backupSchedule", want: "is not a cron schedule"},
		{name: "backup schedule with a time zone", set: map[string]string{p("backupSchedule"): "CRON_TZ=Europe/Berlin 0 3 * * *"}, key: "backupSchedule", want: "is not a cron schedule"},
		{name: "backup retention", set: map[string]string{p("backupRetentionDays"): "0"}, key: "backupRetentionDays", want: "keep backups between 1 and 3650 days"},
		{name: "authorised network", set: map[string]string{p("controlPlaneAuthorizedNetworks"): "203.0.113.0/24, office"}, key: "controlPlaneAuthorizedNetworks", want: "\"office\" is not an IPv4 CIDR range"},
		{name: "authorised network host bits", set: map[string]string{p("controlPlaneAuthorizedNetworks"): "203.0.113.7/24"}, key: "controlPlaneAuthorizedNetworks", want: "has host bits set; the range is 203.0.113.0/24"},
		{name: "prod without authorised networks", stack: "prod", set: map[string]string{p("controlPlaneAuthorizedNetworks"): ""}, key: "controlPlaneAuthorizedNetworks", want: "is empty while restrictControlPlane is true", fix: "pulumi config set restrictControlPlane false --stack prod"},
		{name: "Spot database alone", set: map[string]string{p("spot"): "false", p("spotDatabase"): "true"}, key: "spotDatabase", want: "is true while spot is false"},
		{name: "autoscaler target", set: map[string]string{p("backendMaxReplicas"): "4", p("backendCpuTarget"): "100"}, key: "backendCpuTarget", want: "aim between 10 and 95 percent"},
		{name: "domain is an IP", set: map[string]string{p("domain"): "203.0.113.10"}, key: "domain", want: "is an IP address"},
		{name: "domain too long for the certificate", set: map[string]string{p("domain"): "translation-service.development.machine-learning.example.com"}, key: "domain", want: "www.translation-service.development.machine-learning.example.com must fit in 63 characters"},
		{name: "uppercase repository", set: map[string]string{p("backendImage"): "ghcr.io/Owner/backend:1.0"}, key: "backendImage", want: `the repository "Owner/backend" must be lowercase`},
		{name: "short digest", set: map[string]string{p("backendImage"): "ghcr.io/owner/backend@sha256:abc123"}, key: "backendImage", want: "has a sha256 digest of 6 hex digits; it has 64"},
		{name: "bad tag", set: map[string]string{p("frontendImage"): "owner/frontend:.hidden"}, key: "frontendImage", want: `malformed tag ".hidden"`},
		{name: "EXTENDED channel", set: map[string]string{p("releaseChannel"): "extended"}, key: "releaseChannel", want: "the pinned provider (pulumi-gcp 7.38, google-beta 5.42) accepts only RAPID, REGULAR and STABLE"},
		{name: "typo of the project namespace", set: map[string]string{"unlimted-translation:domain": "x.example.com"}, key: "unlimted-translation:domain", want: "did you mean unlimited-translation:domain?", fix: "pulumi config rm unlimted-translation:domain --stack dev"},
		{name: "typo of gcp", set: map[string]string{"gpc:region": "europe-west1"}, key: "gpc:region", want: "did you mean gcp:region?"},
		{name: "typo of a gcp key", set: map[string]string{"gcp:regoin": "europe-west1"}, key: "gcp:regoin", want: "is not a setting of the gcp provider at the pinned version (did you mean gcp:region?)"},
		{name: "unknown GPU", set: map[string]string{p("backendAccelerator"): "nvidia-a100"}, key: "backendAccelerator", want: `"nvidia-a100" is not one of nvidia-l4, nvidia-tesla-t4`, fix: "pulumi config set backendAccelerator nvidia-l4 --stack dev"},
		{name: "GPU count", set: map[string]string{p("backendAccelerator"): "nvidia-tesla-t4", p("backendAcceleratorCount"): "8"}, key: "backendAcceleratorCount", want: "is 8; a nvidia-tesla-t4 node has 1, 2, 4 GPUs"},
		{name: "GPU not in the region", set: map[string]string{p("backendAccelerator"): "nvidia-l4", "gcp:region": "europe-central2"}, key: "backendAccelerator", want: "nvidia-l4 is not offered in europe-central2; offered there: nvidia-tesla-t4"},
		{name: "no GPU in the region", set: map[string]string{p("backendAccelerator"): "nvidia-tesla-t4", "gcp:region": "africa-south1"}, key: "backendAccelerator", want: "no GPU type this tool knows is offered there"},
		{name: "GPU on a local stack", stack: "local", set: map[string]string{p("backendAccelerator"): "nvidia-l4"}, key: "backendAccelerator", want: "is set on a local stack", fix: "pulumi config rm backendAccelerator --stack local"},
		{name: "MLflow without its database password", set: map[string]string{p("mlflow"): "true"}, unset: []string{p("mlflowDatabasePassword")}, key: "mlflowDatabasePassword", want: "is required while mlflow is true, and not set", fix: "pulumi config set --secret mlflowDatabasePassword <value> --stack dev"},
		{name: "MLflow admin password too short", set: map[string]string{p("mlflow"): "true", p("mlflowAdminPassword"): "short-pw-11"}, key: "mlflowAdminPassword", want: "shorter than 12 characters, which MLflow refuses"},
		{name: "MLflow tier", set: map[string]string{p("mlflow"): "true", p("mlflowDatabaseTier"): "db-perf-optimized-N-2"}, key: "mlflowDatabaseTier", want: `"db-perf-optimized-N-2" is not a Cloud SQL Enterprise machine type`, fix: "pulumi config set mlflowDatabaseTier db-f1-micro --stack dev"},
		{name: "MLflow on a local stack", stack: "local", set: map[string]string{p("mlflow"): "true"}, key: "mlflow", want: "runs on gke only", fix: "pulumi config set mlflow false --stack local"},
		{name: "MLflow image by tag in prod", stack: "prod", set: map[string]string{p("mlflow"): "true", p("mlflowImage"): "ghcr.io/mlflow/mlflow:v3.18.0-full"}, key: "mlflowImage", want: "has no digest"},
		{name: "MLflow password in plain text", set: map[string]string{p("mlflow"): "true"}, plain: []string{p("mlflowAdminPassword")}, key: "mlflowAdminPassword", want: "stored in plain text"},
		{name: "rate limit of 0", stack: "prod", set: map[string]string{p("armorRateLimit"): "0"}, key: "armorRateLimit", want: "0 is not a number of requests per minute from 1 to 10000 (to have no limit, turn cloudArmor off)", fix: "pulumi config set armorRateLimit 20 --stack prod"},
		{name: "rate limit past the API's", set: map[string]string{p("cloudArmor"): "true", p("armorRateLimit"): "10001"}, key: "armorRateLimit", want: "from 1 to 10000"},
		{name: "no ban", stack: "prod", set: map[string]string{p("armorBanSeconds"): "0"}, key: "armorBanSeconds", want: "is not a number of seconds", fix: "armorBanSeconds 600"},
		{name: "unknown WAF rule", stack: "prod", set: map[string]string{p("armorWafRules"): "sqli,sqli-v33-stable"}, key: "armorWafRules", want: `"sqli-v33-stable" is not a preconfigured WAF rule (one of sqli, xss,`},
		{name: "WAF rule twice", stack: "prod", set: map[string]string{p("armorWafRules"): "sqli, xss,sqli"}, key: "armorWafRules", want: "lists a rule twice", fix: "armorWafRules sqli,xss --stack prod"},
		{name: "typo key", set: map[string]string{p("backendReplica"): "2"}, key: "backendReplica", want: "did you mean backendReplicas?", fix: "pulumi config rm backendReplica --stack dev"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stack := tc.stack
			if stack == "" {
				stack = "dev"
			}
			src := sourceFor(stack)
			for k, v := range tc.set {
				src.Values[k] = v
			}
			for _, k := range tc.unset {
				delete(src.Values, k)
			}
			for _, k := range tc.plain {
				delete(src.Secrets, k)
			}
			_, err := Load(stack, src)
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("want a ConfigError, got %v", err)
			}
			if len(ce.Problems) != 1 {
				t.Fatalf("want exactly one problem, got:\n%v", err)
			}
			pr := ce.Problems[0]
			if pr.Key != tc.key || !strings.Contains(pr.Message, tc.want) || !strings.Contains(pr.Fix, tc.fix) {
				t.Errorf("got key %q message %q fix %q; want key %q, message containing %q, fix containing %q", pr.Key, pr.Message, pr.Fix, tc.key, tc.want, tc.fix)
			}
			for _, secret := range []string{"root-password-1", "user-password-1", "abc"} {
				if _, isSet := tc.set[p("mysqlPassword")]; strings.Contains(err.Error(), secret) && (secret != "abc" || isSet) {
					t.Errorf("error message shows a secret value: %v", err)
				}
			}
		})
	}
}

func TestLoadReportsEveryProblemAtOnce(t *testing.T) {
	src := validSource()
	delete(src.Values, p("domain"))
	src.Values[p("backendReplicas")] = "0"
	src.Values["gcp:region"] = "mars-north1"
	_, err := Load("dev", src)
	if err == nil {
		t.Fatal("want an error")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, `stack "dev": 3 config problems:`) {
		t.Errorf("unexpected header: %s", msg)
	}
	for _, key := range []string{"  - gcp:region:", "  - domain:", "  - backendReplicas:"} {
		if !strings.Contains(msg, key) {
			t.Errorf("message lacks %q:\n%s", key, msg)
		}
	}
}

func TestSecretNeverPrints(t *testing.T) {
	s := NewSecret("hunter22")
	for _, got := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s", s, s, s, s)} {
		if strings.Contains(got, "hunter22") {
			t.Errorf("secret printed: %s", got)
		}
	}
	c := Config{Database: Database{Password: s}}
	if strings.Contains(fmt.Sprintf("%+v %#v", c, c), "hunter22") {
		t.Error("secret printed through Config")
	}
}

// A plain setting stored encrypted is decrypted by the time the program
// reads it: it is checked like any value, but never echoed.
func TestEncryptedPlainSettingIsNotEchoed(t *testing.T) {
	src := validSource()
	src.Values[p("backendReplicas")], src.Secrets[p("backendReplicas")] = "two-Secret-9931", true
	src.Values["gcp:project"], src.Secrets["gcp:project"] = "Not_A_Project-7731", true
	_, err := Load("dev", src)
	if err == nil {
		t.Fatal("invalid values accepted")
	}
	msg := err.Error()
	for _, want := range []string{"backendReplicas: is stored encrypted and its value is not valid: must be a whole number, got \"[secret]\"", "gcp:project: \"[secret]\" is not a GCP project ID"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "two-Secret-9931") || strings.Contains(msg, "Not_A_Project-7731") {
		t.Errorf("a secret value is echoed:\n%s", msg)
	}
}

// With cloudArmor off (dev's default) its settings are not checked: there
// is no policy to limit.
func TestArmorOffIgnoresItsSettings(t *testing.T) {
	src := sourceFor("dev")
	src.Values[p("armorRateLimit")] = "0"
	src.Values[p("armorWafRules")] = "nosuchrule"
	c, err := Load("dev", src)
	if err != nil {
		t.Fatal(err)
	}
	if c.Armor.Enabled {
		t.Error("cloudArmor is on in dev by default")
	}
}
