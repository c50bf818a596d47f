package engine

import (
	"strings"
	"testing"
)

// The load balancer is the Ingresses and the Services their rules and
// default backend name, in the Ingress's namespace: no other Service.
func TestLoadBalanced(t *testing.T) {
	svc := func(urn, ns, name string) stateResource {
		meta := map[string]interface{}{"name": name}
		if ns != "" {
			meta["namespace"] = ns
		}
		return stateResource{URN: urn, Type: serviceType, Inputs: map[string]interface{}{"metadata": meta}}
	}
	backend := func(name string) map[string]interface{} {
		return map[string]interface{}{"service": map[string]interface{}{"name": name, "port": map[string]interface{}{"number": 80.0}}}
	}
	resources := []stateResource{
		{URN: "ingress", Type: ingressType, Inputs: map[string]interface{}{
			"metadata": map[string]interface{}{"name": "public"},
			"spec": map[string]interface{}{"rules": []interface{}{
				map[string]interface{}{"host": "a.example.com", "http": map[string]interface{}{"paths": []interface{}{
					map[string]interface{}{"path": "/", "backend": backend("frontend")},
				}}},
			}},
		}},
		{URN: "mlflow-ingress", Type: ingressType, Inputs: map[string]interface{}{
			"metadata": map[string]interface{}{"name": "mlflow", "namespace": "mlflow"},
			"spec":     map[string]interface{}{"defaultBackend": backend("mlflow")},
		}},
		svc("frontend-svc", "", "frontend"),
		svc("backend-svc", "default", "backend"),
		svc("mlflow-svc", "mlflow", "mlflow"),
		// Same name, another namespace: no Ingress sends to it.
		svc("other-frontend", "other", "frontend"),
		{URN: "deploy", Type: "kubernetes:apps/v1:Deployment", Inputs: map[string]interface{}{"metadata": map[string]interface{}{"name": "frontend"}}},
	}
	urns, namespaces := loadBalanced(resources)
	if got := strings.Join(urns, " "); got != "ingress mlflow-ingress frontend-svc mlflow-svc" {
		t.Errorf("drained %s", got)
	}
	if got := strings.Join(namespaces, " "); got != "default mlflow" {
		t.Errorf("namespaces %s", got)
	}
	if urns, _ := loadBalanced(resources[2:]); len(urns) != 0 {
		t.Errorf("without an Ingress (asleep, local): %v", urns)
	}
}
