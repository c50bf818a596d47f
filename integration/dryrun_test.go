package integration

import (
	"strings"
	"testing"
)

// Every stack's manifests are accepted by the API server as they are:
// server-side dry-run with strict field validation, no error, no warning.
// Namespace default enforces and warns about the restricted Pod Security
// Standard first (the API server's PodSecurity admission, on by default),
// so a pod template that breaks it is a warning here: local's too, whose
// program leaves the namespace of a cluster it does not own unlabelled.
func TestManifestsPassServerSideDryRun(t *testing.T) {
	kubectl(t, "label", "--overwrite", "namespace", "default",
		"pod-security.kubernetes.io/enforce=restricted", "pod-security.kubernetes.io/warn=restricted")
	t.Cleanup(func() {
		_, _ = cp.Kubectl("label", "namespace", "default", "pod-security.kubernetes.io/enforce-", "pod-security.kubernetes.io/warn-")
	})
	gpu := map[string]string{"unlimited-translation:backendAccelerator": "nvidia-l4", "unlimited-translation:backendAcceleratorCount": "2"}
	for _, tc := range []struct {
		name, stack string
		set         map[string]string
	}{{"dev", "dev", nil}, {"prod", "prod", nil}, {"local", "local", nil}, {"dev with a GPU backend", "dev", gpu}} {
		stack := tc.stack
		t.Run(tc.name, func(t *testing.T) {
			dir := manifests(t, stack, tc.set)
			if tc.set != nil && !strings.Contains(read(t, file(t, dir, "30-deployment-default-backend-fastapi-deploy")), "nvidia.com/gpu") {
				t.Fatal("the GPU backend's manifest has no nvidia.com/gpu limit")
			}
			out, warnings, err := cp.KubectlAll("", "apply", "--server-side", "--dry-run=server",
				"--validate=strict", "--field-manager=infra-test", "-f", dir)
			if err != nil {
				t.Fatalf("server-side dry-run failed: %v\n%s", err, warnings)
			}
			if strings.TrimSpace(warnings) != "" {
				t.Errorf("the API server warned:\n%s", warnings)
			}
			if got := len(strings.Split(strings.TrimSpace(out), "\n")); got != count(dir) {
				t.Errorf("%d objects accepted, %d manifests:\n%s", got, count(dir), out)
			}
		})
	}
}

// The GKE CRDs kept in the repo reject what GKE would: a misspelled field or
// a malformed domain is an error, not silently dropped.
func TestGKECRDsRejectMistakes(t *testing.T) {
	for _, tc := range []struct{ name, manifest, want string }{
		{"certificate field typo", `apiVersion: networking.gke.io/v1
kind: ManagedCertificate
metadata: {name: typo, namespace: default}
spec:
  domain: [translate.example.com]
`, ".spec.domain: field not declared in schema"},
		{"certificate bad domain", `apiVersion: networking.gke.io/v1
kind: ManagedCertificate
metadata: {name: bad, namespace: default}
spec:
  domains: ["https://translate.example.com"]
`, "spec.domains[0]"},
		{"redirect typo", `apiVersion: networking.gke.io/v1beta1
kind: FrontendConfig
metadata: {name: typo, namespace: default}
spec:
  redirectToHTTPS: {enabled: true}
`, ".spec.redirectToHTTPS: field not declared in schema"},
		{"health check typo", `apiVersion: cloud.google.com/v1
kind: BackendConfig
metadata: {name: typo, namespace: default}
spec:
  healthCheck: {requestpath: /}
`, ".spec.healthCheck.requestpath: field not declared in schema"},
		{"health check type", `apiVersion: cloud.google.com/v1
kind: BackendConfig
metadata: {name: bad, namespace: default}
spec:
  healthCheck: {type: TCP}
`, "spec.healthCheck.type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, err := cp.KubectlAll(tc.manifest, "apply", "--server-side", "--dry-run=server",
				"--validate=strict", "--field-manager=infra-test", "-f", "-")
			if err == nil || !strings.Contains(stderr, tc.want) {
				t.Errorf("want a rejection mentioning %q, got err=%v stderr=%q", tc.want, err, stderr)
			}
		})
	}
}
