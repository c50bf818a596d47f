package readme

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// section returns the README's text under heading, up to the next heading
// of the same or a higher level.
func section(t *testing.T, readme, heading string) string {
	t.Helper()
	i := strings.Index(readme, "\n"+heading+"\n")
	if i < 0 {
		t.Fatalf("the README has no %q", heading)
	}
	rest := readme[i+len(heading)+2:]
	level := strings.Repeat("#", strings.Count(strings.Fields(heading)[0], "#"))
	if j := regexp.MustCompile(`\n#{1,` + strconv.Itoa(len(level)) + `} `).FindStringIndex(rest); j != nil {
		rest = rest[:j[0]]
	}
	return rest
}

// A newcomer following "Real use" in order meets every tool and login
// before a step needs it, and how to get `infra` before its first use.
func TestREADMEPrerequisites(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	pre := section(t, readme, "### Prerequisites")
	for _, want := range []string{
		"gke-gcloud-auth-plugin", "kubectl", "Docker", "gcloud auth configure-docker",
		"gcloud auth application-default login", "gcloud auth login", "Go 1.26", "Pulumi CLI",
	} {
		if !strings.Contains(strings.Join(strings.Fields(pre), " "), want) {
			t.Errorf("Prerequisites do not name %q", want)
		}
	}
	// Words, not lines: the README wraps its sentences anywhere.
	deploy := strings.Join(strings.Fields(section(t, readme, "### Deploy to your own project")), " ")
	build := strings.Index(deploy, "go build -o bin/infra ./cmd/infra")
	use := regexp.MustCompile("`infra [a-z]+ --stack").FindStringIndex(deploy)
	if build < 0 || use == nil || build > use[0] {
		t.Errorf("Deploy uses `infra` (at %v) before saying how to build it (at %d)", use, build)
	}
	// The main job needs Go only; the suite says what else it takes.
	try := section(t, readme, "## Try it on this machine (no cloud credentials)")
	if strings.Contains(try, "nothing but Go:") || !strings.Contains(try, "mariadb") && !strings.Contains(try, "MariaDB") {
		t.Error("the two commands' requirements are not stated (the test suite needs more than Go)")
	}
}
