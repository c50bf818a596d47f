package plan

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/projects"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Two resources with one URN: the engine refuses the program, so the
// offline plan must too, not keep one of them silently.
func TestDuplicateURNRefused(t *testing.T) {
	program := func(ctx *pulumi.Context) error {
		for _, role := range []string{"roles/dns.admin", "roles/storage.admin"} {
			if _, err := projects.NewIAMMember(ctx, "deployer-admin", &projects.IAMMemberArgs{
				Project: pulumi.String("p"), Role: pulumi.String(role), Member: pulumi.String("user:a@example.com"),
			}); err != nil {
				return err
			}
		}
		return nil
	}
	_, err := Evaluate("unlimited-translation", "dev", t.TempDir(), nil, nil, program)
	if err == nil || !strings.Contains(err.Error(), "duplicate resource URN") || !strings.Contains(err.Error(), `"deployer-admin"`) {
		t.Fatalf("want the duplicate refused, got %v", err)
	}
}
