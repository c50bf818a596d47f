package rules

// KubernetesProviderReplaces says which changed inputs of the Kubernetes
// provider replace it, and with it every object it manages (the engine
// replaces a resource whose provider's DiffConfig says replace). From
// pulumi-kubernetes v4.30.0 provider/pkg/provider/provider.go DiffConfig:
// a changed (or unknown) clusterIdentifier replaces; a set, unchanged one
// never does, whatever else changed; without one, an unknown or changed
// kubeconfig, context or cluster replaces (the kubeconfig heuristic can
// only be judged with both files known, so a change counts).
func KubernetesProviderReplaces(changed []string, old, new map[string]interface{}) []string {
	in := map[string]bool{}
	for _, p := range changed {
		for _, k := range []string{"clusterIdentifier", "kubeconfig", "context", "cluster", "renderYamlToDirectory"} {
			if Under(p, k) {
				in[k] = true
			}
		}
	}
	var out []string
	if in["renderYamlToDirectory"] {
		out = append(out, "renderYamlToDirectory")
	}
	_, hadID := old["clusterIdentifier"]
	_, hasID := new["clusterIdentifier"]
	switch {
	case in["clusterIdentifier"] && hadID && hasID:
		return append(out, "clusterIdentifier")
	case hadID && hasID:
		return out
	}
	for _, k := range []string{"kubeconfig", "context", "cluster"} {
		if in[k] {
			out = append(out, k)
		}
	}
	return out
}
