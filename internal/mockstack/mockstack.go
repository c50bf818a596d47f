// Package mockstack runs a Pulumi program under pulumi.WithMocks and
// records every resource it registers, with inputs decoded so that unknown
// and secret values stay visible, for tests.
package mockstack

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Resource is one registered resource.
type Resource struct {
	Type   string
	Name   string
	Inputs resource.PropertyMap
	// Request is the registration as the engine would see it (nil for reads).
	Request  *pulumirpc.RegisterResourceRequest
	Provider string
	Read     bool
	Custom   bool
}

// Mocks records resources and fills in what the cloud would compute.
type Mocks struct {
	mu        sync.Mutex
	Resources []Resource
}

// NewResource implements pulumi.MockResourceMonitor.
func (m *Mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	r := Resource{Type: args.TypeToken, Name: args.Name, Provider: args.Provider, Inputs: args.Inputs, Custom: args.Custom}
	if args.RegisterRPC != nil {
		r.Request = args.RegisterRPC
		in, err := plugin.UnmarshalProperties(args.RegisterRPC.GetObject(), plugin.MarshalOptions{
			KeepUnknowns: true, KeepSecrets: true, KeepResources: true,
		})
		if err != nil {
			return "", nil, err
		}
		r.Inputs = in
	} else {
		r.Read = true
	}
	m.mu.Lock()
	m.Resources = append(m.Resources, r)
	m.mu.Unlock()

	out := args.Inputs.Copy()
	id := args.ID
	if id == "" {
		id = args.Name + "-id"
	}
	switch args.TypeToken {
	case "gcp:container/cluster:Cluster":
		out["endpoint"] = resource.NewStringProperty("203.0.113.10")
		out["masterAuth"] = resource.NewObjectProperty(resource.PropertyMap{
			"clusterCaCertificate": resource.NewStringProperty("Q0EtREFUQQ=="),
		})
		id = fmt.Sprintf("projects/p/locations/r/clusters/%s", args.Inputs["name"].StringValue())
	case "gcp:compute/globalAddress:GlobalAddress":
		out["address"] = resource.NewStringProperty("203.0.113.1")
	case "gcp:serviceaccount/account:Account":
		email := args.Inputs["accountId"].StringValue() + "@" + args.Inputs["project"].StringValue() + ".iam.gserviceaccount.com"
		out["email"] = resource.NewStringProperty(email)
		out["member"] = resource.NewStringProperty("serviceAccount:" + email)
		out["name"] = resource.NewStringProperty("projects/" + args.Inputs["project"].StringValue() + "/serviceAccounts/" + email)
	case "gcp:projects/iAMCustomRole:IAMCustomRole":
		out["name"] = resource.NewStringProperty("projects/" + args.Inputs["project"].StringValue() + "/roles/" + args.Inputs["roleId"].StringValue())
	case "gcp:iam/workloadIdentityPool:WorkloadIdentityPool":
		out["name"] = resource.NewStringProperty(PoolName(args.Inputs["workloadIdentityPoolId"].StringValue()))
	case "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider":
		out["name"] = resource.NewStringProperty(PoolName(args.Inputs["workloadIdentityPoolId"].StringValue()) +
			"/providers/" + args.Inputs["workloadIdentityPoolProviderId"].StringValue())
	case "gcp:monitoring/notificationChannel:NotificationChannel":
		out["name"] = resource.NewStringProperty("projects/" + args.Inputs["project"].StringValue() + "/notificationChannels/" + args.Name + "-id")
	case "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig":
		out["uptimeCheckId"] = resource.NewStringProperty(args.Name + "-check")
	case "gcp:dns/managedZone:ManagedZone":
		if args.RegisterRPC == nil {
			out["name"] = resource.NewStringProperty(id[strings.LastIndex(id, "/")+1:])
		}
		out["nameServers"] = resource.NewArrayProperty([]resource.PropertyValue{
			resource.NewStringProperty("ns-cloud-a1.googledomains.com."),
			resource.NewStringProperty("ns-cloud-a2.googledomains.com."),
		})
	}
	return id, out, nil
}

