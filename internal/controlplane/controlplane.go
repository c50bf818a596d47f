// Package controlplane starts a real Kubernetes control plane for tests:
// etcd, kube-apiserver, kube-controller-manager and kube-scheduler (built
// from Go modules by tools/build-tools.sh) plus kwok, which fakes a node and
// the lifecycle of its pods. Everything listens on 127.0.0.1 only, and Stop
// kills every process and removes every file it made.
//
// Where a cloud would act, a stand-in does (see cloud.go): it binds volume
// claims and fills load balancer status. The GKE CRDs the program uses are
// installed from crds/.
package controlplane

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

//go:embed crds/*.yaml storageclasses.yaml
var assets embed.FS

// Binaries are the executables the control plane needs.
var Binaries = []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "kwok"}

// ControlPlane is a running test cluster.
type ControlPlane struct {
	// Kubeconfig is the path of an admin kubeconfig.
	Kubeconfig string
	// Ready is how long Start took from the first process to a Ready node.
	Ready time.Duration
	// Endpoint (host:port), CA (base64 PEM) and Token (a bearer token of
	// an admin) are what GKE's clusters.get and gke-gcloud-auth-plugin give
	// for a cluster: a test can make a GKE stack's own kubeconfig reach
	// this control plane.
	Endpoint, CA, Token string

	binDir string
	dir    string
	procs  []*exec.Cmd
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// FindBinaries returns the directory holding every binary: $INFRA_TOOLS_BIN
// or the repository's bin/ (root is the repository root).
func FindBinaries(root string) (string, error) {
	dir := os.Getenv("INFRA_TOOLS_BIN")
	if dir == "" {
		dir = filepath.Join(root, "bin")
	}
	for _, b := range Binaries {
		if _, err := os.Stat(filepath.Join(dir, b)); err != nil {
			return "", fmt.Errorf("%s not found in %s: build it with tools/build-tools.sh controlplane", b, dir)
		}
	}
	return dir, nil
}

// Start brings the control plane up and returns once a node is Ready and
// the default ServiceAccount exists. logs receives every process's output.
func Start(binDir string, logs *os.File) (cp *ControlPlane, err error) {
	begin := time.Now()
	dir, err := os.MkdirTemp("", "controlplane-")
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	cp = &ControlPlane{binDir: binDir, dir: dir, cancel: cancel}
	defer func() {
		if err != nil {
			cp.Stop()
		}
	}()
	certs, err := newPKI(dir)
	if err != nil {
		return nil, err
	}
	ports, err := freePorts(5)
	if err != nil {
		return nil, err
	}
	etcdClient, etcdPeer, apiPort, cmPort, schedPort := ports[0], ports[1], ports[2], ports[3], ports[4]
	// A static token for an admin (--token-auth-file: token,user,uid,"groups").
	cp.Token = fmt.Sprintf("test-admin-%d", time.Now().UnixNano())
	tokens := filepath.Join(dir, "tokens.csv")
	if err := os.WriteFile(tokens, []byte(cp.Token+`,test-admin,test-admin,"system:masters"`+"\n"), 0o600); err != nil {
		return nil, err
	}
	ca, err := os.ReadFile(certs.CACert)
	if err != nil {
		return nil, err
	}
	cp.CA = base64.StdEncoding.EncodeToString(ca)
	cp.Endpoint = "127.0.0.1:" + strconv.Itoa(apiPort)
	etcdURL := "http://127.0.0.1:" + strconv.Itoa(etcdClient)
	peerURL := "http://127.0.0.1:" + strconv.Itoa(etcdPeer)
	cp.start(logs, "etcd",
		"--name=default", "--data-dir="+filepath.Join(dir, "etcd"),
		"--listen-client-urls="+etcdURL, "--advertise-client-urls="+etcdURL,
		"--listen-peer-urls="+peerURL, "--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster=default="+peerURL, "--log-level=warn",
		"--unsafe-no-fsync") // test data: durability does not matter, speed does
	cp.start(logs, "kube-apiserver",
		"--etcd-servers="+etcdURL,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port="+strconv.Itoa(apiPort),
		"--cert-dir="+dir, "--tls-cert-file="+certs.ServerCert, "--tls-private-key-file="+certs.ServerKey,
		"--client-ca-file="+certs.CACert,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+certs.SAPub, "--service-account-signing-key-file="+certs.SAKey,
		"--service-cluster-ip-range=10.96.0.0/16",
		"--authorization-mode=Node,RBAC",
		"--endpoint-reconciler-type=none", // the kubernetes Service cannot point at loopback
		"--allow-privileged=true",
		"--token-auth-file="+tokens,
		"--v=0")
	server := "https://127.0.0.1:" + strconv.Itoa(apiPort)
	if err := waitHealthy(ctx, server+"/readyz", certs, 60*time.Second); err != nil {
		return nil, fmt.Errorf("kube-apiserver: %w", err)
	}
	cp.Kubeconfig = filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(cp.Kubeconfig, []byte(kubeconfig(server, certs)), 0o600); err != nil {
		return nil, err
	}
	cp.start(logs, "kube-controller-manager",
		"--kubeconfig="+cp.Kubeconfig, "--authentication-kubeconfig="+cp.Kubeconfig, "--authorization-kubeconfig="+cp.Kubeconfig,
		"--bind-address=127.0.0.1", "--secure-port="+strconv.Itoa(cmPort),
		"--service-account-private-key-file="+certs.SAKey, "--root-ca-file="+certs.CACert,
		"--use-service-account-credentials=false", "--leader-elect=false",
		"--controllers=*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-route")
	cp.start(logs, "kube-scheduler",
		"--kubeconfig="+cp.Kubeconfig, "--authentication-kubeconfig="+cp.Kubeconfig, "--authorization-kubeconfig="+cp.Kubeconfig,
		"--bind-address=127.0.0.1", "--secure-port="+strconv.Itoa(schedPort), "--leader-elect=false")
	// kwok keeps the node's lease; without it the node goes NotReady after
	// ~40 s and every pod with it.
	cp.start(logs, "kwok",
		"--kubeconfig="+cp.Kubeconfig,
		"--manage-all-nodes=false", "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
		"--node-lease-duration-seconds=40",
		"--cidr=10.244.0.0/16", "--node-ip=10.244.0.1",
		"--server-address=127.0.0.1:0")
	if _, err := cp.KubectlInput(assetYAML(), "apply", "-f", "-"); err != nil {
		return nil, fmt.Errorf("installing node, CRDs and StorageClasses: %w", err)
	}
	if _, err := cp.Kubectl("wait", "--for=condition=Ready", "node/kwok-node-0", "--timeout=60s"); err != nil {
		return nil, err
	}
	if _, err := cp.Kubectl("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"); err != nil {
		return nil, err
	}
	if err := cp.waitFor(60*time.Second, "get", "serviceaccount", "default", "-n", "default"); err != nil {
		return nil, fmt.Errorf("the default ServiceAccount never appeared: %w", err)
	}
	cp.wg.Add(1)
	go func() { defer cp.wg.Done(); cp.cloud(ctx) }()
	cp.Ready = time.Since(begin)
	return cp, nil
}

// node is a fake node kwok manages: big enough for every stack's requests.
const node = `apiVersion: v1
kind: Node
metadata:
  name: kwok-node-0
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/hostname: kwok-node-0
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    type: kwok
    # What a GKE node in the dev stack's zone carries; the PD CSI driver's
    # topology key is what a static disk volume's node affinity names.
    topology.gke.io/zone: europe-west1-b
    topology.kubernetes.io/region: europe-west1
    topology.kubernetes.io/zone: europe-west1-b
    # What Autopilot's Spot nodes carry: dev's Spot pods select it.
    cloud.google.com/gke-spot: "true"
status:
  allocatable: {cpu: "64", memory: 256Gi, ephemeral-storage: 1Ti, pods: "110"}
  capacity: {cpu: "64", memory: 256Gi, ephemeral-storage: 1Ti, pods: "110"}
`

func assetYAML() string {
	docs := []string{node}
	entries, _ := assets.ReadDir("crds")
	for _, e := range entries {
		b, _ := assets.ReadFile("crds/" + e.Name())
		docs = append(docs, string(b))
	}
	b, _ := assets.ReadFile("storageclasses.yaml")
	return strings.Join(append(docs, string(b)), "\n---\n")
}

// CRDs returns the GKE CRD definitions kept in the repository.
func CRDs() map[string]string {
	out := map[string]string{}
	entries, _ := assets.ReadDir("crds")
	for _, e := range entries {
		b, _ := assets.ReadFile("crds/" + e.Name())
		out[e.Name()] = string(b)
	}
	return out
}

func (cp *ControlPlane) start(logs *os.File, name string, args ...string) {
	cmd := exec.Command(filepath.Join(cp.binDir, name), args...)
	cmd.Stdout, cmd.Stderr = logs, logs
	// Its own process group, so Stop can kill whatever it spawned too; and
	// killed with the test process if that dies first.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(logs, "starting %s: %v\n", name, err)
		return
	}
	cp.procs = append(cp.procs, cmd)
}

