package plan

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/unlimited-translation/infra/internal/stackfile"
	"github.com/unlimited-translation/infra/stacks"
)

// Stack plans a stack from its files in the project directory dir. set
// overrides config values (full keys), as `pulumi config set` would.
// The config is validated first, so a config error comes alone.
func Stack(dir, stack string, set map[string]string) (*Plan, error) {
	if _, err := os.Stat(filepath.Join(dir, "Pulumi.yaml")); err != nil {
		return nil, fmt.Errorf("no Pulumi.yaml in %s: run infra from the project directory or pass --dir", dir)
	}
	src, unset, encrypted, err := stackfile.Offline(dir, stack, set)
	if err != nil {
		return nil, err
	}
	if _, err := stacks.Load(stack, src); err != nil {
		return nil, err
	}
	p, err := Evaluate(stacks.Project, stack, dir, src.Values, src.SecretKeys(), stacks.Program)
	if err != nil {
		return nil, err
	}
	p.Encrypted = encrypted
	for _, u := range unset {
		p.NotSet = append(p.NotSet, NotSet{Key: u.Key, Fix: u.Fix})
	}
	return p, nil
}
