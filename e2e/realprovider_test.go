package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/unlimited-translation/infra/internal/controlplane"
)

// realProvider starts the test control plane and returns the environment
// that sends the local stack's Kubernetes resources through the real
// provider (pulumi-resource-kubernetes v4.25.0, built by
// tools/build-tools.sh k8sprovider into bin/, found on PATH as an ambient
// plugin: pkg/workspace GetPluginPath at v3.230.0) to it, instead of the
// stand-in. Skipped without the binaries unless INFRA_REQUIRE_PULUMI is set.
func realProvider(t *testing.T) (*controlplane.ControlPlane, []string) {
	t.Helper()
	plugin := filepath.Join(filepath.Dir(pulumiBin), "pulumi-resource-kubernetes")
	bin, err := controlplane.FindBinaries("..")
	if _, perr := os.Stat(plugin); perr != nil || err != nil {
		if os.Getenv("INFRA_REQUIRE_PULUMI") != "" {
			t.Fatalf("the real Kubernetes provider needs bin/pulumi-resource-kubernetes (tools/build-tools.sh k8sprovider) and the control plane: %v %v", perr, err)
		}
		t.Skipf("no real Kubernetes provider or control plane: %v %v", perr, err)
	}
	logs, err := os.CreateTemp(t.TempDir(), "controlplane-*.log")
	if err != nil {
		t.Fatal(err)
	}
	cp, err := controlplane.Start(bin, logs)
	if err != nil {
		b, _ := os.ReadFile(logs.Name())
		t.Fatalf("starting the control plane: %v\n%s", err, b)
	}
	t.Cleanup(func() {
		cp.Stop()
		logs.Close()
	})
	return cp, []string{
		// Only the GCP provider is a stand-in; the local stack makes no GCP
		// resource.
		"PULUMI_DEBUG_PROVIDERS=gcp:" + gcp.Port(),
		"KUBECONFIG=" + cp.Kubeconfig,
	}
}

