package standin

import (
	"context"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// A taken name is refused as the cloud refuses it, within one stack's
// cloud; generated names never collide.
func TestCreateRefusesATakenName(t *testing.T) {
	p, err := Start("kubernetes", "4.30.0")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	create := func(urn, name string) error {
		meta := resource.PropertyMap{"name": resource.NewStringProperty(name), "namespace": resource.NewStringProperty("default")}
		props, err := marshal(resource.PropertyMap{"metadata": resource.NewObjectProperty(meta)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Create(context.Background(), &pulumirpc.CreateRequest{Urn: urn, Type: "kubernetes:core/v1:Service", Properties: props})
		return err
	}
	const svc = "::unlimited-translation::kubernetes:core/v1:Service::"
	if err := create("urn:pulumi:dev"+svc+"web", "web"); err != nil {
		t.Fatal(err)
	}
	err = create("urn:pulumi:dev"+svc+"web", "web")
	if err == nil || !strings.Contains(err.Error(), `"default/web" already exists`) {
		t.Errorf("second create of default/web in dev: %v", err)
	}
	if err := create("urn:pulumi:dev"+svc+"other", "other"); err != nil {
		t.Errorf("another name: %v", err)
	}
	if err := create("urn:pulumi:prod"+svc+"web", "web"); err != nil {
		t.Errorf("the same name in another stack's cloud: %v", err)
	}
	p.ForgetStack("dev")
	if err := create("urn:pulumi:dev"+svc+"web", "web"); err != nil {
		t.Errorf("after ForgetStack: %v", err)
	}
}
