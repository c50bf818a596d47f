package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/unlimited-translation/infra/internal/controlplane"
)

const waitFor = 120 * time.Second

// The database's claim and the static volume that names its disk.
const (
	claim  = "pvc/mysql-stateful-data"
	volume = "mysql-stateful-data"
)

// The dev stack's objects applied for real: they roll out, a second apply
// changes nothing, a replica change rolls out, a volume change is handled
// without losing the volume, and deleting them leaves the namespace clean.
func TestDevStackLifecycle(t *testing.T) {
	dir := manifests(t, "dev", nil)
	begin := time.Now()
	apply(t, dir)
	waitReady(t)
	handle := kubectl(t, "get", "pv", volume, "-o", "jsonpath={.spec.csi.volumeHandle}")
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

	t.Run("disk growth expands the claim in place", func(t *testing.T) {
		uid := kubectl(t, "get", claim, "-o", "jsonpath={.metadata.uid}")
		bigger := manifests(t, "dev", map[string]string{"unlimited-translation:mysqlStorageSize": "2Gi"})
		// The whole stack re-applies: nothing immutable changes (the
		// StatefulSet has no claim templates any more).
		apply(t, bigger)
		// The volume's class allows expansion, so the resizer grows the
		// claim (on GKE the PD CSI driver then grows the file system).
		eventually(t, waitFor, "claim expanded to 2Gi", func(s string) bool { return s == "2Gi" },
			"get", claim, "-o", "jsonpath={.status.capacity.storage}")
		if got := kubectl(t, "get", "pv", volume, "-o", "jsonpath={.spec.capacity.storage}"); got != "2Gi" {
			t.Errorf("volume capacity %q, want 2Gi", got)
		}
		if got := kubectl(t, "get", claim, "-o", "jsonpath={.metadata.uid}"); got != uid {
			t.Errorf("the claim was replaced: %s -> %s", uid, got)
		}
		kubectl(t, "rollout", "status", "statefulset/mysql-stateful", "--timeout=120s")
	})

	t.Run("the workloads come back on the same volume", func(t *testing.T) {
		// What a destroy of the app does in a cluster that stays: the
		// StatefulSet and the claim go; the volume is released and kept
		// (Retain), with the disk it names.
		kubectl(t, "delete", "statefulset", "mysql-stateful", "--wait=true")
		kubectl(t, "delete", claim, "--wait=true")
		eventually(t, waitFor, "volume released and kept", func(s string) bool { return s == "Released" },
			"get", "pv", volume, "-o", "jsonpath={.status.phase}")
		// What the next up does: a new claim, and the volume's claimRef
		// naming it (the Database component passes the claim's uid).
		bigger := manifests(t, "dev", map[string]string{"unlimited-translation:mysqlStorageSize": "2Gi"})
		apply(t, file(t, bigger, "10-persistentvolumeclaim"))
		newUID := kubectl(t, "get", claim, "-o", "jsonpath={.metadata.uid}")
		kubectl(t, "patch", "pv", volume, "--type=merge", "-p", `{"spec":{"claimRef":{"uid":"`+newUID+`"}}}`)
		kubectl(t, "wait", "--for=jsonpath={.status.phase}=Bound", claim, "--timeout=120s")
		apply(t, file(t, bigger, "30-statefulset"))
		kubectl(t, "rollout", "status", "statefulset/mysql-stateful", "--timeout=120s")
		if got := kubectl(t, "get", "pv", volume, "-o", "jsonpath={.spec.csi.volumeHandle}"); got != handle {
			t.Errorf("the volume now names %s, was %s", got, handle)
		}
		if got := kubectl(t, "get", "pod", "mysql-stateful-0", "-o", `jsonpath={.spec.volumes[?(@.name=="data-volume")].persistentVolumeClaim.claimName}`); got != "mysql-stateful-data" {
			t.Errorf("new pod mounts claim %q", got)
		}
	})

	t.Run("delete leaves the namespace clean", func(t *testing.T) {
		deleteApp(t, dir)
		eventually(t, waitFor, "namespace default clean", func(s string) bool {
			return strings.Join(sortedLines(s), " ") == "configmap/kube-root-ca.crt service/kubernetes serviceaccount/default"
		}, "get", "pods,deployments,statefulsets,services,pvc,secrets,configmaps,ingresses,serviceaccounts,"+
			"managedcertificates,frontendconfigs,backendconfigs", "-n", "default", "-o", "name")
		// The volume object goes with its manifest; on GKE that never
		// touches the disk it names (reclaim policy Retain).
		if got := kubectl(t, "get", "pv", "-o", "name"); got != "" {
			t.Errorf("volumes left: %s", got)
		}
	})

	// After the namespace is emptied the cluster is as a sleeping stack
	// leaves it (gone); asleep the program has nothing for Kubernetes, and
	// waking applies the awake stack again around the kept disk.
	t.Run("wake rolls out on the kept disk", func(t *testing.T) {
		if n := count(manifests(t, "dev", map[string]string{"unlimited-translation:awake": "false"})); n != 0 {
			t.Fatalf("asleep, dev still has %d Kubernetes manifests", n)
		}
		apply(t, manifests(t, "dev", nil))
		waitReady(t)
		if got := kubectl(t, "get", "pv", volume, "-o", "jsonpath={.spec.csi.volumeHandle}"); got != handle {
			t.Errorf("woken, the volume names %s; the kept disk is %s", got, handle)
		}
		if got := kubectl(t, "get", claim, "-o", "jsonpath={.spec.volumeName}"); got != volume {
			t.Errorf("woken, the claim is bound to %q", got)
		}
		deleteApp(t, dir)
	})
}

// deleteApp deletes what the manifests in dir create: not namespace
// default, whose file only labels it (a NamespacePatch).
func deleteApp(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"delete", "--wait=true", "--timeout=120s"}
	for _, e := range entries {
		if e.Name() != "00-namespace-default.yaml" {
			args = append(args, "-f", filepath.Join(dir, e.Name()))
		}
	}
	kubectl(t, args...)
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
	kubectl(t, "wait", "--for=jsonpath={.status.phase}=Bound", claim, "--timeout=120s")
	kubectl(t, "wait", "--for=condition=Available", "deployment", "--all", "--timeout=120s")
	kubectl(t, "rollout", "status", "statefulset/mysql-stateful", "--timeout=120s")
	for _, svc := range []string{"backend-fastapi-service", "translation-backend", "mysql-headless"} {
		eventually(t, waitFor, "endpoints of "+svc, func(s string) bool { return s != "" },
			"get", "endpointslices", "-l", "kubernetes.io/service-name="+svc, "-o", "jsonpath={.items[*].endpoints[*].addresses[*]}")
	}
	eventually(t, waitFor, "Ingress admitted", func(s string) bool { return s == controlplane.LoadBalancerIP },
		"get", "ingress", "translation-web", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}")
}
