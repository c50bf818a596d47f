package engine

import "testing"

// Which field manager an adopted object gets back: the one
// pulumi-kubernetes-* manager that applied it, and only when the outputs
// name another.
func TestCreatorFieldManager(t *testing.T) {
	entry := func(manager, op string) interface{} {
		return map[string]interface{}{"manager": manager, "operation": op}
	}
	outputs := func(current string, fields ...interface{}) map[string]interface{} {
		return map[string]interface{}{
			fieldManagerKey: current,
			"metadata":      map[string]interface{}{"managedFields": fields},
		}
	}
	for _, c := range []struct {
		name    string
		outputs map[string]interface{}
		want    string
	}{
		{"the refresh named a new one: the creator's comes back",
			outputs("pulumi-kubernetes-new", entry("pulumi-kubernetes-59fd4228", "Apply"), entry("kube-controller-manager", "Update")), "pulumi-kubernetes-59fd4228"},
		{"already the creator's", outputs("pulumi-kubernetes-59fd4228", entry("pulumi-kubernetes-59fd4228", "Apply")), ""},
		{"two pulumi managers: which one is unknown", outputs("pulumi-kubernetes-new",
			entry("pulumi-kubernetes-aaaa", "Apply"), entry("pulumi-kubernetes-bbbb", "Apply")), ""},
		{"only a client-side update", outputs("pulumi-kubernetes-new", entry("pulumi-kubernetes-aaaa", "Update")), ""},
		{"no managed fields", map[string]interface{}{fieldManagerKey: "x"}, ""},
	} {
		got, ok := creatorFieldManager(c.outputs)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("%s: got %q %v, want %q", c.name, got, ok, c.want)
		}
	}
}
