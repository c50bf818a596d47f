package kubejob

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// negPath is where GKE's NEG controller keeps one ServiceNetworkEndpointGroup
// per network endpoint group it manages (group networking.gke.io, version
// v1beta1: kubernetes/ingress-gce pkg/apis/svcneg). It deletes the object
// once it has deleted the NEG.
func negPath(namespace string) string {
	return "/apis/networking.gke.io/v1beta1/namespaces/" + namespace + "/servicenetworkendpointgroups"
}

// NEGs lists the names of the NEGs the cluster's NEG controller still
// holds in the Runner's namespace, nil when it holds none or the cluster
// has no NEG controller (not GKE: the API has no such resource).
func (k Runner) NEGs(ctx context.Context) ([]string, error) {
	out, err := k.kubectl(ctx, nil, "get", "--raw", negPath(k.Namespace))
	if err != nil {
		if strings.Contains(err.Error(), "(NotFound)") {
			return nil, nil
		}
		return nil, fmt.Errorf("listing the NEGs of namespace %s: %w", k.Namespace, err)
	}
	var list struct {
		Items []struct {
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
		} `json:"items"`
	}
	if err := json.Unmarshal(out, &list); err != nil {
		return nil, fmt.Errorf("the NEGs of namespace %s: %w", k.Namespace, err)
	}
	var names []string
	for _, i := range list.Items {
		names = append(names, i.Metadata.Name)
	}
	return names, nil
}
