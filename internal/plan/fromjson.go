package plan

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// FromJSON reads back a plan that `infra plan --json` wrote (possibly by
// another revision's binary): enough to price it or walk its resources.
func FromJSON(b []byte) (*Plan, error) {
	var j jsonPlan
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("reading a plan: %w", err)
	}
	p := &Plan{Project: j.Project, Stack: j.Stack}
	for _, r := range j.Resources {
		p.Resources = append(p.Resources, &Resource{
			URN: r.URN, Type: r.Type, Name: r.Name, Parent: r.Parent, Custom: r.Custom,
			Read: r.Operation == "read", ID: r.ID, Provider: r.Provider, DependsOn: r.DependsOn,
			Inputs:  resource.NewPropertyMapFromMap(r.Inputs),
			Aliases: r.Aliases,
		})
	}
	return p, nil
}
