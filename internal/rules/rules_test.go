package rules

import "testing"

func TestUnder(t *testing.T) {
	for _, c := range []struct {
		path, rule string
		want       bool
	}{
		{"spec.selector", "spec.selector", true},
		{"spec.selector.matchLabels.app", "spec.selector", true},
		{"spec.volumeClaimTemplates[0].spec", "spec.volumeClaimTemplates", true},
		{"spec.selectorX", "spec.selector", false},
		{"spec", "spec.selector", false},
	} {
		if got := Under(c.path, c.rule); got != c.want {
			t.Errorf("Under(%q, %q) = %v", c.path, c.rule, got)
		}
	}
}

func TestIDFormat(t *testing.T) {
	r, _ := For("gcp:dns/managedZone:ManagedZone")
	id, ok := r.ID(map[string]interface{}{"project": "p1", "name": "example-com"})
	if !ok || id != "projects/p1/managedZones/example-com" {
		t.Errorf("zone ID %q %v", id, ok)
	}
	if _, ok := r.ID(map[string]interface{}{"project": "p1", "name": "(known after apply)"}); ok {
		t.Error("an unknown name gave an ID")
	}
}

func TestKubernetesProviderReplaces(t *testing.T) {
	withID := map[string]interface{}{"clusterIdentifier": true, "kubeconfig": true}
	noID := map[string]interface{}{"kubeconfig": true}
	for _, c := range []struct {
		name     string
		changed  []string
		old, new map[string]interface{}
		want     int
	}{
		{"identifier changed", []string{"clusterIdentifier", "kubeconfig"}, withID, withID, 1},
		{"only kubeconfig, identifier kept", []string{"kubeconfig"}, withID, withID, 0},
		{"kubeconfig without identifier", []string{"kubeconfig"}, noID, noID, 1},
		{"identifier added", []string{"clusterIdentifier"}, noID, withID, 0},
	} {
		if got := KubernetesProviderReplaces(c.changed, c.old, c.new); len(got) != c.want {
			t.Errorf("%s: %v", c.name, got)
		}
	}
}

func TestRisksAreComputedFromInputs(t *testing.T) {
	sts, _ := For("kubernetes:apps/v1:StatefulSet")
	keep := map[string]interface{}{"spec": map[string]interface{}{
		"volumeClaimTemplates":                 []interface{}{map[string]interface{}{}},
		"persistentVolumeClaimRetentionPolicy": map[string]interface{}{"whenDeleted": "Retain"},
	}}
	del := map[string]interface{}{"spec": map[string]interface{}{
		"volumeClaimTemplates":                 []interface{}{map[string]interface{}{}},
		"persistentVolumeClaimRetentionPolicy": map[string]interface{}{"whenDeleted": "Delete"},
	}}
	if n := len(sts.Loses(keep)); n != 1 {
		t.Errorf("claims retained: %d risks, want downtime only", n)
	}
	if rs := sts.Loses(del); len(rs) != 2 || rs[1].What != "data" {
		t.Errorf("claims deleted: %v", rs)
	}
	cl, _ := For("gcp:container/cluster:Cluster")
	if why, _ := cl.Blocks(map[string]interface{}{"deletionProtection": true}); why == "" {
		t.Error("deletion protection does not block")
	}
	if why, _ := cl.Blocks(map[string]interface{}{"deletionProtection": false}); why != "" {
		t.Error("an unprotected cluster is blocked")
	}
}
