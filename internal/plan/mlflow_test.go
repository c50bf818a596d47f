package plan

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

var mlflowOn = map[string]string{"unlimited-translation:mlflow": "true"}

// The two apps in one program: no URN, Kubernetes object or cloud name is
// shared, and turning MLflow on only adds resources, never changing or
// replacing one of the translation app's.
func TestTwoAppsShareNoName(t *testing.T) {
	p, err := Stack("../..", "dev", mlflowOn)
	if err != nil {
		t.Fatal(err)
	}
	str := func(m resource.PropertyMap, k string) string {
		if v, ok := m[resource.PropertyKey(k)]; ok && v.IsString() {
			return v.StringValue()
		}
		return ""
	}
	urns, objects, cloud := map[string]bool{}, map[string]string{}, map[string]string{}
	types := map[string]int{}
	for _, r := range p.Resources {
		if urns[r.URN] {
			t.Errorf("URN twice: %s", r.URN)
		}
		urns[r.URN] = true
		if !r.Custom || r.Read {
			continue
		}
		types[r.Type]++
		if meta, ok := r.Inputs["metadata"]; ok && meta.IsObject() {
			ns := str(meta.ObjectValue(), "namespace")
			key := str(r.Inputs, "kind") + " " + ns + "/" + str(meta.ObjectValue(), "name")
			if other, dup := objects[key]; dup {
				t.Errorf("Kubernetes object %s made by both %s and %s", key, other, r.URN)
			}
			objects[key] = r.URN
			continue
		}
		// A cloud resource's own name within its type and parent (an
		// instance's databases, a zone's records).
		name := str(r.Inputs, "name") + str(r.Inputs, "accountId")
		if name == "" {
			continue
		}
		key := r.Type + " " + str(r.Inputs, "instance") + str(r.Inputs, "managedZone") + " " + name + " " + str(r.Inputs, "type")
		if other, dup := cloud[key]; dup {
			t.Errorf("cloud name %s used by both %s and %s", key, other, r.URN)
		}
		cloud[key] = r.URN
	}
	for typ, want := range map[string]int{
		"gcp:sql/databaseInstance:DatabaseInstance": 1, "gcp:sql/database:Database": 2, "gcp:sql/user:User": 1,
		"gcp:storage/bucket:Bucket": 2, "gcp:compute/globalAddress:GlobalAddress": 2,
		"gcp:compute/managedSslCertificate:ManagedSslCertificate": 2, "kubernetes:networking.k8s.io/v1:Ingress": 2,
		"gcp:serviceaccount/iAMMember:IAMMember": 2, "kubernetes:core/v1:Namespace": 1,
	} {
		if types[typ] != want {
			t.Errorf("%d %s, want %d", types[typ], typ, want)
		}
	}

	base, err := Stack("../..", "dev", nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := base.FingerprintJSON(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.FingerprintJSON(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	d, err := DiffJSON("dev", a, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range d.Changes {
		if c.Op != "create" {
			t.Errorf("turning MLflow on does %s to %s", c.Op, c.URN)
		}
	}
	// 34 new resources. GCP, 11: address, certificate, bucket, instance,
	// 2 databases, user, DNS record, the sqladmin API, and the identity's
	// bucket grant and Workload Identity binding (the account and its
	// project grant are the bootstrap's).
	// Kubernetes, 14: namespace, Secret, ServiceAccount, 5 NetworkPolicies
	// (deny in, deny out, DNS out, public in, Google out), BackendConfig, FrontendConfig, Ingress, Deployment, Service, PDB.
	// Components, 9: MLflow, its WebWorkload, NetworkPolicies and
	// PublicEndpoint, PostgresDatabase, ArtifactBucket, PublicAddress,
	// Certificate, WorkloadIdentity.
	if n := len(d.Changes); n != 34 {
		t.Errorf("%d changes, want 34", n)
	}
}
