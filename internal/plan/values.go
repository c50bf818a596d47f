package plan

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

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
func Plain(v resource.PropertyValue) interface{} { return plainer{}.value(v) }

// PlainMap converts a property map with Plain.
func PlainMap(m resource.PropertyMap) map[string]interface{} { return plainer{}.object(m) }

// plainer renders values; with a key, each secret becomes
// "[secret:<fingerprint>]", an HMAC of its content under that key, so two
// plans made with the same key can tell whether a secret changed without
// either showing it. The key is random per comparison and never printed,
// so a fingerprint cannot be checked against guesses afterwards.
type plainer struct{ key []byte }

// IsSecretMask tells whether a rendered value is a secret's mask.
func IsSecretMask(s string) bool { return strings.HasPrefix(s, "[secret") }

func (pl plainer) value(v resource.PropertyValue) interface{} {
	switch {
	case v.IsSecret():
		// A secret map keeps its keys (they are structure, not data), so a
		// Secret's manifest stays a valid object; every value is masked.
		if e := v.SecretValue().Element; e.IsObject() {
			out := make(map[string]interface{}, len(e.ObjectValue()))
			for k, x := range e.ObjectValue() {
				out[string(k)] = pl.mask(x)
			}
			return out
		}
		return pl.mask(v.SecretValue().Element)
	case v.IsComputed():
		return UnknownMarker
	case v.IsOutput():
		o := v.OutputValue()
		if o.Secret {
			if !o.Known {
				return pl.mask(resource.MakeComputed(resource.NewStringProperty("")))
			}
			return pl.mask(o.Element)
		}
		if !o.Known {
			return UnknownMarker
		}
		return pl.value(o.Element)
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
			out[i] = pl.value(e)
		}
		return out
	case v.IsObject():
		return pl.object(v.ObjectValue())
	case v.IsResourceReference():
		return string(v.ResourceReferenceValue().URN)
	case v.IsAsset(), v.IsArchive():
		return "(asset)"
	}
	return nil
}

func (pl plainer) object(m resource.PropertyMap) map[string]interface{} {
	out := make(map[string]interface{}, len(m))
	for k, e := range m {
		out[string(k)] = pl.value(e)
	}
	return out
}

// mask hides a secret's content: "[secret]" without a key; with one, the
// fingerprint, or "[secret:(known after apply)]" when the content is not
// known yet.
func (pl plainer) mask(v resource.PropertyValue) string {
	if pl.key == nil {
		return SecretMarker
	}
	// Inside the mask nothing is hidden: the content itself is hashed.
	content := plainer{}.reveal(v)
	b, _ := json.Marshal(content)
	if strings.Contains(string(b), UnknownMarker) {
		return "[secret:" + UnknownMarker + "]"
	}
	h := hmac.New(sha256.New, pl.key)
	h.Write(b)
	return "[secret:" + hex.EncodeToString(h.Sum(nil))[:16] + "]"
}

// reveal is value with secrets unwrapped: only ever hashed, never shown.
func (pl plainer) reveal(v resource.PropertyValue) interface{} {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	if v.IsOutput() && v.OutputValue().Known {
		v = v.OutputValue().Element
	}
	switch {
	case v.IsArray():
		out := make([]interface{}, len(v.ArrayValue()))
		for i, e := range v.ArrayValue() {
			out[i] = pl.reveal(e)
		}
		return out
	case v.IsObject():
		out := map[string]interface{}{}
		for k, e := range v.ObjectValue() {
			out[string(k)] = pl.reveal(e)
		}
		return out
	}
	return pl.value(v)
}
