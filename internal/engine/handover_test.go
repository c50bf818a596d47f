package engine

import (
	"encoding/json"
	"reflect"
	"testing"
)

// A state made before the bootstrap owned the workload accounts loses
// those accounts, their project grants and the node identity component,
// and every reference to them; the rest stays as it was.
func TestDropHandedOver(t *testing.T) {
	const p = "urn:pulumi:dev::unlimited-translation::"
	state := `[
	 {"urn": "` + p + `translation:infra:NodeIdentity::node-identity", "type": "translation:infra:NodeIdentity"},
	 {"urn": "` + p + `translation:infra:NodeIdentity$gcp:serviceaccount/account:Account::node-identity", "custom": true,
	  "parent": "` + p + `translation:infra:NodeIdentity::node-identity"},
	 {"urn": "` + p + `translation:infra:NodeIdentity$gcp:projects/iAMMember:IAMMember::node-identity-artifactregistry.reader", "custom": true,
	  "dependencies": ["` + p + `translation:infra:NodeIdentity$gcp:serviceaccount/account:Account::node-identity"]},
	 {"urn": "` + p + `translation:infra:WorkloadIdentity::backup-identity"},
	 {"urn": "` + p + `translation:infra:WorkloadIdentity$gcp:serviceaccount/account:Account::backup-identity", "custom": true},
	 {"urn": "` + p + `translation:infra:WorkloadIdentity$gcp:serviceaccount/iAMMember:IAMMember::backup-identity-workload-identity", "custom": true,
	  "dependencies": ["` + p + `translation:infra:WorkloadIdentity$gcp:serviceaccount/account:Account::backup-identity", "` + p + `gcp:container/cluster:Cluster::cluster"],
	  "propertyDependencies": {"serviceAccountId": ["` + p + `translation:infra:WorkloadIdentity$gcp:serviceaccount/account:Account::backup-identity"], "role": []}},
	 {"urn": "` + p + `gcp:container/cluster:Cluster::cluster", "custom": true,
	  "dependencies": ["` + p + `translation:infra:NodeIdentity$gcp:projects/iAMMember:IAMMember::node-identity-artifactregistry.reader"],
	  "deletedWith": "` + p + `translation:infra:NodeIdentity::node-identity"}
	]`
	var resources []interface{}
	if err := json.Unmarshal([]byte(state), &resources); err != nil {
		t.Fatal(err)
	}
	kept, dropped := dropHandedOver(resources)
	if dropped != 4 {
		t.Errorf("dropped %d, want 4: the component, two accounts, one grant", dropped)
	}
	want := `[
	 {"urn": "` + p + `translation:infra:WorkloadIdentity::backup-identity"},
	 {"urn": "` + p + `translation:infra:WorkloadIdentity$gcp:serviceaccount/iAMMember:IAMMember::backup-identity-workload-identity", "custom": true,
	  "dependencies": ["` + p + `gcp:container/cluster:Cluster::cluster"],
	  "propertyDependencies": {"serviceAccountId": [], "role": []}},
	 {"urn": "` + p + `gcp:container/cluster:Cluster::cluster", "custom": true, "dependencies": []}
	]`
	var w []interface{}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(kept, w) {
		got, _ := json.MarshalIndent(kept, "", " ")
		t.Errorf("kept:\n%s", got)
	}
	// A state that holds none of them is left alone.
	again, n := dropHandedOver(kept)
	if n != 0 || !reflect.DeepEqual(again, w) {
		t.Errorf("second pass dropped %d", n)
	}
}
