package engine

import (
	"errors"
	"strings"
	"testing"
)

// A preview that fails on an immutable field says what an up does, the
// rest stay as they are.
func TestImmutableHint(t *testing.T) {
	pvc := errors.New(`Preview failed: resource "urn:…PersistentVolumeClaim::data" was not successfully created by the Kubernetes API server: PersistentVolumeClaim "mysql-stateful-data" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests`)
	sts := errors.New(`resource "urn:…StatefulSet::db" was not successfully created by the Kubernetes API server: StatefulSet.apps "db" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas' … are forbidden`)
	other := errors.New(`resource "urn:…Deployment::web" was not successfully created by the Kubernetes API server: connection refused`)
	for _, c := range []struct {
		err  error
		hint bool
	}{{pvc, true}, {sts, true}, {other, false}, {errors.New("quota exceeded"), false}} {
		if got := immutableHint(c.err); (got != "") != c.hint || (c.hint && !strings.Contains(got, "infra plan shows that replacement")) {
			t.Errorf("%v: hint %q", c.err, got)
		}
	}
}
