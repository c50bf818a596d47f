package rules

// Sources, at the versions go.mod pins:
//   - pulumi-kubernetes v4.30.0: provider/pkg/provider/diff.go
//     (forceNewProperties and its forceNew table; every kind also replaces on
//     metadata.name and metadata.namespace) and provider/pkg/provider/provider.go
//     (Diff: delete-before-replace for objects that keep their explicit name;
//     DiffConfig for the provider itself).
//   - pulumi-gcp v7.38.0 bridges terraform-provider-google-beta v5.42.0
//     (provider/go.mod replaces it with the upstream submodule at that tag)
//     through pulumi-terraform-bridge v3.89.1. Its provider/resources.go
//     auto-names every string input called `name` (SetAutonaming; lowercase
//     for network, subnetwork, router and NAT; AutoName for the bucket; off
//     for the DNS record set), and the bridge's Diff asks the engine to
//     delete first whenever such a name was set by the program, not
//     defaulted (pkg/tfbridge/provider.go Diff, schema.go
//     nameRequiresDeleteBeforeReplace: the key is absent from __defaults).
//     This program names everything, so those types replace
//     delete-before-replace (ExplicitNameDeleteFirst); the others (record
//     set, service account, API, IAM members) create the new one first.
//     ForceNew arguments below are from the schemas under
//     google-beta/services/ at v5.42.0, in Pulumi's camelCase names.

var k8sIdentity = []string{"metadata.name", "metadata.namespace"}

func k8s(extra ...string) []string { return append(append([]string{}, k8sIdentity...), extra...) }

const (
	k8sDiff      = "pulumi-kubernetes v4.30.0 provider/pkg/provider/diff.go"
	tfContainer  = "terraform-provider-google-beta v5.42.0 google-beta/services/container/resource_container_cluster.go"
	tfAddress    = "terraform-provider-google-beta v5.42.0 google-beta/services/compute/resource_compute_global_address.go"
	tfZone       = "terraform-provider-google-beta v5.42.0 google-beta/services/dns/resource_dns_managed_zone.go"
	tfRecordSet  = "terraform-provider-google-beta v5.42.0 google-beta/services/dns/resource_dns_record_set.go"
	tfDisk       = "terraform-provider-google-beta v5.42.0 google-beta/services/compute/resource_compute_disk.go"
	tfRegionDisk = "terraform-provider-google-beta v5.42.0 google-beta/services/compute/resource_compute_region_disk.go"
	tfBucket     = "terraform-provider-google-beta v5.42.0 google-beta/services/storage/resource_storage_bucket.go"
	tfNetwork    = "terraform-provider-google-beta v5.42.0 google-beta/services/compute/resource_compute_network.go"
	tfSubnetwork = "terraform-provider-google-beta v5.42.0 google-beta/services/compute/resource_compute_subnetwork.go"
	tfRouter     = "terraform-provider-google-beta v5.42.0 google-beta/services/compute/resource_compute_router.go"
	tfRouterNat  = "terraform-provider-google-beta v5.42.0 google-beta/services/compute/resource_compute_router_nat.go"
	tfAccount    = "terraform-provider-google-beta v5.42.0 google-beta/services/resourcemanager/resource_google_service_account.go"
	tfCustomRole = "terraform-provider-google-beta v5.42.0 google-beta/services/resourcemanager/resource_google_project_iam_custom_role.go"
	tfService    = "terraform-provider-google-beta v5.42.0 google-beta/services/resourcemanager/resource_google_project_service.go"
	tfSQLInst    = "terraform-provider-google-beta v5.42.0 google-beta/services/sql/resource_sql_database_instance.go"
	tfSQLDB      = "terraform-provider-google-beta v5.42.0 google-beta/services/sql/resource_sql_database.go"
	tfSQLUser    = "terraform-provider-google-beta v5.42.0 google-beta/services/sql/resource_sql_user.go"
	tfSSLCert    = "terraform-provider-google-beta v5.42.0 google-beta/services/compute/resource_compute_managed_ssl_certificate.go"
	tfSSLPolicy  = "terraform-provider-google-beta v5.42.0 google-beta/services/compute/resource_compute_ssl_policy.go"
	tfArmor      = "terraform-provider-google-beta v5.42.0 google-beta/services/compute/resource_compute_security_policy.go"
	// IAM members have no update: role, member and condition are ForceNew
	// in tpgiamresource/resource_iam_member.go, the parent in each
	// service's iam_*.go schema.
	tfUptime     = "terraform-provider-google-beta v5.42.0 google-beta/services/monitoring/resource_monitoring_uptime_check_config.go"
	tfAlert      = "terraform-provider-google-beta v5.42.0 google-beta/services/monitoring/resource_monitoring_alert_policy.go"
	tfChannel    = "terraform-provider-google-beta v5.42.0 google-beta/services/monitoring/resource_monitoring_notification_channel.go"
	tfBudget     = "terraform-provider-google-beta v5.42.0 google-beta/services/billing/resource_billing_budget.go"
	tfBucketIAM  = "terraform-provider-google-beta v5.42.0 google-beta/tpgiamresource/resource_iam_member.go, services/storage/iam_storage_bucket.go"
	tfAccountIAM = "terraform-provider-google-beta v5.42.0 google-beta/tpgiamresource/resource_iam_member.go, services/resourcemanager/iam_service_account.go"
	tfProjectIAM = "terraform-provider-google-beta v5.42.0 google-beta/tpgiamresource/resource_iam_member.go, services/resourcemanager/iam_project.go"
)

