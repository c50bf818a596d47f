// Package standin serves in-process stand-ins for the gcp and kubernetes
// provider plugins, for end-to-end tests of the real Pulumi engine where
// the plugins cannot be downloaded. The engine attaches to them through
// PULUMI_DEBUG_PROVIDERS. They keep resources in memory, echo inputs as
// outputs, compute what the cloud would (addresses, endpoints, name
// servers) and diff by comparing old and new inputs. The product never uses
// them: only tests import this package.
package standin

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/unlimited-translation/infra/internal/rules"
)

// Resource is one resource a stand-in holds.
type Resource struct {
	Type    string
	ID      string
	Inputs  resource.PropertyMap
	Outputs resource.PropertyMap
}

// Provider is one stand-in provider package.
type Provider struct {
	pulumirpc.UnimplementedResourceProviderServer

	pkg     string
	version string
	srv     *grpc.Server
	// Addr is host:port of the gRPC server (127.0.0.1 only).
	Addr string

	mu        sync.Mutex
	resources map[string]*Resource // by URN
	nextID    int
	// Calls counts RPCs by method, for assertions.
	Calls map[string]int
	// Deleted lists, in order, the URNs of deleted resources with a
	// sequence number shared by every stand-in (see Seq).
	Deleted []Deletion
	// OnDelete, when set, runs after a resource is deleted (a test can make
	// a cluster's deletion take its objects with it, as GKE does).
	OnDelete func(urn, typ string)
	// createDelay makes every real (not preview) Create take this long, as
	// a cluster create does: fault injection for interrupt tests.
	createDelay time.Duration
	// deleteDelay does the same for every real Delete.
	deleteDelay time.Duration
	// failCreate makes creates of URNs ending so fail (fault injection).
	failCreate string
	// cluster is the endpoint and CA a created GKE cluster reports
	// (SetCluster); empty: a documentation address no one answers on.
	cluster [2]string
}

// SetCluster makes the GKE clusters created from now on report endpoint
// (host:port) and ca (base64 PEM), such as a test control plane's, so the
// program's own kubeconfig reaches it; "" restores the default.
func (p *Provider) SetCluster(endpoint, ca string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cluster = [2]string{endpoint, ca}
}

// FailCreates makes every Create of a URN ending in suffix fail, as a cloud
// API refusing it would ("" stops it).
func (p *Provider) FailCreates(suffix string) {
	p.mu.Lock()
	p.failCreate = suffix
	p.mu.Unlock()
}

// SetCreateDelay makes every Create take d (0: none).
func (p *Provider) SetCreateDelay(d time.Duration) {
	p.mu.Lock()
	p.createDelay = d
	p.mu.Unlock()
}

// SetDeleteDelay makes every Delete take d (0: none).
func (p *Provider) SetDeleteDelay(d time.Duration) {
	p.mu.Lock()
	p.deleteDelay = d
	p.mu.Unlock()
}

// Deletion is one Delete call.
type Deletion struct {
	URN string
	Seq int64
}

var seq atomic.Int64

// Clear forgets every resource, as when the cluster holding them is
// deleted.
func (p *Provider) Clear() {
	p.mu.Lock()
	p.resources = map[string]*Resource{}
	p.mu.Unlock()
}

// ForgetStack drops every resource of a stack: a test's new project of
// that name starts with a cloud of its own.
func (p *Provider) ForgetStack(stack string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for urn := range p.resources {
		if stackOf(urn) == stack {
			delete(p.resources, urn)
		}
	}
}

// Start serves a stand-in for pkg ("gcp" or "kubernetes") reporting version.
func Start(pkg, version string) (*Provider, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Provider{pkg: pkg, version: version, Addr: lis.Addr().String(),
		resources: map[string]*Resource{}, Calls: map[string]int{}}
	p.srv = grpc.NewServer()
	pulumirpc.RegisterResourceProviderServer(p.srv, p)
	go func() { _ = p.srv.Serve(lis) }()
	return p, nil
}

// Port is the server's port, for PULUMI_DEBUG_PROVIDERS.
func (p *Provider) Port() string { return p.Addr[strings.LastIndex(p.Addr, ":")+1:] }

