package kubejob

import (
	"strings"
	"testing"
)

// A rollout's pods' warnings (any ReplicaSet of it), oldest first, each
// once; the frontend's pods left out.
func TestPodWarnings(t *testing.T) {
	list := `{"items":[
	 {"involvedObject":{"name":"backend-fastapi-deploy-5d9c7-x2"},"reason":"FailedScheduling","message":"0/1 nodes are available: 1 Insufficient cpu.","eventTime":"2026-12-03T11:00:05.000000Z","lastTimestamp":null},
	 {"involvedObject":{"name":"backend-fastapi-deploy-5d9c7-x2"},"reason":"FailedScheduling","message":"0/1 nodes are available: 1 Insufficient cpu.","eventTime":"2026-12-03T11:00:35.000000Z"},
	 {"involvedObject":{"name":"backend-fastapi-deploy-old-1"},"reason":"BackOff","message":"Back-off pulling image","lastTimestamp":"2026-12-03T10:59:00Z","eventTime":null},
	 {"involvedObject":{"name":"frontend-flask-deploy-77-a"},"reason":"Unhealthy","message":"Readiness probe failed","lastTimestamp":"2026-12-03T10:58:00Z"}
	]}`
	got, err := podWarnings([]byte(list), "backend-fastapi-deploy-")
	if err != nil {
		t.Fatal(err)
	}
	want := "BackOff: Back-off pulling image|FailedScheduling: 0/1 nodes are available: 1 Insufficient cpu."
	if strings.Join(got, "|") != want {
		t.Errorf("got %q\nwant %q", strings.Join(got, "|"), want)
	}
	if _, err := podWarnings([]byte("not json"), "x-"); err == nil {
		t.Error("a list that does not parse gave no error")
	}
}
