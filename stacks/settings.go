package stacks

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Setting is one stack config key: its type, its documentation and where it
// lands in Config. The same table drives loading, the README's reference
// table and the "unknown key" check, so they cannot disagree.
type Setting struct {
	// Key is the full config key ("gcp:region", "unlimited-translation:domain").
	Key string
	// Type is the value's type as written in the README.
	Type string
	// Doc is one sentence on what the key does.
	Doc string
	// Secret keys must be set with `pulumi config set --secret`.
	Secret bool
	// Required keys have no default.
	Required bool
	// GKEOnly keys matter only on the gke platform (required there, unused
	// on a local cluster).
	GKEOnly bool
	// RequiredWith names the boolean key a required key is needed for;
	// needed says whether it is on.
	RequiredWith string
	needed       func(*Config) bool

	show func(*Config) string
	set  func(*Config, string) error
}

// Name is the key as typed after `pulumi config set` (no project namespace).
func (s Setting) Name() string {
	return strings.TrimPrefix(s.Key, Project+":")
}

// Default renders the default value for a stack in the README table.
func (s Setting) Default(stack string) string {
	if s.Required {
		if s.GKEOnly && Defaults(stack).Local() {
			return "(unused)"
		}
		if s.RequiredWith != "" {
			return "(required with " + s.RequiredWith + ")"
		}
		return "(required)"
	}
	c := Defaults(stack)
	return s.show(&c)
}

func strSetting(key, doc string, field func(*Config) *string) Setting {
	return Setting{Key: key, Type: "string", Doc: doc,
		show: func(c *Config) string { return *field(c) },
		set:  func(c *Config, v string) error { *field(c) = strings.TrimSpace(v); return nil },
	}
}

func intSetting(key, doc string, field func(*Config) *int) Setting {
	return Setting{Key: key, Type: "integer", Doc: doc,
		show: func(c *Config) string { return strconv.Itoa(*field(c)) },
		set: func(c *Config, v string) error {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("must be a whole number, got %q", v)
			}
			*field(c) = n
			return nil
		},
	}
}

func boolSetting(key, doc string, field func(*Config) *bool) Setting {
	return Setting{Key: key, Type: "boolean", Doc: doc,
		show: func(c *Config) string { return strconv.FormatBool(*field(c)) },
		set: func(c *Config, v string) error {
			b, err := strconv.ParseBool(strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("must be true or false, got %q", v)
			}
			*field(c) = b
			return nil
		},
	}
}

func mapSetting(key, doc string, field func(*Config) *map[string]string) Setting {
	return Setting{Key: key, Type: "map(string)", Doc: doc,
		show: func(c *Config) string {
			m := *field(c)
			if len(m) == 0 {
				return "{}"
			}
			b, _ := json.Marshal(m)
			return string(b)
		},
		set: func(c *Config, v string) error {
			m := map[string]string{}
			if err := json.Unmarshal([]byte(v), &m); err != nil {
				return fmt.Errorf("must be a map of strings (set it with `pulumi config set --path %s.<name> <value>`), got %q", strings.TrimPrefix(key, Project+":"), v)
			}
			*field(c) = m
			return nil
		},
	}
}

func secretSetting(key, doc string, field func(*Config) *Secret) Setting {
	return Setting{Key: key, Type: "secret", Doc: doc, Secret: true, Required: true,
		show: func(c *Config) string { return "(required)" },
		set:  func(c *Config, v string) error { *field(c) = NewSecret(v); return nil },
	}
}

func required(s Setting) Setting { s.Required = true; return s }

// requiredWith makes s required only while the boolean key on is true.
func requiredWith(on string, needed func(*Config) bool, s Setting) Setting {
	s.Required, s.RequiredWith, s.needed = true, on, needed
	return s
}

// Needed tells whether a required setting must be set for c.
func (s Setting) Needed(c *Config) bool {
	return s.Required && !(s.GKEOnly && c.Local()) && (s.needed == nil || s.needed(c))
}

func mlflowOn(c *Config) bool { return c.MLflow.Enabled }

func gkeOnly(s Setting) Setting { s.GKEOnly = true; return s }

func p(name string) string { return Project + ":" + name }