// Stop ends the server.
func (p *Provider) Stop() { p.srv.Stop() }

// Snapshot returns a copy of the resources held, by URN.
func (p *Provider) Snapshot() map[string]Resource {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]Resource{}
	for k, v := range p.resources {
		out[k] = Resource{Type: v.Type, ID: v.ID, Inputs: v.Inputs.Copy(), Outputs: v.Outputs.Copy()}
	}
	return out
}

// Tamper changes a held resource's output and input behind the engine's
// back, as a console edit would, so that a refresh sees drift.
func (p *Provider) Tamper(urnSuffix, key string, value resource.PropertyValue) error {
	return p.tamper(urnSuffix, key, value, true)
}

// TamperOutput changes only an output the cloud computes (a
// certificate's expiry, say): a refresh reads it, no diff follows.
func (p *Provider) TamperOutput(urnSuffix, key string, value resource.PropertyValue) error {
	return p.tamper(urnSuffix, key, value, false)
}

func (p *Provider) tamper(urnSuffix, key string, value resource.PropertyValue, input bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for urn, r := range p.resources {
		if strings.HasSuffix(urn, urnSuffix) {
			r.Outputs[resource.PropertyKey(key)] = value
			if input {
				r.Inputs[resource.PropertyKey(key)] = value
			}
			return nil
		}
	}
	return fmt.Errorf("no resource with URN ending %q", urnSuffix)
}

// CallCount returns how many times the engine called method.
func (p *Provider) CallCount(method string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.Calls[method]
}

// Deletions returns the Delete calls so far, in order.
func (p *Provider) Deletions() []Deletion {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Deletion{}, p.Deleted...)
}

func (p *Provider) count(method string) {
	p.mu.Lock()
	p.Calls[method]++
	p.mu.Unlock()
}

var opts = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, KeepResources: true, KeepOutputValues: false}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	return plugin.UnmarshalProperties(s, opts)
}

func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, opts)
}

func (p *Provider) Handshake(context.Context, *pulumirpc.ProviderHandshakeRequest) (*pulumirpc.ProviderHandshakeResponse, error) {
	p.count("Handshake")
	return &pulumirpc.ProviderHandshakeResponse{AcceptSecrets: true, AcceptResources: true}, nil
}

// Attach is required when the engine attaches to a running provider.
func (p *Provider) Attach(context.Context, *pulumirpc.PluginAttach) (*emptypb.Empty, error) {
	p.count("Attach")
	return &emptypb.Empty{}, nil
}

func (p *Provider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: p.version}, nil
}

func (p *Provider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *Provider) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	p.count("Configure")
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true, AcceptResources: true}, nil
}

func (p *Provider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// Check accepts inputs as they are: nothing is auto-named.
func (p *Provider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

// Diff compares old inputs with new ones (Olds holds outputs, which would
// diff on every run) and answers replacement as the real provider would,
// from the same rules table the offline diff reads.
func (p *Provider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	p.count("Diff")
	olds, news, changed, err := changes(req)
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE, DetailedDiff: map[string]*pulumirpc.PropertyDiff{}, HasDetailedDiff: true}
	if len(changed) == 0 {
		return resp, nil
	}
	resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
	rule, _ := rules.For(req.GetType())
	tops := map[string]bool{}
	for path, unknown := range changed {
		kind := pulumirpc.PropertyDiff_UPDATE
		if rule.Forces(path) || (unknown && rule.ForcesUnknown(path)) {
			kind = pulumirpc.PropertyDiff_UPDATE_REPLACE
			resp.Replaces = append(resp.Replaces, path)
		}
		resp.DetailedDiff[path] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
		tops[strings.SplitN(strings.SplitN(path, ".", 2)[0], "[", 2)[0]] = true
	}
	for k := range tops {
		resp.Diffs = append(resp.Diffs, k)
	}
	sort.Strings(resp.Diffs)
	sort.Strings(resp.Replaces)
	// Kubernetes deletes first when a named object keeps its name
	// (provider.go Diff); the Terraform bridge whenever the program set an
	// auto-named name (rules.ExplicitNameDeleteFirst).
	_, named := news["name"]
	resp.DeleteBeforeReplace = len(resp.Replaces) > 0 &&
		(rule.NamedDeleteFirst && keepsName(olds, news) || rule.ExplicitNameDeleteFirst && named)
	return resp, nil
}

// DiffConfig answers for the explicit Kubernetes provider as
// pulumi-kubernetes does (rules.KubernetesProviderReplaces).
func (p *Provider) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, news, changed, err := changes(req)
	if err != nil {
		return nil, err
	}
	delete(changed, "version")
	resp := &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}
	if len(changed) == 0 {
		return resp, nil
	}
	resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
	var paths []string
	for k := range changed {
		paths = append(paths, k)
		resp.Diffs = append(resp.Diffs, k)
	}
	sort.Strings(resp.Diffs)
	if p.pkg == "kubernetes" {
		resp.Replaces = rules.KubernetesProviderReplaces(paths, present(olds), present(news))
	}
	return resp, nil
}

