package engine

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
)

// handedOver are the types an app stack made before its bootstrap did:
// the service accounts its workloads run as and their project roles
// (bootstrap.Workloads), and the component that held the nodes' account.
// The stack program registers none of them any more.
var handedOver = map[tokens.Type]bool{
	"gcp:serviceaccount/account:Account": true,
	"gcp:projects/iAMMember:IAMMember":   true,
	"translation:infra:NodeIdentity":     true,
}

// handOver drops from the stack's state what the bootstrap owns now, so
// that the next up or destroy does not delete the accounts the cluster's
// nodes, the backup jobs and MLflow run as: a state without them is what
// `pulumi state delete` leaves, and nothing in the cloud changes. It
// returns how many entries went.
func (e *Engine) handOver(ctx context.Context) (int, error) {
	if e.Config.Local() {
		return 0, nil // no GCP resources at all
	}
	var state map[string]interface{}
	dep, err := e.export(ctx, &state)
	if err != nil || len(dep.Deployment) == 0 {
		return 0, err
	}
	resources, _ := state["resources"].([]interface{})
	kept, dropped := dropHandedOver(resources)
	if dropped == 0 {
		return 0, nil
	}
	state["resources"] = kept
	if dep.Deployment, err = json.Marshal(state); err != nil {
		return 0, err
	}
	if err := e.stack.Import(ctx, dep); err != nil {
		return 0, fmt.Errorf("handing %s's service accounts to its bootstrap: %s", e.Name, brief(err))
	}
	fmt.Fprintf(e.Err, "infra: %d service accounts and project grants of %s belong to its bootstrap now: dropped from the stack's state, nothing deleted\n", dropped, e.Name)
	return dropped, nil
}

// dropHandedOver removes the handed-over entries and every reference to
// them (dependencies, property dependencies, deletedWith), which an import
// would otherwise refuse as dangling.
func dropHandedOver(resources []interface{}) (kept []interface{}, dropped int) {
	gone := map[string]bool{}
	for _, r := range resources {
		m, _ := r.(map[string]interface{})
		urn, _ := m["urn"].(string)
		if handedOver[resource.URN(urn).Type()] {
			gone[urn] = true
		}
	}
	if len(gone) == 0 {
		return resources, 0
	}
	without := func(v interface{}) []interface{} {
		list, _ := v.([]interface{})
		out := []interface{}{}
		for _, u := range list {
			if s, _ := u.(string); !gone[s] {
				out = append(out, u)
			}
		}
		return out
	}
	for _, r := range resources {
		m, _ := r.(map[string]interface{})
		if urn, _ := m["urn"].(string); gone[urn] {
			continue
		}
		if _, ok := m["dependencies"]; ok {
			m["dependencies"] = without(m["dependencies"])
		}
		if pd, ok := m["propertyDependencies"].(map[string]interface{}); ok {
			for k, v := range pd {
				pd[k] = without(v)
			}
		}
		if d, _ := m["deletedWith"].(string); gone[d] {
			delete(m, "deletedWith")
		}
		kept = append(kept, r)
	}
	return kept, len(gone)
}
