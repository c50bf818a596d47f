package stacks

import (
	"fmt"
	"regexp"
	"strings"
)

// The OCI image reference grammar as the registry clients parse it
// (github.com/distribution/reference, regexp.go): an optional registry
// host[:port], lowercase path components, an optional tag of at most 128
// characters, an optional digest.
var (
	refDomain    = `(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?`
	refComponent = `[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`
	refTag       = regexp.MustCompile(`^[\w][\w.-]{0,127}$`)
	refDigest    = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$`)
	refPath      = regexp.MustCompile(`^` + refComponent + `(?:/` + refComponent + `)*$`)
	refHost      = regexp.MustCompile(`^` + refDomain + `$`)
)

// imageRefProblem says what breaks the grammar in ref, or "".
func imageRefProblem(ref string) string {
	name, digest, hasDigest := strings.Cut(ref, "@")
	if hasDigest {
		if alg, hex, _ := strings.Cut(digest, ":"); alg == "sha256" && len(hex) != 64 {
			return fmt.Sprintf("%q has a sha256 digest of %d hex digits; it has 64", ref, len(hex))
		}
		if !refDigest.MatchString(digest) {
			return fmt.Sprintf("%q has a malformed digest %q (e.g. @sha256: and 64 hex digits)", ref, digest)
		}
	}
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		if tag := name[i+1:]; !refTag.MatchString(tag) {
			return fmt.Sprintf("%q has a malformed tag %q (letters, digits, _ . -, at most 128, not starting with . or -)", ref, tag)
		}
		name = name[:i]
	}
	path := name
	// The first component is a registry host when it has a dot or a port,
	// or is localhost (the same rule the clients use).
	if host, rest, ok := strings.Cut(name, "/"); ok && (strings.ContainsAny(host, ".:") || host == "localhost") {
		if !refHost.MatchString(host) {
			return fmt.Sprintf("%q has a malformed registry host %q", ref, host)
		}
		path = rest
	}
	if len(name) > 255 {
		return fmt.Sprintf("%q is longer than 255 characters before its tag", ref)
	}
	if !refPath.MatchString(path) {
		if path != strings.ToLower(path) {
			return fmt.Sprintf("%q: the repository %q must be lowercase", ref, path)
		}
		return fmt.Sprintf("%q: the repository %q is not lowercase letters and digits separated by . _ __ - or /", ref, path)
	}
	return ""
}