// Stop ends every process, newest first (etcd last, so nothing logs
// about a vanished store), and removes the temp dir.
func (cp *ControlPlane) Stop() {
	cp.cancel()
	cp.wg.Wait()
	for i := len(cp.procs) - 1; i >= 0; i-- {
		p := cp.procs[i]
		_ = syscall.Kill(-p.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = p.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-p.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
	cp.procs = nil
	_ = os.RemoveAll(cp.dir)
}

// Kubectl runs kubectl against the control plane and returns its stdout;
// an error carries stderr.
func (cp *ControlPlane) Kubectl(args ...string) (string, error) {
	return cp.KubectlInput("", args...)
}

// KubectlInput runs kubectl with stdin.
func (cp *ControlPlane) KubectlInput(stdin string, args ...string) (string, error) {
	out, errOut, err := cp.KubectlAll(stdin, args...)
	if err != nil {
		return out, fmt.Errorf("kubectl %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(errOut))
	}
	return out, nil
}

// KubectlAll runs kubectl and returns stdout and stderr separately (stderr
// holds the API server's warnings).
func (cp *ControlPlane) KubectlAll(stdin string, args ...string) (string, string, error) {
	cmd := exec.Command(filepath.Join(cp.binDir, "kubectl"), append([]string{"--kubeconfig=" + cp.Kubeconfig}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), err
}

func (cp *ControlPlane) waitFor(timeout time.Duration, args ...string) error {
	deadline := time.Now().Add(timeout)
	for {
		_, err := cp.Kubectl(args...)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func kubeconfig(server string, p *pki) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: %s
    certificate-authority: %s
users:
- name: admin
  user:
    client-certificate: %s
    client-key: %s
contexts:
- name: test
  context: {cluster: test, user: admin}
current-context: test
`, server, p.CACert, p.AdminCert, p.AdminKey)
}

func waitHealthy(ctx context.Context, url string, p *pki, timeout time.Duration) error {
	ca, err := os.ReadFile(p.CACert)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	cert, err := tls.LoadX509KeyPair(p.AdminCert, p.AdminKey)
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}},
	}}
	deadline := time.Now().Add(timeout)
	var last error = errors.New("not ready")
	for time.Now().Before(deadline) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Errorf("%s: %s", url, resp.Status)
		} else {
			last = err
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("not ready after %s: %w", timeout, last)
}

func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