// kubernetesOther is the rule of a Kubernetes kind the table does not
// list: identity only, as diff.go gives every kind.
const kubernetesOther = "kubernetes:*"

var table = map[string]Rule{
	// The cluster: name, place and mode are fixed; release channel, labels,
	// maintenance window, workload pool and authorised networks update in
	// place. Blocks (ip_allocation_policy, private_cluster_config) force a
	// new cluster for the fields listed.
	"gcp:container/cluster:Cluster": {
		ExplicitNameDeleteFirst: true,
		Source:                  tfContainer,
		ForceNew: []string{
			"name", "project", "location", "enableAutopilot", "network", "subnetwork",
			"ipAllocationPolicy.clusterIpv4CidrBlock", "ipAllocationPolicy.servicesIpv4CidrBlock",
			"ipAllocationPolicy.clusterSecondaryRangeName", "ipAllocationPolicy.servicesSecondaryRangeName",
			"ipAllocationPolicy.stackType", "ipAllocationPolicy.podCidrOverprovisionConfig",
			"privateClusterConfig.enablePrivateNodes", "privateClusterConfig.masterIpv4CidrBlock",
			"privateClusterConfig.privateEndpointSubnetwork",
			"nodeConfig", "nodePools", "initialNodeCount", "description", "clusterIpv4Cidr",
			"networkingMode", "defaultMaxPodsPerNode", "datapathProvider", "enableKubernetesAlpha",
			"enableTpu", "confidentialNodes", "enableMultiNetworking",
			"clusterAutoscaling.autoProvisioningDefaults.bootDiskKmsKey",
		},
		IDFormat: "projects/{project}/locations/{location}/clusters/{name}",
		Loses: func(map[string]interface{}) []Risk {
			return []Risk{{"downtime", "nothing serves until the new cluster is created and every object in it is recreated; everything running in the old one goes with it"}}
		},
		// resourceContainerClusterDelete refuses while deletion_protection is
		// true in the state (its default in this version).
		Blocks: func(old map[string]interface{}) (string, string) {
			if old["deletionProtection"] == false {
				return "", ""
			}
			return "GKE deletion protection is on: deleting the old cluster fails (a replacement deletes it first, so nothing changes)",
				"apply deletionProtection: false in an earlier `up`, then this change"
		},
	},
	// Every input but labels forces a new address.
	// profile, minTlsVersion and customFeatures are patched in place.
	"gcp:compute/sSLPolicy:SSLPolicy": {
		ExplicitNameDeleteFirst: true,
		Source:                  tfSSLPolicy,
		ForceNew:                []string{"name", "description", "project"},
		IDFormat:                "projects/{project}/global/sslPolicies/{name}",
	},
	// description and rules update in place (rules are added, patched and
	// removed one by one, keyed by priority); type is not ForceNew (the
	// API refuses to change it; the program always sets CLOUD_ARMOR).
	"gcp:compute/securityPolicy:SecurityPolicy": {
		ExplicitNameDeleteFirst: true,
		Source:                  tfArmor,
		ForceNew:                []string{"name", "project"},
		IDFormat:                "projects/{project}/global/securityPolicies/{name}",
	},
	"gcp:compute/globalAddress:GlobalAddress": {
		ExplicitNameDeleteFirst: true,
		Source:                  tfAddress,
		ForceNew:                []string{"name", "address", "addressType", "description", "ipVersion", "network", "prefixLength", "purpose", "project"},
		IDFormat:                "projects/{project}/global/addresses/{name}",
		Loses: func(map[string]interface{}) []Risk {
			return []Risk{{"IP", "the reserved IP address is released; a new address is reserved and DNS must follow (clients keep the old one until the TTL ends)"}}
		},
	},
	"gcp:dns/managedZone:ManagedZone": {
		ExplicitNameDeleteFirst: true,
		Source:                  tfZone,
		ForceNew:                []string{"name", "dnsName", "visibility", "reverseLookup", "serviceDirectoryConfig", "project"},
		IDFormat:                "projects/{project}/managedZones/{name}",
		Loses: func(map[string]interface{}) []Risk {
			return []Risk{{"DNS delegation", "a new zone gets new name servers: the domain stops resolving until its delegation (NS records at the registrar or parent zone) is changed"}}
		},
	},
	// type, ttl and rrdatas update in place.
	"gcp:dns/recordSet:RecordSet": {
		Source:   tfRecordSet,
		ForceNew: []string{"name", "managedZone", "project"},
		IDFormat: "projects/{project}/managedZones/{managedZone}/rrsets/{name}/{type}",
		Loses: func(in map[string]interface{}) []Risk {
			// A CAA record only limits which CAs may issue; without it
			// the name still resolves.
			if in["type"] == "CAA" {
				return nil
			}
			return []Risk{{"downtime", "the name stops resolving while the record is gone"}}
		},
	},
	// size grows in place; shrinking forces a new disk (ForceNewIfChange).
	"gcp:compute/disk:Disk": {
		ExplicitNameDeleteFirst: true,
		Source:                  tfDisk,
		ForceNew: []string{"name", "zone", "type", "image", "snapshot", "description", "diskEncryptionKey",
			"sourceImageEncryptionKey", "sourceSnapshotEncryptionKey", "sourceDisk", "asyncPrimaryDisk",
			"guestOsFeatures", "licenses", "interface", "multiWriter", "physicalBlockSizeBytes",
			"resourcePolicies", "storagePool", "enableConfidentialCompute", "project"},
		IDFormat: "projects/{project}/zones/{zone}/disks/{name}",
		Loses:    dataOnDisk,
	},
	"gcp:compute/regionDisk:RegionDisk": {
		ExplicitNameDeleteFirst: true,
		Source:                  tfRegionDisk,
		ForceNew: []string{"name", "region", "replicaZones", "type", "snapshot", "description", "diskEncryptionKey",
			"sourceDisk", "asyncPrimaryDisk", "guestOsFeatures", "licenses", "interface", "physicalBlockSizeBytes", "project"},
		IDFormat: "projects/{project}/regions/{region}/disks/{name}",
		Loses:    dataOnDisk,
	},
	"gcp:storage/bucket:Bucket": {
		ExplicitNameDeleteFirst: true,
		Source:                  tfBucket,
		ForceNew:                []string{"name", "location", "project", "enableObjectRetention", "customPlacementConfig.dataLocations"},
		IDFormat:                "{name}",
		Loses: func(map[string]interface{}) []Risk {
			return []Risk{{"data", "every object in the bucket"}}
		},
	},
	// databaseVersion, tier and edition update in place. CustomizeDiff
	// also replaces on a smaller settings.diskSize (the stack ignores it:
	// the disk grows by itself), on a new masterInstanceName and on
	// settings.ipConfiguration.privateNetwork going from set to empty.
	"gcp:sql/databaseInstance:DatabaseInstance": {
		ExplicitNameDeleteFirst: true,
		Source:                  tfSQLInst,
		ForceNew: []string{"name", "region", "project", "encryptionKeyName",
			"settings.timeZone", "settings.collation", "settings.diskType", "replicaConfiguration"},
		// Read sets the ID to the instance's name.
		IDFormat: "{name}",
		Loses: func(map[string]interface{}) []Risk {
			return []Risk{{"data", "every database in the instance, and its automated backups (deleted with it; no final backup is taken)"}}
		},
		// resourceSqlDatabaseInstanceDelete refuses while
		// deletion_protection is true in the state (its default).
		Blocks: func(old map[string]interface{}) (string, string) {
			if old["deletionProtection"] == false {
				return "", ""
			}
			return "the provider's deletion protection is on: deleting the instance fails",
				"apply deletionProtection: false in an earlier `up`, then this change"
		},
	},
	"gcp:sql/database:Database": {
		ExplicitNameDeleteFirst: true,
		Source:                  tfSQLDB, ForceNew: []string{"instance", "name", "project"},
		IDFormat: "projects/{project}/instances/{instance}/databases/{name}",
		Loses: func(in map[string]interface{}) []Risk {
			if in["deletionPolicy"] == "ABANDON" {
				return nil
			}
			return []Risk{{"data", "every table in the database"}}
		},
	},
	// password updates in place; a PostgreSQL user with its host empty is
	// NAME//INSTANCE.
	"gcp:sql/user:User": {
		ExplicitNameDeleteFirst: true,
		Source:                  tfSQLUser, ForceNew: []string{"host", "instance", "name", "type", "project"},
		IDFormat: "{name}/{host}/{instance}",
	},
	"gcp:compute/network:Network": {
		ExplicitNameDeleteFirst: true,
		Source:                  tfNetwork,
		ForceNew:                []string{"name", "autoCreateSubnetworks", "description", "mtu", "enableUlaInternalIpv6", "internalIpv6Range", "project"},
		IDFormat:                "projects/{project}/global/networks/{name}",
		Loses:                   networkGoes,
	},
	// ipCidrRange expands in place; shrinking forces a new subnetwork.
	"gcp:compute/subnetwork:Subnetwork": {
		ExplicitNameDeleteFirst: true,
		Source:                  tfSubnetwork,
		ForceNew:                []string{"name", "network", "region", "purpose", "description", "externalIpv6Prefix", "project"},
		IDFormat:                "projects/{project}/regions/{region}/subnetworks/{name}",
		Loses:                   networkGoes,
	},
	"gcp:compute/router:Router": {
		ExplicitNameDeleteFirst: true,
		Source:                  tfRouter, ForceNew: []string{"name", "network", "encryptedInterconnectRouter", "region", "project"},
		IDFormat: "projects/{project}/regions/{region}/routers/{name}",
	},
	// Without NAT, private nodes cannot pull images from outside Google.
	"gcp:compute/routerNat:RouterNat": {
		ExplicitNameDeleteFirst: true,
		Source:                  tfRouterNat, ForceNew: []string{"name", "router", "endpointTypes", "region", "type", "project"},
		IDFormat: "{project}/{region}/{router}/{name}",
		Loses: func(map[string]interface{}) []Risk {
			return []Risk{{"downtime", "private nodes cannot pull images from outside Google until the new NAT is up"}}
		},
	},
	"gcp:serviceaccount/account:Account": {
		Source:   tfAccount,
		ForceNew: []string{"accountId", "project"},
		Loses: func(map[string]interface{}) []Risk {
			return []Risk{{"access", "IAM bindings that name the account stop working until granted to the new one"}}
		},
	},
	"gcp:storage/bucketIAMMember:BucketIAMMember": {
		Source: tfBucketIAM, ForceNew: []string{"bucket", "role", "member", "condition"},
	},
	"gcp:serviceaccount/iAMMember:IAMMember": {
		Source: tfAccountIAM, ForceNew: []string{"serviceAccountId", "role", "member", "condition"},
	},
	// Title, permissions and stage update in place; a role deleted earlier
	// is undeleted, not refused, when created again (its Create).
	"gcp:projects/iAMCustomRole:IAMCustomRole": {
		Source: tfCustomRole, ForceNew: []string{"roleId", "project"},
		IDFormat: "projects/{project}/roles/{roleId}",
	},
	"gcp:projects/iAMMember:IAMMember": {
		Source: tfProjectIAM, ForceNew: []string{"project", "role", "member", "condition"},
	},
	"gcp:projects/service:Service": {
		Source:   tfService,
		ForceNew: []string{"service", "project"},
		IDFormat: "{project}/{service}",
	},
	// No update function: every input forces a new certificate.
	"gcp:compute/managedSslCertificate:ManagedSslCertificate": {
		ExplicitNameDeleteFirst: true,
		Source:                  tfSSLCert,
		ForceNew:                []string{"name", "description", "managed", "type", "project"},
		IDFormat:                "projects/{project}/global/sslCertificates/{name}",
		Loses:                   certificateGoes,
	},

	// Monitoring: the IDs are the API's names (projects/P/uptimeCheckConfigs/ID,
	// …/alertPolicies/ID, …/notificationChannels/ID), which the cloud
	// picks; nothing is lost but a moment of watching.
	"gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig": {
		Source: tfUptime,
		ForceNew: []string{"checkerType", "httpCheck.requestMethod", "monitoredResource", "resourceGroup",
			"syntheticMonitor", "project"},
	},
	"gcp:monitoring/alertPolicy:AlertPolicy": {
		Source: tfAlert, ForceNew: []string{"project"},
	},
	// type is updated in place (sent in the PATCH), only project is ForceNew.
	"gcp:monitoring/notificationChannel:NotificationChannel": {
		Source: tfChannel, ForceNew: []string{"project"},
	},

	// Only the billing account is ForceNew; the ID is
	// billingAccounts/{billingAccount}/budgets/{name}, the name the API's.
	"gcp:billing/budget:Budget": {
		Source: tfBudget, ForceNew: []string{"billingAccount"},
	},

	// The Kubernetes provider itself: see provider.go DiffConfig and the
	// special case in ProviderReplaces.
	"pulumi:providers:kubernetes": {
		Source:   "pulumi-kubernetes v4.30.0 provider/pkg/provider/provider.go (DiffConfig)",
		ForceNew: []string{"clusterIdentifier", "renderYamlToDirectory"},
	},

	kubernetesOther:                     {Source: k8sDiff, ForceNew: k8sIdentity, NamedDeleteFirst: true},
	"kubernetes:core/v1:Namespace":      {Source: k8sDiff, ForceNew: k8sIdentity, NamedDeleteFirst: true, Loses: namespaceGoes},
	"kubernetes:core/v1:ServiceAccount": {Source: k8sDiff, ForceNew: k8sIdentity, NamedDeleteFirst: true},
	// A Patch resource applies only the fields it names, under its own
	// field manager (server-side apply); deleting it takes those fields
	// back and leaves the object (pulumi-kubernetes SDK docs of every
	// *Patch type). Nothing is lost with it.
	"kubernetes:core/v1:NamespacePatch": {Source: k8sDiff, ForceNew: k8sIdentity, NamedDeleteFirst: true},
	// Data changes replace Secrets and ConfigMaps unless the provider's
	// enableSecretMutable / enableConfigMapMutable are "true" (default false).
	"kubernetes:core/v1:Secret":    {Source: k8sDiff, ForceNew: k8s("type", "stringData", "data"), NamedDeleteFirst: true},
	"kubernetes:core/v1:ConfigMap": {Source: k8sDiff, ForceNew: k8s("binaryData", "data"), NamedDeleteFirst: true},
	// spec.type is not force-new (pulumi-kubernetes #1139).
	"kubernetes:core/v1:Service": {Source: k8sDiff, ForceNew: k8s("spec.clusterIP"), NamedDeleteFirst: true, Loses: serviceGoes},
	// spec.resources is not force-new: a claim grows in place (#1705).
	"kubernetes:core/v1:PersistentVolumeClaim": {
		Source: k8sDiff, ForceNew: k8s("spec.accessModes", "spec.selector", "spec.storageClassName", "spec.volumeName"),
		NamedDeleteFirst: true, Loses: claimGoes,
	},
	"kubernetes:core/v1:PersistentVolume": {
		Source: k8sDiff,
		ForceNew: k8s("spec.awsElasticBlockStore", "spec.azureDisk", "spec.azureFile", "spec.cephfs", "spec.cinder",
			"spec.csi", "spec.fc", "spec.flexVolume", "spec.flocker", "spec.gcePersistentDisk", "spec.glusterfs",
			"spec.hostPath", "spec.iscsi", "spec.local", "spec.nfs", "spec.photonPersistentDisk",
			"spec.portworxVolume", "spec.quobyte", "spec.rbd", "spec.scaleIO", "spec.storageos", "spec.vsphereVolume"),
		NamedDeleteFirst: true, Loses: volumeGoes,
	},
	"kubernetes:apps/v1:Deployment": {Source: k8sDiff, ForceNew: k8s("spec.selector"), NamedDeleteFirst: true, Loses: podsGo},
	"kubernetes:apps/v1:StatefulSet": {
		Source: k8sDiff, ForceNew: k8s("spec.podManagementPolicy", "spec.revisionHistoryLimit", "spec.selector",
			"spec.serviceName", "spec.volumeClaimTemplates"),
		NamedDeleteFirst: true, Loses: statefulSetGoes,
	},
	"kubernetes:batch/v1:CronJob":                        {Source: k8sDiff, ForceNew: k8sIdentity, NamedDeleteFirst: true},
	"kubernetes:batch/v1:Job":                            {Source: k8sDiff, ForceNew: k8s("spec.completions", "spec.parallelism", "spec.selector", "spec.template"), NamedDeleteFirst: true},
	"kubernetes:autoscaling/v2:HorizontalPodAutoscaler":  {Source: k8sDiff, ForceNew: k8sIdentity, NamedDeleteFirst: true},
	"kubernetes:policy/v1:PodDisruptionBudget":           {Source: k8sDiff, ForceNew: k8sIdentity, NamedDeleteFirst: true},
	"kubernetes:networking.k8s.io/v1:NetworkPolicy":      {Source: k8sDiff, ForceNew: k8sIdentity, NamedDeleteFirst: true},
	"kubernetes:networking.k8s.io/v1:Ingress":            {Source: k8sDiff, ForceNew: k8sIdentity, NamedDeleteFirst: true, Loses: loadBalancerGoes},
	"kubernetes:storage.k8s.io/v1:StorageClass":          {Source: k8sDiff, ForceNew: k8s("parameters", "provisioner"), NamedDeleteFirst: true},
	"kubernetes:networking.gke.io/v1:ManagedCertificate": {Source: k8sDiff, ForceNew: k8sIdentity, NamedDeleteFirst: true, Loses: certificateGoes},
	// Custom resources: their groups are not in the table; identity only.
	"kubernetes:networking.gke.io/v1beta1:FrontendConfig": {Source: k8sDiff, ForceNew: k8sIdentity, NamedDeleteFirst: true},
	"kubernetes:cloud.google.com/v1:BackendConfig":        {Source: k8sDiff, ForceNew: k8sIdentity, NamedDeleteFirst: true},
}
