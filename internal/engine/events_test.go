package engine

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/unlimited-translation/infra/internal/report"
)

const parent = "urn:pulumi:dev::unlimited-translation::translation:components:TranslationApp$translation:components:Backend::translation-backend"

func pre(op, name string, keys []string, diff map[string]apitype.PropertyDiff, old, new map[string]interface{}) events.EngineEvent {
	urn := parent[:strings.LastIndex(parent, "::")] + "$kubernetes:apps/v1:Deployment::" + name
	return events.EngineEvent{EngineEvent: apitype.EngineEvent{ResourcePreEvent: &apitype.ResourcePreEvent{
		Metadata: apitype.StepEventMetadata{
			Op: apitype.OpType(op), URN: urn, Type: "kubernetes:apps/v1:Deployment", Keys: keys, DetailedDiff: diff,
			Old: &apitype.StepEventStateMetadata{Parent: parent, Inputs: old},
			New: &apitype.StepEventStateMetadata{Parent: parent, Inputs: new},
		},
	}}}
}

func TestReportMarkdown(t *testing.T) {
	secret := map[string]interface{}{"4dabf18193072939515e22adb298388d": report.SecretSig, "ciphertext": "AAAA"}
	evs := []events.EngineEvent{
		pre("same", "same-one", nil, nil, nil, nil),
		pre("update", "web", nil, map[string]apitype.PropertyDiff{"spec.replicas": {Kind: "update"}, "stringData.PASSWORD": {Kind: "update"}},
			map[string]interface{}{"spec": map[string]interface{}{"replicas": 1.0}, "stringData": secret},
			map[string]interface{}{"spec": map[string]interface{}{"replicas": 2.0}, "stringData": secret}),
		pre("create-replacement", "db", []string{"spec.volumeClaimTemplates"}, nil, nil, nil),
		pre("replace", "db", []string{"spec.volumeClaimTemplates"}, map[string]apitype.PropertyDiff{"spec.volumeClaimTemplates[0].spec.resources.requests.storage": {Kind: "update-replace"}},
			map[string]interface{}{"spec": map[string]interface{}{"volumeClaimTemplates": []interface{}{map[string]interface{}{"spec": map[string]interface{}{"resources": map[string]interface{}{"requests": map[string]interface{}{"storage": "1Gi"}}}}}}},
			map[string]interface{}{"spec": map[string]interface{}{"volumeClaimTemplates": []interface{}{map[string]interface{}{"spec": map[string]interface{}{"resources": map[string]interface{}{"requests": map[string]interface{}{"storage": "2Gi"}}}}}}}),
		pre("delete-replaced", "db", nil, nil, nil, nil),
	}
	r := NewReport("preview", "dev", evs)
	md := r.Markdown(report.MaxMarkdown)
	for _, want := range []string{
		"| `dev` | — | 0 | 1 | 1 | 0 | ⚠ downtime |",
		"<b>dev</b>: 0 to create, 1 to update, 1 to replace, 0 to delete (1 unchanged)",
		"**replace** `db` (Deployment `kubernetes:apps/v1:Deployment`), create-before-delete in TranslationApp › Backend `translation-backend`",
		"  - replaced because `spec.volumeClaimTemplates` changed\n",
		"`spec.volumeClaimTemplates[0].spec.resources.requests.storage`: `1Gi` → `2Gi`",
		"`spec.replicas`: `1` → `2`",
		"`stringData.PASSWORD`: changed (secret)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "AAAA") {
		t.Error("markdown shows a ciphertext")
	}
}

func TestReportMarkdownIsCapped(t *testing.T) {
	var evs []events.EngineEvent
	for i := 0; i < 3000; i++ {
		evs = append(evs, pre("update", fmt.Sprintf("web-%04d", i), nil, map[string]apitype.PropertyDiff{"spec.replicas": {Kind: "update"}},
			map[string]interface{}{"spec": map[string]interface{}{"replicas": 1.0}},
			map[string]interface{}{"spec": map[string]interface{}{"replicas": 2.0}}))
	}
	md := NewReport("preview", "dev", evs).Markdown(report.MaxMarkdown)
	if len(md) > report.MaxMarkdown {
		t.Fatalf("markdown is %d characters, over %d", len(md), report.MaxMarkdown)
	}
	if !strings.Contains(md, "more changes not shown: the comment is capped at 60000 characters") {
		t.Errorf("the cut is not said:\n%s", md[len(md)-300:])
	}
	if !strings.Contains(md, "| `dev` | — | 0 | 3000 | 0 | 0 |") || !strings.Contains(md, "0 to create, 3000 to update") {
		t.Error("the summary does not count every change")
	}
}

func TestProtectedErrorSaysHowToUnlock(t *testing.T) {
	msg := (&ProtectedError{Stack: "prod", Blockers: []string{"x is protected (protect)"}}).Error()
	for _, want := range []string{"nothing was changed", "x is protected", "pulumi config set deletionProtection false --stack prod", "infra destroy --stack prod"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q", want)
		}
	}
}

// An operation that fails without closing the event channel (what the
// Automation API does when the CLI fails before the engine starts) ends
// the wait instead of hanging.
func TestCollectEndsWhenTheChannelStaysOpen(t *testing.T) {
	defer func(d time.Duration) { drainWait = d }(drainWait)
	drainWait = 50 * time.Millisecond
	evs, err := collect(func(ch chan<- events.EngineEvent) error {
		ch <- events.EngineEvent{}
		return fmt.Errorf("failed to run preview: exit status 255")
	})
	if err == nil || len(evs) != 1 {
		t.Errorf("events %d, err %v", len(evs), err)
	}
}

func TestBriefKeepsTheCause(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"failed to run update: exit status 255\ncode: 255\nstdout: Updating (dev):\n\nstderr: error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n  file:///s/.pulumi/locks/dev/x.json: created by runner@ci-7 (pid 4242) at 2026-11-23T10:00:00Z\n",
			"the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`. file:///s/.pulumi/locks/dev/x.json: created by runner@ci-7 (pid 4242) at 2026-11-23T10:00:00Z"},
		{"failed to run preview: exit status 255\ncode: 255\nstdout: \nstderr: error: constructing secrets manager of type \"passphrase\": incorrect passphrase\n",
			"constructing secrets manager of type \"passphrase\": incorrect passphrase"},
		{"failed to run preview: exit status 1\ncode: 1\nstdout: Previewing\n    error: preview failed\nstderr: \n", "preview failed"},
	} {
		if got := brief(fmt.Errorf("%s", c.in)); got != c.want {
			t.Errorf("brief:\n got %q\nwant %q", got, c.want)
		}
	}
}
