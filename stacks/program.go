package stacks

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/unlimited-translation/infra/components"
	"github.com/unlimited-translation/infra/infra"
)

// Program is the stack program that `pulumi up` runs: config, validated as
// a whole before any resource is registered, then Deploy.
func Program(ctx *pulumi.Context) error { return ProgramWith(nil)(ctx) }

// ProgramWith is Program with some keys' values replaced ("awake":
// "true"), for previews of a change not yet written to the stack file.
func ProgramWith(override map[string]string) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error { return program(ctx, override) }
}

func program(ctx *pulumi.Context, override map[string]string) error {
	if ctx.Project() != Project {
		// Every key would sit under the other name, unread.
		return fmt.Errorf("Pulumi.yaml names the project %q, but this program is %q: set name: %s", ctx.Project(), Project, Project)
	}
	var src Source = ContextSource{Ctx: ctx}
	if len(override) > 0 {
		src = overridden{src, override}
	}
	cfg, err := Load(ctx.Stack(), src)
	if err != nil {
		return err
	}
	if cfg.Local() {
		_, err = DeployLocal(ctx, cfg)
	} else {
		_, err = Deploy(ctx, cfg)
	}
	return err
}

// ContextSource reads config from the running Pulumi program.
type ContextSource struct{ Ctx *pulumi.Context }

// Get implements Source.
func (s ContextSource) Get(key string) (string, bool) { return s.Ctx.GetConfig(key) }

// IsSecret implements Source.
func (s ContextSource) IsSecret(key string) bool { return s.Ctx.IsConfigSecret(key) }

// overridden is a Source with some keys (named without the project
// namespace) set to other values.
type overridden struct {
	Source
	values map[string]string
}

func (o overridden) Get(key string) (string, bool) {
	if v, ok := o.values[strings.TrimPrefix(key, Project+":")]; ok {
		return v, true
	}
	return o.Source.Get(key)
}

// Stack is what Deploy made, for callers and tests.
type Stack struct {
	Address *infra.PublicAddress
	DNS     *infra.DNS
	Cluster *infra.AutopilotCluster
	Disk    *infra.DataDisk
	Backups *infra.BackupBucket
	App     *components.TranslationApp
	// MLflow is the second app, when the stack runs it.
	MLflow *components.MLflow
}

// Deploy registers every resource of a stack and its outputs. Address and
// DNS do not depend on the cluster, so the engine creates them in parallel
// with it and certificate provisioning can start early. A sleeping stack
// (awake false) registers only what it keeps: see kept.
func Deploy(ctx *pulumi.Context, cfg Config) (*Stack, error) {
	k, err := kept(ctx, cfg)
	if err != nil {
		return nil, err
	}
	var cluster *infra.AutopilotCluster
	if cfg.Awake {
		if cluster, err = newCluster(ctx, cfg, k); err != nil {
			return nil, err
		}
	}
	ids, err := newIdentities(ctx, cfg, k, cluster)
	if err != nil {
		return nil, err
	}
	st := &Stack{Address: k.address, DNS: k.dns, Disk: k.disk, Backups: k.backups}
	ctx.Export("url", pulumi.String("https://"+k.dns.Hosts[0]))
	ctx.Export("address", k.address.Address)
	ctx.Export("addressName", k.address.Name)
	ctx.Export("nameServers", k.dns.NameServers)
	ctx.Export("dnsZone", k.dns.ZoneName)
	ctx.Export("certificate", k.cert.Name)
	ctx.Export("databaseDisk", k.disk.VolumeHandle)
	ctx.Export("backupBucket", k.backups.Name)
	ctx.Export("namespace", pulumi.String(cfg.Namespace))
	ctx.Export("awake", pulumi.Bool(cfg.Awake))
	if m := k.mlflow; cfg.MLflow.Enabled {
		ctx.Export("mlflowUrl", pulumi.String("https://"+MLflowHost(cfg)))
		ctx.Export("mlflowAddress", m.address.Address)
		ctx.Export("mlflowDatabase", m.database.ConnectionName)
		ctx.Export("mlflowArtifacts", m.artifacts.Name)
	}
	if !cfg.Awake {
		return st, nil
	}
	return st, awake(ctx, cfg, k, cluster, ids, st)
}