// kubectlOn runs kubectl on the control plane and returns its trimmed
// output; a failure ends the test.
func kubectlOn(t *testing.T, cp *controlplane.ControlPlane) func(args ...string) string {
	return func(args ...string) string {
		t.Helper()
		out, err := cp.Kubectl(args...)
		if err != nil {
			t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(out)
	}
}

// The local stack, the way a user runs it, with nothing but the Pulumi
// engine, the real Kubernetes provider and a real API server: up creates
// every object and awaits the rollouts (the provider's await logic on kwok
// pods), a second preview has no changes, a replica change is an update
// whose rollout is awaited, a storage-class change replaces the claim and
// the StatefulSet delete-before-replace as the scenarios table says,
// and destroy leaves nothing of the app on the cluster.
func TestLocalStackOnTheRealProvider(t *testing.T) {
	cp, env := realProvider(t)
	p := project(t, "local")
	p.env = append(p.env, env...)
	kubectl := kubectlOn(t, cp)

	r := p.mustInfra(t, "up", "--stack", "local", "--yes")
	// What the provider awaited is true the moment up returns.
	for _, d := range []string{"frontend-flask-deploy", "backend-fastapi-deploy"} {
		if got := kubectl("get", "deployment", d, "-o", "jsonpath={.status.readyReplicas}/{.spec.replicas}"); got != "1/1" {
			t.Errorf("deployment %s after up: ready/wanted %s", d, got)
		}
	}
	if got := kubectl("get", "statefulset", "mysql-stateful", "-o", "jsonpath={.status.readyReplicas}"); got != "1" {
		t.Errorf("the database StatefulSet after up: %q ready", got)
	}
	if got := kubectl("get", "pvc", "mysql-stateful-data", "-o", "jsonpath={.status.phase}"); got != "Bound" {
		t.Errorf("the data claim after up: %q", got)
	}
	if strings.Contains(r.stderr, "error:") {
		t.Errorf("up printed an error:\n%s", r.stderr)
	}

	t.Run("a second preview has no changes", func(t *testing.T) {
		r := p.mustInfra(t, "preview", "--stack", "local")
		if !strings.Contains(r.stdout, "no changes to stack local") {
			t.Errorf("second preview:\n%s", r.stdout)
		}
	})

	t.Run("a replica change is an update, its rollout awaited", func(t *testing.T) {
		setAndPreview(t, p, "0 to create, 1 to update, 0 to replace, 0 to delete", "backendReplicas", "2")
		p.mustInfra(t, "up", "--stack", "local", "--yes")
		if got := kubectl("get", "deployment", "backend-fastapi-deploy", "-o", "jsonpath={.status.readyReplicas}/{.spec.replicas}"); got != "2/2" {
			t.Errorf("backend after up: ready/wanted %s", got)
		}
	})

	t.Run("image, request and storage growth are updates, rollouts awaited", func(t *testing.T) {
		setAndPreview(t, p, "0 to create, 2 to update, 0 to replace, 0 to delete",
			"backendImage", "datatrigger/unlimited-translation_backend_fastapi:v2", "backendCpu", "500m", "mysqlStorageSize", "2Gi")
		p.mustInfra(t, "up", "--stack", "local", "--yes")
		got := kubectl("get", "deployment", "backend-fastapi-deploy", "-o",
			"jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].resources.requests.cpu} {.status.updatedReplicas}/{.status.readyReplicas}/{.spec.replicas}")
		if got != "datatrigger/unlimited-translation_backend_fastapi:v2 500m 2/2/2" {
			t.Errorf("backend after up: %s", got)
		}
		if got := kubectl("get", "pvc", "mysql-stateful-data", "-o", "jsonpath={.spec.resources.requests.storage}"); got != "2Gi" {
			t.Errorf("the claim asks for %s after up", got)
		}
	})

	t.Run("a storage class change replaces the claim and the StatefulSet, delete first", func(t *testing.T) {
		before := kubectl("get", "pvc", "mysql-stateful-data", "-o", "jsonpath={.metadata.uid}")
		p.pulumi(t, "config", "set", "mysqlStorageClass", "premium-rwo", "--stack", "local")
		// The provider cannot preview it (the API server refuses the
		// claim's new spec as an update): infra says what an up does.
		r := p.infra(t, "preview", "--stack", "local")
		if r.code == 0 || !strings.Contains(r.stderr+r.stdout, "an up deletes and replaces it") {
			t.Errorf("preview of a storage class change: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		r = p.mustInfra(t, "up", "--stack", "local", "--yes")
		after := kubectl("get", "pvc", "mysql-stateful-data", "-o", "jsonpath={.metadata.uid}/{.spec.storageClassName}/{.status.phase}")
		if after == before+"/premium-rwo/Bound" || !strings.HasSuffix(after, "/premium-rwo/Bound") {
			t.Errorf("the claim after up: %s (before: uid %s)", after, before)
		}
		for _, want := range []string{"deleting original", "replaced"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("up does not show %q:\n%s", want, r.stdout)
			}
		}
		if got := kubectl("get", "statefulset", "mysql-stateful", "-o", "jsonpath={.status.readyReplicas}"); got != "1" {
			t.Errorf("the database after its replacement: %q ready", got)
		}
	})

	t.Run("a rollout that never becomes ready fails up at rolloutTimeout with the provider's reason", func(t *testing.T) {
		// More CPU than the node has: the new pod is never scheduled.
		p.pulumi(t, "config", "set", "backendCpu", "100", "--stack", "local")
		p.pulumi(t, "config", "set", "rolloutTimeout", "30s", "--stack", "local")
		begin := time.Now()
		r := p.infra(t, "up", "--stack", "local", "--yes")
		took := time.Since(begin)
		// The provider says only that it timed out; infra adds why, from
		// the pods' events.
		if r.code == 0 || !strings.Contains(r.stderr, "the pods of default/backend-fastapi-deploy: FailedScheduling: 0/1 nodes are available: 1 Insufficient cpu") {
			t.Errorf("up of an unschedulable rollout: exit %d after %s\n%s\n%s", r.code, took, r.stdout, r.stderr)
		}
		t.Logf("timing: the failed rollout ended the up after %s", took.Round(time.Second))
		p.pulumi(t, "config", "rm", "backendCpu", "--stack", "local")
		p.pulumi(t, "config", "rm", "rolloutTimeout", "--stack", "local")
		p.mustInfra(t, "up", "--stack", "local", "--yes")
		if got := kubectl("get", "deployment", "backend-fastapi-deploy", "-o", "jsonpath={.status.readyReplicas}/{.spec.replicas}"); got != "2/2" {
			t.Errorf("backend after the fixed up: ready/wanted %s", got)
		}
	})

	t.Run("the CLI killed while the provider awaits a rollout is repaired", func(t *testing.T) {
		// The new backend pods cannot be scheduled: the provider's update
		// of the Deployment awaits them until the kill.
		p.pulumi(t, "config", "set", "backendCpu", "100", "--stack", "local")
		p.pulumi(t, "config", "set", "rolloutTimeout", "2m", "--stack", "local")
		killUpWhen(t, p, "local", func() bool {
			return kubectl("get", "deployment", "backend-fastapi-deploy", "-o", "jsonpath={.spec.template.spec.containers[0].resources.requests.cpu}") == "100"
		})
		r := p.infra(t, "preview", "--stack", "local")
		if r.code != 1 || !strings.Contains(r.stderr, "infra repair --stack local") {
			t.Errorf("preview of the killed stack: exit %d\n%s", r.code, r.stderr)
		}
		p.mustInfra(t, "repair", "--stack", "local")
		p.pulumi(t, "config", "rm", "backendCpu", "--stack", "local")
		p.pulumi(t, "config", "rm", "rolloutTimeout", "--stack", "local")
		p.mustInfra(t, "up", "--stack", "local", "--yes")
		got := kubectl("get", "deployment", "backend-fastapi-deploy", "-o", "jsonpath={.spec.template.spec.containers[0].resources.requests.cpu} {.status.readyReplicas}/{.spec.replicas}")
		if got != "250m 2/2" {
			t.Errorf("backend after repair and up: %s", got)
		}
		if r := p.mustInfra(t, "preview", "--stack", "local"); !strings.Contains(r.stdout, "no changes to stack local") {
			t.Errorf("preview after repair and up:\n%s", r.stdout)
		}
	})

	t.Run("a Secret change replaces it delete-first, and the workloads that read it", func(t *testing.T) {
		uids := func() string {
			return kubectl("get", "secret/mysql-db-secret", "statefulset/mysql-stateful", "deployment/frontend-flask-deploy", "-o", "jsonpath={.items[*].metadata.uid}")
		}
		before := strings.Fields(uids())
		// As the scenarios table's "MySQL user" row: the Secret keeps its
		// name, so it goes first and takes the two workloads with it.
		setAndPreview(t, p, "0 to create, 0 to update, 3 to replace, 0 to delete", "mysqlUser", "app")
		r := p.mustInfra(t, "up", "--stack", "local", "--yes")
		// Same names: only delete-before-replace can succeed, and up
		// says so.
		if !strings.Contains(r.stdout, "deleting original") {
			t.Errorf("up does not delete the originals first:\n%s", r.stdout)
		}
		after := strings.Fields(uids())
		if len(after) != 3 || len(before) != 3 {
			t.Fatalf("uids before %v, after %v", before, after)
		}
		for i, what := range []string{"the Secret", "the database", "the frontend"} {
			if after[i] == before[i] {
				t.Errorf("%s was not replaced (uid %s)", what, after[i])
			}
		}
		if got := kubectl("get", "secret", "mysql-db-secret", "-o", "jsonpath={.data.MYSQL_USER}"); got != "YXBw" { // base64("app")
			t.Errorf("the new Secret's MYSQL_USER: %q", got)
		}
		if got := kubectl("get", "deployment", "frontend-flask-deploy", "-o", "jsonpath={.status.readyReplicas}"); got != "1" {
			t.Errorf("the replaced frontend: %q ready", got)
		}
	})

	t.Run("a namespace change moves every object of the app", func(t *testing.T) {
		// The Namespace is new; the 19 namespaced objects of the local
		// stack (2 Deployments, 2 PDBs, 3 Services, the StatefulSet, its
		// claim, the Secret, the init ConfigMap, 8 NetworkPolicies: deny
		// in and out, DNS, public, and the frontend's two pairs in and
		// out) move, and nothing is updated in place.
		setAndPreview(t, p, "1 to create, 0 to update, 19 to replace, 0 to delete",
			"namespace", "translation", "frontendImage", "example/frontend:1.0")
		p.mustInfra(t, "up", "--stack", "local", "--yes")
		for _, d := range []string{"frontend-flask-deploy", "backend-fastapi-deploy"} {
			if got := kubectl("get", "deployment", d, "-n", "translation", "-o", "jsonpath={.status.readyReplicas}"); got == "" || got == "0" {
				t.Errorf("deployment %s in translation: %q ready", d, got)
			}
		}
		if got := kubectl("get", "deployments,statefulsets,secrets,pvc", "-n", "default", "-o", "name"); got != "" {
			t.Errorf("left in default after the move:\n%s", got)
		}
	})

	t.Run("destroy leaves nothing of the app", func(t *testing.T) {
		p.mustInfra(t, "destroy", "--stack", "local", "--yes", "--skip-backup")
		deadline := time.Now().Add(60 * time.Second)
		for {
			out := kubectl("get", "pods,deployments,statefulsets,services,pvc,secrets,configmaps,networkpolicies,cronjobs,serviceaccounts", "-n", "default", "-o", "name")
			var left []string
			for _, o := range strings.Fields(out) {
				if o != "configmap/kube-root-ca.crt" && o != "service/kubernetes" && o != "serviceaccount/default" {
					left = append(left, o)
				}
			}
			// The namespace subtest moved the app; its Namespace goes too.
			if len(left) == 0 && kubectl("get", "pv", "-o", "name") == "" &&
				!strings.Contains(kubectl("get", "namespaces", "-o", "name"), "namespace/translation") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("left after destroy:\n%s", left)
			}
			time.Sleep(time.Second)
		}
	})

	t.Run("a fresh up killed mid-create is repaired and converges", func(t *testing.T) {
		// The backend's pods cannot be scheduled: its create is awaited
		// until the kill, with other creates in flight or done.
		p.pulumi(t, "config", "set", "backendCpu", "100", "--stack", "local")
		p.pulumi(t, "config", "set", "rolloutTimeout", "2m", "--stack", "local")
		killUpWhen(t, p, "local", func() bool {
			out, err := cp.Kubectl("get", "deployment", "backend-fastapi-deploy", "-n", "translation", "-o", "name")
			return err == nil && strings.TrimSpace(out) != ""
		})
		r := p.infra(t, "preview", "--stack", "local")
		if r.code != 1 || !strings.Contains(r.stderr, "infra repair --stack local") {
			t.Errorf("preview after a killed create: exit %d\n%s", r.code, r.stderr)
		}
		// The provider names an object's field manager at random when it
		// creates it and keeps the name only in outputs the killed run
		// never wrote: repair gives the backend its creator's back, or
		// the up below fails with a server-side apply field conflict on
		// the CPU request.
		if r := p.mustInfra(t, "repair", "--stack", "local"); !strings.Contains(r.stdout+r.stderr, "kubernetes:apps/v1:Deployment translation-backend keeps its field manager pulumi-kubernetes-") {
			t.Errorf("repair of a killed create:\n%s\n%s", r.stdout, r.stderr)
		}
		p.pulumi(t, "config", "rm", "backendCpu", "--stack", "local")
		p.pulumi(t, "config", "rm", "rolloutTimeout", "--stack", "local")
		// The objects the killed run made are in the state now: up
		// updates the backend, it does not fail on "already exists".
		p.mustInfra(t, "up", "--stack", "local", "--yes")
		if got := kubectl("get", "deployment", "backend-fastapi-deploy", "-n", "translation", "-o", "jsonpath={.spec.template.spec.containers[0].resources.requests.cpu} {.status.readyReplicas}"); got != "250m 2" {
			t.Errorf("backend after repair and up: %s", got)
		}
		if r := p.mustInfra(t, "preview", "--stack", "local"); !strings.Contains(r.stdout, "no changes to stack local") {
			t.Errorf("preview after repair and up:\n%s", r.stdout)
		}
		p.mustInfra(t, "destroy", "--stack", "local", "--yes", "--skip-backup")
		if got := kubectl("get", "deployments,statefulsets,pvc", "-n", "translation", "-o", "name"); got != "" {
			t.Errorf("left after the last destroy:\n%s", got)
		}
		fmt.Fprintln(os.Stderr, "timing: the local stack on the real provider done")
	})
}

// setAndPreview sets config keys of the local stack (key, value, …) and
// checks the preview's summary line.
func setAndPreview(t *testing.T, p proj, summary string, kv ...string) {
	t.Helper()
	for i := 0; i+1 < len(kv); i += 2 {
		p.pulumi(t, "config", "set", kv[i], kv[i+1], "--stack", "local")
	}
	if r := p.mustInfra(t, "preview", "--stack", "local"); !strings.Contains(r.stdout, summary) {
		t.Errorf("preview after setting %v:\n%s", kv, r.stdout)
	}
}

// killUpWhen starts infra up on the stack and SIGKILLs the Pulumi CLI
// under it once ready() holds, as a runner that loses its machine does.
func killUpWhen(t *testing.T, p proj, stack string, ready func() bool) {
	t.Helper()
	cmd := exec.Command(infraBin, "up", "--stack", stack, "--yes", "--dir", p.dir)
	cmd.Env = p.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(90 * time.Second)
	for !ready() {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("up never got where it was to be killed:\n%s", out.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := syscall.Kill(childCLI(t, cmd.Process.Pid), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	transcript.Write(out.Bytes())
}

// onTheControlPlane makes the GCP stand-in's clusters and the GKE API
// stand-in report the control plane, and puts first on PATH a
// gke-gcloud-auth-plugin that prints its token: the dev and prod programs'
// own kubeconfig (infra.Kubeconfig, from the cluster's outputs) and
// infra's kubectl (from the GKE API) then both reach it.
func onTheControlPlane(t *testing.T, cp *controlplane.ControlPlane, env []string) []string {
	t.Helper()
	gcp.SetCluster(cp.Endpoint, cp.CA)
	endpoint, ca, token := gke.Endpoint, gke.CA, gke.Token
	gke.Endpoint, gke.CA, gke.Token = cp.Endpoint, cp.CA, cp.Token
	t.Cleanup(func() {
		gcp.SetCluster("", "")
		gke.Endpoint, gke.CA, gke.Token = endpoint, ca, token
	})
	plugin := t.TempDir()
	if err := gke.PluginDir(plugin); err != nil {
		t.Fatal(err)
	}
	path := os.Getenv("PATH")
	for _, kv := range baseEnv {
		if strings.HasPrefix(kv, "PATH=") {
			path = strings.TrimPrefix(kv, "PATH=")
		}
	}
	return append(env, "PATH="+plugin+string(os.PathListSeparator)+path)
}

// dev and prod with GKE stood in for but their Kubernetes half real: the
// real provider creates and awaits what only GKE stacks have (the static
// volume on the kept disk and its claim, the Ingress with its
// BackendConfig and FrontendConfig, NetworkPolicies, the backup CronJob;
// prod's autoscaler and disruption budget), and a second preview has no
// changes. dev sleeps and wakes onto its kept disk, and its destroy
// deletes the Ingress and the Services it sends to one by one, leaving
// the rest to go with the cluster (deletedWith).
func TestGKEStacksOnTheRealProvider(t *testing.T) {
	for _, c := range []struct {
		stack string
		kinds []string
	}{
		{"dev", []string{"ingress", "backendconfig", "frontendconfig", "networkpolicy", "cronjob"}},
		{"prod", []string{"ingress", "backendconfig", "frontendconfig", "networkpolicy", "cronjob", "horizontalpodautoscaler", "poddisruptionbudget"}},
	} {
		t.Run(c.stack, func(t *testing.T) {
			cp, env := realProvider(t)
			env = onTheControlPlane(t, cp, env)
			p := project(t, c.stack)
			p.env = append(p.env, env...)
			kubectl := kubectlOn(t, cp)
			p.mustInfra(t, "up", "--stack", c.stack, "--yes")
			for _, d := range []string{"frontend-flask-deploy", "backend-fastapi-deploy"} {
				got := kubectl("get", "deployment", d, "-o", "jsonpath={.status.readyReplicas}/{.spec.replicas}")
				if parts := strings.Split(got, "/"); len(parts) != 2 || parts[0] != parts[1] || parts[0] == "" {
					t.Errorf("deployment %s after up: ready/wanted %s", d, got)
				}
			}
			if got := kubectl("get", "pvc", "mysql-stateful-data", "-o", "jsonpath={.status.phase}/{.spec.volumeName}"); got != "Bound/mysql-stateful-data" {
				t.Errorf("the data claim after up: %q, want bound to the static volume", got)
			}
			for _, kind := range c.kinds {
				if kubectl("get", kind, "-n", "default", "-o", "name") == "" {
					t.Errorf("no %s after up", kind)
				}
			}
			r := p.mustInfra(t, "preview", "--stack", c.stack)
			if !strings.Contains(r.stdout, "no changes to stack "+c.stack) {
				t.Errorf("second preview:\n%s", r.stdout)
			}
			if c.stack != "dev" {
				return
			}
			// Sleep deletes the cluster, and GKE everything in it; wake
			// makes a new one, and the real provider recreates the app on
			// the kept disk with every rollout awaited.
			handle := kubectl("get", "pv", "mysql-stateful-data", "-o", "jsonpath={.spec.csi.volumeHandle}")
			onDelete := gcp.OnDelete
			gcp.OnDelete = func(urn, typ string) {
				onDelete(urn, typ)
				if typ == "gcp:container/cluster:Cluster" {
					kubectl("delete", "all,pvc,pv,secret,configmap,networkpolicy,cronjob,ingress,backendconfig,frontendconfig,serviceaccount,role,rolebinding,poddisruptionbudget",
						"-n", "default", "--all", "--wait=false")
				}
			}
			t.Cleanup(func() { gcp.OnDelete = onDelete })
			p.mustInfra(t, "sleep", "--stack", "dev", "--yes", "--skip-backup")
			if got := kubectl("get", "deployment", "-n", "default", "-o", "name"); got != "" {
				t.Errorf("asleep, the cluster still runs %s", got)
			}
			p.mustInfra(t, "wake", "--stack", "dev", "--yes")
			if got := kubectl("get", "deployment", "backend-fastapi-deploy", "-o", "jsonpath={.status.readyReplicas}/{.spec.replicas}"); got != "1/1" {
				t.Errorf("backend after wake: ready/wanted %s", got)
			}
			if got := kubectl("get", "pvc", "mysql-stateful-data", "-o", "jsonpath={.status.phase}/{.spec.volumeName}"); got != "Bound/mysql-stateful-data" {
				t.Errorf("the data claim after wake: %q", got)
			}
			if got := kubectl("get", "pv", "mysql-stateful-data", "-o", "jsonpath={.spec.csi.volumeHandle}"); got != handle {
				t.Errorf("after wake the volume names disk %s, before sleep %s", got, handle)
			}
			// Now the cluster's deletion leaves the control plane as it is,
			// so what destroy itself deleted can be told from the rest.
			gcp.OnDelete = onDelete
			p.mustInfra(t, "destroy", "--stack", "dev", "--yes", "--skip-backup")
			if got := kubectl("get", "ingress", "-n", "default", "-o", "name"); got != "" {
				t.Errorf("the Ingress is still there after destroy: %s", got)
			}
			// The stand-in's cluster deletion does not reach the control
			// plane: what deletedWith leaves to GKE is still on it.
			if kubectl("get", "deployment", "backend-fastapi-deploy", "-o", "name") == "" {
				t.Errorf("the backend Deployment was deleted one by one, not left to the cluster")
			}
		})
	}
}

// Every scenario of the table with the real Kubernetes provider: its
// preview (a server-side dry run against the objects up made) must agree
// with the offline diff and the hand-worked table on every resource,
// Kubernetes objects included.
func TestScenariosAgreeWithTheRealProvider(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			cp, env := realProvider(t)
			env = onTheControlPlane(t, cp, env)
			p := project(t, stack)
			p.env = append(p.env, env...)
			scenariosAgree(t, p, stack)
		})
	}
}
