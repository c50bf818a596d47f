package plan

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
)

// monitor stands in for the Pulumi engine's resource monitor during an
// offline plan: it records every registration and answers as a preview
// against empty state would (inputs echoed, everything else unknown).
// Unlike pulumi.WithMocks, whose mocks see resolved plain values, it keeps
// unknown and secret values intact.
type monitor struct {
	pulumirpc.UnimplementedResourceMonitorServer
	pulumirpc.UnimplementedEngineServer

	stack   tokens.QName
	project tokens.PackageName

	mu        sync.Mutex
	resources map[resource.URN]*Resource
	outputs   map[resource.URN]resource.PropertyMap
	root      string
	logs      []string
}

var marshal = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, KeepResources: true}

// features the SDK may use. outputValues stays off so that inputs arrive as
// plain values with computed/secret markers.
var features = map[string]bool{"secrets": true, "deletedWith": true}

func (m *monitor) SupportsFeature(_ context.Context, req *pulumirpc.SupportsFeatureRequest) (*pulumirpc.SupportsFeatureResponse, error) {
	return &pulumirpc.SupportsFeatureResponse{HasSupport: features[req.GetId()]}, nil
}

func (m *monitor) urn(parent, typ, name string) resource.URN {
	var parentType tokens.Type
	if parent != "" {
		if p := resource.URN(parent); p.Type() != resource.RootStackType {
			parentType = p.QualifiedType()
		}
	}
	return resource.NewURN(m.stack, m.project, parentType, tokens.Type(typ), name)
}

func (m *monitor) RegisterResource(_ context.Context, req *pulumirpc.RegisterResourceRequest) (*pulumirpc.RegisterResourceResponse, error) {
	urn := m.urn(req.GetParent(), req.GetType(), req.GetName())
	inputs, err := plugin.UnmarshalProperties(req.GetObject(), marshal)
	if err != nil {
		return nil, fmt.Errorf("decoding inputs of %s: %w", urn, err)
	}
	r := &Resource{
		URN:      string(urn),
		Type:     req.GetType(),
		Name:     req.GetName(),
		Parent:   req.GetParent(),
		Custom:   req.GetCustom(),
		Provider: m.providerRef(req.GetType(), req.GetProvider(), req.GetVersion(), req.GetCustom()),
		Inputs:   inputs,
		Options: Options{
			Protect:             req.GetProtect(),
			DeleteBeforeReplace: req.GetDeleteBeforeReplace(),
			IgnoreChanges:       req.GetIgnoreChanges(),
			RetainOnDelete:      req.GetRetainOnDelete(),
			DeletedWith:         req.GetDeletedWith(),
			ReplaceOnChanges:    req.GetReplaceOnChanges(),
		},
	}
	if t := req.GetCustomTimeouts(); t != nil && (t.GetCreate() != "" || t.GetUpdate() != "" || t.GetDelete() != "") {
		r.Options.CustomTimeouts = &Timeouts{Create: t.GetCreate(), Update: t.GetUpdate(), Delete: t.GetDelete()}
	}
	deps := append([]string{}, req.GetDependencies()...)
	for k, pd := range req.GetPropertyDependencies() {
		deps = append(deps, pd.GetUrns()...)
		if urns := uniqueSorted(pd.GetUrns()); len(urns) > 0 {
			if r.PropertyDependencies == nil {
				r.PropertyDependencies = map[string][]string{}
			}
			r.PropertyDependencies[k] = urns
		}
	}
	r.DependsOn = uniqueSorted(deps)
	// Without the aliasSpecs feature the SDK sends aliases as URNs, a
	// parent's inherited by its children already worked out.
	aliases := append([]string{}, req.GetAliasURNs()...)
	for _, a := range req.GetAliases() {
		if u := a.GetUrn(); u != "" {
			aliases = append(aliases, u)
		}
	}
	// The SDK builds an alias of a resource parented to the stack with the
	// stack's type in its type chain; the engine's URNs leave it out.
	for i, a := range aliases {
		aliases[i] = strings.Replace(a, "::"+string(resource.RootStackType)+"$", "::", 1)
	}
	r.Aliases = uniqueSorted(aliases)
	// The engine refuses a second registration of a URN ("Duplicate
	// resource URN"); so does the offline plan, rather than keep one.
	if !m.add(r) {
		return nil, fmt.Errorf("duplicate resource URN %s: two resources of type %s are named %q under the same parent; give one another name", urn, req.GetType(), req.GetName())
	}
	if req.GetType() == string(resource.RootStackType) {
		return &pulumirpc.RegisterResourceResponse{Urn: string(urn)}, nil
	}
	// Echo inputs: what a provider's preview returns for a new resource.
	// Outputs not among them resolve as unknown in a dry run.
	obj, err := plugin.MarshalProperties(inputs, marshal)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.RegisterResourceResponse{Urn: string(urn), Object: obj}, nil
}

