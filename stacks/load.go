package stacks

import (
	"fmt"
	"sort"
	"strings"
)

// Source is where raw config values come from: the Pulumi context at run
// time, or a stack file for the offline plan.
type Source interface {
	// Get returns the raw value of a full key ("gcp:region").
	Get(key string) (string, bool)
	// IsSecret tells whether the key is stored encrypted.
	IsSecret(key string) bool
}

// KeyLister is implemented by sources that know every key the stack sets,
// so typos in the project namespace can be reported.
type KeyLister interface {
	Keys() []string
}

// Load builds the stack's Config from its defaults and the source, and
// validates it as a whole: every problem is reported in one error.
func Load(stack string, src Source) (Config, error) {
	c := Defaults(stack)
	v := &validation{stack: stack}
	if kl, ok := src.(KeyLister); ok {
		v.unknownKeys(kl.Keys())
	}
	var missing []Setting
	hidden := map[string]string{} // encrypted values of plain settings
	for _, s := range Settings {
		raw, ok := src.Get(s.Key)
		if !ok || (strings.TrimSpace(raw) == "" && !s.Secret) {
			if s.Required {
				missing = append(missing, s)
			}
			continue
		}
		if !s.Secret && src.IsSecret(s.Key) {
			// Any key may be stored encrypted. Its ciphertext means
			// nothing here, and a decrypted value must not be echoed.
			if m, ok := src.(MapSource); ok && m.Ciphertexts {
				continue
			}
			if err := s.set(&c, raw); err != nil {
				v.add(s.Name(), "is stored encrypted and its value is not valid: "+strings.ReplaceAll(err.Error(), raw, "[secret]"),
					fmt.Sprintf("pulumi config set --secret %s <value> --stack %s", s.Name(), stack))
			}
			hidden[s.Name()] = raw
			continue
		}
		if s.Secret && !src.IsSecret(s.Key) {
			v.add(s.Name(), "is stored in plain text; it must be encrypted",
				fmt.Sprintf("pulumi config set --secret %s <value> --stack %s", s.Name(), stack))
			continue
		}
		if err := s.set(&c, raw); err != nil {
			v.add(s.Name(), err.Error(), v.setFix(s.Name(), "<value>"))
			continue
		}
		if s.Secret && raw == "" {
			missing = append(missing, s)
		}
	}
	// Which keys are required depends on the platform, known only now.
	for _, s := range missing {
		if s.Needed(&c) {
			v.missing(s)
		}
	}
	if c.DNSZoneName == "" {
		c.DNSZoneName = strings.ReplaceAll(strings.TrimSuffix(c.Domain, "."), ".", "-")
	}
	c.ReleaseChannel = strings.ToUpper(c.ReleaseChannel)
	v.check(&c)
	for i, p := range v.problems {
		if raw, ok := hidden[p.Key]; ok && raw != "" {
			v.problems[i].Message = strings.ReplaceAll(p.Message, raw, "[secret]")
			v.problems[i].Fix = strings.ReplaceAll(p.Fix, raw, "[secret]")
		}
	}
	return c, v.err()
}

// MapSource is a Source over plain maps, for tests and stack files.
type MapSource struct {
	Values  map[string]string
	Secrets map[string]bool
	// Ciphertexts: the secret values are still encrypted (a stack file
	// read without the CLI), so they cannot be checked, only skipped.
	Ciphertexts bool
}

// Get implements Source.
func (m MapSource) Get(key string) (string, bool) { v, ok := m.Values[key]; return v, ok }

// IsSecret implements Source.
func (m MapSource) IsSecret(key string) bool { return m.Secrets[key] }

// SecretKeys lists the keys stored encrypted, sorted.
func (m MapSource) SecretKeys() []string {
	keys := []string{}
	for k, secret := range m.Secrets {
		if secret {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// Keys implements KeyLister.
func (m MapSource) Keys() []string {
	keys := make([]string, 0, len(m.Values))
	for k := range m.Values {
		keys = append(keys, k)
	}
	return keys
}

// NotSet stands in for a secret an offline plan does not have.
const NotSet = "(not set)"

// UnsetSecrets lists the required secrets src does not hold and stands a
// marker in for each, so that an offline plan of a fresh clone (no
// secrets yet) still runs; the list says what sets them.
func UnsetSecrets(stack string, src MapSource) []Problem {
	v := &validation{stack: stack}
	for _, s := range Settings {
		if !s.Secret || !s.Required {
			continue
		}
		if raw, ok := src.Values[s.Key]; ok && raw != "" {
			continue
		}
		if on := s.RequiredWith; on != "" && strings.TrimSpace(src.Values[p(on)]) != "true" {
			continue // needed only with a key this stack leaves off
		}
		v.missing(s)
		src.Values[s.Key], src.Secrets[s.Key] = NotSet, true
	}
	return v.problems
}
