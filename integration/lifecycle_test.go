package integration

import (
	"strings"
	"testing"
	"time"

	"github.com/unlimited-translation/infra/internal/controlplane"
)

const waitFor = 120 * time.Second

// The dev stack's objects applied for real: they roll out, a second apply
// changes nothing, a replica change rolls out, a volume change is handled
// without losing the volume, and deleting them leaves the namespace clean.
func TestDevStackLifecycle(t *testing.T) {
	dir := manifests(t, "dev", nil)
	begin := time.Now()
	apply(t, dir)
	waitReady(t)
	t.Logf("timing: dev stack applied to all workloads ready in %s (control plane start to ready: %s)",
		time.Since(begin).Round(time.Millisecond), (time.Since(begin) + cp.Ready).Round(time.Millisecond))

	t.Run("apply again changes nothing", func(t *testing.T) {
		before := versions(t, dir)
		apply(t, dir)
		after := versions(t, dir)
		for k, v := range before {
			if after[k] != v {
				t.Errorf("%s changed: resourceVersion %s -> %s", k, v, after[k])
			}
		}
		if len(before) != count(dir) {
			t.Errorf("%d objects found for %d manifests", len(before), count(dir))
		}
	})

	t.Run("replica change rolls out", func(t *testing.T) {
		scaled := manifests(t, "dev", map[string]string{"unlimited-translation:backendReplicas": "2"})
		apply(t, scaled)
		kubectl(t, "rollout", "status", "deployment/backend-fastapi-deploy", "--timeout=120s")
		if got := kubectl(t, "get", "deployment", "backend-fastapi-deploy", "-o", "jsonpath={.status.readyReplicas}"); got != "2" {
			t.Errorf("ready replicas %q, want 2", got)
		}
	})

	t.Run("volume change keeps the data volume", func(t *testing.T) {
		claim := "pvc/data-volume-mysql-stateful-0"
		uid := kubectl(t, "get", claim, "-o", "jsonpath={.metadata.uid}")
		bigger := manifests(t, "dev", map[string]string{"unlimited-translation:mysqlStorageSize": "2Gi"})

		// What bites: the server refuses any change to volumeClaimTemplates.
		_, stderr, err := cp.KubectlAll("", "apply", "--server-side", "--field-manager=infra-test", "-f", file(t, bigger, "30-statefulset"))
		if err == nil || !strings.Contains(stderr, "Forbidden: updates to statefulset spec for fields other than") {
			t.Fatalf("want the immutable-field rejection, got err=%v stderr=%q", err, stderr)
		}
		// What the Database component does instead: the claim is its own
		// object, so its size grows in place...
		apply(t, file(t, bigger, "10-persistentvolumeclaim"))
		eventually(t, waitFor, "claim expanded to 2Gi", func(s string) bool { return s == "2Gi" },
			"get", claim, "-o", "jsonpath={.status.capacity.storage}")
		// ...and the StatefulSet is replaced (delete before replace, as the
		// preview shows) without touching the claim, which the new pod adopts.
		kubectl(t, "delete", "statefulset", "mysql-stateful", "--wait=true")
		if got := kubectl(t, "get", claim, "-o", "jsonpath={.metadata.uid}"); got != uid {
			t.Fatalf("deleting the StatefulSet replaced the claim (%s -> %s)", uid, got)
		}
		apply(t, bigger)
		kubectl(t, "rollout", "status", "statefulset/mysql-stateful", "--timeout=120s")
		if got := kubectl(t, "get", "pod", "mysql-stateful-0", "-o", `jsonpath={.spec.volumes[?(@.name=="data-volume")].persistentVolumeClaim.claimName}`); got != "data-volume-mysql-stateful-0" {
			t.Errorf("new pod mounts claim %q", got)
		}
		if got := kubectl(t, "get", claim, "-o", "jsonpath={.metadata.uid}"); got != uid {
			t.Errorf("the data volume's claim was replaced: %s -> %s", uid, got)
		}
	})

	t.Run("delete leaves the namespace clean", func(t *testing.T) {
		kubectl(t, "delete", "-f", dir, "--wait=true", "--timeout=120s")
		eventually(t, waitFor, "namespace default clean", func(s string) bool {
			return strings.Join(sortedLines(s), " ") == "configmap/kube-root-ca.crt service/kubernetes serviceaccount/default"
		}, "get", "pods,deployments,statefulsets,services,pvc,secrets,configmaps,ingresses,serviceaccounts,"+
			"managedcertificates,frontendconfigs,backendconfigs", "-n", "default", "-o", "name")
		eventually(t, waitFor, "no volume left", func(s string) bool { return s == "" }, "get", "pv", "-o", "name")
	})
}

func apply(t *testing.T, path string) {
	t.Helper()
	_, stderr, err := cp.KubectlAll("", "apply", "--server-side", "--field-manager=infra-test", "--validate=strict", "-f", path)
	if err != nil {
		t.Fatalf("apply %s: %v\n%s", path, err, stderr)
	}
	if strings.TrimSpace(stderr) != "" {
		t.Errorf("apply %s warned:\n%s", path, stderr)
	}
}

// waitReady waits until the app is up as Kubernetes sees it.
func waitReady(t *testing.T) {
	t.Helper()
	kubectl(t, "wait", "--for=jsonpath={.status.phase}=Bound", "pvc/data-volume-mysql-stateful-0", "--timeout=120s")
	kubectl(t, "wait", "--for=condition=Available", "deployment", "--all", "--timeout=120s")
	kubectl(t, "rollout", "status", "statefulset/mysql-stateful", "--timeout=120s")
	for _, svc := range []string{"backend-fastapi-service", "translation-backend", "mysql-headless"} {
		eventually(t, waitFor, "endpoints of "+svc, func(s string) bool { return s != "" },
			"get", "endpointslices", "-l", "kubernetes.io/service-name="+svc, "-o", "jsonpath={.items[*].endpoints[*].addresses[*]}")
	}
	eventually(t, waitFor, "Ingress admitted", func(s string) bool { return s == controlplane.LoadBalancerIP },
		"get", "ingress", "translation-web", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}")
}