// keptParts are what a stack keeps while it sleeps: what holds data
// (disk, backups) or takes long to get back (address, DNS zone and
// records, certificate), and what costs nothing (APIs, network, the
// Workload Identity bindings and bucket grants, see identities). The
// service accounts themselves and their project roles are the
// bootstrap's (infra.WorkloadAccount).
type keptParts struct {
	labels  map[string]string
	apis    *infra.ProjectAPIs
	address *infra.PublicAddress
	dns     *infra.DNS
	cert    *infra.Certificate
	network *infra.Network
	disk    *infra.DataDisk
	backups *infra.BackupBucket
	mlflow  mlflowKept
	// alerts is where alerts go, with alertEmail (nil without).
	alerts *infra.AlertChannel
}

func kept(ctx *pulumi.Context, cfg Config) (k keptParts, err error) {
	k.labels = Labels(cfg)
	// A fresh project has none of the APIs on: everything in GCP waits
	// for them.
	apis := infra.StackAPIs
	if cfg.MLflow.Enabled {
		apis = append(append([]string{}, apis...), MLflowAPIs...)
	}
	if cfg.AlertEmail != "" {
		apis = append(append([]string{}, apis...), infra.MonitoringAPIs...)
	}
	if k.apis, err = infra.NewProjectAPIs(ctx, "apis", infra.ProjectAPIsArgs{Project: cfg.GCPProject, APIs: apis}); err != nil {
		return k, err
	}
	if k.address, err = infra.NewPublicAddress(ctx, "address", infra.PublicAddressArgs{
		Project:  cfg.GCPProject,
		Name:     cfg.AddressName,
		Labels:   k.labels,
		Protect:  cfg.ProtectInfrastructure,
		Requires: k.apis.Enabled,
	}); err != nil {
		return k, err
	}
	var more []infra.DNSRecord
	if cfg.MLflow.Enabled {
		if k.mlflow, err = keptMLflow(ctx, cfg, k); err != nil {
			return k, err
		}
		more = append(more, infra.DNSRecord{Label: "mlflow", Host: MLflowHost(cfg), Address: k.mlflow.address.Address})
	}
	if k.dns, err = infra.NewDNS(ctx, "dns", infra.DNSArgs{
		Project:    cfg.GCPProject,
		Domain:     cfg.Domain,
		ZoneName:   cfg.DNSZoneName,
		CreateZone: cfg.CreateDNSZone,
		DNSSEC:     cfg.DNSSEC,
		CAAIssuers: caaIssuers(cfg),
		Address:    k.address.Address,
		More:       more,
		Labels:     k.labels,
		Protect:    cfg.ProtectInfrastructure,
		Requires:   k.apis.Enabled,
	}); err != nil {
		return k, err
	}
	if k.cert, err = infra.NewCertificate(ctx, "certificate", infra.CertificateArgs{
		Project:  cfg.GCPProject,
		Name:     CertificateName(cfg),
		Domains:  k.dns.Hosts,
		Protect:  cfg.ProtectInfrastructure,
		Requires: k.apis.Enabled,
	}); err != nil {
		return k, err
	}
	// The cluster's own network: a fresh project or a strict
	// organisation has no default network. Cloud NAT is billed by the
	// hour: only while awake.
	if k.network, err = infra.NewNetwork(ctx, "network", infra.NetworkArgs{
		Project:   cfg.GCPProject,
		Region:    cfg.Region,
		Name:      NetworkName(cfg),
		NodesCIDR: NodesCIDR, PodsCIDR: PodsCIDR, ServicesCIDR: ServicesCIDR,
		NAT:      cfg.PrivateNodes && cfg.Awake,
		Requires: k.apis.Enabled,
	}); err != nil {
		return k, err
	}
	// The data lives on a disk of its own, outside the cluster: a new
	// cluster binds the same disk, so the data outlives teardowns.
	if k.disk, err = infra.NewDataDisk(ctx, "database-disk", infra.DataDiskArgs{
		Project:  cfg.GCPProject,
		Region:   cfg.Region,
		Name:     DiskName(cfg),
		SizeGb:   DiskSizeGb(cfg),
		Type:     cfg.Database.DiskType,
		Zones:    DiskZones(cfg),
		Labels:   k.labels,
		Requires: k.apis.Enabled,
	}); err != nil {
		return k, err
	}
	if cfg.AlertEmail != "" {
		if k.alerts, err = infra.NewAlertChannel(ctx, "alerts", infra.AlertChannelArgs{
			Project:     cfg.GCPProject,
			DisplayName: "translation-" + ctx.Stack() + " alerts",
			Email:       cfg.AlertEmail,
			Requires:    k.apis.Enabled,
		}); err != nil {
			return k, err
		}
	}
	// Backups go to a bucket that, like the disk, outlives the cluster.
	k.backups, err = infra.NewBackupBucket(ctx, "backups", infra.BackupBucketArgs{
		Project:       cfg.GCPProject,
		Location:      cfg.Region,
		Name:          BackupBucketName(cfg),
		RetentionDays: cfg.Backup.RetentionDays,
		KeepNewest:    cfg.Backup.KeepNewest,
		Labels:        k.labels,
		Requires:      k.apis.Enabled,
	})
	return k, err
}