func (m *monitor) ReadResource(_ context.Context, req *pulumirpc.ReadResourceRequest) (*pulumirpc.ReadResourceResponse, error) {
	urn := m.urn(req.GetParent(), req.GetType(), req.GetName())
	r := &Resource{
		URN:       string(urn),
		Type:      req.GetType(),
		Name:      req.GetName(),
		Parent:    req.GetParent(),
		Custom:    true,
		Read:      true,
		ID:        req.GetId(),
		Provider:  m.providerRef(req.GetType(), req.GetProvider(), req.GetVersion(), true),
		Inputs:    resource.PropertyMap{},
		DependsOn: uniqueSorted(req.GetDependencies()),
	}
	if !m.add(r) {
		return nil, fmt.Errorf("duplicate resource URN %s: two resources of type %s are named %q under the same parent; give one another name", urn, req.GetType(), req.GetName())
	}
	// The resource's name is the last segment of an ID like
	// projects/p/managedZones/name; the rest is only known to the cloud.
	props := resource.PropertyMap{"name": resource.NewStringProperty(req.GetId()[strings.LastIndex(req.GetId(), "/")+1:])}
	obj, err := plugin.MarshalProperties(props, marshal)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResourceResponse{Urn: string(urn), Properties: obj}, nil
}

func (m *monitor) RegisterResourceOutputs(_ context.Context, req *pulumirpc.RegisterResourceOutputsRequest) (*emptypb.Empty, error) {
	outs, err := plugin.UnmarshalProperties(req.GetOutputs(), marshal)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	m.outputs[resource.URN(req.GetUrn())] = outs
	m.mu.Unlock()
	return &emptypb.Empty{}, nil
}

func (m *monitor) Invoke(_ context.Context, req *pulumirpc.ResourceInvokeRequest) (*pulumirpc.InvokeResponse, error) {
	return nil, fmt.Errorf("the offline plan cannot run data source %s: it needs the cloud", req.GetTok())
}

func (m *monitor) SignalAndWaitForShutdown(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// Engine side: logs and the root resource.

func (m *monitor) Log(_ context.Context, req *pulumirpc.LogRequest) (*emptypb.Empty, error) {
	m.mu.Lock()
	m.logs = append(m.logs, fmt.Sprintf("%s: %s", strings.ToLower(req.GetSeverity().String()), req.GetMessage()))
	m.mu.Unlock()
	return &emptypb.Empty{}, nil
}

func (m *monitor) GetRootResource(context.Context, *pulumirpc.GetRootResourceRequest) (*pulumirpc.GetRootResourceResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return &pulumirpc.GetRootResourceResponse{Urn: m.root}, nil
}

func (m *monitor) SetRootResource(_ context.Context, req *pulumirpc.SetRootResourceRequest) (*pulumirpc.SetRootResourceResponse, error) {
	m.mu.Lock()
	m.root = req.GetUrn()
	m.mu.Unlock()
	return &pulumirpc.SetRootResourceResponse{}, nil
}

// add records r; false when its URN is taken.
func (m *monitor) add(r *Resource) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, taken := m.resources[resource.URN(r.URN)]; taken {
		return false
	}
	m.resources[resource.URN(r.URN)] = r
	return true
}

// providerRef names the provider a resource uses: the explicit one's URN,
// or the default provider the engine would create for its package.
func (m *monitor) providerRef(typ, ref, version string, custom bool) string {
	if ref != "" {
		if i := strings.LastIndex(ref, "::"); i > 0 && strings.HasPrefix(ref, "urn:") {
			return ref[:i]
		}
		return ref
	}
	if !custom || strings.HasPrefix(typ, "pulumi:") {
		return ""
	}
	pkg := typ[:strings.Index(typ, ":")]
	name := "default"
	if version != "" {
		name += "_" + strings.NewReplacer(".", "_", "-", "_").Replace(version)
	}
	return string(resource.NewURN(m.stack, m.project, "", tokens.Type("pulumi:providers:"+pkg), name))
}
