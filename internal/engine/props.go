package engine

import "github.com/pulumi/pulumi/sdk/v3/go/common/resource"

// stringAt and arrayAt read a property path (resource.PropertyPath) of v;
// "" or nil where it holds no such value.
func stringAt(v resource.PropertyValue, path string) string {
	if got, ok := at(v, path); ok && got.IsString() {
		return got.StringValue()
	}
	return ""
}

func arrayAt(v resource.PropertyValue, path string) []resource.PropertyValue {
	if got, ok := at(v, path); ok && got.IsArray() {
		return got.ArrayValue()
	}
	return nil
}

// at reads path (constant paths of this file: they parse) of v.
func at(v resource.PropertyValue, path string) (resource.PropertyValue, bool) {
	p, err := resource.ParsePropertyPath(path)
	if err != nil {
		return resource.PropertyValue{}, false
	}
	return p.Get(v)
}
