// Package report renders a set of resource changes (from the Pulumi
// engine's events, or from two offline plans) as a summary line and as a
// pull-request comment in Markdown.
package report

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// MaxMarkdown bounds a whole comment: GitHub refuses comments over 65,536
// characters, and the workflow adds a header of its own.
const MaxMarkdown = 60000

// Report is what an operation would change in one stack.
type Report struct {
	Kind  string // "preview", "drift" or "plan diff"
	Stack string
	// Changes are every resource that changes, in URN order.
	Changes []Change
	// Same counts resources left as they are.
	Same int
	// Config lists the stack's config keys that changed (plan diff).
	Config []ConfigChange
	// Base and Head name the revisions compared (plan diff).
	Base, Head string
	// Err is why the plan or preview failed; the report then holds nothing
	// else.
	Err string
	// Graph is a Mermaid chart of what changed and what depends on it.
	Graph string
	// Cost is what the change does to the monthly bill (plan diff).
	Cost *Cost
}

// Change is one resource's change.
type Change struct {
	// Op is create, update, replace, delete, read (adopted: only read from
	// now on), forget (removed from the state, left in the cloud) or same
	// (only resource options changed: nothing happens in the cloud).
	Op string
	// Mode says how a replace happens: create-before-delete,
	// delete-before-replace, or read-replacement (a resource this stack
	// created is deleted and an existing one read instead).
	Mode   string
	URN    string
	Type   string
	Parent string
	// Name is the cloud or Kubernetes name ("translation-dev",
	// "translation-backend"), "" when unknown.
	Name string
	// Replaces are the properties that force the replacement ("provider"
	// when its provider is replaced).
	Replaces []string
	// Reasons explain the operation in sentences.
	Reasons []string
	Props   []PropChange
	// Risks are what a replace or delete loses (data, IP, DNS delegation,
	// certificate, downtime).
	Risks []Risk
	// Blocked says why the operation will fail; Unlock how to proceed on
	// purpose.
	Blocked string
	Unlock  string
	// Note adds what the operation means in the cloud.
	Note string
}

// Risk is one thing a change loses.
type Risk struct {
	What   string `json:"what"`
	Detail string `json:"detail"`
}

// PropChange is one property, old and new. Secret values are never
// shown: Secret marks a change of one, Old and New then say [secret].
type PropChange struct {
	Path     string
	Old, New string
	Secret   bool
}

// ConfigChange is one config key of the stack, old and new ("" when
// unset); a secret's values are never shown.
type ConfigChange struct {
	Key     string `json:"key"`
	Old     string `json:"old"`
	New     string `json:"new"`
	Secret  bool   `json:"secret"`
	Added   bool   `json:"added"`
	Removed bool   `json:"removed"`
}

// Name is the resource's Pulumi name.
func (c Change) PulumiName() string { return URNName(c.URN) }

// Label is how a reader knows the resource: its real name when known.
func (c Change) Label() string {
	if c.Name != "" {
		return c.Name
	}
	return c.PulumiName()
}

// Destructive tells whether the change removes something: a replace or
// a delete.
func (c Change) Destructive() bool { return c.Op == "replace" || c.Op == "delete" }

// Counts returns the number of changes per operation.
func (r *Report) Counts() map[string]int {
	m := map[string]int{}
	for _, c := range r.Changes {
		m[c.Op]++
	}
	return m
}

// HasChanges tells whether anything would change in the cloud or the
// state (or drifted).
func (r *Report) HasChanges() bool {
	for _, c := range r.Changes {
		if c.Op != "same" {
			return true
		}
	}
	return false
}

