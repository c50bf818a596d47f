// Package plan evaluates the stack program offline, in process, with no
// engine, credentials or plugins, and renders what a `pulumi up` against
// empty state would create: as a tree, JSON, Kubernetes manifests or a
// Mermaid graph.
package plan

import (
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Plan is everything one stack would create.
type Plan struct {
	Project string
	Stack   string
	// Resources sorted by URN.
	Resources []*Resource
	// Outputs are the stack outputs.
	Outputs resource.PropertyMap
	// NotSet are the required secrets the stack file does not hold yet:
	// planned with a marker, needed before preview or up.
	NotSet []NotSet
	// Encrypted are plain settings stored encrypted: offline they cannot
	// be read, so the plan uses their defaults.
	Encrypted []string
}

// NotSet is one secret to set, with the command that sets it.
type NotSet struct {
	Key string `json:"key"`
	Fix string `json:"fix"`
}

// Resource is one registration of the program.
type Resource struct {
	URN    string
	Type   string
	Name   string
	Parent string
	// Custom is false for components and the stack.
	Custom bool
	// Read is true for existing resources the program adopts (e.g. a DNS zone).
	Read bool
	ID   string
	// Provider is the URN of the provider that would manage it.
	Provider string
	// DependsOn lists every dependency, explicit and through inputs.
	DependsOn []string
	// PropertyDependencies lists, per top-level input, the resources its
	// value comes from: what makes an input change when one of them is
	// replaced.
	PropertyDependencies map[string][]string
	Options              Options
	Inputs               resource.PropertyMap
	// Aliases are the URNs this resource had before a rename (its own
	// pulumi.Aliases and those it inherits from a renamed parent): the
	// engine treats a resource found under one of them as this one.
	Aliases []string
}

// Options are the resource options that change how Pulumi handles it.
type Options struct {
	Protect             bool
	DeleteBeforeReplace bool
	IgnoreChanges       []string
	RetainOnDelete      bool
	DeletedWith         string
	ReplaceOnChanges    []string
	CustomTimeouts      *Timeouts
}

// Timeouts are custom operation timeouts.
type Timeouts struct {
	Create string `json:"create,omitempty"`
	Update string `json:"update,omitempty"`
	Delete string `json:"delete,omitempty"`
}

// Children returns the resources whose parent is urn, in URN order.
func (p *Plan) Children(urn string) []*Resource {
	var out []*Resource
	for _, r := range p.Resources {
		if r.Parent == urn {
			out = append(out, r)
		}
	}
	return out
}

// Root is the stack resource.
func (p *Plan) Root() *Resource {
	for _, r := range p.Resources {
		if r.Type == string(resource.RootStackType) {
			return r
		}
	}
	return nil
}

// Counts returns how many resources are created and read (components and
// the stack count as created, as in `pulumi preview`).
func (p *Plan) Counts() (create, read int) {
	for _, r := range p.Resources {
		if r.Read {
			read++
		} else {
			create++
		}
	}
	return create, read
}

func uniqueSorted(in []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
