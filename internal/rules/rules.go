// Package rules says what the providers this program uses do with a
// change, at the pinned versions: which inputs they cannot change in place,
// when they delete before they replace, how a resource's cloud ID is formed,
// what a replacement or deletion loses and what makes it fail. The offline
// diff reads it to tell a replacement from an update, and the test
// stand-in providers read it to answer the engine as the real ones would.
// Bumping a provider is a reviewed change of this table.
package rules

import (
	"sort"
	"strings"
)

// Rule is what one resource type's provider does with a change.
type Rule struct {
	// Source names the upstream file (at the pinned version) the entry
	// comes from.
	Source string
	// ForceNew lists input paths whose change, at or below the path, the
	// provider cannot apply in place: the resource is replaced.
	ForceNew []string
	// NamedDeleteFirst: when the provider replaces an object that keeps its
	// explicit name, it deletes the old one first (Kubernetes objects).
	NamedDeleteFirst bool
	// ExplicitNameDeleteFirst: the provider deletes the old resource first
	// on every replacement when the program sets its auto-named `name`
	// (the Terraform bridge: GCP resources).
	ExplicitNameDeleteFirst bool
	// IDFormat builds the cloud ID from inputs ("{project}" is the input
	// "project"); empty when the ID is not derived from inputs.
	IDFormat string
	// Loses says what a replacement or deletion of a resource with these
	// inputs loses; nil or empty when nothing that matters is lost.
	Loses func(inputs map[string]interface{}) []Risk
	// Blocks says why deleting a resource with these (old) inputs fails,
	// and how to unlock it; "" when nothing blocks it.
	Blocks func(old map[string]interface{}) (why, unlock string)
}

// Risk is one thing a replacement or deletion loses.
type Risk struct {
	// What is lost: data, IP, DNS delegation, certificate, downtime.
	What string
	// Detail says how, in a sentence.
	Detail string
}

// For returns the rule of a resource type. Kubernetes kinds missing from
// the table still get the rule every kind has (name and namespace); ok is
// false only for types nothing is known about.
func For(typ string) (Rule, bool) {
	if r, ok := table[typ]; ok {
		return r, true
	}
	if strings.HasPrefix(typ, "kubernetes:") && !strings.HasPrefix(typ, "kubernetes:index:") {
		if r, ok := table[kubernetesOther]; ok {
			return r, false
		}
	}
	return Rule{}, false
}

// Known tells whether the table has an entry of its own for typ.
func Known(typ string) bool {
	_, ok := table[typ]
	return ok
}

// Types lists the types the table knows, sorted.
func Types() []string {
	out := make([]string, 0, len(table))
	for t := range table {
		if t != kubernetesOther {
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}

// Forces returns the ForceNew paths that path is at or below.
func (r Rule) Forces(path string) bool {
	for _, k := range r.ForceNew {
		if Under(path, k) {
			return true
		}
	}
	return false
}

// ForcesUnknown tells whether a whole input turning unknown at path
// replaces: a force-new path lies at, below or above it.
func (r Rule) ForcesUnknown(path string) bool {
	for _, f := range r.ForceNew {
		if Under(f, path) || Under(path, f) {
			return true
		}
	}
	return false
}

// Under tells whether path is rule or lies below it ("spec.selector" holds
// "spec.selector.matchLabels.app" and "spec.volumeClaimTemplates" holds
// "spec.volumeClaimTemplates[0].spec").
func Under(path, rule string) bool {
	return path == rule || strings.HasPrefix(path, rule+".") || strings.HasPrefix(path, rule+"[")
}

// ID fills IDFormat from inputs; ok is false when the format is empty or
// an input it needs is not a known string.
func (r Rule) ID(inputs map[string]interface{}) (string, bool) {
	if r.IDFormat == "" {
		return "", false
	}
	out := r.IDFormat
	for {
		i := strings.Index(out, "{")
		if i < 0 {
			return out, true
		}
		j := strings.Index(out[i:], "}")
		key := out[i+1 : i+j]
		v, ok := inputs[key].(string)
		if !ok || v == "" || strings.HasPrefix(v, "(") || strings.HasPrefix(v, "[") {
			return "", false
		}
		out = out[:i] + v + out[i+j+1:]
	}
}

// CloudID is the ID the provider gives a resource of typ with these inputs:
// a Kubernetes object's is namespace/name (pulumi-kubernetes v4.30.0
// provider/pkg/provider/provider.go, fqObjName), a GCP resource's fills its
// rule's IDFormat. ok is false when the name is generated or not known.
func CloudID(typ string, inputs map[string]interface{}) (string, bool) {
	if strings.HasPrefix(typ, "kubernetes:") {
		name, _ := Lookup(inputs, "metadata", "name").(string)
		ns, _ := Lookup(inputs, "metadata", "namespace").(string)
		switch {
		case name == "":
			return "", false
		case ns == "":
			return name, true
		}
		return ns + "/" + name, true
	}
	rule, _ := For(typ)
	return rule.ID(inputs)
}

// Lookup follows keys through nested maps.
func Lookup(m map[string]interface{}, keys ...string) interface{} { return lookup(m, keys...) }
