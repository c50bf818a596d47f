package plan

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Markers that stand in for values the plan must not, or cannot, show.
const (
	SecretMarker  = "[secret]"
	UnknownMarker = "(known after apply)"
)

// Plain converts a property value into plain Go values (maps, slices,
// strings, float64, bool, nil) with secrets and unknowns replaced by their
// markers. Secrets are never read.
func Plain(v resource.PropertyValue) interface{} {
	switch {
	case v.IsSecret():
		// A secret map keeps its keys (they are structure, not data), so a
		// Secret's manifest stays a valid object; every value is masked.
		if e := v.SecretValue().Element; e.IsObject() {
			out := make(map[string]interface{}, len(e.ObjectValue()))
			for k := range e.ObjectValue() {
				out[string(k)] = SecretMarker
			}
			return out
		}
		return SecretMarker
	case v.IsComputed():
		return UnknownMarker
	case v.IsOutput():
		o := v.OutputValue()
		if o.Secret {
			return SecretMarker
		}
		if !o.Known {
			return UnknownMarker
		}
		return Plain(o.Element)
	case v.IsNull():
		return nil
	case v.IsBool():
		return v.BoolValue()
	case v.IsNumber():
		return v.NumberValue()
	case v.IsString():
		return v.StringValue()
	case v.IsArray():
		out := make([]interface{}, len(v.ArrayValue()))
		for i, e := range v.ArrayValue() {
			out[i] = Plain(e)
		}
		return out
	case v.IsObject():
		return PlainMap(v.ObjectValue())
	case v.IsResourceReference():
		return string(v.ResourceReferenceValue().URN)
	case v.IsAsset(), v.IsArchive():
		return "(asset)"
	}
	return nil
}

// PlainMap converts a property map with Plain.
func PlainMap(m resource.PropertyMap) map[string]interface{} {
	out := make(map[string]interface{}, len(m))
	for k, e := range m {
		out[string(k)] = Plain(e)
	}
	return out
}