// Settings lists every key a stack may set, in README order.
var Settings = []Setting{
	strSetting(p("platform"), "Where the app runs: gke (Autopilot, static IP, DNS, certificate) or local (the cluster of the current kubeconfig, no GCP resources).",
		func(c *Config) *string { return &c.Platform }),
	strSetting(p("kubeContext"), "kubeconfig context to deploy to on the local platform; empty uses the current context.",
		func(c *Config) *string { return &c.KubeContext }),
	gkeOnly(required(strSetting("gcp:project", "GCP project that holds every cloud resource (also read by the gcp provider).",
		func(c *Config) *string { return &c.GCPProject }))),
	strSetting("gcp:region", "GCP region of the Autopilot cluster (also read by the gcp provider).",
		func(c *Config) *string { return &c.Region }),
	gkeOnly(required(strSetting(p("domain"), "Public host name of the app; the certificate covers it and its `www.` name.",
		func(c *Config) *string { return &c.Domain }))),
	gkeOnly(boolSetting(p("dnssec"), "Sign the zone the stack creates (DNSSEC). Resolvers check it once you publish the zone's DS record at your registrar (`gcloud dns dns-keys list --zone ZONE`); before turning it off, remove that DS record and wait out its TTL, or the domain stops resolving.",
		func(c *Config) *bool { return &c.DNSSEC })),
	gkeOnly(boolSetting(p("caa"), "Publish a CAA record at the domain allowing only the CAs of Google-managed certificates (`pki.goog`, `letsencrypt.org`) to issue for it and the names below it. Turn it off if the name already has a CAA record you manage.",
		func(c *Config) *bool { return &c.CAA })),
	boolSetting(p("createDnsZone"), "Create a Cloud DNS public zone for the domain; false adopts the existing zone `dnsZoneName` and keeps it on destroy.",
		func(c *Config) *bool { return &c.CreateDNSZone }),
	strSetting(p("dnsZoneName"), "Cloud DNS managed zone name; empty derives it from the domain (`translate.example.com` gives `translate-example-com`).",
		func(c *Config) *string { return &c.DNSZoneName }),
	strSetting(p("addressName"), "Name of the reserved global static IP the Ingress binds to.",
		func(c *Config) *string { return &c.AddressName }),
	strSetting(p("clusterName"), "Name of the GKE Autopilot cluster.",
		func(c *Config) *string { return &c.ClusterName }),
	strSetting(p("releaseChannel"), "GKE release channel: RAPID, REGULAR or STABLE (the pinned provider does not accept EXTENDED).",
		func(c *Config) *string { return &c.ReleaseChannel }),
	boolSetting(p("deletionProtection"), "The provider refuses to delete the cluster while on (Pulumi and Terraform only: gcloud and the console can still delete it, so protect prod with IAM too).",
		func(c *Config) *bool { return &c.DeletionProtection }),
	boolSetting(p("protectInfrastructure"), "Pulumi `protect` on the cluster, the static IP, a created DNS zone and the DNS records: no delete or replace (not even `pulumi destroy --exclude-protected`) until turned off.",
		func(c *Config) *bool { return &c.ProtectInfrastructure }),
	gkeOnly(boolSetting(p("privateNodes"), "Nodes get internal addresses only and reach the internet through Cloud NAT (billed per hour and per GiB processed); changing it replaces the cluster.",
		func(c *Config) *bool { return &c.PrivateNodes })),
	gkeOnly(strSetting(p("controlPlaneAuthorizedNetworks"), "Comma-separated CIDR ranges that alone may reach the cluster's control plane (kubectl, Pulumi); empty: any address, still with Google authentication. Include where CI runs.",
		func(c *Config) *string { return &c.AuthorizedNetworks })),
	gkeOnly(boolSetting(p("restrictControlPlane"), "Require `controlPlaneAuthorizedNetworks`: the control plane's public endpoint then answers only those ranges (GKE authorised networks); on in prod.",
		func(c *Config) *bool { return &c.RestrictControlPlane })),
	gkeOnly(boolSetting(p("awake"), "false: the stack sleeps, keeping its data disk, backups, address, DNS and certificate while the cluster and load balancer are gone. Set here, it pins the stack (for plain `pulumi up`); left out, `infra sleep` / `infra wake` decide, without a commit.",
		func(c *Config) *bool { return &c.Awake })),
	gkeOnly(boolSetting(p("spot"), "Run the frontend and backend as Autopilot Spot Pods (60-91 % cheaper, evicted when Google needs the capacity back).",
		func(c *Config) *bool { return &c.Spot })),
	gkeOnly(boolSetting(p("spotDatabase"), "With `spot`, run MySQL as a Spot Pod too (it restarts on the same disk after an eviction).",
		func(c *Config) *bool { return &c.SpotDatabase })),
	gkeOnly(boolSetting(p("freeTierCredit"), "Count GKE's free tier (one cluster's fee per billing account) against this stack in `infra cost`; give it to one stack only.",
		func(c *Config) *bool { return &c.FreeTierCredit })),
	boolSetting(p("networkPolicies"), "Deny every connection to and from the app's pods but DNS, the frontend from the load balancer, the backend and MySQL from the frontend, and the backup jobs to MySQL and Google APIs (enforced by GKE Dataplane V2).",
		func(c *Config) *bool { return &c.NetworkPolicies }),
	boolSetting(p("allowUnprotectedProd"), "Let a production stack run with deletionProtection, protectInfrastructure or protectDatabase false (deliberate override).",
		func(c *Config) *bool { return &c.AllowUnprotectedProd }),
	strSetting(p("maintenanceStartTime"), "Start (HH:MM, UTC) of the cluster's daily 4-hour maintenance window.",
		func(c *Config) *string { return &c.MaintenanceStartTime }),
	mapSetting(p("labels"), "Extra GCP resource labels for the cluster; `environment`, `app` and `managed-by` are always set.",
		func(c *Config) *map[string]string { return &c.Labels }),
	gkeOnly(strSetting(p("sslPolicyProfile"), "TLS profile of the load balancers, TLS 1.2 at least: `MODERN` (clients of the last years) or `RESTRICTED` (only the strongest ciphers; some older clients cannot connect). Google's default would still allow TLS 1.0.",
		func(c *Config) *string { return &c.SSLPolicyProfile })),
	gkeOnly(intSetting(p("hstsMaxAge"), "Seconds browsers remember to use HTTPS only (Strict-Transport-Security, added by the load balancer to every answer); 0 sends no header. Raise it only once HTTPS works: browsers keep it.",
		func(c *Config) *int { return &c.HSTSMaxAge })),
	gkeOnly(boolSetting(p("cloudArmor"), "A Cloud Armor policy on the app's load balancer: a per-client rate limit on translations (POST) and the WAF rules of `armorWafRules`. false detaches and deletes it.",
		func(c *Config) *bool { return &c.Armor.Enabled })),
	gkeOnly(intSetting(p("armorRateLimit"), "POST requests per minute one client address may send (1 to 10000); more get 429, twice as many within the minute ban the address for `armorBanSeconds`.",
		func(c *Config) *int { return &c.Armor.RateLimit })),
	gkeOnly(intSetting(p("armorBanSeconds"), "Seconds a client that floods the form stays banned (403 for everything).",
		func(c *Config) *int { return &c.Armor.BanSeconds })),
	gkeOnly(strSetting(p("armorWafRules"), "Comma-separated preconfigured WAF rules (OWASP CRS 4.22, sensitivity 1) that deny a matching request: sqli, xss, lfi, rfi, rce, methodenforcement, scannerdetection, protocolattack, php, sessionfixation, java. Each is billed as a rule.",
		func(c *Config) *string { return &c.Armor.WAF })),
	strSetting(p("namespace"), "Kubernetes namespace of the app; the stock frontend image only works in `default`.",
		func(c *Config) *string { return &c.Namespace }),
	strSetting(p("imagePullPolicy"), "Pull policy of the app's containers: Always, IfNotPresent or Never.",
		func(c *Config) *string { return &c.ImagePullPolicy }),
	strSetting(p("backendImage"), "Image of the FastAPI translation backend: a version tag (never latest) on GKE, a digest (`@sha256:…`) in production. The public image has only `latest`: mirror it (README, \"Images\").",
		func(c *Config) *string { return &c.Backend.Image }),
	intSetting(p("backendReplicas"), "Number of backend pods; with `backendMaxReplicas`, the fewest the autoscaler keeps.",
		func(c *Config) *int { return &c.Backend.Replicas }),
	intSetting(p("backendMaxReplicas"), "0: a fixed `backendReplicas`. More: a HorizontalPodAutoscaler scales the backend on CPU between `backendReplicas` and this.",
		func(c *Config) *int { return &c.BackendMaxReplicas }),
	intSetting(p("backendCpuTarget"), "Average CPU use, in percent of the request, the backend's autoscaler aims at.",
		func(c *Config) *int { return &c.BackendCPUTarget }),
	gkeOnly(strSetting(p("backendAccelerator"), "GPU type for each backend pod (`nvidia-l4` or `nvidia-tesla-t4`); empty runs the backend on CPU. Checked against the region (see README, \"GPU backend\").",
		func(c *Config) *string { return &c.BackendAccelerator })),
	gkeOnly(intSetting(p("backendAcceleratorCount"), "GPUs per backend pod with `backendAccelerator` (the counts GKE offers for that type).",
		func(c *Config) *int { return &c.BackendAcceleratorCount })),
	strSetting(p("backendCpu"), "CPU request of each backend pod (Autopilot bills requests).",
		func(c *Config) *string { return &c.Backend.CPU }),
	strSetting(p("backendMemory"), "Memory request of each backend pod; the models need about 1.5 GiB at rest.",
		func(c *Config) *string { return &c.Backend.Memory }),
	strSetting(p("backendEphemeralStorage"), "Ephemeral-storage request of each backend pod.",
		func(c *Config) *string { return &c.Backend.EphemeralStorage }),
	strSetting(p("frontendServiceType"), "Service type of the frontend: NodePort (required behind the GKE Ingress) or, on a local cluster, LoadBalancer.",
		func(c *Config) *string { return &c.FrontendServiceType }),
	strSetting(p("frontendImage"), "Image of the Flask frontend: a version tag (never latest) on GKE, a digest in production.",
		func(c *Config) *string { return &c.Frontend.Image }),
	intSetting(p("frontendReplicas"), "Number of frontend pods.",
		func(c *Config) *int { return &c.Frontend.Replicas }),
	strSetting(p("frontendCpu"), "CPU request of each frontend pod.",
		func(c *Config) *string { return &c.Frontend.CPU }),
	strSetting(p("frontendMemory"), "Memory request of each frontend pod.",
		func(c *Config) *string { return &c.Frontend.Memory }),
	strSetting(p("frontendEphemeralStorage"), "Ephemeral-storage request of each frontend pod.",
		func(c *Config) *string { return &c.Frontend.EphemeralStorage }),
	strSetting(p("mysqlImage"), "MySQL image: a version tag (never latest), a digest in production.",
		func(c *Config) *string { return &c.Database.Image }),
	strSetting(p("mysqlCpu"), "CPU request of the MySQL pod.",
		func(c *Config) *string { return &c.Database.CPU }),
	strSetting(p("mysqlMemory"), "Memory request of the MySQL pod.",
		func(c *Config) *string { return &c.Database.Memory }),
	strSetting(p("mysqlEphemeralStorage"), "Ephemeral-storage request of the MySQL pod.",
		func(c *Config) *string { return &c.Database.EphemeralStorage }),
	strSetting(p("mysqlStorageSize"), "Size of the MySQL data disk in whole GiB; grows in place, never shrinks (a regional disk needs 10Gi or more, 200Gi for pd-standard).",
		func(c *Config) *string { return &c.Database.StorageSize }),
	strSetting(p("databaseDiskType"), "Compute Engine disk type of the MySQL data on GKE: pd-balanced, pd-ssd or pd-standard. Fixed once created (see README, \"The data disk\").",
		func(c *Config) *string { return &c.Database.DiskType }),
	strSetting(p("databaseDiskReplication"), "`zonal` (one zone) or `regional` (replicated synchronously across two zones; survives a zone outage, costs twice).",
		func(c *Config) *string { return &c.Database.DiskReplication }),
	strSetting(p("databaseZones"), "Zone(s) of the data disk, comma-separated (one for zonal, two for regional); empty: the region's zones b (and c).",
		func(c *Config) *string { return &c.Database.DiskZones }),
	strSetting(p("rolloutTimeout"), "How long an up waits for each Deployment's and StatefulSet's rollout (a Go duration, 30s to 2h); past it the up fails with the provider's reason (pods unschedulable, image not pulled, failing probes).",
		func(c *Config) *string { return &c.RolloutTimeout }),
	strSetting(p("mysqlStorageClass"), "Local stacks only: StorageClass of the data volume; empty uses the cluster default. On GKE the data is a Compute Engine disk (`databaseDiskType`).",
		func(c *Config) *string { return &c.Database.StorageClass }),
	strSetting(p("mysqlUser"), "MySQL user the frontend connects as.",
		func(c *Config) *string { return &c.Database.User }),
	secretSetting(p("mysqlRootPassword"), "MySQL root password, from encrypted config.",
		func(c *Config) *Secret { return &c.Database.RootPassword }),
	secretSetting(p("mysqlPassword"), "Password of `mysqlUser`, from encrypted config.",
		func(c *Config) *Secret { return &c.Database.Password }),
	boolSetting(p("protectDatabase"), "Pulumi `protect` on the MySQL StatefulSet: no delete or replace until turned off.",
		func(c *Config) *bool { return &c.Database.Protect }),
	gkeOnly(strSetting(p("backupBucket"), "Cloud Storage bucket of the MySQL backups (versioned, private); empty: `<gcp:project>-<stack>-mysql-backups`. Kept by `infra destroy`.",
		func(c *Config) *string { return &c.Backup.Bucket })),
	gkeOnly(strSetting(p("backupSchedule"), "When the MySQL backup runs, in cron syntax, UTC.",
		func(c *Config) *string { return &c.Backup.Schedule })),
	gkeOnly(intSetting(p("backupRetentionDays"), "Days a backup is kept before the bucket's lifecycle deletes it (recoverable 7 days more as a noncurrent version); the newest `backupKeepNewest` and the ones `sleep`, `destroy` and `restore --force` take are kept longer.",
		func(c *Config) *int { return &c.Backup.RetentionDays })),
	gkeOnly(intSetting(p("backupKeepNewest"), "How many of the newest backups are kept whatever their age, under `newest/` in the bucket: if the schedule stops (a sleeping or broken stack), the last good backups stay.",
		func(c *Config) *int { return &c.Backup.KeepNewest })),
	gkeOnly(intSetting(p("backupMaxAgeHours"), "`infra drift` exits 4 when the stack is awake and its newest backup is older than this many hours (a failing or missing backup Job); the drift workflow then opens an issue.",
		func(c *Config) *int { return &c.Backup.MaxAgeHours })),
	gkeOnly(boolSetting(p("mlflow"), "Run an MLflow tracking server at `mlflow.<domain>` next to the app: Cloud SQL for PostgreSQL, a Cloud Storage bucket for artifacts, basic auth (see README, \"MLflow\").",
		func(c *Config) *bool { return &c.MLflow.Enabled })),
	gkeOnly(strSetting(p("mlflowImage"), "Image of the MLflow server; it must hold psycopg2, google-cloud-storage and Flask-WTF (the official `-full` images do); a digest in production.",
		func(c *Config) *string { return &c.MLflow.Image })),
	gkeOnly(strSetting(p("mlflowDatabaseTier"), "Cloud SQL machine type of MLflow's PostgreSQL: db-f1-micro, db-g1-small or db-custom-<vCPUs>-<MiB> (Enterprise edition).",
		func(c *Config) *string { return &c.MLflow.DatabaseTier })),
	requiredWith("mlflow", mlflowOn, gkeOnly(secretSetting(p("mlflowDatabasePassword"), "Password MLflow logs in to PostgreSQL with, from encrypted config.",
		func(c *Config) *Secret { return &c.MLflow.DatabasePassword }))),
	requiredWith("mlflow", mlflowOn, gkeOnly(secretSetting(p("mlflowAdminPassword"), "Password of MLflow's `admin` user (12 characters or more), from encrypted config.",
		func(c *Config) *Secret { return &c.MLflow.AdminPassword }))),
	gkeOnly(strSetting(p("alertEmail"), "E-mail address told when the site fails its uptime check: Cloud Monitoring checks `https://<domain>/` every 5 minutes from its checker regions while the stack is awake, and alerts when more than one region fails; empty: no monitoring.",
		func(c *Config) *string { return &c.AlertEmail })),
	boolSetting(p("keepDatabaseVolume"), "Local stacks: keep the MySQL volume claim when the app is destroyed. On GKE the data disk is always kept (`infra destroy --delete-data` removes it).",
		func(c *Config) *bool { return &c.Database.KeepData }),
}

// lookupSetting finds a setting by full key.
func lookupSetting(key string) (Setting, bool) {
	for _, s := range Settings {
		if s.Key == key {
			return s, true
		}
	}
	return Setting{}, false
}

// settingNames lists the short names, sorted, for "did you mean" hints.
func settingNames() []string {
	var names []string
	for _, s := range Settings {
		names = append(names, s.Name())
	}
	sort.Strings(names)
	return names
}

// LookupSetting finds a setting by its full key ("gcp:region").
func LookupSetting(key string) (Setting, bool) { return lookupSetting(key) }
