package controlplane

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/unlimited-translation/infra/internal/quantity"
)

// LoadBalancerIP is what the stand-in cloud reports for every load
// balancer (TEST-NET-3: documentation only, never routed).
const LoadBalancerIP = "203.0.113.10"

// cloud does, in a loop until ctx ends, what GKE's controllers would and
// this control plane cannot: provision a volume for every pending claim,
// expand a volume whose claim asks for more, delete a volume whose claim is
// gone, and give Ingresses and LoadBalancer Services an address.
func (cp *ControlPlane) cloud(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(250 * time.Millisecond):
		}
		out, err := cp.Kubectl("get", "pvc,pv,ingress,service", "-A", "-o", "json")
		if err != nil {
			continue // the API server may be stopping
		}
		var list struct{ Items []object }
		if json.Unmarshal([]byte(out), &list) != nil {
			continue
		}
		for _, o := range list.Items {
			cp.act(o)
		}
	}
}

type object struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
		UID       string `json:"uid"`
	} `json:"metadata"`
	Spec struct {
		Type             string                               `json:"type"`
		VolumeName       string                               `json:"volumeName"`
		StorageClassName *string                              `json:"storageClassName"`
		AccessModes      []string                             `json:"accessModes"`
		Resources        struct{ Requests map[string]string } `json:"resources"`
		Capacity         map[string]string                    `json:"capacity"`
		ClaimRef         *struct{ Namespace, Name string }    `json:"claimRef"`
		ReclaimPolicy    string                               `json:"persistentVolumeReclaimPolicy"`
	} `json:"spec"`
	Status struct {
		Phase        string            `json:"phase"`
		Capacity     map[string]string `json:"capacity"`
		LoadBalancer struct {
			Ingress []interface{} `json:"ingress"`
		} `json:"loadBalancer"`
	} `json:"status"`
}

func (cp *ControlPlane) act(o object) {
	m := o.Metadata
	switch o.Kind {
	case "PersistentVolumeClaim":
		want := o.Spec.Resources.Requests["storage"]
		if o.Status.Phase == "Pending" && o.Spec.VolumeName == "" {
			cp.provision(o)
			return
		}
		have := o.Status.Capacity["storage"]
		// The external resizer expands only claims whose class allows it.
		if o.Status.Phase == "Bound" && larger(want, have) && cp.expandable(o.Spec.StorageClassName) {
			// Expand the disk, then report the claim's new size.
			_, _ = cp.Kubectl("patch", "pv", o.Spec.VolumeName, "--type=merge",
				"-p", fmt.Sprintf(`{"spec":{"capacity":{"storage":%q}}}`, want))
			_, _ = cp.Kubectl("patch", "pvc", m.Name, "-n", m.Namespace, "--subresource=status", "--type=merge",
				"-p", fmt.Sprintf(`{"status":{"capacity":{"storage":%q}}}`, want))
		}
	case "PersistentVolume":
		// A released volume goes only if its policy says so; Retain keeps
		// it (and its disk) for the next claim.
		if (o.Status.Phase == "Released" || o.Status.Phase == "Failed") && o.Spec.ReclaimPolicy == "Delete" {
			_, _ = cp.Kubectl("delete", "pv", m.Name, "--wait=false")
		}
	case "Ingress":
		if len(o.Status.LoadBalancer.Ingress) == 0 {
			cp.setLoadBalancer("ingress", m.Namespace, m.Name)
		}
	case "Service":
		if o.Spec.Type == "LoadBalancer" && len(o.Status.LoadBalancer.Ingress) == 0 {
			cp.setLoadBalancer("service", m.Namespace, m.Name)
		}
	}
}

func (cp *ControlPlane) provision(pvc object) {
	class := ""
	if pvc.Spec.StorageClassName != nil {
		class = *pvc.Spec.StorageClassName
	}
	modes, _ := json.Marshal(pvc.Spec.AccessModes)
	pv := fmt.Sprintf(`{"apiVersion":"v1","kind":"PersistentVolume","metadata":{"name":"pv-%s-%s"},
"spec":{"capacity":{"storage":%q},"accessModes":%s,"storageClassName":%q,"persistentVolumeReclaimPolicy":"Delete",
"claimRef":{"namespace":%q,"name":%q,"uid":%q},"hostPath":{"path":"/fake-disks/%s/%s"}}}`,
		pvc.Metadata.Namespace, pvc.Metadata.Name, pvc.Spec.Resources.Requests["storage"], modes, class,
		pvc.Metadata.Namespace, pvc.Metadata.Name, pvc.Metadata.UID, pvc.Metadata.Namespace, pvc.Metadata.Name)
	_, _ = cp.KubectlInput(pv, "create", "-f", "-")
}

// expandable tells whether a claim's StorageClass allows expansion (no
// class: the cluster default's).
func (cp *ControlPlane) expandable(class *string) bool {
	name := ""
	if class != nil {
		name = *class
	}
	if name == "" {
		out, _ := cp.Kubectl("get", "storageclass", "-o", `jsonpath={.items[?(@.metadata.annotations.storageclass\.kubernetes\.io/is-default-class=="true")].allowVolumeExpansion}`)
		return strings.TrimSpace(out) == "true"
	}
	out, _ := cp.Kubectl("get", "storageclass", name, "-o", "jsonpath={.allowVolumeExpansion}")
	return strings.TrimSpace(out) == "true"
}

func (cp *ControlPlane) setLoadBalancer(kind, ns, name string) {
	_, _ = cp.Kubectl("patch", kind, name, "-n", ns, "--subresource=status", "--type=merge",
		"-p", fmt.Sprintf(`{"status":{"loadBalancer":{"ingress":[{"ip":%q}]}}}`, LoadBalancerIP))
}

func larger(a, b string) bool {
	qa, errA := quantity.Parse(strings.TrimSpace(a))
	qb, errB := quantity.Parse(strings.TrimSpace(b))
	return errA == nil && errB == nil && qa > qb
}
