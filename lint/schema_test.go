package lint

import (
	"reflect"
	"testing"
)

// TestCheckSchemaNulls: a null field is an omitted one (the API server
// decodes it to the zero value, or prunes it from a CRD object), so it is
// no schema problem unless the field is required; the object itself is
// not changed.
func TestCheckSchemaNulls(t *testing.T) {
	obj := map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": "cart", "namespace": "shop", "labels": nil},
		"spec": map[string]any{
			"containers": []any{map[string]any{"name": "cart", "image": "cart:1", "imagePullPolicy": nil}},
			"volumes":    []any{map[string]any{"name": "cache", "emptyDir": nil}},
		},
	}
	if ps := checkSchema(obj); len(ps) != 0 {
		t.Errorf("null fields: got %v, want no problems", ps)
	}
	c := obj["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)
	if v, ok := c["imagePullPolicy"]; !ok || v != nil {
		t.Errorf("checkSchema changed the object: imagePullPolicy = %v, %v", v, ok)
	}
	if _, ok := obj["metadata"].(map[string]any)["labels"]; !ok {
		t.Error("checkSchema dropped metadata.labels from the object")
	}

	// Required and null: missing.
	svc := map[string]any{
		"apiVersion": "v1", "kind": "Service",
		"metadata": map[string]any{"name": "cart"},
		"spec":     map[string]any{"ports": []any{map[string]any{"port": nil}}},
	}
	ps := checkSchema(svc)
	if len(ps) != 1 || ps[0].Path != "spec.ports[0].port" {
		t.Errorf("required null port: got %v, want one problem at spec.ports[0].port", ps)
	}

	// A null list item stays (no object the API server accepts).
	if got, changed := pruneNulls([]any{nil, 1}); changed || !reflect.DeepEqual(got, []any{nil, 1}) {
		t.Errorf("pruneNulls([nil 1]) = %v, %v", got, changed)
	}
	plain := map[string]any{"a": map[string]any{"b": []any{"c"}}}
	if got := withoutNulls(plain); reflect.ValueOf(got).Pointer() != reflect.ValueOf(plain).Pointer() {
		t.Error("withoutNulls copied an object without nulls")
	}
}
