package stacks

import (
	"strings"
	"testing"
)

// References registries and clients accept pass; each break of the grammar
// is named.
func TestImageRefGrammar(t *testing.T) {
	digest := strings.Repeat("ab", 32)
	for _, ok := range []string{
		"mysql:8.4",
		"datatrigger/unlimited-translation_backend_fastapi:k8s",
		"europe-west1-docker.pkg.dev/my-project/translation/backend-fastapi:1.0.0",
		"localhost:5000/a/b__c:v1",
		"ghcr.io/owner/app@sha256:" + digest,
		"ghcr.io/owner/app:1.0@sha256:" + digest,
		"registry.example.com:8443/team/app",
	} {
		if msg := imageRefProblem(ok); msg != "" {
			t.Errorf("%s refused: %s", ok, msg)
		}
	}
	for ref, want := range map[string]string{
		"Mysql:8.4":                             `repository "Mysql" must be lowercase`,
		"owner/app:-bad":                        `malformed tag "-bad"`,
		"owner/app:" + strings.Repeat("t", 129): "malformed tag",
		"owner//app:1":                          "is not lowercase letters and digits",
		"owner/app@md5:12":                      "malformed digest",
		"bad_host.io:port/app:1":                `malformed registry host "bad_host.io:port"`,
		"-registry.io/app:1":                    `malformed registry host "-registry.io"`,
	} {
		if msg := imageRefProblem(ref); !strings.Contains(msg, want) {
			t.Errorf("%s: got %q, want it to contain %q", ref, msg, want)
		}
	}
}