// identities are the Workload Identity bindings and bucket grants of the
// backup jobs' and MLflow's accounts. They are registered asleep too, so a
// sleep keeps them and the first backup after a wake does not wait for
// IAM to propagate; cluster is nil while asleep.
type identities struct{ backup, mlflow *infra.WorkloadIdentity }

func newIdentities(ctx *pulumi.Context, cfg Config, k keptParts, cluster *infra.AutopilotCluster) (ids identities, err error) {
	if ids.backup, err = infra.NewWorkloadIdentity(ctx, "backup-identity", infra.WorkloadIdentityArgs{
		Project:                  cfg.GCPProject,
		AccountID:                BackupAccountID(cfg),
		Bucket:                   k.backups.Name,
		BucketRoles:              infra.BackupBucketRoles,
		PrefixGrants:             []infra.PrefixGrant{infra.BackupNewestGrant},
		Namespace:                cfg.Namespace,
		KubernetesServiceAccount: backupServiceAccount,
		Requires:                 identityRequires(k, cluster),
	}); err != nil || !cfg.MLflow.Enabled {
		return ids, err
	}
	ids.mlflow, err = infra.NewWorkloadIdentity(ctx, "mlflow-identity", infra.WorkloadIdentityArgs{
		Project:   cfg.GCPProject,
		AccountID: MLflowAccountID(cfg),
		Bucket:    k.mlflow.artifacts.Name,
		// Read, write and delete artifacts (runs are deleted too).
		BucketRoles:              []string{"roles/storage.objectUser"},
		Namespace:                mlflowNamespace,
		KubernetesServiceAccount: mlflowServiceAccount,
		Requires:                 identityRequires(k, cluster),
	})
	return ids, err
}

// identityRequires is what a Workload Identity binding waits for: the
// APIs and, while awake, the cluster (the first one makes the project's
// identity pool). Asleep, the binding stays as it is.
func identityRequires(k keptParts, cluster *infra.AutopilotCluster) []pulumi.Resource {
	req := append([]pulumi.Resource{}, k.apis.Enabled...)
	if cluster != nil {
		req = append(req, cluster.Cluster)
	}
	return req
}

// newCluster registers the Autopilot cluster. Its nodes run as the
// account the bootstrap made with the roles GKE needs: a fresh project or
// a strict organisation has no default account with those roles.
func newCluster(ctx *pulumi.Context, cfg Config, k keptParts) (*infra.AutopilotCluster, error) {
	return infra.NewAutopilotCluster(ctx, "cluster", infra.AutopilotClusterArgs{
		Project:              cfg.GCPProject,
		Region:               cfg.Region,
		Name:                 cfg.ClusterName,
		ReleaseChannel:       cfg.ReleaseChannel,
		DeletionProtection:   cfg.DeletionProtection,
		Labels:               k.labels,
		MaintenanceStartTime: cfg.MaintenanceStartTime,
		Protect:              cfg.ProtectInfrastructure,
		Network:              k.network.Name,
		Subnetwork:           k.network.SubnetName,
		NodeServiceAccount:   pulumi.String(infra.AccountEmail(cfg.GCPProject, NodeAccountID(cfg))),
		PrivateNodes:         cfg.PrivateNodes,
		AuthorizedNetworks:   AuthorizedNetworks(cfg),
		Requires:             append(append([]pulumi.Resource{}, k.apis.Enabled...), k.network.Ready...),
	})
}

