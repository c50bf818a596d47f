package engine

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/unlimited-translation/infra/internal/testservers"
	"github.com/unlimited-translation/infra/stacks"
)

// localServer is an httptest server bound to 127.0.0.1 only.
func localServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// fakeADC points Application Default Credentials at a local token
// endpoint (an authorized_user file, as internal/testservers does): Google
// clients ask for a token even when the API is a stand-in.
func fakeADC(t *testing.T) {
	t.Helper()
	tokens := localServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"adc-token","expires_in":3600,"token_type":"Bearer"}`)
	}))
	creds := filepath.Join(t.TempDir(), "adc.json")
	adc := fmt.Sprintf(`{"type":"authorized_user","client_id":"test","client_secret":"test","refresh_token":"test","token_uri":%q}`, tokens.URL)
	if err := os.WriteFile(creds, []byte(adc), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", creds)
}

// kubectl's kubeconfig is rendered from the stack file's project, region
// and cluster name and what the GKE API says of that cluster: the
// endpoint, the CA and the gke-gcloud-auth-plugin, nothing from the state.
func TestKubeconfigFromTheGKEAPI(t *testing.T) {
	fakeADC(t)
	const path = "/v1/projects/my-proj/locations/europe-west1/clusters/translation-dev"
	var auth []string
	gke := localServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = append(auth, r.Header.Get("Authorization"))
		if r.URL.Path != path {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error":{"code":404,"message":"Not found: cluster","status":"NOT_FOUND"}}`)
			return
		}
		fmt.Fprint(w, `{"name":"translation-dev","endpoint":"198.51.100.7","status":"RUNNING","masterAuth":{"clusterCaCertificate":"Q0EtRlJPTS1HS0U="}}`)
	}))
	// What a state output could say: never in the kubeconfig.
	const stateEndpoint, stateCA = "203.0.113.66", "Q0EtRlJPTS1TVEFURQ=="
	for _, override := range []string{gke.URL, gke.URL + "/", gke.URL + "/v1/", gke.URL + "/v1"} {
		t.Setenv("CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINER", override)
		kc, err := gkeKubeconfig(context.Background(), "my-proj", "europe-west1", "translation-dev")
		if err != nil {
			t.Fatalf("override %s: %v", override, err)
		}
		for _, want := range []string{"server: https://198.51.100.7\n", "certificate-authority-data: Q0EtRlJPTS1HS0U=\n",
			"command: gke-gcloud-auth-plugin\n", "current-context: gke_my-proj_europe-west1_translation-dev\n"} {
			if !strings.Contains(kc, want) {
				t.Errorf("override %s: the kubeconfig lacks %q:\n%s", override, want, kc)
			}
		}
		if strings.Contains(kc, stateEndpoint) || strings.Contains(kc, stateCA) {
			t.Errorf("the kubeconfig holds what the state says:\n%s", kc)
		}
	}
	for _, a := range auth {
		if a != "Bearer adc-token" {
			t.Errorf("the GKE API was called with Authorization %q, want the ADC token", a)
		}
	}

	// A cluster GKE does not have (asleep, destroyed): ErrNoCluster.
	t.Setenv("CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINER", gke.URL)
	_, err := gkeKubeconfig(context.Background(), "my-proj", "europe-west1", "translation-prod")
	if !errors.Is(err, ErrNoCluster) || !strings.Contains(err.Error(), "GKE has no cluster translation-prod in europe-west1 of project my-proj") {
		t.Errorf("missing cluster: %v", err)
	}
}

// Any other answer is an error naming the request, not ErrNoCluster.
func TestKubeconfigGKEAPIError(t *testing.T) {
	fakeADC(t)
	gke := localServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"error":{"code":403,"message":"Permission denied","status":"PERMISSION_DENIED"}}`)
	}))
	t.Setenv("CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINER", gke.URL+"/v1/")
	_, err := gkeKubeconfig(context.Background(), "p", "r", "c")
	if err == nil || errors.Is(err, ErrNoCluster) || !strings.Contains(err.Error(), "403 Forbidden") ||
		!strings.Contains(err.Error(), gke.URL+"/v1/projects/p/locations/r/clusters/c") {
		t.Errorf("403: %v", err)
	}
}

// kubectl (the backup and restore Jobs) goes where the GKE API says, with
// the auth plugin's token: end to end with the GKE stand-in of the e2e
// tests and a stand-in gke-gcloud-auth-plugin on PATH.
func TestKubeJobsReachTheClusterGKEReports(t *testing.T) {
	if _, err := exec.LookPath("kubectl"); err != nil {
		t.Skip("no kubectl on PATH")
	}
	gke, err := testservers.StartGKE()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(gke.Close)
	dir := t.TempDir()
	if err := gke.PluginDir(dir); err != nil {
		t.Fatal(err)
	}
	adc, err := gke.FakeADC(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", adc)
	t.Setenv("CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINER", gke.URL)
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	e := &Engine{Name: "dev", Config: stacks.Config{GCPProject: "p", Region: "europe-west1", ClusterName: "translation-dev", Namespace: "default"}}
	jobs, done, err := e.kubeJobs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	_, err = jobs.Run(context.Background(), "mysql-backup", "mysql-backup-manual-1", nil)
	if err == nil || !strings.Contains(err.Error(), "reading the CronJob default/mysql-backup") {
		t.Errorf("a cluster without the CronJob: %v", err)
	}
	if len(gke.Requests()) == 0 {
		t.Errorf("kubectl never reached the cluster GKE reports with the plugin's token: %v", err)
	}

	gke.Exists = func(_, _, _ string) bool { return false }
	if _, _, err := e.kubeJobs(context.Background()); !errors.Is(err, ErrNoCluster) {
		t.Errorf("no cluster: %v", err)
	}
}
