package stacks

import (
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/unlimited-translation/infra/components"
	"github.com/unlimited-translation/infra/infra"
)

// Program is the stack program that `pulumi up` runs: config, validated as
// a whole before any resource is registered, then Deploy.
func Program(ctx *pulumi.Context) error {
	cfg, err := Load(ctx.Stack(), ContextSource{Ctx: ctx})
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

// Stack is what Deploy made, for callers and tests.
type Stack struct {
	Address *infra.PublicAddress
	DNS     *infra.DNS
	Cluster *infra.AutopilotCluster
	Disk    *infra.DataDisk
	Backups *infra.BackupBucket
	App     *components.TranslationApp
}

// Deploy registers every resource of a stack and its outputs. Address and
// DNS do not depend on the cluster, so the engine creates them in parallel
// with it and certificate provisioning can start early.
func Deploy(ctx *pulumi.Context, cfg Config) (*Stack, error) {
	labels := Labels(cfg)
	// A fresh project has none of the APIs on: everything in GCP waits
	// for them.
	apis, err := infra.NewProjectAPIs(ctx, "apis", infra.ProjectAPIsArgs{Project: cfg.GCPProject, APIs: infra.StackAPIs})
	if err != nil {
		return nil, err
	}
	address, err := infra.NewPublicAddress(ctx, "address", infra.PublicAddressArgs{
		Project:  cfg.GCPProject,
		Name:     cfg.AddressName,
		Labels:   labels,
		Protect:  cfg.ProtectInfrastructure,
		Requires: apis.Enabled,
	})
	if err != nil {
		return nil, err
	}
	dns, err := infra.NewDNS(ctx, "dns", infra.DNSArgs{
		Project:    cfg.GCPProject,
		Domain:     cfg.Domain,
		ZoneName:   cfg.DNSZoneName,
		CreateZone: cfg.CreateDNSZone,
		Address:    address.Address,
		Labels:     labels,
		Protect:    cfg.ProtectInfrastructure,
		Requires:   apis.Enabled,
	})
	if err != nil {
		return nil, err
	}
	// The cluster's own network, and its nodes' own account with the
	// roles GKE needs: a fresh project or a strict organisation has neither
	// a default network nor a default account with those roles.
	network, err := infra.NewNetwork(ctx, "network", infra.NetworkArgs{
		Project:   cfg.GCPProject,
		Region:    cfg.Region,
		Name:      NetworkName(cfg),
		NodesCIDR: NodesCIDR, PodsCIDR: PodsCIDR, ServicesCIDR: ServicesCIDR,
		NAT:      cfg.PrivateNodes,
		Requires: apis.Enabled,
	})
	if err != nil {
		return nil, err
	}
	nodes, err := infra.NewNodeIdentity(ctx, "node-identity", infra.NodeIdentityArgs{
		Project:   cfg.GCPProject,
		AccountID: NodeAccountID(cfg),
		Requires:  apis.Enabled,
	})
	if err != nil {
		return nil, err
	}
	cluster, err := infra.NewAutopilotCluster(ctx, "cluster", infra.AutopilotClusterArgs{
		Project:              cfg.GCPProject,
		Region:               cfg.Region,
		Name:                 cfg.ClusterName,
		ReleaseChannel:       cfg.ReleaseChannel,
		DeletionProtection:   cfg.DeletionProtection,
		Labels:               labels,
		MaintenanceStartTime: cfg.MaintenanceStartTime,
		Protect:              cfg.ProtectInfrastructure,
		Network:              network.Name,
		Subnetwork:           network.SubnetName,
		NodeServiceAccount:   nodes.Email,
		PrivateNodes:         cfg.PrivateNodes,
		AuthorizedNetworks:   AuthorizedNetworks(cfg),
		Requires:             append(append(append([]pulumi.Resource{}, apis.Enabled...), network), nodes.Grants...),
	})
	if err != nil {
		return nil, err
	}
	// The data lives on a disk of its own, outside the cluster: a new
	// cluster binds the same disk, so the data outlives teardowns.
	disk, err := infra.NewDataDisk(ctx, "database-disk", infra.DataDiskArgs{
		Project:  cfg.GCPProject,
		Region:   cfg.Region,
		Name:     DiskName(cfg),
		SizeGb:   DiskSizeGb(cfg),
		Type:     cfg.Database.DiskType,
		Zones:    DiskZones(cfg),
		Labels:   labels,
		Requires: apis.Enabled,
	})
	if err != nil {
		return nil, err
	}
	// Backups go to a bucket that, like the disk, outlives the cluster; the
	// jobs write to it as a Google service account, through Workload
	// Identity, which needs the cluster's identity pool first.
	backups, err := infra.NewBackupBucket(ctx, "backups", infra.BackupBucketArgs{
		Project:       cfg.GCPProject,
		Location:      cfg.Region,
		Name:          BackupBucketName(cfg),
		RetentionDays: cfg.Backup.RetentionDays,
		Labels:        labels,
		Requires:      apis.Enabled,
	})
	if err != nil {
		return nil, err
	}
	identity, err := infra.NewBackupIdentity(ctx, "backup-identity", infra.BackupIdentityArgs{
		Project:                  cfg.GCPProject,
		AccountID:                BackupAccountID(cfg),
		Bucket:                   backups.Name,
		Namespace:                cfg.Namespace,
		KubernetesServiceAccount: backupServiceAccount,
		Requires:                 append(append([]pulumi.Resource{}, apis.Enabled...), cluster),
	})
	if err != nil {
		return nil, err
	}
	appArgs := AppArgs(cfg, &components.PublicEndpointArgs{
		Hosts:       dns.Hosts,
		AddressName: address.Name,
	}, components.Placement{DeletedWith: cluster.Cluster})
	appArgs.Database.Disk = &components.DiskVolume{
		VolumeHandle: disk.VolumeHandle,
		Zones:        disk.Zones,
		SizeGb:       disk.SizeGb,
		Type:         disk.Type,
	}
	appArgs.Backup = &components.DatabaseBackupArgs{
		Schedule:             cfg.Backup.Schedule,
		Bucket:               backups.Name,
		GoogleServiceAccount: identity.Email,
		ServiceAccountName:   backupServiceAccount,
		Spot:                 cfg.Spot,
		Requests:             components.Requests{CPU: "250m", Memory: "512Mi", EphemeralStorage: BackupEphemeralStorage(cfg)},
	}
	app, err := components.NewTranslationApp(ctx, appName, appArgs, pulumi.Providers(cluster.Provider))
	if err != nil {
		return nil, err
	}

	ctx.Export("url", pulumi.String("https://"+dns.Hosts[0]))
	ctx.Export("address", address.Address)
	ctx.Export("addressName", address.Name)
	ctx.Export("nameServers", dns.NameServers)
	ctx.Export("dnsZone", dns.ZoneName)
	ctx.Export("clusterName", cluster.Name)
	ctx.Export("kubeconfig", cluster.Kubeconfig)
	ctx.Export("databaseDisk", disk.VolumeHandle)
	ctx.Export("backupBucket", backups.Name)
	ctx.Export("namespace", pulumi.String(cfg.Namespace))
	return &Stack{Address: address, DNS: dns, Cluster: cluster, Disk: disk, Backups: backups, App: app}, nil
}

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
	return components.TranslationAppArgs{
		Namespace:       cfg.Namespace,
		NetworkPolicies: cfg.NetworkPolicies,
		Backend: components.BackendArgs{
			Image:           cfg.Backend.Image,
			ImagePullPolicy: cfg.ImagePullPolicy,
			Replicas:        cfg.Backend.Replicas,
			Autoscale:       autoscale,
			Spot:            cfg.Spot && !cfg.Local(),
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
			RootPassword: pulumi.ToSecret(pulumi.String(db.RootPassword.Reveal())).(pulumi.StringOutput),
			Password:     pulumi.ToSecret(pulumi.String(db.Password.Reveal())).(pulumi.StringOutput),
			Protect:      db.Protect,
			KeepData:     db.KeepData,
			Spot:         cfg.Spot && cfg.SpotDatabase && !cfg.Local(),
		},
		Public:    public,
		Placement: place,
	}
}