// Call implements pulumi.MockResourceMonitor; the program makes no invokes.
func (m *Mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return nil, fmt.Errorf("unexpected invoke %s", args.Token)
}

// ByType returns the resources of one type token.
func (m *Mocks) ByType(typ string) []Resource {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Resource
	for _, r := range m.Resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// One returns the single resource of a type and name, or fails.
func (m *Mocks) One(typ, name string) (Resource, error) {
	for _, r := range m.ByType(typ) {
		if r.Name == name {
			return r, nil
		}
	}
	return Resource{}, fmt.Errorf("no %s named %q among %d resources", typ, name, len(m.Resources))
}

// Must returns the single resource of a type and name, or fails the test.
func (m *Mocks) Must(t testing.TB, typ, name string) Resource {
	t.Helper()
	r, err := m.One(typ, name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// ProjectNumber is the project number the mocks' cloud reports.
const ProjectNumber = "123456789012"

// PoolName is a Workload Identity pool's name as the cloud returns it.
func PoolName(id string) string {
	return "projects/" + ProjectNumber + "/locations/global/workloadIdentityPools/" + id
}

// Run runs program as stack of the unlimited-translation project with
// config (full keys) and the listed secret keys. It returns the recorded
// resources and the stack outputs, resolved.
func Run(stack string, config map[string]string, secretKeys []string, program pulumi.RunFunc) (*Mocks, map[string]interface{}, error) {
	return RunProject("unlimited-translation", stack, config, secretKeys, program)
}

// RunProject is Run for another Pulumi project (the bootstrap's).
func RunProject(project, stack string, config map[string]string, secretKeys []string, program pulumi.RunFunc) (*Mocks, map[string]interface{}, error) {
	m := &Mocks{}
	outputs := map[string]interface{}{}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		if err := program(ctx); err != nil {
			return err
		}
		// Awaited here, inside the run: an apply registered on an export
		// that is a plain value is not waited for by RunErr, so reading
		// outputs that way lost some now and then.
		for k, v := range ctx.GetCurrentExportMap() {
			res, err := internals.UnsafeAwaitOutput(ctx.Context(), pulumi.ToOutput(v))
			if err != nil {
				return fmt.Errorf("stack output %s: %w", k, err)
			}
			outputs[k] = res.Value
		}
		return nil
	}, pulumi.WithMocks(project, stack, m), func(ri *pulumi.RunInfo) {
		ri.Config = config
		ri.ConfigSecretKeys = secretKeys
	})
	return m, outputs, err
}

// Path reads a nested input by dotted path ("spec.template.spec"); numeric
// segments index arrays. Secrets are unwrapped.
func Path(pm resource.PropertyMap, path string) (resource.PropertyValue, bool) {
	v := resource.NewObjectProperty(pm)
	for _, seg := range strings.Split(path, ".") {
		for v.IsSecret() {
			v = v.SecretValue().Element
		}
		switch {
		case v.IsObject():
			next, ok := v.ObjectValue()[resource.PropertyKey(seg)]
			if !ok {
				return resource.PropertyValue{}, false
			}
			v = next
		case v.IsArray():
			var i int
			if _, err := fmt.Sscanf(seg, "%d", &i); err != nil || i < 0 || i >= len(v.ArrayValue()) {
				return resource.PropertyValue{}, false
			}
			v = v.ArrayValue()[i]
		default:
			return resource.PropertyValue{}, false
		}
	}
	return v, true
}

// Str reads a nested string input, "" when absent.
func Str(pm resource.PropertyMap, path string) string {
	v, ok := Path(pm, path)
	for ok && v.IsSecret() {
		v = v.SecretValue().Element
	}
	if !ok || !v.IsString() {
		return ""
	}
	return v.StringValue()
}

// Expect checks string properties by path (see Str) and reports each one
// that differs, naming what.
func Expect(t testing.TB, what string, pm resource.PropertyMap, want map[string]string) {
	t.Helper()
	for _, path := range slices.Sorted(maps.Keys(want)) {
		if got := Str(pm, path); got != want[path] {
			t.Errorf("%s %s = %q, want %q", what, path, got, want[path])
		}
	}
}
