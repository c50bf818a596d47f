package engine

import (
	"strings"
	"testing"
)

// What a cut-off destroy lost comes back with the entries it needs, in
// the state's order; what went with its cluster does not.
func TestJournalPutsBackWhatTheClusterStillHolds(t *testing.T) {
	entry := func(urn string, kv ...string) map[string]interface{} {
		m := map[string]interface{}{"urn": urn}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	all := []map[string]interface{}{
		entry("cluster"),
		entry("k8s-provider", "parent", "cluster"),
		entry("app", "parent", ""),
		entry("ns", "deletedWith", "cluster", "provider", "k8s-provider::id-1", "parent", "app"),
		entry("deploy", "deletedWith", "cluster", "provider", "k8s-provider::id-1", "parent", "app"),
		entry("address"),
	}
	j := &journal{Resources: withDependencies(all, []map[string]interface{}{all[3], all[4]})}
	if got := names(j.Resources); got != "cluster k8s-provider app ns deploy" {
		t.Fatalf("journalled %s", got)
	}
	for _, c := range []struct {
		name string
		have []string
		want string
	}{
		{"cut off before the cluster", []string{"cluster", "k8s-provider", "app", "address"}, "ns deploy"},
		{"nothing dropped yet", []string{"cluster", "k8s-provider", "app", "ns", "deploy"}, ""},
		{"the cluster is gone: its objects with it", []string{"address"}, ""},
	} {
		have := map[string]bool{}
		for _, h := range c.have {
			have[h] = true
		}
		if got := names(j.lost(have)); got != c.want {
			t.Errorf("%s: lost %q, want %q", c.name, got, c.want)
		}
	}
	// Provider and parent lost too: they come back first.
	back := withDependencies(j.Resources, j.lost(map[string]bool{"cluster": true}))
	if got := names(back); got != "cluster k8s-provider app ns deploy" {
		t.Errorf("put back %s", got)
	}
}

func names(rs []map[string]interface{}) string {
	var out []string
	for _, r := range rs {
		out = append(out, r["urn"].(string))
	}
	return strings.Join(out, " ")
}
