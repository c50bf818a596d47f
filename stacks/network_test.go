package stacks_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/unlimited-translation/infra/internal/mockstack"
)

// The cluster lives in a VPC of its own with secondary ranges, its nodes
// run as their own account with the roles GKE needs, and prod's nodes are
// private behind Cloud NAT.
func TestStacksNetworkAndNodeAccount(t *testing.T) {
	for _, tc := range []struct {
		stack, project string
		private        bool
		authorized     string // the control plane's only CIDR, "" for any
	}{{"dev", "unlimited-translation-dev", false, ""}, {"prod", "unlimited-translation-prod", true, "203.0.113.0/24"}} {
		t.Run(tc.stack, func(t *testing.T) {
			m, _ := runStack(t, tc.stack)
			name := "translation-" + tc.stack
			vpc := m.Must(t, "gcp:compute/network:Network", "network")
			if vpc.Inputs["autoCreateSubnetworks"].BoolValue() || mockstack.Str(vpc.Inputs, "name") != name {
				t.Errorf("network %v", vpc.Inputs)
			}
			subnet := m.Must(t, "gcp:compute/subnetwork:Subnetwork", "network")
			mockstack.Expect(t, "subnet", subnet.Inputs, map[string]string{
				"region": "europe-west1", "ipCidrRange": "10.10.0.0/20",
				"secondaryIpRanges.0.rangeName": "pods", "secondaryIpRanges.0.ipCidrRange": "10.16.0.0/14",
				"secondaryIpRanges.1.rangeName": "services", "secondaryIpRanges.1.ipCidrRange": "10.20.0.0/20",
			})
			if !subnet.Inputs["privateIpGoogleAccess"].BoolValue() {
				t.Error("the subnet has no Private Google Access")
			}
			nats := m.ByType("gcp:compute/routerNat:RouterNat")
			if (len(nats) == 1) != tc.private || len(m.ByType("gcp:compute/router:Router")) != len(nats) {
				t.Errorf("%d NATs with private nodes %v", len(nats), tc.private)
			}

			// The nodes' account and its roles are the bootstrap's: the
			// stack names it and makes no account and no project grant.
			email := "gke-nodes-" + tc.stack + "@" + tc.project + ".iam.gserviceaccount.com"
			for _, typ := range []string{"gcp:serviceaccount/account:Account", "gcp:projects/iAMMember:IAMMember"} {
				if rs := m.ByType(typ); len(rs) > 0 {
					t.Errorf("the stack registers %d %s (%s): the bootstrap's", len(rs), typ, rs[0].Name)
				}
			}

			c := m.Must(t, clusterType, "cluster")
			mockstack.Expect(t, "cluster", c.Inputs, map[string]string{
				"network": name, "subnetwork": name,
				"ipAllocationPolicy.clusterSecondaryRangeName":               "pods",
				"ipAllocationPolicy.servicesSecondaryRangeName":              "services",
				"clusterAutoscaling.autoProvisioningDefaults.serviceAccount": email,
			})
			if got, _ := mockstack.Path(c.Inputs, "privateClusterConfig.enablePrivateNodes"); got.BoolValue() != tc.private {
				t.Errorf("private nodes %v, want %v", got, tc.private)
			}
			// The block's presence is what turns authorised networks on
			// (expandMasterAuthorizedNetworksConfig, google-beta v5.42.0).
			block, present := mockstack.Path(c.Inputs, "masterAuthorizedNetworksConfig")
			if present && block.IsObject() != (tc.authorized != "") || !present && tc.authorized != "" {
				t.Errorf("authorised networks block %v, want CIDR %q", block, tc.authorized)
			}
			if tc.authorized != "" {
				mockstack.Expect(t, "cluster", c.Inputs, map[string]string{"masterAuthorizedNetworksConfig.cidrBlocks.0.cidrBlock": tc.authorized})
				if v, ok := mockstack.Path(c.Inputs, "masterAuthorizedNetworksConfig.cidrBlocks.1"); ok {
					t.Errorf("a second authorised range %v", v)
				}
			}
			deps := c.Request.GetDependencies()
			for _, want := range []string{"gcp:compute/subnetwork:Subnetwork::network"} {
				if !slices.ContainsFunc(deps, func(u string) bool { return strings.HasSuffix(u, want) }) {
					t.Errorf("the cluster does not wait for %s", want)
				}
			}
		})
	}
}

// dev's app pods run on Spot within the grace a preemption gives; MySQL
// and everything in prod do not.
func TestStacksSpot(t *testing.T) {
	for _, tc := range []struct {
		stack string
		spot  bool
	}{{"dev", true}, {"prod", false}} {
		t.Run(tc.stack, func(t *testing.T) {
			m, _ := runStack(t, tc.stack)
			for _, name := range []string{"translation-backend", "translation-frontend"} {
				d := m.Must(t, deploymentType, name)
				v, _ := mockstack.Path(d.Inputs, "spec.template.spec.nodeSelector")
				onSpot := v.IsObject() && v.ObjectValue()["cloud.google.com/gke-spot"].IsString() && v.ObjectValue()["cloud.google.com/gke-spot"].StringValue() == "true"
				grace, _ := mockstack.Path(d.Inputs, "spec.template.spec.terminationGracePeriodSeconds")
				if onSpot != tc.spot || (tc.spot && grace.NumberValue() != 25) {
					t.Errorf("%s: Spot %v (grace %v), want %v", name, onSpot, grace, tc.spot)
				}
			}
			sts := m.Must(t, statefulSetType, "translation-database")
			if v, ok := mockstack.Path(sts.Inputs, "spec.template.spec.nodeSelector"); ok && v.IsObject() {
				t.Errorf("MySQL has a node selector: %v", v)
			}
		})
	}
}
