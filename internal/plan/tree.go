package plan

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// WriteTree renders the plan like a Terraform plan against empty state:
// components with their children nested, every input of a custom resource
// as path = value, then the stack outputs.
func (p *Plan) WriteTree(w io.Writer) error {
	create, read := p.Counts()
	bw := &errWriter{w: w}
	bw.printf("Plan for stack %q of %s: %d to create, %d to read\n", p.Stack, p.Project, create, read)
	bw.printf("Values marked %s are encrypted in config; %s values are computed by the cloud.\n", SecretMarker, UnknownMarker)
	for _, n := range p.NotSet {
		bw.printf("Not set yet (planned as %s; preview and up stop until it is): %s: %s\n", SecretMarker, n.Key, n.Fix)
	}
	if len(p.Encrypted) > 0 {
		bw.printf("Stored encrypted, planned with their defaults (the offline plan cannot decrypt them): %s\n", strings.Join(p.Encrypted, ", "))
	}
	bw.printf("\n")
	if root := p.Root(); root != nil {
		p.writeNode(bw, root, 0)
	}
	if len(p.Outputs) > 0 {
		bw.printf("\nOutputs:\n")
		for _, k := range p.Outputs.StableKeys() {
			bw.printf("  %s = %s\n", k, render(p.Outputs[k]))
		}
	}
	return bw.err
}

func (p *Plan) writeNode(w *errWriter, r *Resource, depth int) {
	indent := strings.Repeat("  ", depth)
	sign := "+"
	if r.Read {
		sign = "<="
	}
	w.printf("%s%s %s (%s)", indent, sign, r.Name, r.Type)
	if r.Read {
		w.printf(" read %s", r.ID)
	}
	w.printf("\n")
	if opts := describeOptions(r.Options); opts != "" {
		w.printf("%s      [%s]\n", indent, opts)
	}
	if r.Custom {
		for _, line := range flatten("", resource.NewObjectProperty(r.Inputs)) {
			w.printf("%s      %s\n", indent, line)
		}
	}
	for _, c := range p.Children(r.URN) {
		p.writeNode(w, c, depth+1)
	}
}

func describeOptions(o Options) string {
	var parts []string
	if o.Protect {
		parts = append(parts, "protect")
	}
	if o.DeleteBeforeReplace {
		parts = append(parts, "deleteBeforeReplace")
	}
	if o.RetainOnDelete {
		parts = append(parts, "retainOnDelete")
	}
	if len(o.IgnoreChanges) > 0 {
		parts = append(parts, "ignoreChanges="+strings.Join(o.IgnoreChanges, ","))
	}
	if len(o.ReplaceOnChanges) > 0 {
		parts = append(parts, "replaceOnChanges="+strings.Join(o.ReplaceOnChanges, ","))
	}
	if o.DeletedWith != "" {
		parts = append(parts, "deletedWith="+resource.URN(o.DeletedWith).Name())
	}
	if t := o.CustomTimeouts; t != nil {
		for _, kv := range [][2]string{{"create", t.Create}, {"update", t.Update}, {"delete", t.Delete}} {
			if kv[1] != "" {
				parts = append(parts, "timeout."+kv[0]+"="+kv[1])
			}
		}
	}
	return strings.Join(parts, ", ")
}

// flatten lists a value's leaves as "path = value", in key order.
func flatten(path string, v resource.PropertyValue) []string {
	switch {
	case v.IsSecret() && v.SecretValue().Element.IsObject():
		var out []string
		for _, k := range v.SecretValue().Element.ObjectValue().StableKeys() {
			out = append(out, join(path, string(k))+" = "+SecretMarker)
		}
		return out
	case v.IsObject():
		obj := v.ObjectValue()
		if len(obj) == 0 && path != "" {
			return []string{path + " = {}"}
		}
		var out []string
		for _, k := range obj.StableKeys() {
			out = append(out, flatten(join(path, string(k)), obj[k])...)
		}
		return out
	case v.IsArray():
		arr := v.ArrayValue()
		if len(arr) == 0 {
			return []string{path + " = []"}
		}
		var out []string
		for i, e := range arr {
			out = append(out, flatten(fmt.Sprintf("%s[%d]", path, i), e)...)
		}
		return out
	}
	return []string{path + " = " + render(v)}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// render shows one value on one line.
func render(v resource.PropertyValue) string {
	switch x := Plain(v).(type) {
	case string:
		if x == SecretMarker || x == UnknownMarker {
			return x
		}
		return strconv.Quote(x)
	case nil:
		return "null"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	default:
		return strings.Join(flatten("", v), "; ")
	}
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...interface{}) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
