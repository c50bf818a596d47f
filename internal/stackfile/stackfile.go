// Package stackfile reads a stack's config from Pulumi.yaml and
// Pulumi.<stack>.yaml without the Pulumi CLI, for the offline plan and tests.
// Encrypted values are never decrypted: the program gets the ciphertext as
// an opaque secret value.
package stackfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/unlimited-translation/infra/internal/suggest"
	"github.com/unlimited-translation/infra/stacks"
	"github.com/unlimited-translation/infra/stacks/bootstrap"
)

// stackName is what Pulumi accepts as a stack name (no organization or
// project part here: the file is Pulumi.<stack>.yaml).
var stackName = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// Load reads the config of stack from the project directory root.
func Load(root, stack string) (stacks.MapSource, error) {
	src := stacks.MapSource{Values: map[string]string{}, Secrets: map[string]bool{}, Ciphertexts: true}
	if !stackName.MatchString(stack) || strings.Trim(stack, ".") == "" {
		return src, fmt.Errorf("%q is not a stack name: use letters, digits, '-', '_' and '.' (e.g. dev)", stack)
	}
	project, err := readYAML(filepath.Join(root, "Pulumi.yaml"))
	if err != nil {
		return src, err
	}
	name, _ := project["name"].(string)
	if name == "" {
		return src, fmt.Errorf("%s: no project name", filepath.Join(root, "Pulumi.yaml"))
	}
	if err := checkProject(root, name, project["runtime"]); err != nil {
		return src, err
	}
	// Project-level config: `key: {default: value}` or `key: value`.
	if cfg, ok := project["config"].(map[string]interface{}); ok {
		for k, v := range cfg {
			if m, ok := v.(map[string]interface{}); ok {
				if _, has := m["default"]; !has {
					continue
				}
				v = m["default"]
			}
			if err := put(src, fullKey(name, k), v); err != nil {
				return src, err
			}
		}
	}
	path := filepath.Join(root, "Pulumi."+stack+".yaml")
	doc, err := readYAML(path)
	if errors.Is(err, fs.ErrNotExist) {
		known := Stacks(root)
		hint := ""
		if near := suggest.Nearest(stack, known); near != "" {
			hint = fmt.Sprintf("did you mean %s? ", near)
		}
		return src, fmt.Errorf("unknown stack %q: no %s (%sknown stacks: %s)", stack, filepath.Base(path), hint, strings.Join(known, ", "))
	}
	if err != nil {
		return src, err
	}
	cfg, _ := doc["config"].(map[string]interface{})
	for k, v := range cfg {
		if err := put(src, fullKey(name, k), v); err != nil {
			return src, fmt.Errorf("%s: %w", filepath.Base(path), err)
		}
	}
	return src, nil
}

// checkProject refuses a Pulumi.yaml that is not this program's: another
// name puts every setting under a namespace the program never reads, and
// another runtime would run something else.
func checkProject(root, name string, runtime interface{}) error {
	path := filepath.Join(root, "Pulumi.yaml")
	if name == bootstrap.Project {
		return fmt.Errorf("%s is the bootstrap project (the deployer identities and the state bucket, one per GCP project), not the app's: "+
			"plan it with `infra bootstrap --stack STACK --github OWNER/REPO --github-repository-id N --github-owner-id N` from the repository root (without --apply it only plans); "+
			"`infra plan` plans the app stacks there", path)
	}
	if name != stacks.Project {
		return fmt.Errorf("%s names the project %q, but this program is %q and reads its settings as %s:<key>: set name: %s (renaming the project also renames every stack's resources)",
			path, name, stacks.Project, stacks.Project, stacks.Project)
	}
	rt, _ := runtime.(string)
	if m, ok := runtime.(map[string]interface{}); ok {
		rt, _ = m["name"].(string)
	}
	if rt != "go" {
		return fmt.Errorf("%s has runtime %q; this program is Go: set runtime: go", path, rt)
	}
	return nil
}

// Stacks lists the stacks that have a Pulumi.<stack>.yaml in root.
func Stacks(root string) []string {
	matches, _ := filepath.Glob(filepath.Join(root, "Pulumi.*.yaml"))
	var names []string
	for _, m := range matches {
		names = append(names, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(m), "Pulumi."), ".yaml"))
	}
	sort.Strings(names)
	return names
}

func readYAML(path string) (map[string]interface{}, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	doc := map[string]interface{}{}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s is not valid YAML: %w", filepath.Base(path), err)
	}
	return doc, nil
}

func fullKey(project, k string) string {
	if strings.Contains(k, ":") {
		return k
	}
	return project + ":" + k
}

// put stores one value as Pulumi hands it to a program: scalars as
// strings, objects and lists as JSON, `secure:` values as secrets.
func put(src stacks.MapSource, key string, v interface{}) error {
	if m, ok := v.(map[string]interface{}); ok && len(m) == 1 {
		if ct, ok := m["secure"].(string); ok {
			src.Values[key], src.Secrets[key] = ct, true
			return nil
		}
	}
	switch t := v.(type) {
	case string:
		src.Values[key] = t
	case map[string]interface{}, []interface{}:
		b, err := json.Marshal(t)
		if err != nil {
			return fmt.Errorf("config %s: %w", key, err)
		}
		src.Values[key] = string(b)
	case nil:
		src.Values[key] = ""
	default:
		src.Values[key] = fmt.Sprint(t)
	}
	return nil
}

// PlaceholderPrefix starts the secure values committed in the stack files
// ("placeholder" in base64): they stand for secrets the user must set.
const PlaceholderPrefix = "v1:cGxhY2Vob2xkZXI=:"

// Offline is Load for a plan made without the CLI or the passphrase: the
// required secrets not set yet stand as markers and are listed with the
// command that sets them, and plain settings stored encrypted are left to
// their defaults (their ciphertext means nothing offline) and listed.
// set overrides keys (full names) first, as `--set` does.
func Offline(root, stack string, set map[string]string) (src stacks.MapSource, unset []stacks.Problem, encrypted []string, err error) {
	src, err = Load(root, stack)
	if err != nil {
		return src, nil, nil, err
	}
	for k, v := range set {
		src.Values[k] = v
	}
	for key, secret := range src.Secrets {
		if s, known := stacks.LookupSetting(key); secret && (!known || !s.Secret) {
			delete(src.Values, key)
			delete(src.Secrets, key)
			encrypted = append(encrypted, strings.TrimPrefix(key, stacks.Project+":"))
		}
	}
	sort.Strings(encrypted)
	return src, stacks.UnsetSecrets(stack, src), encrypted, nil
}
