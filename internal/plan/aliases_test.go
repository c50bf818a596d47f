package plan

import (
	"testing"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

type part struct{ pulumi.ResourceState }

// A component renamed with pulumi.Aliases keeps its URNs, children
// included (they inherit the alias, being named after their parent): the
// offline diff shows no change, as the engine does; without the alias it
// is a delete and a create of everything.
func TestRenameWithAliasChangesNothing(t *testing.T) {
	program := func(name string, alias bool) pulumi.RunFunc {
		return func(ctx *pulumi.Context) error {
			c := &part{}
			var opts []pulumi.ResourceOption
			if alias {
				opts = append(opts, pulumi.Aliases([]pulumi.Alias{{Name: pulumi.String("database")}}))
			}
			if err := ctx.RegisterComponentResource("translation:components:Part", name, c, opts...); err != nil {
				return err
			}
			// A grandchild with aliases of its own (as the Kubernetes SDK
			// gives its kinds): the SDK then sends none inherited from the
			// renamed grandparent, and the diff must work them out.
			sub := &part{}
			if err := ctx.RegisterComponentResource("translation:components:Sub", name+"-db", sub, pulumi.Parent(c)); err != nil {
				return err
			}
			_, err := corev1.NewConfigMap(ctx, name+"-db-initdb", &corev1.ConfigMapArgs{
				Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String("mysql-initdb")},
				Data:     pulumi.StringMap{"a": pulumi.String("b")},
			}, pulumi.Parent(sub), pulumi.Aliases([]pulumi.Alias{{Type: pulumi.String("kubernetes:core/v1beta1:ConfigMap")}}))
			return err
		}
	}
	plan := func(name string, alias bool) []byte {
		p, err := Evaluate("unlimited-translation", "dev", t.TempDir(), map[string]string{}, nil, program(name, alias))
		if err != nil {
			t.Fatal(err)
		}
		b, err := p.FingerprintJSON(make([]byte, 32))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	base := plan("database", false)
	renamed, err := DiffJSON("dev", base, plan("mysql", true))
	if err != nil {
		t.Fatal(err)
	}
	if n := renamed.Counts(); len(renamed.Changes) != 0 {
		t.Errorf("a rename with an alias changes %v: %+v", n, renamed.Changes)
	}
	bare, err := DiffJSON("dev", base, plan("mysql", false))
	if err != nil {
		t.Fatal(err)
	}
	// The component, the sub-component and the ConfigMap, each deleted
	// and created.
	if n := bare.Counts(); n["create"] != 3 || n["delete"] != 3 {
		t.Errorf("a rename without an alias: %v, want 3 creates and 3 deletes", n)
	}
}
