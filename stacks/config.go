// Package stacks turns Pulumi stack config into a validated Config and
// composes the GCP infrastructure and the app's components from it.
package stacks

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// Project is the Pulumi project name; project config keys live in its
// namespace ("unlimited-translation:domain").
const Project = "unlimited-translation"

// Config is everything a stack can set, after defaults and validation.
type Config struct {
	Stack string
	// Production turns on the safer defaults and checks (protection, pinned images).
	Production bool
	// Platform is PlatformGKE (the cloud) or PlatformLocal (any cluster of
	// the current kubeconfig: minikube, kind…; no GCP resources).
	Platform string
	// KubeContext selects the kubeconfig context on the local platform.
	KubeContext string
	// FrontendServiceType exposes the frontend: NodePort behind the GKE
	// Ingress; NodePort or LoadBalancer on a local cluster.
	FrontendServiceType string

	GCPProject string
	Region     string

	Domain        string
	CreateDNSZone bool
	// DNSSEC signs the zone the stack creates.
	DNSSEC bool
	// CAA limits who may issue certificates for the domain to the CAs of
	// Google-managed certificates.
	CAA         bool
	DNSZoneName string
	AddressName string

	ClusterName        string
	ReleaseChannel     string
	DeletionProtection bool
	// ProtectInfrastructure sets Pulumi's protect on what cannot be got
	// back quickly: the cluster, the address, a created zone, the records.
	ProtectInfrastructure bool
	AllowUnprotectedProd  bool
	MaintenanceStartTime  string
	// PrivateNodes gives the nodes internal addresses only, with Cloud NAT.
	PrivateNodes bool
	// AuthorizedNetworks (comma-separated CIDRs) alone reach the control
	// plane; empty: any address (with Google's authentication).
	AuthorizedNetworks string
	// RestrictControlPlane requires AuthorizedNetworks (on in prod).
	RestrictControlPlane bool
	Labels               map[string]string

	Namespace string
	// SSLPolicyProfile is the TLS profile of the load balancers (TLS 1.2
	// at least): MODERN or RESTRICTED.
	SSLPolicyProfile string
	// HSTSMaxAge is the Strict-Transport-Security max-age the load
	// balancer adds to every answer, in seconds; 0 sends none.
	HSTSMaxAge int
	// Armor is the Cloud Armor policy on the app's backend.
	Armor Armor
	// RolloutTimeout bounds each workload's rollout (a Go duration).
	RolloutTimeout  string
	ImagePullPolicy string
	Backend         Workload
	Frontend        Workload
	Database        Database
	// BackendMaxReplicas > 0 turns on the backend's autoscaler, aiming at
	// BackendCPUTarget percent of the CPU request.
	BackendMaxReplicas int
	BackendCPUTarget   int
	// BackendAccelerator ("" for none) and BackendAcceleratorCount put each
	// backend pod on a GPU node.
	BackendAccelerator      string
	BackendAcceleratorCount int
	// NetworkPolicies restricts who reaches which pod.
	NetworkPolicies bool
	Backup          Backup
	// FreeTierCredit counts GKE's free tier against this stack's cluster
	// fee in cost reports (one cluster per billing account gets it).
	FreeTierCredit bool
	// Spot runs the frontend and backend (and, with SpotDatabase, MySQL)
	// as Autopilot Spot Pods.
	Spot         bool
	SpotDatabase bool
	// MLflow is the second app: an MLflow tracking server (GKE only).
	MLflow MLflow
	// AlertEmail, when set, is told when the public site fails its uptime
	// check (GKE only).
	AlertEmail string
	// Awake false puts the stack to sleep: only what holds data or takes
	// long to get back is kept (infra sleep / infra wake set it).
	Awake bool
}

// Platforms a stack can target.
const (
	PlatformGKE   = "gke"
	PlatformLocal = "local"
)

// Local reports whether the stack targets a local cluster.
func (c Config) Local() bool { return c.Platform == PlatformLocal }

// Workload is the sizing and image of one stateless part of the app.
type Workload struct {
	Image            string
	Replicas         int
	CPU              string
	Memory           string
	EphemeralStorage string
}

// Database is the MySQL part of the app.
type Database struct {
	Image            string
	CPU              string
	Memory           string
	EphemeralStorage string
	StorageSize      string
	StorageClass     string
	// DiskType, DiskReplication and DiskZones shape the Compute Engine
	// disk that holds the data on GKE.
	DiskType        string
	DiskReplication string
	DiskZones       string
	User            string
	RootPassword    Secret
	Password        Secret
	// Protect sets Pulumi's protect option on the StatefulSet.
	Protect bool
	// KeepData keeps the data volume when the StatefulSet is deleted.
	KeepData bool
}

// MLflow is the MLflow tracking server's config.
type MLflow struct {
	Enabled bool
	Image   string
	// DatabaseTier is the Cloud SQL machine type.
	DatabaseTier     string
	DatabasePassword Secret
	AdminPassword    Secret
}

// Secret holds a value from encrypted stack config. It prints as [secret]
// so that a stray log or %v never shows the value.
type Secret struct{ value string }

// NewSecret wraps a plain value read from encrypted config.
func NewSecret(v string) Secret { return Secret{value: v} }

// Reveal returns the value, for checks of it and for Output.
func (s Secret) Reveal() string { return s.value }

// Output hands the value to Pulumi as a secret output.
func (s Secret) Output() pulumi.StringOutput {
	return pulumi.ToSecret(pulumi.String(s.value)).(pulumi.StringOutput)
}

// Set reports whether a value was given.
func (s Secret) Set() bool { return s.value != "" }

func (s Secret) String() string { return "[secret]" }

// GoString keeps %#v from printing the value too.
func (s Secret) GoString() string { return "[secret]" }

// Armor configures the Cloud Armor policy in front of the app.
type Armor struct {
	Enabled bool
	// RateLimit is POST requests per minute per client address.
	RateLimit int
	// BanSeconds is how long a client sending twice RateLimit is banned.
	BanSeconds int
	// WAF is a comma-separated list of preconfigured WAF rules.
	WAF string
}

// WAFRules lists the configured WAF rules.
func (a Armor) WAFRules() []string { return splitList(a.WAF) }
