package engine

import (
	"context"
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

// The journal is put back into the state the deployer acts on: replay
// refuses what a destroy of this stack never writes.
func TestJournalRefusesWhatItCannotTrust(t *testing.T) {
	const (
		app     = "urn:pulumi:dev::unlimited-translation::translation:infra:App::app"
		prov    = "urn:pulumi:dev::unlimited-translation::pulumi:providers:kubernetes::cluster"
		provRef = prov + "::0b6f6bd4-1"
		ns      = "urn:pulumi:dev::unlimited-translation::translation:infra:App$kubernetes:core/v1:Namespace::ns"
	)
	entry := func(urn, typ, provider string) map[string]interface{} {
		m := map[string]interface{}{"urn": urn, "type": typ, "deletedWith": "urn:pulumi:dev::unlimited-translation::gcp:container/cluster:Cluster::c"}
		if provider != "" {
			m["provider"] = provider
		}
		return m
	}
	good := entry(ns, "kubernetes:core/v1:Namespace", provRef)
	inState := map[string]bool{provRef: true}
	cases := []struct {
		name      string
		stack     string
		entries   []map[string]interface{}
		providers map[string]bool
		want      string
	}{
		{"this stack's entries, provider in the state", "dev", []map[string]interface{}{entry(app, "translation:infra:App", ""), good}, inState, ""},
		{"another stack's journal", "prod", []map[string]interface{}{good}, inState, `it is the journal of stack "prod", not of dev`},
		{"an entry of another stack", "dev", []map[string]interface{}{good, entry(strings.Replace(ns, ":dev::", ":prod::", 1), "kubernetes:core/v1:Namespace", provRef)}, inState,
			`entry urn:pulumi:prod::unlimited-translation::translation:infra:App$kubernetes:core/v1:Namespace::ns is of stack "prod" of project "unlimited-translation", not of stack dev of project unlimited-translation`},
		{"an entry of another project", "dev", []map[string]interface{}{entry(strings.Replace(ns, "::unlimited-translation::", "::other::", 1), "kubernetes:core/v1:Namespace", provRef)}, inState,
			`entry urn:pulumi:dev::other::translation:infra:App$kubernetes:core/v1:Namespace::ns is of stack "dev" of project "other", not of stack dev of project unlimited-translation`},
		{"not a URN", "dev", []map[string]interface{}{entry("dev::ns", "kubernetes:core/v1:Namespace", provRef)}, inState, `entry "dev::ns" has no valid URN: invalid URN "dev::ns"`},
		{"a type other than its URN's", "dev", []map[string]interface{}{entry(ns, "pulumi:providers:kubernetes", provRef)}, inState,
			"entry " + ns + ` says its type is "pulumi:providers:kubernetes", its URN "kubernetes:core/v1:Namespace"`},
		{"a provider", "dev", []map[string]interface{}{entry(prov, "pulumi:providers:kubernetes", ""), good}, inState,
			"entry " + prov + " is a provider (pulumi:providers:kubernetes): its inputs would be run (a kubeconfig's exec command), so a provider is never put back"},
		{"a provider the state does not hold", "dev", []map[string]interface{}{good}, map[string]bool{prov + "::another-id": true},
			"entry " + ns + " names the provider " + provRef + ", which the state does not hold"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			j := &journal{Stack: c.stack, Resources: c.entries}
			err := j.check("dev", "unlimited-translation")
			if err == nil {
				err = checkProviders(c.entries, c.providers)
			}
			switch {
			case c.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case c.want != "" && (err == nil || err.Error() != c.want):
				t.Errorf("got %v\nwant %s", err, c.want)
			}
		})
	}
}

// A destroy journals what it may drop and what that needs, providers
// aside: a provider is never put back.
func TestJournalLeavesProvidersOut(t *testing.T) {
	e := &Engine{Name: "dev", backend: "file://" + t.TempDir()}
	entries := []map[string]interface{}{
		{"urn": "urn:pulumi:dev::unlimited-translation::gcp:container/cluster:Cluster::c", "type": "gcp:container/cluster:Cluster"},
		{"urn": "urn:pulumi:dev::unlimited-translation::pulumi:providers:kubernetes::k", "type": "pulumi:providers:kubernetes", "id": "1"},
		{"urn": "urn:pulumi:dev::unlimited-translation::kubernetes:core/v1:Namespace::ns", "type": "kubernetes:core/v1:Namespace",
			"deletedWith": "urn:pulumi:dev::unlimited-translation::gcp:container/cluster:Cluster::c",
			"provider":    "urn:pulumi:dev::unlimited-translation::pulumi:providers:kubernetes::k::1"},
	}
	if err := e.writeJournal(context.Background(), entries); err != nil {
		t.Fatal(err)
	}
	j, err := e.readJournal(context.Background())
	if err != nil || j == nil {
		t.Fatalf("journal: %v %v", j, err)
	}
	var got []string
	for _, r := range j.Resources {
		got = append(got, r["type"].(string))
	}
	if strings.Join(got, " ") != "gcp:container/cluster:Cluster kubernetes:core/v1:Namespace" {
		t.Errorf("journalled %v", got)
	}
}
