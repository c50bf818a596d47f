package engine

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"

	"github.com/unlimited-translation/infra/stacks/bootstrap"
)

// BootstrapDir is the bootstrap program's folder (its own Pulumi.yaml).
const BootstrapDir = "bootstrap"

// ApplyBootstrap runs the bootstrap program through the real engine, as
// `pulumi up` in bootstrap/ would: one bootstrap stack per app stack,
// named alike, on the user's backend (or the repo's file backend), its
// config written to bootstrap/Pulumi.<stack>.yaml. It returns the outputs,
// the accounts' emails flattened as serviceAccounts.NAME.
func ApplyBootstrap(ctx context.Context, root string, c bootstrap.Config, stdout, stderr io.Writer) (map[string]string, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	dir := filepath.Join(root, BootstrapDir)
	if _, err := os.Stat(filepath.Join(dir, "Pulumi.yaml")); err != nil {
		return nil, fmt.Errorf("no bootstrap program at %s (run infra bootstrap from the repository's root, or pass --dir): %w", dir, err)
	}
	// The bootstrap stack holds no secret; without a passphrase set, an
	// empty one lets the default secrets provider initialise.
	var extra map[string]string
	if os.Getenv("PULUMI_CONFIG_PASSPHRASE") == "" && os.Getenv("PULUMI_CONFIG_PASSPHRASE_FILE") == "" {
		extra = map[string]string{"PULUMI_CONFIG_PASSPHRASE": ""}
	}
	s, _, err := inlineStack(ctx, root, dir, c.Stack, bootstrap.Project, bootstrap.Program, stderr, extra)
	if err != nil {
		return nil, err
	}
	config := auto.ConfigMap{}
	for k, v := range c.Values() {
		config[k] = auto.ConfigValue{Value: v}
	}
	if err := s.SetAllConfig(ctx, config); err != nil {
		return nil, fmt.Errorf("writing bootstrap/Pulumi.%s.yaml: %s", c.Stack, brief(err))
	}
	res, err := s.Up(ctx, optup.ProgressStreams(stdout), optup.ErrorProgressStreams(stderr))
	if err != nil {
		return nil, fmt.Errorf("bootstrap of stack %s in %s failed: %s", c.Stack, c.Project, brief(err))
	}
	out := map[string]string{}
	for k, v := range res.Outputs {
		switch v := v.Value.(type) {
		case string:
			out[k] = v
		case map[string]interface{}:
			for name, email := range v {
				if s, ok := email.(string); ok {
					out[k+"."+name] = s
				}
			}
		}
	}
	return out, nil
}
