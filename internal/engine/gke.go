package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/unlimited-translation/infra/infra"
)

// The kubeconfig kubectl uses is built from trusted inputs only: the
// project, region and cluster name of the stack file (reviewed code), and
// the endpoint and CA GKE itself reports for that cluster. The state's
// `kubeconfig` output is never used: the state bucket is written by more
// than the deployer (locks), and a kubeconfig carries a command to run.

// gkeBase is the GKE API's root: gcloud's own override when set
// (CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINER, which gcloud gives with the
// version path, e.g. https://container.googleapis.com/v1/), else Google's.
func gkeBase() string {
	base := strings.TrimRight(os.Getenv("CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINER"), "/")
	if base == "" {
		return "https://container.googleapis.com"
	}
	return strings.TrimSuffix(base, "/v1")
}

// gkeCluster reads a cluster's endpoint and CA certificate (base64 PEM)
// from the GKE API (projects.locations.clusters.get:
// https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters/get)
// with Application Default Credentials, as gcloud container clusters
// get-credentials does. A cluster GKE does not have is ErrNoCluster.
func gkeCluster(ctx context.Context, project, location, name string) (endpoint, ca string, err error) {
	client, err := googleClient(cloudPlatformScope)
	if err != nil {
		return "", "", fmt.Errorf("Google credentials to read cluster %s: %w", name, err)
	}
	u := fmt.Sprintf("%s/v1/projects/%s/locations/%s/clusters/%s", gkeBase(),
		url.PathEscape(project), url.PathEscape(location), url.PathEscape(name))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", "", fmt.Errorf("reading cluster %s from the GKE API: %w", name, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return "", "", fmt.Errorf("reading cluster %s from the GKE API: %w", name, err)
	}
	if resp.StatusCode == http.StatusNotFound {
		return "", "", fmt.Errorf("%w: GKE has no cluster %s in %s of project %s (never deployed, asleep, or destroyed)", ErrNoCluster, name, location, project)
	}
	if resp.StatusCode != http.StatusOK {
		return "", "", fmt.Errorf("reading cluster %s from the GKE API (GET %s): %s: %s", name, u, resp.Status, strings.TrimSpace(string(b)))
	}
	var c struct {
		Endpoint   string `json:"endpoint"`
		Status     string `json:"status"`
		MasterAuth struct {
			ClusterCACertificate string `json:"clusterCaCertificate"`
		} `json:"masterAuth"`
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return "", "", fmt.Errorf("the GKE API's answer for cluster %s does not parse: %w", name, err)
	}
	if c.Endpoint == "" || c.MasterAuth.ClusterCACertificate == "" {
		return "", "", fmt.Errorf("cluster %s has no endpoint or CA yet (status %s): retry once it is running", name, c.Status)
	}
	return c.Endpoint, c.MasterAuth.ClusterCACertificate, nil
}

// gkeKubeconfig renders the kubeconfig of the stack's cluster, as the
// stack program does (infra.Kubeconfig: the gke-gcloud-auth-plugin exec
// plugin), from the stack file's project, region and cluster name and
// what GKE reports.
func gkeKubeconfig(ctx context.Context, project, region, name string) (string, error) {
	endpoint, ca, err := gkeCluster(ctx, project, region, name)
	if err != nil {
		return "", err
	}
	return infra.Kubeconfig(project, region, name, endpoint, ca), nil
}