// awake registers what a stack runs while awake: the app (and MLflow) in
// the cluster.
func awake(ctx *pulumi.Context, cfg Config, k keptParts, cluster *infra.AutopilotCluster, ids identities, st *Stack) error {
	// The load balancers exist only while the stack is awake; so does
	// their TLS floor.
	tls, err := infra.NewSSLPolicy(ctx, "tls", infra.SSLPolicyArgs{
		Project: cfg.GCPProject, Name: SSLPolicyName(cfg), Profile: cfg.SSLPolicyProfile, Requires: k.apis.Enabled,
	})
	if err != nil {
		return err
	}
	armor, err := securityPolicy(ctx, cfg, k)
	if err != nil {
		return err
	}
	appArgs := AppArgs(cfg, &components.PublicEndpointArgs{
		Hosts:                k.dns.Hosts,
		AddressName:          k.address.Name,
		PreSharedCertificate: k.cert.Name,
		SSLPolicy:            tls.Name,
		SecurityPolicy:       armor,
		HSTSMaxAge:           cfg.HSTSMaxAge,
	}, components.Placement{DeletedWith: cluster.Cluster})
	appArgs.Database.Disk = &components.DiskVolume{
		VolumeHandle: k.disk.VolumeHandle,
		Zones:        k.disk.Zones,
		SizeGb:       k.disk.SizeGb,
		Type:         k.disk.Type,
	}
	appArgs.Database.BackupPassword = BackupPassword(cfg.Database.RootPassword).Output()
	appArgs.Backup = &components.DatabaseBackupArgs{
		Schedule:             cfg.Backup.Schedule,
		Bucket:               k.backups.Name,
		NewestObject:         infra.NewestPrefix + components.DefaultDatabaseName + ".sql.gz",
		GoogleServiceAccount: ids.backup.Email,
		ServiceAccountName:   backupServiceAccount,
		Requests:             components.Requests{CPU: "250m", Memory: "512Mi", EphemeralStorage: BackupEphemeralStorage(cfg)},
		Spot:                 cfg.Spot,
	}
	app, err := components.NewTranslationApp(ctx, appName, appArgs, pulumi.Providers(cluster.Provider))
	if err != nil {
		return err
	}
	if cfg.MLflow.Enabled {
		if st.MLflow, err = awakeMLflow(ctx, cfg, k, cluster, ids.mlflow, tls); err != nil {
			return err
		}
	}
	if k.alerts != nil {
		if _, err := infra.NewUptimeAlert(ctx, "uptime", infra.UptimeAlertArgs{
			Project:     cfg.GCPProject,
			DisplayName: "translation-" + ctx.Stack(),
			Host:        k.dns.Hosts[0],
			Path:        "/",
			Channels:    pulumi.StringArray{k.alerts.Name},
			Requires:    k.apis.Enabled,
		}); err != nil {
			return err
		}
	}
	ctx.Export("clusterName", cluster.Name)
	ctx.Export("kubeconfig", cluster.Kubeconfig)
	st.Cluster, st.App = cluster, app
	return nil
}

// securityPolicy makes the app's Cloud Armor policy, awake only like the
// load balancer it guards, and gives the name its BackendConfig carries:
// "" without one, so GKE detaches a policy that was on before it is
// deleted.
func securityPolicy(ctx *pulumi.Context, cfg Config, k keptParts) (pulumi.StringInput, error) {
	if !cfg.Armor.Enabled {
		return pulumi.String(""), nil
	}
	p, err := infra.NewSecurityPolicy(ctx, "armor", infra.SecurityPolicyArgs{
		Project: cfg.GCPProject, Name: SecurityPolicyName(cfg), Requires: k.apis.Enabled,
		RateLimit: cfg.Armor.RateLimit, BanSeconds: cfg.Armor.BanSeconds, WAF: cfg.Armor.WAFRules(),
	})
	if err != nil {
		return nil, err
	}
	return p.Name, nil
}

// SecurityPolicyName is the stack's Cloud Armor policy.
func SecurityPolicyName(cfg Config) string { return "translation-" + cfg.Stack + "-armor" }

// SSLPolicyName is the stack's SSL policy, shared by its load balancers.
func SSLPolicyName(cfg Config) string { return "translation-" + cfg.Stack + "-tls" }

// backupServiceAccount is the Kubernetes service account of the backup
// and restore jobs, bound to the Google one.
const backupServiceAccount = "mysql-backup"