// changes decodes a diff request: old and new inputs and the paths that
// differ (true where the new value is unknown).
func changes(req *pulumirpc.DiffRequest) (olds, news resource.PropertyMap, changed map[string]bool, err error) {
	if olds, err = unmarshal(req.GetOldInputs()); err != nil {
		return nil, nil, nil, err
	}
	if news, err = unmarshal(req.GetNews()); err != nil {
		return nil, nil, nil, err
	}
	changed = map[string]bool{}
	diffPaths("", resource.NewObjectProperty(olds), resource.NewObjectProperty(news), changed)
	return olds, news, changed, nil
}

// present maps the keys a property map holds, for presence checks.
func present(m resource.PropertyMap) map[string]interface{} {
	out := map[string]interface{}{}
	for k := range m {
		out[string(k)] = true
	}
	return out
}

// keepsName tells whether a Kubernetes object keeps a known name and its
// namespace.
func keepsName(olds, news resource.PropertyMap) bool {
	meta := func(m resource.PropertyMap, k string) (string, bool) {
		md, ok := m["metadata"]
		if !ok || !md.IsObject() {
			return "", false
		}
		v, ok := md.ObjectValue()[resource.PropertyKey(k)]
		if !ok {
			return "", k == "namespace"
		}
		if !v.IsString() {
			return "", false
		}
		return v.StringValue(), true
	}
	on, ok1 := meta(olds, "name")
	nn, ok2 := meta(news, "name")
	ons, _ := meta(olds, "namespace")
	nns, _ := meta(news, "namespace")
	return ok1 && ok2 && on != "" && on == nn && ons == nns
}

// diffPaths records the paths of leaves that differ, true where the new
// value is unknown.
func diffPaths(path string, a, b resource.PropertyValue, out map[string]bool) {
	for a.IsSecret() {
		a = a.SecretValue().Element
	}
	for b.IsSecret() {
		b = b.SecretValue().Element
	}
	switch {
	case a.IsObject() && b.IsObject():
		keys := map[resource.PropertyKey]bool{}
		for k := range a.ObjectValue() {
			keys[k] = true
		}
		for k := range b.ObjectValue() {
			keys[k] = true
		}
		for k := range keys {
			p := string(k)
			if path != "" {
				p = path + "." + p
			}
			diffPaths(p, a.ObjectValue()[k], b.ObjectValue()[k], out)
		}
	case a.IsArray() && b.IsArray() && len(a.ArrayValue()) == len(b.ArrayValue()):
		for i := range a.ArrayValue() {
			diffPaths(fmt.Sprintf("%s[%d]", path, i), a.ArrayValue()[i], b.ArrayValue()[i], out)
		}
	default:
		if !a.DeepEquals(b) {
			out[path] = b.IsComputed() || (b.IsOutput() && !b.OutputValue().Known)
		}
	}
}

