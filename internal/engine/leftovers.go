package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/unlimited-translation/infra/stacks"
)

// What GKE makes outside Pulumi's state and can outlive the cluster
// (https://cloud.google.com/kubernetes-engine/docs/how-to/standalone-neg,
// "prevent leaked NEGs"; https://cloud.google.com/kubernetes-engine/docs/concepts/firewall-rules,
// the gke-CLUSTER-… and k8s-… rules): the NEG controller's network
// endpoint groups, the Ingress controller's load balancer (forwarding
// rules, target proxies, URL maps, backend services, health checks) and
// firewall rules. They cost money, and NEGs and firewall rules in the
// stack's VPC block deleting it.

// Leftover is one Compute Engine resource GKE made for the stack and did
// not delete.
type Leftover struct {
	// Kind is the Compute collection: networkEndpointGroups, firewalls, …
	Kind, Name string
	// Where is the zone or region, "global" for global resources.
	Where    string
	selfLink string
	// Why says how it is known to be the stack's.
	Why string
}

func (l Leftover) String() string {
	return fmt.Sprintf("%s %s (%s; %s)", l.Kind, l.Name, l.Where, l.Why)
}

// deleteOrder deletes what refers to others first: a forwarding rule uses
// a target proxy, which uses a URL map, which uses backend services,
// which use health checks and NEGs. Compute refuses to delete a resource
// another still uses (resourceInUseByAnotherResource).
var deleteOrder = []string{"forwardingRules", "targetHttpsProxies", "targetHttpProxies", "urlMaps", "backendServices", "healthChecks", "networkEndpointGroups", "firewalls"}

// computeBase is the Compute API's root: gcloud's override when set
// (CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE, given with its version path,
// https://compute.googleapis.com/compute/v1/), else Google's.
func computeBase() string {
	base := strings.TrimRight(os.Getenv("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE"), "/")
	if base == "" {
		return "https://compute.googleapis.com/compute/v1"
	}
	return base
}

type computeAPI struct {
	client  *http.Client
	project string
}

func (c computeAPI) call(ctx context.Context, method, u string, into interface{}) error {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, u, err)
	}
	if resp.StatusCode == http.StatusNotFound {
		return fmt.Errorf("%s %s: %w", method, u, os.ErrNotExist)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %s", method, u, resp.Status, strings.TrimSpace(string(b)))
	}
	if into == nil {
		return nil
	}
	if err := json.Unmarshal(b, into); err != nil {
		return fmt.Errorf("%s %s: the answer does not parse: %w", method, u, err)
	}
	return nil
}

// computeItem is what the lists below read of any Compute resource.
type computeItem struct {
	Name      string `json:"name"`
	SelfLink  string `json:"selfLink"`
	Network   string `json:"network"`
	IPAddress string `json:"IPAddress"`
	Target    string `json:"target"`
	URLMap    string `json:"urlMap"`
	Service   string `json:"defaultService"`
	PathMaps  []struct {
		DefaultService string `json:"defaultService"`
		PathRules      []struct {
			Service string `json:"service"`
		} `json:"pathRules"`
	} `json:"pathMatchers"`
	HealthChecks []string `json:"healthChecks"`
	Backends     []struct {
		Group string `json:"group"`
	} `json:"backends"`
}

// list reads every page of a global collection (projects/P/global/KIND)
// or, with aggregated, of every zone and region.
func (c computeAPI) list(ctx context.Context, kind string, aggregated bool) ([]computeItem, error) {
	var out []computeItem
	u := fmt.Sprintf("%s/projects/%s/global/%s", computeBase(), url.PathEscape(c.project), kind)
	if aggregated {
		u = fmt.Sprintf("%s/projects/%s/aggregated/%s", computeBase(), url.PathEscape(c.project), kind)
	}
	token := ""
	for {
		page := u
		if token != "" {
			page += "?pageToken=" + url.QueryEscape(token)
		}
		var resp struct {
			Items         json.RawMessage `json:"items"`
			NextPageToken string          `json:"nextPageToken"`
		}
		if err := c.call(ctx, http.MethodGet, page, &resp); err != nil {
			return nil, err
		}
		if len(resp.Items) > 0 {
			items, err := listItems(resp.Items, kind, aggregated)
			if err != nil {
				return nil, fmt.Errorf("the list of %s does not parse: %w", kind, err)
			}
			out = append(out, items...)
		}
		if resp.NextPageToken == "" {
			return out, nil
		}
		token = resp.NextPageToken
	}
}

