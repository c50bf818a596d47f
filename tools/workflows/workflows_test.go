// Package workflows checks the GitHub workflows beyond what actionlint
// knows: rules this project keeps.
package workflows

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type workflow struct {
	Jobs map[string]struct {
		TimeoutMinutes int `yaml:"timeout-minutes"`
		Steps          []struct {
			Run  string `yaml:"run"`
			If   string `yaml:"if"`
			Uses string `yaml:"uses"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

func load(t *testing.T) map[string]workflow {
	t.Helper()
	files, _ := filepath.Glob("../../.github/workflows/*.yml")
	if len(files) == 0 {
		t.Fatal("no workflows found")
	}
	out := map[string]workflow{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var w workflow
		if err := yaml.Unmarshal(b, &w); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[filepath.Base(f)] = w
	}
	return out
}

// Every job has a timeout: a hung run must not hold a stack's concurrency
// group for GitHub's default of six hours.
func TestEveryJobHasATimeout(t *testing.T) {
	for name, w := range load(t) {
		for job, j := range w.Jobs {
			if j.TimeoutMinutes <= 0 || j.TimeoutMinutes > 120 {
				t.Errorf("%s: job %s has timeout-minutes %d", name, job, j.TimeoutMinutes)
			}
		}
	}
}

// The offline plan comment is uploaded even when a plan fails, and the
// job fails after it.
func TestPlanCommentSurvivesAFailingPlan(t *testing.T) {
	plan := load(t)["pr-plan.yml"].Jobs["plan"]
	uploaded, failsAfter := false, false
	for _, s := range plan.Steps {
		if strings.HasPrefix(s.Uses, "actions/upload-artifact") && s.If == "always()" {
			uploaded = true
		}
		if uploaded && strings.Contains(s.Run, "exit 1") {
			failsAfter = true
		}
	}
	if !uploaded || !failsAfter {
		t.Errorf("pr-plan: comment uploaded always %v, fails after the upload %v", uploaded, failsAfter)
	}
}