func (p *Provider) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	p.count("Create")
	inputs, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	outputs := inputs.Copy()
	p.mu.Lock()
	cluster := p.cluster
	p.mu.Unlock()
	computed(req.GetType(), req.GetPreview(), inputs, outputs, cluster)
	if req.GetPreview() {
		props, err := marshal(outputs)
		return &pulumirpc.CreateResponse{Properties: props}, err
	}
	p.mu.Lock()
	delay, fail := p.createDelay, p.failCreate
	p.mu.Unlock()
	time.Sleep(delay)
	if fail != "" && strings.HasSuffix(req.GetUrn(), fail) {
		return nil, fmt.Errorf("injected failure: the API refused to create %s (quota exceeded)", req.GetName())
	}
	p.mu.Lock()
	p.nextID++
	id, named := rules.CloudID(req.GetType(), inputs.Mappable())
	if !named {
		id = fmt.Sprintf("%s-%d", req.GetName(), p.nextID)
	}
	// A name that is taken is refused, as the cloud does (GCP's 409
	// alreadyExists, the API server's AlreadyExists): an object the state
	// lost but the cloud kept makes the next create fail.
	// Each test stack is its own cloud (a copy of dev under another stack
	// name keeps dev's project and names), so names collide within a stack.
	stack := stackOf(req.GetUrn())
	for urn, r := range p.resources {
		if named && stackOf(urn) == stack && r.Type == req.GetType() && r.ID == id {
			p.mu.Unlock()
			return nil, fmt.Errorf("%s %q already exists (409 alreadyExists)", req.GetType(), id)
		}
	}
	p.resources[req.GetUrn()] = &Resource{Type: req.GetType(), ID: id, Inputs: inputs, Outputs: outputs}
	p.mu.Unlock()
	props, err := marshal(outputs)
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, err
}

func (p *Provider) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	p.count("Update")
	inputs, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	outputs := inputs.Copy()
	// What the cloud computed stays as it was.
	for k, v := range olds {
		if _, ok := outputs[k]; !ok {
			outputs[k] = v
		}
	}
	if !req.GetPreview() {
		p.mu.Lock()
		p.resources[req.GetUrn()] = &Resource{Type: req.GetType(), ID: req.GetId(), Inputs: inputs, Outputs: outputs}
		p.mu.Unlock()
	}
	props, err := marshal(outputs)
	return &pulumirpc.UpdateResponse{Properties: props}, err
}

// Read returns what the stand-in holds now, inputs included: without them
// a refresh would report no drift.
func (p *Provider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	p.count("Read")
	p.mu.Lock()
	r, ok := p.resources[req.GetUrn()]
	p.mu.Unlock()
	if ok && req.GetId() != "" && r.ID != req.GetId() && r.Type == "gcp:dns/managedZone:ManagedZone" {
		ok = false // the program now reads another zone than the one it made
	}
	if !ok {
		if req.GetType() == "gcp:dns/managedZone:ManagedZone" {
			// An existing zone the program adopts: it exists in the "cloud".
			id := req.GetId()
			outputs := resource.PropertyMap{
				"name":        resource.NewStringProperty(id[strings.LastIndex(id, "/")+1:]),
				"nameServers": nameServers(),
			}
			props, err := marshal(outputs)
			return &pulumirpc.ReadResponse{Id: id, Properties: props}, err
		}
		return &pulumirpc.ReadResponse{}, nil // gone
	}
	props, err := marshal(r.Outputs)
	if err != nil {
		return nil, err
	}
	ins, err := marshal(r.Inputs)
	return &pulumirpc.ReadResponse{Id: r.ID, Properties: props, Inputs: ins}, err
}

func (p *Provider) Delete(_ context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	p.count("Delete")
	p.mu.Lock()
	delay := p.deleteDelay
	p.mu.Unlock()
	time.Sleep(delay)
	p.mu.Lock()
	if gone, ok := p.resources[req.GetUrn()]; ok && req.GetType() == "gcp:sql/databaseInstance:DatabaseInstance" {
		// Cloud SQL deletes an instance's databases and users with it.
		for urn, r := range p.resources {
			if (r.Type == "gcp:sql/database:Database" || r.Type == "gcp:sql/user:User") &&
				str(r.Inputs, "instance") == str(gone.Inputs, "name") && str(r.Inputs, "project") == str(gone.Inputs, "project") {
				delete(p.resources, urn)
			}
		}
	}
	delete(p.resources, req.GetUrn())
	p.Deleted = append(p.Deleted, Deletion{URN: req.GetUrn(), Seq: seq.Add(1)})
	hook := p.OnDelete
	p.mu.Unlock()
	if hook != nil {
		hook(req.GetUrn(), req.GetType())
	}
	return &emptypb.Empty{}, nil
}