// AtRisk lists the distinct kinds of loss among the changes.
func (r *Report) AtRisk() []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range r.Changes {
		for _, k := range c.Risks {
			if !seen[k.What] {
				seen[k.What] = true
				out = append(out, k.What)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Blocked lists the changes that will fail.
func (r *Report) Blocked() []Change {
	var out []Change
	for _, c := range r.Changes {
		if c.Blocked != "" {
			out = append(out, c)
		}
	}
	return out
}

// Summary is the report's one-line summary.
func (r *Report) Summary() string {
	if r.Err != "" {
		return fmt.Sprintf("the %s of stack %s failed: %s", r.Kind, r.Stack, firstLine(r.Err))
	}
	n := r.Counts()
	if r.Kind == "drift" {
		if !r.HasChanges() {
			return fmt.Sprintf("no drift: the cloud matches the state of stack %s (%d resources checked)", r.Stack, r.Same)
		}
		return fmt.Sprintf("%d resources drifted from the state of stack %s", len(r.Changes), r.Stack)
	}
	if !r.HasChanges() {
		return fmt.Sprintf("no changes to stack %s (%d resources unchanged)", r.Stack, r.Same+n["same"])
	}
	s := fmt.Sprintf("%d to create, %d to update, %d to replace, %d to delete", n["create"], n["update"], n["replace"], n["delete"])
	for _, op := range []string{"read", "forget"} {
		if n[op] > 0 {
			s += fmt.Sprintf(", %d to %s", n[op], op)
		}
	}
	return s + fmt.Sprintf(" (%d unchanged)", r.Same+n["same"])
}

func firstLine(s string) string {
	if i := strings.Index(s, "\n"); i >= 0 {
		return s[:i]
	}
	return s
}

// ComponentLabel names a component by its chain of types and its name.
func ComponentLabel(parent string) string {
	if parent == "" || strings.Contains(parent, "pulumi:pulumi:Stack") {
		return "stack"
	}
	// The parent's qualified type is its chain of components:
	// "translation:components:TranslationApp$translation:components:Backend".
	qualified := parent[strings.LastIndex(parent[:strings.LastIndex(parent, "::")], "::")+2 : strings.LastIndex(parent, "::")]
	var chain []string
	for _, t := range strings.Split(qualified, "$") {
		chain = append(chain, t[strings.LastIndex(t, ":")+1:])
	}
	return fmt.Sprintf("%s `%s`", strings.Join(chain, " › "), URNName(parent))
}

// URNName is the name part of a URN.
func URNName(urn string) string {
	i := strings.LastIndex(urn, "::")
	if i < 0 {
		return urn
	}
	return urn[i+2:]
}

// SecretSig marks a secret in serialized property values.
const SecretSig = "1b47061264138c4ac30d75fd1eb44270"

var pathPart = regexp.MustCompile(`([^.\[\]]+)|\[(\d+)\]|\["([^"]+)"\]`)

// Lookup follows a property path ("spec.containers[0].image",
// `metadata.annotations["a.b/c"]`) through decoded JSON.
func Lookup(m map[string]interface{}, path string) interface{} {
	var v interface{} = m
	for _, part := range pathPart.FindAllStringSubmatch(path, -1) {
		if isSecret(v) {
			return "[secret]"
		}
		switch x := v.(type) {
		case map[string]interface{}:
			key := part[1] + part[3]
			v = x[key]
		case []interface{}:
			i, err := strconv.Atoi(part[2])
			if err != nil || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func isSecret(v interface{}) bool {
	m, ok := v.(map[string]interface{})
	return ok && m["4dabf18193072939515e22adb298388d"] == SecretSig
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")

// UnknownValue is how the engine's events spell a value not known before
// apply (plugin.UnknownStringValue).
const UnknownValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

// Show renders a value on one line, secrets as [secret], long values cut.
func Show(v interface{}) string {
	if v == nil {
		return "(none)"
	}
	if v == UnknownValue {
		return "(known after apply)"
	}
	if isSecret(v) {
		return "[secret]"
	}
	var s string
	if str, ok := v.(string); ok {
		s = str
	} else {
		b, _ := json.Marshal(maskSecrets(v))
		s = string(b)
	}
	s = ansi.ReplaceAllString(s, "")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

func maskSecrets(v interface{}) interface{} {
	if isSecret(v) {
		return "[secret]"
	}
	switch x := v.(type) {
	case map[string]interface{}:
		out := map[string]interface{}{}
		for k, e := range x {
			out[k] = maskSecrets(e)
		}
		return out
	case []interface{}:
		out := make([]interface{}, len(x))
		for i, e := range x {
			out[i] = maskSecrets(e)
		}
		return out
	}
	return v
}

func code(s string) string {
	if s == "[secret]" || s == "(none)" {
		return s
	}
	return "`" + strings.ReplaceAll(s, "`", "'") + "`"
}

// IsMask tells whether a rendered value is a secret's mask ("[secret]" or
// a fingerprinted "[secret:…]").
func IsMask(s string) bool { return strings.HasPrefix(s, "[secret") }

// PathParts splits a property path into its keys and indices.
func PathParts(path string) []string {
	var out []string
	for _, m := range pathPart.FindAllStringSubmatch(path, -1) {
		out = append(out, m[1]+m[2]+m[3])
	}
	return out
}

// RealName is the name a reader knows a resource by, from its inputs: the
// cloud name, the Kubernetes object's name or a service account's ID; ""
// when it is unknown or secret.
func RealName(in map[string]interface{}) string {
	var meta interface{}
	if m, ok := in["metadata"].(map[string]interface{}); ok {
		meta = m["name"]
	}
	for _, v := range []interface{}{in["name"], meta, in["accountId"]} {
		if s, ok := v.(string); ok && s != "" && !strings.HasPrefix(s, "(") && !IsMask(s) && s != UnknownValue {
			return s
		}
	}
	return ""
}

// Unprotect says how to let op (replace, delete) go ahead on a protected
// resource on purpose.
func Unprotect(urn, op string) string {
	if IsBackupBucket(urn) {
		return "the backup bucket is always protected: a new bucket would be empty. To move the backups, copy them to a bucket of the new " +
			"setting (`gcloud storage cp -r gs://OLD/mysql gs://NEW/`) and set `backupBucket` to it; the old bucket stays in the project until you delete it"
	}
	if IsSQLDatabase(urn) {
		return "the Cloud SQL instance is always protected: a new one would be empty. To move it, export the databases " +
			"(`gcloud sql export sql`), run `infra destroy --delete-data --stack STACK`, change the setting, `infra up`, and import them"
	}
	if IsDataDisk(urn) {
		// Never advise unprotecting the data: a new disk is empty.
		return "the data disk is always protected: a new disk would be empty. To move the data to a new disk, dump the database, " +
			"run `infra destroy --delete-data --stack STACK`, change the setting, `infra up`, and load the dump (README, \"The data disk\")"
	}
	return fmt.Sprintf("turn its protection off in the program or config and `infra up` first, or `pulumi state unprotect '%s'`; then %s it", urn, op)
}

// IsKeptData tells whether urn holds data every destroy keeps: the data
// disk, the backup bucket, MLflow's database and artifact bucket.
func IsKeptData(urn string) bool {
	return IsDataDisk(urn) || IsBackupBucket(urn) || IsArtifactBucket(urn) || IsSQLDatabase(urn)
}

// IsDeletedWithData tells whether `infra destroy --delete-data` removes
// urn: the data disk and the Cloud SQL database. Buckets are never
// deleted (a destroy cannot empty them).
func IsDeletedWithData(urn string) bool { return IsDataDisk(urn) || IsSQLDatabase(urn) }

// IsArtifactBucket tells whether urn is an artifact bucket (infra's
// ArtifactBucket component), which no infra destroy deletes.
func IsArtifactBucket(urn string) bool { return inComponent(urn, "translation:infra:ArtifactBucket") }

// IsSQLDatabase tells whether urn is a Cloud SQL database (infra's
// PostgresDatabase component), which only `infra destroy --delete-data`
// removes.
func IsSQLDatabase(urn string) bool { return inComponent(urn, "translation:infra:PostgresDatabase") }

// inComponent tells whether urn is a component of type typ or one of its
// children.
func inComponent(urn, typ string) bool {
	return strings.Contains(urn, typ+"$") || strings.Contains(urn, "::"+typ+"::")
}

// IsBackupBucket tells whether urn is the backup bucket (infra's
// BackupBucket component), which no infra destroy deletes.
func IsBackupBucket(urn string) bool { return inComponent(urn, "translation:infra:BackupBucket") }

// IsDataDisk tells whether urn is the database's data disk (infra's
// DataDisk component), which only `infra destroy --delete-data` removes.
func IsDataDisk(urn string) bool { return inComponent(urn, "translation:infra:DataDisk") }
