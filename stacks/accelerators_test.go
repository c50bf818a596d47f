package stacks_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/unlimited-translation/infra/internal/mockstack"
	"github.com/unlimited-translation/infra/internal/stackfile"
	"github.com/unlimited-translation/infra/stacks"
)

// backendAccelerator puts the backend, and only the backend, on GPU
// nodes: the accelerator and count selectors next to Spot, and the GPUs
// as a limit (GKE, "Deploy GPU workloads in Autopilot").
func TestStacksGPUBackend(t *testing.T) {
	src, err := stackfile.Load("..", "dev")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"mysqlRootPassword", "mysqlPassword"} {
		src.Values[stacks.Project+":"+k], src.Secrets[stacks.Project+":"+k] = "test-"+k+"-4711", true
	}
	src.Values[stacks.Project+":backendAccelerator"] = "nvidia-l4"
	src.Values[stacks.Project+":backendAcceleratorCount"] = "2"
	m, _, err := mockstack.Run("dev", src.Values, src.SecretKeys(), stacks.Program)
	if err != nil {
		t.Fatal(err)
	}
	be := m.Must(t, deploymentType, "translation-backend")
	sel, _ := mockstack.Path(be.Inputs, "spec.template.spec.nodeSelector")
	want := map[string]string{
		"cloud.google.com/gke-spot":              "true",
		"cloud.google.com/gke-accelerator":       "nvidia-l4",
		"cloud.google.com/gke-accelerator-count": "2",
	}
	if len(sel.ObjectValue()) != len(want) {
		t.Errorf("backend node selector %v, want %v", sel, want)
	}
	for k, v := range want {
		if got := sel.ObjectValue()[resource.PropertyKey(k)]; !got.IsString() || got.StringValue() != v {
			t.Errorf("backend node selector %s = %v, want %s", k, got, v)
		}
	}
	limits, _ := mockstack.Path(be.Inputs, "spec.template.spec.containers.0.resources.limits")
	if l := limits.ObjectValue(); len(l) != 1 || l["nvidia.com/gpu"].StringValue() != "2" {
		t.Errorf("backend limits %v, want only nvidia.com/gpu 2", limits)
	}
	fe := m.Must(t, deploymentType, "translation-frontend")
	fsel, _ := mockstack.Path(fe.Inputs, "spec.template.spec.nodeSelector")
	if _, gpu := fsel.ObjectValue()["cloud.google.com/gke-accelerator"]; gpu {
		t.Error("the frontend asks for a GPU")
	}
	if _, ok := mockstack.Path(fe.Inputs, "spec.template.spec.containers.0.resources.limits"); ok {
		t.Error("the frontend has limits")
	}
}
