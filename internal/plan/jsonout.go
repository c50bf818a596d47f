package plan

import (
	"bytes"
	"encoding/json"
)

// JSONSchemaVersion changes only when a field is removed or changes meaning.
const JSONSchemaVersion = 2

type jsonPlan struct {
	SchemaVersion int                    `json:"schemaVersion"`
	Project       string                 `json:"project"`
	Stack         string                 `json:"stack"`
	Summary       jsonSummary            `json:"summary"`
	Resources     []jsonResource         `json:"resources"`
	Outputs       map[string]interface{} `json:"outputs"`
	NotSet        []NotSet               `json:"notSet,omitempty"`
	Encrypted     []string               `json:"encrypted,omitempty"`
}

type jsonSummary struct {
	Create int `json:"create"`
	Read   int `json:"read"`
}

type jsonResource struct {
	URN       string   `json:"urn"`
	Type      string   `json:"type"`
	Name      string   `json:"name"`
	Parent    string   `json:"parent"`
	Provider  string   `json:"provider"`
	Custom    bool     `json:"custom"`
	Operation string   `json:"operation"`
	ID        string   `json:"id,omitempty"`
	DependsOn []string `json:"dependsOn"`
	// PropertyDependencies: per top-level input, the resources its value
	// comes from.
	PropertyDependencies map[string][]string    `json:"propertyDependencies"`
	Options              jsonOptions            `json:"options"`
	Inputs               map[string]interface{} `json:"inputs"`
	Aliases              []string               `json:"aliases,omitempty"`
}

type jsonOptions struct {
	Protect             bool      `json:"protect"`
	DeleteBeforeReplace bool      `json:"deleteBeforeReplace"`
	IgnoreChanges       []string  `json:"ignoreChanges"`
	RetainOnDelete      bool      `json:"retainOnDelete"`
	DeletedWith         string    `json:"deletedWith"`
	ReplaceOnChanges    []string  `json:"replaceOnChanges"`
	CustomTimeouts      *Timeouts `json:"customTimeouts"`
}

// JSON renders the plan with the schema documented in docs/plan-json.md.
// encoding/json sorts map keys and resources are in URN order, so the same
// program and config give byte-identical output.
func (p *Plan) JSON() ([]byte, error) { return p.json(plainer{}) }

// FingerprintJSON is JSON with every secret as "[secret:<fingerprint>]"
// under key (see plainer): two plans rendered with one key show whether a
// secret changed, and nothing else about it.
func (p *Plan) FingerprintJSON(key []byte) ([]byte, error) { return p.json(plainer{key: key}) }

func (p *Plan) json(pl plainer) ([]byte, error) {
	create, read := p.Counts()
	out := jsonPlan{
		SchemaVersion: JSONSchemaVersion,
		Project:       p.Project,
		Stack:         p.Stack,
		Summary:       jsonSummary{Create: create, Read: read},
		Resources:     []jsonResource{},
		Outputs:       pl.object(p.Outputs),
		NotSet:        p.NotSet,
		Encrypted:     p.Encrypted,
	}
	for _, r := range p.Resources {
		op := "create"
		if r.Read {
			op = "read"
		}
		deps := r.PropertyDependencies
		if deps == nil {
			deps = map[string][]string{}
		}
		out.Resources = append(out.Resources, jsonResource{
			URN: r.URN, Type: r.Type, Name: r.Name, Parent: r.Parent, Provider: r.Provider,
			Custom: r.Custom, Operation: op, ID: r.ID, DependsOn: r.DependsOn, PropertyDependencies: deps,
			Options: jsonOptions{
				Protect: r.Options.Protect, DeleteBeforeReplace: r.Options.DeleteBeforeReplace,
				IgnoreChanges: nonNil(r.Options.IgnoreChanges), RetainOnDelete: r.Options.RetainOnDelete,
				DeletedWith: r.Options.DeletedWith, ReplaceOnChanges: nonNil(r.Options.ReplaceOnChanges),
				CustomTimeouts: r.Options.CustomTimeouts,
			},
			Inputs:  pl.object(r.Inputs),
			Aliases: r.Aliases,
		})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
