package engine

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/unlimited-translation/infra/internal/testservers"
	"github.com/unlimited-translation/infra/stacks"
)

// computeAPIStandIn starts the Compute stand-in with Google credentials
// that reach a local token endpoint, and points infra at it (with the
// version path and trailing slash gcloud's override has).
func computeAPIStandIn(t *testing.T) *testservers.Compute {
	t.Helper()
	fakeADC(t)
	api, err := testservers.StartCompute()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(api.Close)
	t.Setenv("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE", api.URL+"/")
	return api
}

// What GKE left of dev is found through the stack's VPC and reserved
// address only, listed in the order it can be deleted, and deleted in that
// order (the stand-in refuses to delete what another resource still uses,
// as Compute does). Another team's load balancer, NEGs and firewall rules
// in the same project are neither listed nor touched.
func TestLeftoversOfDestroy(t *testing.T) {
	api := computeAPIStandIn(t)

	const p = "my-proj"
	net := api.Link(p, "global", "networks", "translation-dev")
	otherNet := api.Link(p, "global", "networks", "default")
	zone := "zones/europe-west1-b"
	api.Add(p, "global", "addresses", "translation-dev-ip", map[string]interface{}{"address": "203.0.113.7"})
	api.Add(p, "global", "addresses", "shop-ip", map[string]interface{}{"address": "198.51.100.1"})

	neg := api.Add(p, zone, "networkEndpointGroups", "k8s1-5e1d-default-backend-80-aa", map[string]interface{}{"network": net})
	otherNEG := api.Add(p, zone, "networkEndpointGroups", "k8s1-9f9f-shop-web-80-bb", map[string]interface{}{"network": otherNet})
	api.Add(p, "global", "firewalls", "gke-translation-dev-1a2b-all", map[string]interface{}{"network": net})
	api.Add(p, "global", "firewalls", "k8s-fw-l7--5e1d", map[string]interface{}{"network": net})
	api.Add(p, "global", "firewalls", "default-allow-ssh", map[string]interface{}{"network": otherNet})

	hc1 := api.Add(p, "global", "healthChecks", "k8s1-5e1d-default-frontend-80", nil)
	hc2 := api.Add(p, "global", "healthChecks", "k8s1-5e1d-default-backend-80", nil)
	bs1 := api.Add(p, "global", "backendServices", "k8s1-5e1d-default-frontend-80", map[string]interface{}{"healthChecks": []string{hc1}})
	bs2 := api.Add(p, "global", "backendServices", "k8s1-5e1d-default-backend-80", map[string]interface{}{
		"healthChecks": []string{hc2}, "backends": []interface{}{map[string]interface{}{"group": neg}}})
	// A backend service no URL map names any more, still sending to dev's NEG.
	api.Add(p, "global", "backendServices", "k8s1-5e1d-default-old-80", map[string]interface{}{
		"backends": []interface{}{map[string]interface{}{"group": neg}}})
	um := api.Add(p, "global", "urlMaps", "k8s2-um-5e1d-default-public", map[string]interface{}{
		"defaultService": bs1,
		"pathMatchers":   []interface{}{map[string]interface{}{"defaultService": bs1, "pathRules": []interface{}{map[string]interface{}{"service": bs2}}}},
	})
	proxy := api.Add(p, "global", "targetHttpsProxies", "k8s2-ts-5e1d-default-public", map[string]interface{}{"urlMap": um})
	api.Add(p, "global", "forwardingRules", "k8s2-fs-5e1d-default-public", map[string]interface{}{"IPAddress": "203.0.113.7", "target": proxy})

	// The shop's load balancer, on its own address and network.
	shopHC := api.Add(p, "global", "healthChecks", "shop-hc", nil)
	shopBS := api.Add(p, "global", "backendServices", "shop-bs", map[string]interface{}{
		"healthChecks": []string{shopHC}, "backends": []interface{}{map[string]interface{}{"group": otherNEG}}})
	shopUM := api.Add(p, "global", "urlMaps", "shop-um", map[string]interface{}{"defaultService": shopBS})
	shopProxy := api.Add(p, "global", "targetHttpProxies", "shop-proxy", map[string]interface{}{"urlMap": shopUM})
	api.Add(p, "global", "forwardingRules", "shop-fr", map[string]interface{}{"IPAddress": "198.51.100.1", "target": shopProxy})

	cfg := stacks.Defaults("dev")
	cfg.GCPProject = p
	var errOut bytes.Buffer
	e := &Engine{Name: "dev", Config: cfg, Err: &errOut}
	left, err := e.Leftovers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range left {
		got = append(got, l.Kind+" "+l.Name)
	}
	want := []string{
		"forwardingRules k8s2-fs-5e1d-default-public",
		"targetHttpsProxies k8s2-ts-5e1d-default-public",
		"urlMaps k8s2-um-5e1d-default-public",
		"backendServices k8s1-5e1d-default-backend-80",
		"backendServices k8s1-5e1d-default-frontend-80",
		"backendServices k8s1-5e1d-default-old-80",
		"healthChecks k8s1-5e1d-default-backend-80",
		"healthChecks k8s1-5e1d-default-frontend-80",
		"networkEndpointGroups k8s1-5e1d-default-backend-80-aa",
		"firewalls gke-translation-dev-1a2b-all",
		"firewalls k8s-fw-l7--5e1d",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("leftovers:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if s := left[0].String(); s != "forwardingRules k8s2-fs-5e1d-default-public (global; on address translation-dev-ip)" {
		t.Errorf("reported as %q", s)
	}
	if s := left[8].String(); s != "networkEndpointGroups k8s1-5e1d-default-backend-80-aa (europe-west1-b; in network translation-dev)" {
		t.Errorf("reported as %q", s)
	}

	if err := e.DeleteLeftovers(context.Background(), left); err != nil {
		t.Fatal(err)
	}
	var deleted []string
	for _, d := range api.Deleted() {
		deleted = append(deleted, d[strings.LastIndex(d[:strings.LastIndex(d, "/")], "/")+1:])
	}
	if len(deleted) != len(want) || deleted[0] != "forwardingRules/k8s2-fs-5e1d-default-public" || deleted[8] != "networkEndpointGroups/k8s1-5e1d-default-backend-80-aa" {
		t.Errorf("deleted %v", deleted)
	}
	again, err := e.Leftovers(context.Background())
	if err != nil || len(again) != 0 {
		t.Errorf("after deleting: %v %v", again, err)
	}
	// The shop's resources are all still there.
	for _, l := range []string{shopHC, shopBS, shopUM, shopProxy, otherNEG} {
		for _, d := range api.Deleted() {
			if d == l {
				t.Errorf("deleted another team's %s", l)
			}
		}
	}
}

// Deleting in the wrong order fails with Compute's own reason, named.
func TestLeftoverInUseIsReported(t *testing.T) {
	api := computeAPIStandIn(t)
	net := api.Link("p", "global", "networks", "translation-dev")
	neg := api.Add("p", "zones/europe-west1-b", "networkEndpointGroups", "k8s1-neg", map[string]interface{}{"network": net})
	api.Add("p", "global", "backendServices", "k8s1-bs", map[string]interface{}{"backends": []interface{}{map[string]interface{}{"group": neg}}})
	cfg := stacks.Defaults("dev")
	cfg.GCPProject = "p"
	e := &Engine{Name: "dev", Config: cfg, Err: &bytes.Buffer{}}
	left, err := e.Leftovers(context.Background())
	if err != nil || len(left) != 2 {
		t.Fatalf("%v %v", left, err)
	}
	err = e.DeleteLeftovers(context.Background(), []Leftover{left[1], left[0]})
	if err == nil || !strings.Contains(err.Error(), "deleting networkEndpointGroups k8s1-neg") || !strings.Contains(err.Error(), "resourceInUseByAnotherResource") {
		t.Errorf("got %v", err)
	}
}