// computed fills what the cloud computes: unknown in a preview, a value
// after a real create. cluster is the endpoint and CA a GKE cluster
// reports (SetCluster).
func computed(typ string, preview bool, inputs, outputs resource.PropertyMap, cluster [2]string) {
	set := func(k string, v resource.PropertyValue) {
		if preview {
			v = resource.MakeComputed(resource.NewStringProperty(""))
		}
		outputs[resource.PropertyKey(k)] = v
	}
	switch typ {
	case "gcp:container/cluster:Cluster":
		endpoint, ca := "203.0.113.20", "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg=="
		if cluster[0] != "" {
			endpoint, ca = cluster[0], cluster[1]
		}
		set("endpoint", resource.NewStringProperty(endpoint))
		set("masterAuth", resource.NewObjectProperty(resource.PropertyMap{
			"clusterCaCertificate": resource.NewStringProperty(ca),
		}))
	case "gcp:compute/globalAddress:GlobalAddress":
		set("address", resource.NewStringProperty("203.0.113.30"))
	case "gcp:dns/managedZone:ManagedZone":
		set("nameServers", nameServers())
	case "gcp:serviceaccount/account:Account":
		// IAM names a user-managed account ACCOUNT_ID@PROJECT.iam.gserviceaccount.com.
		email := str(inputs, "accountId") + "@" + str(inputs, "project") + ".iam.gserviceaccount.com"
		set("email", resource.NewStringProperty(email))
		set("member", resource.NewStringProperty("serviceAccount:"+email))
		set("name", resource.NewStringProperty("projects/"+str(inputs, "project")+"/serviceAccounts/"+email))
	case "gcp:compute/managedSslCertificate:ManagedSslCertificate":
		// Active at once here; a Google-managed certificate is valid for
		// 90 days (Certificate Manager, "Best practices").
		set("expireTime", resource.NewStringProperty(time.Now().UTC().Add(90*24*time.Hour).Format(time.RFC3339)))
	case "gcp:storage/bucket:Bucket":
		set("url", resource.NewStringProperty("gs://"+str(inputs, "name")))
	case "gcp:sql/databaseInstance:DatabaseInstance":
		set("connectionName", resource.NewStringProperty(str(inputs, "project")+":"+str(inputs, "region")+":"+str(inputs, "name")))
	case "gcp:iam/workloadIdentityPool:WorkloadIdentityPool":
		// IAM names a pool by the project's number, not its ID.
		set("name", resource.NewStringProperty(poolName(inputs)))
	case "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider":
		set("name", resource.NewStringProperty(poolName(inputs)+"/providers/"+str(inputs, "workloadIdentityPoolProviderId")))
	}
}

// ProjectNumber is the number the stand-in's projects have.
const ProjectNumber = "987654321098"

func poolName(inputs resource.PropertyMap) string {
	return "projects/" + ProjectNumber + "/locations/global/workloadIdentityPools/" + str(inputs, "workloadIdentityPoolId")
}

func nameServers() resource.PropertyValue {
	return resource.NewArrayProperty([]resource.PropertyValue{
		resource.NewStringProperty("ns-cloud-b1.googledomains.com."),
		resource.NewStringProperty("ns-cloud-b2.googledomains.com."),
	})
}

func str(m resource.PropertyMap, k string) string {
	if v, ok := m[resource.PropertyKey(k)]; ok && v.IsString() {
		return v.StringValue()
	}
	return ""
}

// stackOf is the stack part of a URN (urn:pulumi:<stack>::...).
func stackOf(urn string) string {
	rest := strings.TrimPrefix(urn, "urn:pulumi:")
	return rest[:max(strings.Index(rest, "::"), 0)]
}
