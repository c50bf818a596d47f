package report

import (
	"fmt"
	"strings"
	"testing"
)

func big(stack string, n int) *Report {
	r := &Report{Kind: "plan diff", Stack: stack, Base: "abc1234", Head: "def5678",
		Config: []ConfigChange{{Key: "mysqlPassword", Secret: true}, {Key: "backendReplicas", Old: "1", New: "2"}}}
	for i := 0; i < n; i++ {
		r.Changes = append(r.Changes, Change{Op: "update", URN: fmt.Sprintf("urn:pulumi:%s::p::kubernetes:apps/v1:Deployment::web-%04d", stack, i),
			Type: "kubernetes:apps/v1:Deployment", Props: []PropChange{{Path: "spec.replicas", Old: "1", New: "2"}, {Path: "stringData.P", Secret: true, Old: "[secret]", New: "[secret]"}}})
	}
	r.Changes = append(r.Changes, Change{Op: "replace", URN: "urn:pulumi:" + stack + "::p::kubernetes:core/v1:PersistentVolumeClaim::data",
		Type: "kubernetes:core/v1:PersistentVolumeClaim", Risks: []Risk{{"data", "the disk"}}, Blocked: "it is protected"})
	r.Graph = "```mermaid\nflowchart LR\n" + strings.Repeat("  a --> b\n", 3000) + "```\n"
	return r
}

// All stacks together stay under the limit; details go, the table stays.
func TestCommentIsCappedTableKept(t *testing.T) {
	reps := []*Report{big("dev", 2000), big("prod", 2000), {Kind: "plan diff", Stack: "staging", Err: "stack \"staging\": config x is bad"}}
	md := Comment(reps, MaxMarkdown)
	if len(md) > MaxMarkdown {
		t.Fatalf("%d characters, over %d", len(md), MaxMarkdown)
	}
	for _, want := range []string{
		"| `dev` | `mysqlPassword` (secret, changed)<br>`backendReplicas` `1` → `2` | 0 | 2000 | 1 | 0 | ⛔ will fail: `data`<br>⚠ data |",
		"| `prod` |",
		"| `staging` | | | | | | ⛔ plan diff failed: stack \"staging\": config x is bad |",
		"more changes not shown",
		"⛔ ⚠ `±` **replace** `data`", // destructive first, so they survive the cut
	} {
		if !strings.Contains(md, want) {
			t.Errorf("comment lacks %q", want)
		}
	}
	if strings.Contains(md, "a --> b") {
		t.Error("the oversized graph was kept")
	}
}

// Secret values appear nowhere, masked or not, in the JSON.
func TestJSONHidesSecrets(t *testing.T) {
	r := big("dev", 1)
	r.Changes[0].Props[1].Old, r.Changes[0].Props[1].New = "[secret:abcd]", "[secret:ef01]"
	b, err := JSON([]*Report{r})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "[secret") || !strings.Contains(string(b), `"secret": true`) {
		t.Errorf("JSON:\n%s", b)
	}
}
