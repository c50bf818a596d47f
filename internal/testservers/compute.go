package testservers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
)

// Compute stands in for the part of the Compute Engine API that infra
// reads and deletes what GKE left (internal/engine/leftovers.go): global
// and aggregated lists (two items a page, so paging is exercised),
// addresses.get, DELETE of any resource, and operations that are RUNNING
// when returned and DONE when read back. Like Compute it refuses to delete
// a resource another still names (resourceInUseByAnotherResource), so the
// order of deletion is tested. On 127.0.0.1.
type Compute struct {
	// URL is the API's base, for CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE.
	URL string

	srv     *httptest.Server
	mu      sync.Mutex
	items   map[string]map[string]interface{} // selfLink → resource
	ops     map[string]string                 // operation link → resource it deletes
	deleted []string
}

// StartCompute starts the stand-in with no resources.
func StartCompute() (*Compute, error) {
	c := &Compute{items: map[string]map[string]interface{}{}, ops: map[string]string{}}
	var err error
	if c.srv, err = loopback(http.HandlerFunc(c.serve)); err != nil {
		return nil, err
	}
	c.srv.Start()
	c.URL = c.srv.URL + "/compute/v1"
	return c, nil
}

// Close stops the server.
func (c *Compute) Close() { c.srv.Close() }

// Add puts a resource of kind (a Compute collection: firewalls,
// networkEndpointGroups, …) in project at scope ("global" or
// "zones/europe-west1-b") and returns its selfLink. fields are its other
// properties; they may name other resources by selfLink.
func (c *Compute) Add(project, scope, kind, name string, fields map[string]interface{}) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	link := c.Link(project, scope, kind, name)
	it := map[string]interface{}{"name": name, "selfLink": link, "kind": "compute#" + kind}
	for k, v := range fields {
		it[k] = v
	}
	c.items[link] = it
	return link
}

// Link is the selfLink Add gives.
func (c *Compute) Link(project, scope, kind, name string) string {
	return fmt.Sprintf("%s/projects/%s/%s/%s/%s", c.URL, project, scope, kind, name)
}

// Deleted lists the selfLinks deleted, in order.
func (c *Compute) Deleted() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string{}, c.deleted...)
}

func (c *Compute) serve(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	link := c.srv.URL + r.URL.Path
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodDelete:
		c.delete(w, link)
	case strings.Contains(r.URL.Path, "/operations/"):
		target, ok := c.ops[link]
		if !ok {
			http.Error(w, `{"error":{"code":404}}`, http.StatusNotFound)
			return
		}
		if _, there := c.items[target]; there {
			delete(c.items, target)
			c.deleted = append(c.deleted, target)
		}
		writeJSON(w, map[string]interface{}{"selfLink": link, "status": "DONE"})
	case strings.Contains(r.URL.Path, "/aggregated/"):
		kind := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		c.list(w, r, kind, true)
	default:
		if it, ok := c.items[link]; ok {
			writeJSON(w, it)
			return
		}
		parts := strings.Split(r.URL.Path, "/")
		if len(parts) >= 2 && parts[len(parts)-2] == "global" {
			c.list(w, r, parts[len(parts)-1], false)
			return
		}
		http.Error(w, `{"error":{"code":404,"message":"not found"}}`, http.StatusNotFound)
	}
}

func (c *Compute) delete(w http.ResponseWriter, link string) {
	if _, ok := c.items[link]; !ok {
		http.Error(w, `{"error":{"code":404}}`, http.StatusNotFound)
		return
	}
	for other, it := range c.items {
		if other != link && refersTo(it, link) {
			w.WriteHeader(http.StatusBadRequest)
			writeJSON(w, map[string]interface{}{"error": map[string]interface{}{"code": 400, "errors": []interface{}{map[string]interface{}{
				"reason": "resourceInUseByAnotherResource", "message": fmt.Sprintf("The resource '%s' is already being used by '%s'", link, other)}}}})
			return
		}
	}
	project := strings.Split(strings.TrimPrefix(link, c.URL+"/projects/"), "/")[0]
	op := fmt.Sprintf("%s/projects/%s/global/operations/op-%d", c.URL, project, len(c.ops)+1)
	c.ops[op] = link
	writeJSON(w, map[string]interface{}{"selfLink": op, "status": "RUNNING"})
}

// refersTo reports whether any string in v is link.
func refersTo(v interface{}, link string) bool {
	switch x := v.(type) {
	case string:
		return x == link
	case []interface{}:
		for _, e := range x {
			if refersTo(e, link) {
				return true
			}
		}
	case []string:
		for _, e := range x {
			if e == link {
				return true
			}
		}
	case map[string]interface{}:
		for k, e := range x {
			if k != "selfLink" && refersTo(e, link) {
				return true
			}
		}
	}
	return false
}

// list answers a list of kind in pages of two, by selfLink order; an
// aggregated list groups by scope as Compute does ("zones/Z": {kind: […]}).
func (c *Compute) list(w http.ResponseWriter, r *http.Request, kind string, aggregated bool) {
	project := strings.Split(strings.TrimPrefix(r.URL.Path, "/compute/v1/projects/"), "/")[0]
	var links []string
	for link, it := range c.items {
		if it["kind"] == "compute#"+kind && strings.Contains(link, "/projects/"+project+"/") {
			links = append(links, link)
		}
	}
	sort.Strings(links)
	start := 0
	fmt.Sscan(r.URL.Query().Get("pageToken"), &start)
	end := min(start+2, len(links))
	page := map[string]interface{}{}
	if end < len(links) {
		page["nextPageToken"] = fmt.Sprint(end)
	}
	if aggregated {
		scoped := map[string]interface{}{}
		for _, link := range links[start:end] {
			rest := strings.TrimPrefix(link, c.URL+"/projects/"+project+"/")
			scope := rest[:strings.LastIndex(rest[:strings.LastIndex(rest, "/")], "/")]
			group, _ := scoped[scope].(map[string]interface{})
			if group == nil {
				group = map[string]interface{}{kind: []interface{}{}}
				scoped[scope] = group
			}
			group[kind] = append(group[kind].([]interface{}), c.items[link])
		}
		page["items"] = scoped
	} else {
		var items []interface{}
		for _, link := range links[start:end] {
			items = append(items, c.items[link])
		}
		page["items"] = items
	}
	writeJSON(w, page)
}

func writeJSON(w http.ResponseWriter, v interface{}) {
	_ = json.NewEncoder(w).Encode(v)
}
