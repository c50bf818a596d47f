package testservers

import (
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// GKE stands in for the GKE API's clusters.get and for the Kubernetes API
// of the clusters it reports, both on 127.0.0.1: what infra reads to build
// kubectl's kubeconfig (internal/engine/gke.go), and where that kubectl
// then goes. The Kubernetes API accepts only Token (as the bearer token the
// gke-gcloud-auth-plugin stand-in from PluginDir prints), records every
// request, and has no objects: each request is answered 404.
type GKE struct {
	// URL is the GKE API's base, for CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINER.
	URL string
	// Endpoint and CA are what clusters.get reports: the Kubernetes API's
	// host:port and its certificate (base64 PEM).
	Endpoint, CA string
	// Token is the only bearer token the Kubernetes API accepts.
	Token string
	// Exists says whether the cluster of project, location and name is up;
	// nil: every cluster is.
	Exists func(project, location, name string) bool

	api, kube, tokens *httptest.Server
	mu                sync.Mutex
	requests          []string
	// negs are the NEG controller's objects per namespace (SetNEGs).
	negs map[string][]string
}

// SetNEGs sets the ServiceNetworkEndpointGroups the stand-in cluster's NEG
// controller holds in namespace: a test plays that controller, which
// deletes them some time after their Service goes.
func (g *GKE) SetNEGs(namespace string, names ...string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.negs == nil {
		g.negs = map[string][]string{}
	}
	g.negs[namespace] = names
}

// NEGs are those SetNEGs set last.
func (g *GKE) NEGs(namespace string) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string{}, g.negs[namespace]...)
}

// StartGKE starts both servers; Close stops them.
func StartGKE() (*GKE, error) {
	g := &GKE{Token: "gke-stand-in-token"}
	var err error
	if g.kube, err = loopback(http.HandlerFunc(g.serveKube)); err != nil {
		return nil, err
	}
	g.kube.StartTLS()
	g.Endpoint = strings.TrimPrefix(g.kube.URL, "https://")
	g.CA = base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: g.kube.Certificate().Raw}))
	if g.api, err = loopback(http.HandlerFunc(g.serveAPI)); err != nil {
		g.kube.Close()
		return nil, err
	}
	g.api.Start()
	g.URL = g.api.URL + "/v1/" // as gcloud's override is written
	return g, nil
}

func (g *GKE) Close() {
	g.api.Close()
	g.kube.Close()
	if g.tokens != nil {
		g.tokens.Close()
	}
}

// serveAPI answers GET /v1/projects/P/locations/L/clusters/N.
func (g *GKE) serveAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if r.Method != http.MethodGet || len(parts) != 7 || parts[0] != "v1" || parts[1] != "projects" || parts[3] != "locations" || parts[5] != "clusters" {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"error":{"code":404,"message":"no such method","status":"NOT_FOUND"}}`)
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":{"code":401,"message":"no credentials","status":"UNAUTHENTICATED"}}`)
		return
	}
	project, location, name := parts[2], parts[4], parts[6]
	if g.Exists != nil && !g.Exists(project, location, name) {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"error":{"code":404,"message":"Not found: projects/%s/locations/%s/clusters/%s.","status":"NOT_FOUND"}}`, project, location, name)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]interface{}{
		"name": name, "location": location, "status": "RUNNING", "endpoint": g.Endpoint,
		"masterAuth": map[string]string{"clusterCaCertificate": g.CA},
	})
}

func (g *GKE) serveKube(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+g.Token {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	g.mu.Lock()
	g.requests = append(g.requests, r.Method+" "+r.URL.Path)
	negs, isNEGs := g.negs[negNamespace(r.URL.Path)]
	g.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.Method == http.MethodGet && isNEGs {
		list := map[string]interface{}{"apiVersion": "networking.gke.io/v1beta1", "kind": "ServiceNetworkEndpointGroupList"}
		var items []map[string]interface{}
		for _, n := range negs {
			items = append(items, map[string]interface{}{"metadata": map[string]string{"name": n}})
		}
		list["items"] = items
		json.NewEncoder(w).Encode(list)
		return
	}
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404,"message":"the stand-in cluster holds nothing"}`)
}

// Requests are the authenticated requests the Kubernetes API received.
func (g *GKE) Requests() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string{}, g.requests...)
}

// PluginDir writes, in dir, a gke-gcloud-auth-plugin that prints an
// ExecCredential with Token (the shape of client.authentication.k8s.io/v1beta1,
// https://kubernetes.io/docs/reference/access-authn-authz/authentication/#input-and-output-formats),
// for PATH.
func (g *GKE) PluginDir(dir string) error {
	script := fmt.Sprintf("#!/bin/sh\nprintf '%%s\\n' '{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"%s\"}}'\n", g.Token)
	return os.WriteFile(filepath.Join(dir, "gke-gcloud-auth-plugin"), []byte(script), 0o755)
}

// FakeADC writes an authorized_user Application Default Credentials file
// in dir whose token endpoint is a server on 127.0.0.1 (stopped by
// Close; call it once): Google clients ask for a token even of a stand-in API.
func (g *GKE) FakeADC(dir string) (string, error) {
	tokens, err := loopback(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"stand-in","expires_in":3600,"token_type":"Bearer"}`)
	}))
	if err != nil {
		return "", err
	}
	tokens.Start()
	g.tokens = tokens
	creds := filepath.Join(dir, "adc.json")
	adc := fmt.Sprintf(`{"type":"authorized_user","client_id":"test","client_secret":"test","refresh_token":"test","token_uri":%q}`, tokens.URL)
	return creds, os.WriteFile(creds, []byte(adc), 0o600)
}

// negNamespace is the namespace of a ServiceNetworkEndpointGroup list
// path (/apis/networking.gke.io/v1beta1/namespaces/NS/servicenetworkendpointgroups),
// or "".
func negNamespace(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) == 6 && parts[0] == "apis" && parts[1] == "networking.gke.io" && parts[2] == "v1beta1" && parts[3] == "namespaces" && parts[5] == "servicenetworkendpointgroups" {
		return parts[4]
	}
	return ""
}

// loopback is an unstarted test server on 127.0.0.1 only, whatever the
// test binary's -httptest.serve flag says.
func loopback(h http.Handler) (*httptest.Server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = l
	return srv, nil
}
