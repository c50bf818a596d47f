package stacks_test

import (
	"net/netip"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/unlimited-translation/infra/internal/mockstack"
	"github.com/unlimited-translation/infra/internal/stackfile"
	"github.com/unlimited-translation/infra/stacks"
)

// A NetworkPolicy evaluator, as the Kubernetes documentation defines the
// semantics ("Network Policies"): a connection is allowed when the
// source's egress and the destination's ingress both allow it; a side no
// policy of that type selects allows everything; ipBlocks match addresses
// outside the cluster.

type endpoint struct {
	ns     string
	labels map[string]string // nil: an address outside the cluster
	ip     netip.Addr
}

type peer struct {
	nsSel, podSel map[string]string // nil: not set
	cidr          netip.Prefix
	except        []netip.Prefix
	isBlock       bool
}

type rule struct {
	peers []peer // none: every peer
	ports []port // none: every port
}

type port struct {
	proto string
	num   int
}

type netpol struct {
	name, ns        string
	selector        map[string]string
	ingress, egress bool
	in, out         []rule
}

func selects(sel, labels map[string]string) bool {
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func (p peer) matches(policyNS string, e endpoint) bool {
	if p.isBlock {
		if e.labels != nil || !p.cidr.Contains(e.ip) {
			return false
		}
		for _, x := range p.except {
			if x.Contains(e.ip) {
				return false
			}
		}
		return true
	}
	if e.labels == nil {
		return false
	}
	if p.nsSel == nil && e.ns != policyNS {
		return false
	}
	if p.nsSel != nil && !selects(p.nsSel, map[string]string{"kubernetes.io/metadata.name": e.ns}) {
		return false
	}
	return p.podSel == nil || selects(p.podSel, e.labels)
}

func (r rule) allows(policyNS string, other endpoint, pt port) bool {
	okPort := len(r.ports) == 0
	for _, p := range r.ports {
		okPort = okPort || p == pt
	}
	if !okPort {
		return false
	}
	if len(r.peers) == 0 {
		return true
	}
	for _, p := range r.peers {
		if p.matches(policyNS, other) {
			return true
		}
	}
	return false
}

func allowed(pols []netpol, from, to endpoint, pt port) bool {
	side := func(self, other endpoint, egress bool) bool {
		if self.labels == nil {
			return true
		}
		selected := false
		for _, p := range pols {
			if p.ns != self.ns || !selects(p.selector, self.labels) || (egress && !p.egress) || (!egress && !p.ingress) {
				continue
			}
			selected = true
			rules := p.in
			if egress {
				rules = p.out
			}
			for _, r := range rules {
				if r.allows(p.ns, other, pt) {
					return true
				}
			}
		}
		return !selected
	}
	return side(from, to, true) && side(to, from, false)
}

// policiesOf reads the program's NetworkPolicies.
func policiesOf(t *testing.T, m *mockstack.Mocks) []netpol {
	t.Helper()
	strMap := func(v resource.PropertyValue) map[string]string {
		if !v.IsObject() {
			return nil
		}
		out := map[string]string{}
		for k, s := range v.ObjectValue() {
			out[string(k)] = s.StringValue()
		}
		return out
	}
	selector := func(v resource.PropertyValue) map[string]string {
		if !v.IsObject() {
			return nil
		}
		if ml := strMap(v.ObjectValue()["matchLabels"]); ml != nil {
			return ml
		}
		return map[string]string{}
	}
	rules := func(v resource.PropertyValue, peersKey string) []rule {
		var out []rule
		if !v.IsArray() {
			return nil
		}
		for _, r := range v.ArrayValue() {
			var rl rule
			for _, p := range list(r.ObjectValue()[resource.PropertyKey(peersKey)]) {
				o := p.ObjectValue()
				pr := peer{nsSel: selector(o["namespaceSelector"]), podSel: selector(o["podSelector"])}
				if b := o["ipBlock"]; b.IsObject() {
					pr.isBlock = true
					pr.cidr = netip.MustParsePrefix(b.ObjectValue()["cidr"].StringValue())
					for _, x := range list(b.ObjectValue()["except"]) {
						pr.except = append(pr.except, netip.MustParsePrefix(x.StringValue()))
					}
				}
				rl.peers = append(rl.peers, pr)
			}
			for _, p := range list(r.ObjectValue()["ports"]) {
				o := p.ObjectValue()
				rl.ports = append(rl.ports, port{o["protocol"].StringValue(), int(o["port"].NumberValue())})
			}
			out = append(out, rl)
		}
		return out
	}
	var out []netpol
	for _, r := range m.ByType("kubernetes:networking.k8s.io/v1:NetworkPolicy") {
		spec := r.Inputs["spec"].ObjectValue()
		p := netpol{name: mockstack.Str(r.Inputs, "metadata.name"), ns: mockstack.Str(r.Inputs, "metadata.namespace"),
			selector: selector(spec["podSelector"]), in: rules(spec["ingress"], "from"), out: rules(spec["egress"], "to")}
		for _, ty := range spec["policyTypes"].ArrayValue() {
			p.ingress = p.ingress || ty.StringValue() == "Ingress"
			p.egress = p.egress || ty.StringValue() == "Egress"
		}
		out = append(out, p)
	}
	return out
}

// podOf is the pod template of a workload in the program.
func podOf(t *testing.T, m *mockstack.Mocks, typ, name string) endpoint {
	t.Helper()
	r := m.Must(t, typ, name)
	path := "spec.template.metadata.labels"
	if typ == "kubernetes:batch/v1:CronJob" {
		path = "spec.jobTemplate.spec.template.metadata.labels"
	}
	v, ok := mockstack.Path(r.Inputs, path)
	if !ok || !v.IsObject() {
		t.Fatalf("%s %s has no pod labels", typ, name)
	}
	labels := map[string]string{}
	for k, s := range v.ObjectValue() {
		labels[string(k)] = s.StringValue()
	}
	return endpoint{ns: mockstack.Str(r.Inputs, "metadata.namespace"), labels: labels}
}

// list is v's elements; nothing when v is not a list.
func list(v resource.PropertyValue) []resource.PropertyValue {
	if !v.IsArray() {
		return nil
	}
	return v.ArrayValue()
}

func outside(addr string) endpoint { return endpoint{ip: netip.MustParseAddr(addr)} }

// dev, with MLflow on, as shipped: who reaches whom. The pairs are the
// app's real dependencies and the abuses the policies exist to stop.
func TestNetworkPoliciesReachability(t *testing.T) {
	src, err := stackfile.Load("..", "dev")
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"mysqlRootPassword": "test-root-4711", "mysqlPassword": "test-user-4711",
		"mlflowDatabasePassword": "mlflow-db-4711", "mlflowAdminPassword": "mlflow-admin-4711"} {
		src.Values[stacks.Project+":"+k], src.Secrets[stacks.Project+":"+k] = v, true
	}
	src.Values[stacks.Project+":mlflow"] = "true"
	m, _, err := mockstack.Run("dev", src.Values, src.SecretKeys(), stacks.Program)
	if err != nil {
		t.Fatal(err)
	}
	pols := policiesOf(t, m)
	const dep, sts, cron = "kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:batch/v1:CronJob"
	frontend, backend := podOf(t, m, dep, "translation-frontend"), podOf(t, m, dep, "translation-backend")
	mysql, backup := podOf(t, m, sts, "translation-database"), podOf(t, m, cron, "translation-backup")
	mlflow := podOf(t, m, dep, "mlflow")
	kubeDNS := endpoint{ns: "kube-system", labels: map[string]string{"k8s-app": "kube-dns"}}
	tcp := func(n int) port { return port{"TCP", n} }
	for _, c := range []struct {
		what     string
		from, to endpoint
		port     port
		want     bool
	}{
		{"frontend -> backend", frontend, backend, tcp(80), true},
		{"frontend -> MySQL", frontend, mysql, tcp(3306), true},
		{"backup job -> MySQL", backup, mysql, tcp(3306), true},
		{"backup job -> Cloud Storage", backup, outside("142.250.74.59"), tcp(443), true},
		{"backup job -> GKE metadata server (Workload Identity)", backup, outside("169.254.169.252"), tcp(988), true},
		{"frontend -> kube-dns", frontend, kubeDNS, port{"UDP", 53}, true},
		{"frontend -> NodeLocal DNSCache", frontend, outside("169.254.20.10"), port{"UDP", 53}, true},
		{"load balancer -> frontend", outside("35.191.10.20"), frontend, tcp(80), true},
		{"health check -> frontend", outside("130.211.2.3"), frontend, tcp(80), true},
		{"load balancer -> MLflow", outside("35.191.10.20"), mlflow, tcp(5000), true},
		{"MLflow -> Cloud SQL instance", mlflow, outside("34.76.1.2"), tcp(3307), true},
		{"MLflow -> artifact bucket", mlflow, outside("142.250.74.59"), tcp(443), true},

		{"MLflow -> frontend /query_db", mlflow, frontend, tcp(80), false},
		{"MLflow -> MySQL", mlflow, mysql, tcp(3306), false},
		{"frontend -> the internet", frontend, outside("93.184.216.34"), tcp(443), false},
		{"frontend -> metadata server", frontend, outside("169.254.169.254"), tcp(80), false},
		{"backend -> MySQL", backend, mysql, tcp(3306), false},
		{"backend -> the internet", backend, outside("93.184.216.34"), tcp(80), false},
		{"MySQL -> the internet", mysql, outside("93.184.216.34"), tcp(443), false},
		{"backup job -> the VPC", backup, outside("10.20.0.5"), tcp(443), false},
		{"the internet -> frontend, not through the load balancer", outside("93.184.216.34"), frontend, tcp(80), false},
		{"the internet -> backend", outside("35.191.10.20"), backend, tcp(80), false},
		{"frontend -> backend on another port", frontend, backend, tcp(8080), false},
	} {
		if got := allowed(pols, c.from, c.to, c.port); got != c.want {
			t.Errorf("%s (%s/%d): allowed %v, want %v", c.what, c.port.proto, c.port.num, got, c.want)
		}
	}
}
