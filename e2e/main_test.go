// Package e2e drives the real Pulumi engine (the CLI built by
// tools/build-tools.sh, a file backend in a temp dir, passphrase secrets)
// through the infra binary, with stand-in gcp and kubernetes providers
// served from this test process (internal/standin).
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/unlimited-translation/infra/internal/standin"
	"github.com/unlimited-translation/infra/internal/testservers"
)

var (
	infraBin   string
	pulumiBin  string
	gcp, kube  *standin.Provider
	gke        *testservers.GKE
	compute    *testservers.Compute
	baseEnv    []string
	secretVals = map[string]string{
		"mysqlRootPassword": "e2e-root-Secret-4711",
		"mysqlPassword":     "e2e-user-Secret-0815",
		// Unused until a stack turns mlflow on; % and @ must be escaped in
		// the database URI.
		"mlflowDatabasePassword": "e2e-pg%Secret@4711",
		"mlflowAdminPassword":    "e2e-mlflow-Admin-2718",
	}
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	root, _ := filepath.Abs("..")
	pulumiBin = filepath.Join(root, "bin", "pulumi")
	if _, err := os.Stat(pulumiBin); err != nil {
		if os.Getenv("INFRA_REQUIRE_PULUMI") != "" {
			fmt.Fprintln(os.Stderr, "engine tests: no bin/pulumi: build it with tools/build-tools.sh pulumi")
			return 1
		}
		fmt.Fprintln(os.Stderr, "skipping engine tests: no bin/pulumi (tools/build-tools.sh pulumi)")
		return 0
	}
	tmp, err := os.MkdirTemp("", "infra-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	infraBin = filepath.Join(tmp, "infra")
	build := exec.Command("go", "build", "-o", infraBin, "./cmd/infra")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building infra: %v\n%s", err, out)
		return 1
	}
	if gcp, err = standin.Start("gcp", "7.38.0"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer gcp.Stop()
	// The kubernetes stand-in stays for what the real provider
	// (realprovider_test.go) cannot give a test: slow or refused creates
	// and deletes on demand, to interrupt and kill the CLI mid-operation
	// (interrupt_test.go, destroyinterrupt_test.go, failures_test.go), and
	// a record of each delete's order against the cluster's
	// (lifecycle_test.go, sleep_test.go), which no API server keeps.
	if kube, err = standin.Start("kubernetes", "4.30.0"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer kube.Stop()
	// GKE deletes what lives in a cluster with the cluster.
	gcp.OnDelete = func(_, typ string) {
		if typ == "gcp:container/cluster:Cluster" {
			kube.Clear()
		}
	}
	// kubectl's kubeconfig comes from the GKE API, never from the state
	// (internal/engine/gke.go): a GKE stand-in reports the stand-in
	// cluster's Kubernetes API, reached with a stand-in auth plugin.
	if gke, err = testservers.StartGKE(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer gke.Close()
	gke.Exists = clusterExists
	// What a destroy looks for that GKE left (NEGs, firewall rules, load
	// balancers): empty unless a test puts something there.
	if compute, err = testservers.StartCompute(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer compute.Close()
	plugin := filepath.Join(tmp, "gke-plugin")
	if err := os.MkdirAll(plugin, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := gke.PluginDir(plugin); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	adc, err := gke.FakeADC(tmp)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	home := filepath.Join(tmp, "pulumi-home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	baseEnv = append(filteredEnv(),
		"PATH="+filepath.Dir(pulumiBin)+string(os.PathListSeparator)+plugin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINER="+gke.URL,
		"CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE="+compute.URL,
		"GOOGLE_APPLICATION_CREDENTIALS="+adc,
		"PULUMI_HOME="+home,
		"PULUMI_CONFIG_PASSPHRASE=e2e-passphrase",
		"PULUMI_DEBUG_PROVIDERS=gcp:"+gcp.Port()+",kubernetes:"+kube.Port(),
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true",
		"PULUMI_SKIP_UPDATE_CHECK=true",
		"NO_COLOR=1",
	)
	return m.Run()
}

// clusterExists tells the GKE stand-in whether the stand-in gcp provider
// holds that cluster.
func clusterExists(project, location, name string) bool {
	for _, r := range gcp.Snapshot() {
		if r.Type != "gcp:container/cluster:Cluster" {
			continue
		}
		n, l := r.Inputs["name"], r.Inputs["location"]
		if n.IsString() && n.StringValue() == name && l.IsString() && l.StringValue() == location {
			return true
		}
	}
	return false
}

// filteredEnv drops the caller's Pulumi settings, so the tests never touch
// a real backend or account.
func filteredEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PULUMI_") && !strings.HasPrefix(kv, "PATH=") {
			out = append(out, kv)
		}
	}
	return out
}

// proj is a project directory with its own file backend.
type proj struct {
	dir   string
	state string
	env   []string
}

// project copies the project files into a temp dir with a fresh state
// backend, creates the stack with passphrase secrets and sets its real
// secrets, as a user would.
func project(t *testing.T, stack string) proj {
	t.Helper()
	p := bare(t, stack)
	fresh(stack)
	p.pulumi(t, "stack", "init", stack, "--secrets-provider", "passphrase")
	for k, v := range secretVals {
		p.pulumi(t, "config", "set", "--secret", k, v, "--stack", stack)
	}
	return p
}

// projectAs is project with the stack file of src under another stack
// name, so its URNs are its own in the shared stand-ins.
func projectAs(t *testing.T, src, stack string) proj {
	t.Helper()
	return projectOn(t, src, stack, nil)
}

// projectOn is projectAs on another state backend: backend is the
// environment that selects it (PULUMI_BACKEND_URL and what it needs).
func projectOn(t *testing.T, src, stack string, backend []string) proj {
	t.Helper()
	p := bare(t, src)
	if backend != nil {
		p.env = append(append([]string{}, baseEnv...), backend...)
	}
	if err := os.Rename(filepath.Join(p.dir, "Pulumi."+src+".yaml"), filepath.Join(p.dir, "Pulumi."+stack+".yaml")); err != nil {
		t.Fatal(err)
	}
	fresh(stack)
	p.pulumi(t, "stack", "init", stack, "--secrets-provider", "passphrase")
	for k, v := range secretVals {
		p.pulumi(t, "config", "set", "--secret", k, v, "--stack", stack)
	}
	return p
}

// fresh gives a new project's stack an empty cloud: what an earlier test
// left under the same stack name is not this project's.
func fresh(stack string) {
	gcp.ForgetStack(stack)
	kube.ForgetStack(stack)
}

// destroyAtEnd removes the stack's resources from the shared stand-ins
// when the test ends, so later tests see only their own.
func (p proj) destroyAtEnd(t *testing.T, stack string) {
	t.Cleanup(func() {
		// The stand-ins' cluster runs no Job: no backup can be taken.
		if r := p.infra(t, "destroy", "--stack", stack, "--yes", "--skip-backup"); r.code != 0 {
			t.Errorf("cleaning up %s: %s", stack, r.stderr)
		}
	})
}

// bare copies the project files as committed, with a fresh state backend.
func bare(t *testing.T, stack string) proj {
	t.Helper()
	dir := t.TempDir()
	state := filepath.Join(t.TempDir(), "state")
	if err := os.MkdirAll(state, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"Pulumi.yaml", "Pulumi." + stack + ".yaml"} {
		b, err := os.ReadFile(filepath.Join("..", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return proj{dir: dir, state: state, env: append(append([]string{}, baseEnv...), "PULUMI_BACKEND_URL=file://"+state)}
}

// pulumiRun runs the Pulumi CLI on the project and returns its output.
func (p proj) pulumiRun(args ...string) (string, error) {
	cmd := exec.Command(pulumiBin, append(args, "--non-interactive")...)
	cmd.Dir = p.dir
	cmd.Env = p.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (p proj) pulumi(t *testing.T, args ...string) string {
	t.Helper()
	out, err := p.pulumiRun(args...)
	if err != nil {
		t.Fatalf("pulumi %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// result is one run of the infra binary.
type result struct {
	stdout, stderr string
	code           int
}

// transcript collects everything infra printed, to check for secrets.
var transcript bytes.Buffer

func (p proj) infra(t *testing.T, args ...string) result {
	t.Helper()
	return p.runBin(t, infraBin, nil, args...)
}

// runBin runs an infra binary (this tree's, or one built from a changed
// copy) on the project, with extra environment.
func (p proj) runBin(t *testing.T, bin string, env []string, args ...string) result {
	t.Helper()
	// A safety net: a verb that hangs fails its test instead of the run.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append(args, "--dir", p.dir)...)
	cmd.Env = append(append([]string{}, p.env...), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	transcript.WriteString(out.String() + errOut.String())
	return result{out.String(), errOut.String(), code}
}

func (p proj) mustInfra(t *testing.T, args ...string) result {
	t.Helper()
	r := p.infra(t, args...)
	if r.code != 0 {
		t.Fatalf("infra %s: exit %d\n%s\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

func markdown(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	transcript.Write(b)
	return string(b)
}