// appName is the TranslationApp's resource name on every platform, so that
// its children's URNs do not depend on where it runs.
const appName = "translation"

// DeployLocal deploys the app alone to the cluster of the current
// kubeconfig (or the kubeContext config): no GCP resources, the frontend
// exposed by its own Service instead of the Ingress and certificate.
func DeployLocal(ctx *pulumi.Context, cfg Config) (*Stack, error) {
	args := &kubernetes.ProviderArgs{}
	if cfg.KubeContext != "" {
		args.Context = pulumi.String(cfg.KubeContext)
	}
	provider, err := kubernetes.NewProvider(ctx, "local", args)
	if err != nil {
		return nil, err
	}
	app, err := components.NewTranslationApp(ctx, appName, AppArgs(cfg, nil, components.Placement{}), pulumi.Providers(provider))
	if err != nil {
		return nil, err
	}
	ctx.Export("namespace", pulumi.String(cfg.Namespace))
	ctx.Export("frontendService", app.Frontend.ServiceName)
	ctx.Export("open", pulumi.Sprintf("kubectl port-forward -n %s service/%s 8080:80, then open http://localhost:8080 (minikube: minikube service -n %s %s)",
		cfg.Namespace, app.Frontend.ServiceName, cfg.Namespace, app.Frontend.ServiceName))
	return &Stack{App: app}, nil
}

// Labels are the GCP resource labels of every labelled resource.
func Labels(cfg Config) map[string]string {
	labels := map[string]string{}
	for k, v := range cfg.Labels {
		labels[k] = v
	}
	labels["app"] = "unlimited-translation"
	labels["environment"] = cfg.Stack
	labels["managed-by"] = "pulumi"
	return labels
}

// AppArgs maps config onto the app's components.
func AppArgs(cfg Config, public *components.PublicEndpointArgs, place components.Placement) components.TranslationAppArgs {
	req := func(cpu, mem, eph string) components.Requests {
		return components.Requests{CPU: cpu, Memory: mem, EphemeralStorage: eph}
	}
	db := cfg.Database
	var autoscale *components.Autoscale
	if cfg.BackendMaxReplicas > 0 {
		autoscale = &components.Autoscale{MinReplicas: cfg.Backend.Replicas, MaxReplicas: cfg.BackendMaxReplicas, CPUPercent: cfg.BackendCPUTarget}
	}
	place.RolloutTimeout = cfg.RolloutTimeout
	return components.TranslationAppArgs{
		Namespace:       cfg.Namespace,
		NetworkPolicies: cfg.NetworkPolicies,
		Backend: components.BackendArgs{
			Image:           cfg.Backend.Image,
			ImagePullPolicy: cfg.ImagePullPolicy,
			Replicas:        cfg.Backend.Replicas,
			Autoscale:       autoscale,
			Spot:            cfg.Spot && !cfg.Local(),
			Accelerator:     backendAccelerator(cfg),
			Requests:        req(cfg.Backend.CPU, cfg.Backend.Memory, cfg.Backend.EphemeralStorage),
		},
		Frontend: components.FrontendArgs{
			ServiceType:     cfg.FrontendServiceType,
			Image:           cfg.Frontend.Image,
			ImagePullPolicy: cfg.ImagePullPolicy,
			Replicas:        cfg.Frontend.Replicas,
			Spot:            cfg.Spot && !cfg.Local(),
			Requests:        req(cfg.Frontend.CPU, cfg.Frontend.Memory, cfg.Frontend.EphemeralStorage),
		},
		Database: components.DatabaseArgs{
			Image:        db.Image,
			Requests:     req(db.CPU, db.Memory, db.EphemeralStorage),
			StorageSize:  db.StorageSize,
			StorageClass: db.StorageClass,
			User:         db.User,
			RootPassword: db.RootPassword.Output(),
			Password:     db.Password.Output(),
			Protect:      db.Protect,
			KeepData:     db.KeepData,
			Spot:         cfg.Spot && cfg.SpotDatabase && !cfg.Local(),
		},
		Public:    public,
		Placement: place,
	}
}

// caaIssuers are the CAs the domain's CAA record allows, none without one.
func caaIssuers(cfg Config) []string {
	if !cfg.CAA {
		return nil
	}
	return infra.ManagedCertificateCAs
}