// listItems reads a list's items: an array, or for an aggregated list a
// map from "zones/Z" to {KIND: [...]}.
func listItems(raw json.RawMessage, kind string, aggregated bool) ([]computeItem, error) {
	if !aggregated {
		var items []computeItem
		return items, json.Unmarshal(raw, &items)
	}
	var scoped map[string]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &scoped); err != nil {
		return nil, err
	}
	var out []computeItem
	for _, s := range scoped {
		if len(s[kind]) == 0 {
			continue
		}
		var items []computeItem
		if err := json.Unmarshal(s[kind], &items); err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	return out, nil
}

// lastSegment is a resource URL's last path element (its name).
func lastSegment(u string) string { return u[strings.LastIndex(u, "/")+1:] }

// scope is a resource URL's location: the zone or region, or "global".
func scope(selfLink string) string {
	parts := strings.Split(selfLink, "/")
	for i := 0; i+1 < len(parts); i++ {
		if parts[i] == "zones" || parts[i] == "regions" {
			return parts[i+1]
		}
	}
	return "global"
}

// Leftovers lists what GKE made for the stack in its project and still
// exists: NEGs and firewall rules in the stack's own VPC; the load
// balancer chain from any forwarding rule on the stack's reserved
// addresses; backend services that send to a leftover NEG, and their
// health checks. Nothing else in the project is looked at, so another
// stack's or team's resources are never listed. A local stack has none.
func (e *Engine) Leftovers(ctx context.Context) ([]Leftover, error) {
	if e.Config.Local() {
		return nil, nil
	}
	client, err := googleClient(cloudPlatformScope)
	if err != nil {
		return nil, fmt.Errorf("Google credentials to list what the cluster of %s left: %w", e.Name, err)
	}
	c := computeAPI{client: client, project: e.Config.GCPProject}
	network := "/global/networks/" + stacks.NetworkName(e.Config)
	var out []Leftover
	seen := map[string]bool{}
	add := func(kind string, it computeItem, why string) {
		if seen[it.SelfLink] {
			return
		}
		seen[it.SelfLink] = true
		out = append(out, Leftover{Kind: kind, Name: it.Name, Where: scope(it.SelfLink), selfLink: it.SelfLink, Why: why})
	}

	negs, err := c.list(ctx, "networkEndpointGroups", true)
	if err != nil {
		return nil, fmt.Errorf("listing the NEGs of project %s: %w", c.project, err)
	}
	negLinks := map[string]bool{}
	for _, n := range negs {
		if strings.HasSuffix(n.Network, network) {
			add("networkEndpointGroups", n, "in network "+stacks.NetworkName(e.Config))
			negLinks[n.SelfLink] = true
		}
	}
	fws, err := c.list(ctx, "firewalls", false)
	if err != nil {
		return nil, fmt.Errorf("listing the firewall rules of project %s: %w", c.project, err)
	}
	// The program makes no firewall rule (infra/network.go): every rule
	// in the VPC is GKE's.
	for _, f := range fws {
		if strings.HasSuffix(f.Network, network) {
			add("firewalls", f, "in network "+stacks.NetworkName(e.Config))
		}
	}

	lb, err := e.loadBalancerLeftovers(ctx, c, negLinks)
	if err != nil {
		return nil, err
	}
	for _, l := range lb {
		add(l.kind, l.item, l.why)
	}
	rank := map[string]int{}
	for i, k := range deleteOrder {
		rank[k] = i
	}
	sort.SliceStable(out, func(i, j int) bool {
		if rank[out[i].Kind] != rank[out[j].Kind] {
			return rank[out[i].Kind] < rank[out[j].Kind]
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

type lbItem struct {
	kind string
	item computeItem
	why  string
}

// loadBalancerLeftovers follows the Ingress controller's chain: forwarding
// rules on the stack's addresses → target proxies → URL maps → backend
// services → health checks, plus backend services whose backends are the
// stack's NEGs.
func (e *Engine) loadBalancerLeftovers(ctx context.Context, c computeAPI, negLinks map[string]bool) ([]lbItem, error) {
	ips := map[string]string{}
	for _, name := range []string{e.Config.AddressName, stacks.MLflowAddressName(e.Config)} {
		var a struct {
			Address string `json:"address"`
		}
		err := c.call(ctx, http.MethodGet, fmt.Sprintf("%s/projects/%s/global/addresses/%s", computeBase(), url.PathEscape(c.project), url.PathEscape(name)), &a)
		switch {
		case errors.Is(err, os.ErrNotExist):
			continue
		case err != nil:
			return nil, fmt.Errorf("reading address %s: %w", name, err)
		}
		if a.Address != "" {
			ips[a.Address] = name
		}
	}
	lists := map[string][]computeItem{}
	for _, kind := range []string{"forwardingRules", "targetHttpsProxies", "targetHttpProxies", "urlMaps", "backendServices", "healthChecks"} {
		if kind == "forwardingRules" && len(ips) == 0 {
			continue
		}
		items, err := c.list(ctx, kind, false)
		if err != nil {
			return nil, fmt.Errorf("listing the %s of project %s: %w", kind, c.project, err)
		}
		lists[kind] = items
	}
	byLink := map[string]lbItem{}
	for kind, items := range lists {
		for _, it := range items {
			byLink[it.SelfLink] = lbItem{kind: kind, item: it}
		}
	}
	var out []lbItem
	services := map[string]string{}
	for _, fr := range lists["forwardingRules"] {
		addr, ok := ips[fr.IPAddress]
		if !ok {
			continue
		}
		why := "on address " + addr
		out = append(out, lbItem{"forwardingRules", fr, why})
		proxy, ok := byLink[fr.Target]
		if !ok {
			continue
		}
		out = append(out, lbItem{proxy.kind, proxy.item, why})
		um, ok := byLink[proxy.item.URLMap]
		if !ok {
			continue
		}
		out = append(out, lbItem{"urlMaps", um.item, why})
		for _, s := range urlMapServices(um.item) {
			services[s] = why
		}
	}
	for _, bs := range lists["backendServices"] {
		for _, b := range bs.Backends {
			if negLinks[b.Group] && services[bs.SelfLink] == "" {
				services[bs.SelfLink] = "sends to NEG " + lastSegment(b.Group)
			}
		}
	}
	for link, why := range services {
		bs, ok := byLink[link]
		if !ok {
			continue
		}
		out = append(out, lbItem{"backendServices", bs.item, why})
		for _, hc := range bs.item.HealthChecks {
			if h, ok := byLink[hc]; ok {
				out = append(out, lbItem{"healthChecks", h.item, "used by backend service " + bs.item.Name})
			}
		}
	}
	return out, nil
}

func urlMapServices(m computeItem) []string {
	var out []string
	if m.Service != "" {
		out = append(out, m.Service)
	}
	for _, pm := range m.PathMaps {
		if pm.DefaultService != "" {
			out = append(out, pm.DefaultService)
		}
		for _, r := range pm.PathRules {
			out = append(out, r.Service)
		}
	}
	return out
}

// DeleteLeftovers deletes them in deleteOrder, each after the last has
// finished (a Compute delete is an operation to wait for). It stops at the
// first failure and says which.
func (e *Engine) DeleteLeftovers(ctx context.Context, left []Leftover) error {
	client, err := googleClient(cloudPlatformScope)
	if err != nil {
		return fmt.Errorf("Google credentials to delete what the cluster of %s left: %w", e.Name, err)
	}
	c := computeAPI{client: client, project: e.Config.GCPProject}
	for _, l := range left {
		var op operation
		if err := c.call(ctx, http.MethodDelete, l.selfLink, &op); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return fmt.Errorf("deleting %s: %w", l, err)
		}
		if err := c.wait(ctx, op, 5*time.Minute); err != nil {
			return fmt.Errorf("deleting %s: %w", l, err)
		}
		fmt.Fprintf(e.Err, "infra: deleted %s %s\n", l.Kind, l.Name)
	}
	return nil
}

type operation struct {
	SelfLink string `json:"selfLink"`
	Status   string `json:"status"`
	Error    *struct {
		Errors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	} `json:"error"`
}

// wait polls a Compute operation until it is DONE
// (https://cloud.google.com/compute/docs/api/how-tos/api-requests-responses#handling_api_responses).
func (c computeAPI) wait(ctx context.Context, op operation, bound time.Duration) error {
	deadline := time.Now().Add(bound)
	// Deletes take seconds: ask soon, then every 2 s.
	every := 100 * time.Millisecond
	for op.Status != "DONE" {
		if time.Now().After(deadline) {
			return fmt.Errorf("operation %s not done after %s", lastSegment(op.SelfLink), bound)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(every):
		}
		every = min(2*every, 2*time.Second)
		if err := c.call(ctx, http.MethodGet, op.SelfLink, &op); err != nil {
			return err
		}
	}
	if op.Error != nil && len(op.Error.Errors) > 0 {
		var msgs []string
		for _, e := range op.Error.Errors {
			msgs = append(msgs, e.Code+": "+e.Message)
		}
		return errors.New(strings.Join(msgs, "; "))
	}
	return nil
}
