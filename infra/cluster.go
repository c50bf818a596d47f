// Package infra holds the GCP side of a stack: the Autopilot cluster, the
// global static address and DNS. Nothing here knows about the app.
package infra

import (
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/container"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// AutopilotClusterArgs configures an AutopilotCluster.
type AutopilotClusterArgs struct {
	// Project and Region place the cluster (Autopilot clusters are regional).
	Project string
	Region  string
	// Name of the cluster.
	Name string
	// ReleaseChannel is RAPID, REGULAR, STABLE or EXTENDED.
	ReleaseChannel string
	// DeletionProtection is the provider's own check, not GKE's: its
	// delete refuses while the flag is true in the state
	// (terraform-provider-google-beta v5.42.0 resource_container_cluster.go,
	// resourceContainerClusterDelete). It stops Pulumi and Terraform, not
	// gcloud or the console: protect prod with IAM too.
	DeletionProtection bool
	// Labels become the cluster's resource labels.
	Labels map[string]string
	// MaintenanceStartTime starts the daily maintenance window (HH:MM UTC).
	MaintenanceStartTime string
	// Protect sets Pulumi's protect on the cluster: it stops Pulumi before
	// it asks the provider, --exclude-protected included.
	Protect bool
	// Network and Subnetwork the cluster lives in; the subnet's secondary
	// ranges PodsRange and ServicesRange give pods and Services their
	// addresses. Changing any of them replaces the cluster.
	Network, Subnetwork pulumi.StringInput
	// NodeServiceAccount is the email the nodes run as.
	NodeServiceAccount pulumi.StringInput
	// PrivateNodes gives nodes internal addresses only (outbound through
	// Cloud NAT); replaces the cluster when changed.
	PrivateNodes bool
	// AuthorizedNetworks, when set, are the only CIDR ranges that reach the
	// control plane's public endpoint (kubectl, Pulumi); empty: any.
	AuthorizedNetworks []string
	// Requires are resources (enabled APIs, the network, the node
	// account's grants) every child waits for.
	Requires []pulumi.Resource
}

// AutopilotCluster is a GKE Autopilot cluster plus a Kubernetes provider
// that talks to it.
type AutopilotCluster struct {
	pulumi.ResourceState

	Cluster  *container.Cluster
	Name     pulumi.StringOutput
	Endpoint pulumi.StringOutput
	// Kubeconfig uses gke-gcloud-auth-plugin; it is a secret output.
	Kubeconfig pulumi.StringOutput
	// Provider deploys into this cluster.
	Provider *kubernetes.Provider
}

// NewAutopilotCluster creates the cluster and its Kubernetes provider.
func NewAutopilotCluster(ctx *pulumi.Context, name string, args AutopilotClusterArgs, opts ...pulumi.ResourceOption) (*AutopilotCluster, error) {
	c := &AutopilotCluster{}
	if err := ctx.RegisterComponentResource("translation:infra:AutopilotCluster", name, c, opts...); err != nil {
		return nil, err
	}
	// Left unset on purpose: nodeConfig (pulumi-gcp 2247), dnsConfig
	// (pulumi-gcp 1170) and max-pods settings (pulumi-gcp 714) give
	// perpetual diffs or replacements on Autopilot.
	var authorized *container.ClusterMasterAuthorizedNetworksConfigArgs
	if len(args.AuthorizedNetworks) > 0 {
		blocks := container.ClusterMasterAuthorizedNetworksConfigCidrBlockArray{}
		for _, c := range args.AuthorizedNetworks {
			blocks = append(blocks, &container.ClusterMasterAuthorizedNetworksConfigCidrBlockArgs{CidrBlock: pulumi.String(c), DisplayName: pulumi.String(c)})
		}
		authorized = &container.ClusterMasterAuthorizedNetworksConfigArgs{CidrBlocks: blocks}
	}
	cluster, err := container.NewCluster(ctx, name, &container.ClusterArgs{
		Name:               pulumi.String(args.Name),
		Project:            pulumi.String(args.Project),
		Location:           pulumi.String(args.Region),
		EnableAutopilot:    pulumi.Bool(true),
		DeletionProtection: pulumi.Bool(args.DeletionProtection),
		ReleaseChannel: &container.ClusterReleaseChannelArgs{
			Channel: pulumi.String(args.ReleaseChannel),
		},
		ResourceLabels: pulumi.ToStringMap(args.Labels),
		MaintenancePolicy: &container.ClusterMaintenancePolicyArgs{
			DailyMaintenanceWindow: &container.ClusterMaintenancePolicyDailyMaintenanceWindowArgs{
				StartTime: pulumi.String(args.MaintenanceStartTime),
			},
		},
		WorkloadIdentityConfig: &container.ClusterWorkloadIdentityConfigArgs{
			WorkloadPool: pulumi.String(args.Project + ".svc.id.goog"),
		},
		Network:    args.Network,
		Subnetwork: args.Subnetwork,
		IpAllocationPolicy: &container.ClusterIpAllocationPolicyArgs{
			ClusterSecondaryRangeName:  pulumi.String(PodsRange),
			ServicesSecondaryRangeName: pulumi.String(ServicesRange),
		},
		// Autopilot's nodes take their service account from the
		// auto-provisioning defaults (not ForceNew in
		// resource_container_cluster.go v5.42.0: an update).
		ClusterAutoscaling: &container.ClusterClusterAutoscalingArgs{
			AutoProvisioningDefaults: &container.ClusterClusterAutoscalingAutoProvisioningDefaultsArgs{
				ServiceAccount: args.NodeServiceAccount,
			},
		},
		PrivateClusterConfig: &container.ClusterPrivateClusterConfigArgs{
			EnablePrivateNodes: pulumi.Bool(args.PrivateNodes),
		},
		MasterAuthorizedNetworksConfig: authorized,
	}, pulumi.Parent(c), pulumi.DependsOn(args.Requires), pulumi.Protect(args.Protect))
	if err != nil {
		return nil, err
	}
	kubeconfig := pulumi.ToSecret(pulumi.All(cluster.Name, cluster.Endpoint, cluster.MasterAuth.ClusterCaCertificate().Elem()).ApplyT(
		func(v []interface{}) string {
			return Kubeconfig(args.Project, args.Region, v[0].(string), v[1].(string), v[2].(string))
		})).(pulumi.StringOutput)
	provider, err := kubernetes.NewProvider(ctx, name, &kubernetes.ProviderArgs{
		Kubeconfig: kubeconfig,
		// Only a new cluster (new ID or endpoint) replaces the provider and,
		// with it, every workload; a kubeconfig edit is an in-place update
		// (pulumi-kubernetes 1148, 4019).
		ClusterIdentifier: pulumi.Sprintf("%s@%s", cluster.ID(), cluster.Endpoint),
	}, pulumi.Parent(c), pulumi.DependsOn(args.Requires))
	if err != nil {
		return nil, err
	}
	c.Cluster = cluster
	c.Name = cluster.Name
	c.Endpoint = cluster.Endpoint
	c.Kubeconfig = kubeconfig
	c.Provider = provider
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"name":       cluster.Name,
		"endpoint":   cluster.Endpoint,
		"kubeconfig": kubeconfig,
	})
}
