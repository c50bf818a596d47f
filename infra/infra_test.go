package infra

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/unlimited-translation/infra/internal/mockstack"
)

func TestKubeconfigIsStableAndTokenless(t *testing.T) {
	a := Kubeconfig("p", "europe-west1", "c", "203.0.113.10", "Q0E=")
	if a != Kubeconfig("p", "europe-west1", "c", "203.0.113.10", "Q0E=") {
		t.Fatal("kubeconfig is not deterministic")
	}
	for _, want := range []string{
		"server: https://203.0.113.10",
		"certificate-authority-data: Q0E=",
		"command: gke-gcloud-auth-plugin",
		"provideClusterInfo: true",
		"current-context: gke_p_europe-west1_c",
	} {
		if !strings.Contains(a, want) {
			t.Errorf("kubeconfig lacks %q", want)
		}
	}
	if strings.Contains(a, "token") {
		t.Error("kubeconfig carries a token")
	}
}

func TestHosts(t *testing.T) {
	if got := Hosts("translate.example.com."); strings.Join(got, ",") != "translate.example.com,www.translate.example.com" {
		t.Errorf("Hosts = %v", got)
	}
}

func TestInfraComponents(t *testing.T) {
	m, _, err := mockstack.Run("test", nil, nil, func(ctx *pulumi.Context) error {
		addr, err := NewPublicAddress(ctx, "address", PublicAddressArgs{Project: "p", Name: "ip"})
		if err != nil {
			return err
		}
		if _, err := NewDNS(ctx, "dns", DNSArgs{Project: "p", Domain: "a.example.com", ZoneName: "example-com", Address: addr.Address}); err != nil {
			return err
		}
		_, err = NewAutopilotCluster(ctx, "cluster", AutopilotClusterArgs{
			Project: "p", Region: "europe-west1", Name: "c", ReleaseChannel: "REGULAR", MaintenanceStartTime: "03:00",
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	addr, err := m.One("gcp:compute/globalAddress:GlobalAddress", "address")
	if err != nil {
		t.Fatal(err)
	}
	if mockstack.Str(addr.Inputs, "addressType") != "EXTERNAL" || !strings.HasSuffix(addr.Request.GetParent(), "translation:infra:PublicAddress::address") {
		t.Errorf("address %v parent %s", addr.Inputs, addr.Request.GetParent())
	}
	zone, err := m.One("gcp:dns/managedZone:ManagedZone", "dns")
	if err != nil {
		t.Fatal(err)
	}
	if !zone.Read {
		t.Error("CreateZone false must adopt (read) the zone")
	}
	for _, name := range []string{"dns-apex", "dns-www"} {
		r, err := m.One("gcp:dns/recordSet:RecordSet", name)
		if err != nil {
			t.Fatal(err)
		}
		if got := mockstack.Str(r.Inputs, "rrdatas.0"); got != "203.0.113.1" {
			t.Errorf("%s points at %q", name, got)
		}
		if got := mockstack.Str(r.Inputs, "managedZone"); got != "example-com" {
			t.Errorf("%s in zone %q", name, got)
		}
	}
	cl, err := m.One("gcp:container/cluster:Cluster", "cluster")
	if err != nil {
		t.Fatal(err)
	}
	if mockstack.Str(cl.Inputs, "maintenancePolicy.dailyMaintenanceWindow.startTime") != "03:00" || mockstack.Str(cl.Inputs, "location") != "europe-west1" {
		t.Errorf("cluster inputs %v", cl.Inputs)
	}
	prov, err := m.One("pulumi:providers:kubernetes", "cluster")
	if err != nil {
		t.Fatal(err)
	}
	if got := mockstack.Str(prov.Inputs, "clusterIdentifier"); got != "projects/p/locations/r/clusters/c@203.0.113.10" {
		t.Errorf("clusterIdentifier %q", got)
	}
}
