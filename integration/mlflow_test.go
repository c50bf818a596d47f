package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/unlimited-translation/infra/internal/controlplane"
)

// MLflow's objects, as dev with mlflow on makes them, applied for real
// (strict schema, the native sidecar included): the server rolls out,
// its Service gets endpoints and its Ingress an address, and a second
// apply changes nothing.
func TestMLflowRollsOut(t *testing.T) {
	all := manifests(t, "dev", map[string]string{"unlimited-translation:mlflow": "true"})
	dir := t.TempDir()
	entries, err := os.ReadDir(all)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		// NN-kind-NAMESPACE-name.yaml, and the namespace itself.
		if strings.Contains(e.Name(), "-mlflow-") || e.Name() == "00-namespace-mlflow.yaml" {
			if err := os.Rename(filepath.Join(all, e.Name()), filepath.Join(dir, e.Name())); err != nil {
				t.Fatal(err)
			}
		}
	}
	if count(dir) != 14 {
		t.Fatalf("%d MLflow manifests, want 14 (namespace, Secret, ServiceAccount, Deployment, Service, PDB, 5 NetworkPolicies, BackendConfig, FrontendConfig, Ingress)", count(dir))
	}
	t.Cleanup(func() { _, _ = cp.Kubectl("delete", "namespace", "mlflow", "--wait=false") })
	apply(t, dir)
	// The namespace enforces the restricted Pod Security Standard from
	// its creation on: the rollout below is of pods the admission let in.
	if got := kubectl(t, "get", "namespace", "mlflow", "-o", `jsonpath={.metadata.labels.pod-security\.kubernetes\.io/enforce}`); got != "restricted" {
		t.Errorf("the MLflow namespace enforces %q", got)
	}
	kubectl(t, "-n", "mlflow", "rollout", "status", "deployment/mlflow-server", "--timeout=120s")
	if got := kubectl(t, "-n", "mlflow", "get", "deployment", "mlflow-server", "-o", "jsonpath={.spec.template.spec.initContainers[0].restartPolicy}"); got != "Always" {
		t.Errorf("the Auth Proxy's restartPolicy is %q: the API server dropped the native sidecar", got)
	}
	eventually(t, waitFor, "endpoints of mlflow-server", func(s string) bool { return s != "" },
		"-n", "mlflow", "get", "endpointslices", "-l", "kubernetes.io/service-name=mlflow-server", "-o", "jsonpath={.items[*].endpoints[*].addresses[*]}")
	eventually(t, waitFor, "Ingress admitted", func(s string) bool { return s == controlplane.LoadBalancerIP },
		"-n", "mlflow", "get", "ingress", "mlflow", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}")
	before := kubectl(t, "-n", "mlflow", "get", "deployment,service,secret,ingress", "-o", "jsonpath={.items[*].metadata.resourceVersion}")
	apply(t, dir)
	if after := kubectl(t, "-n", "mlflow", "get", "deployment,service,secret,ingress", "-o", "jsonpath={.items[*].metadata.resourceVersion}"); after != before {
		t.Errorf("a second apply changed objects: %s -> %s", before, after)
	}
}
