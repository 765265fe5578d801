package schemas

import (
	"encoding/json"
	"sort"
	"strings"
)

// FleetFields lists every field the VMFleet schema defines, as paths:
// "spec.ports[].name" for the fields of list items, "spec.labels.*" for the
// values of a map. It lets a test hold render's Go decoder and the schema to
// the same set of fields, so neither can grow a field the other lacks.
func FleetFields() []string {
	var doc map[string]any
	if err := json.Unmarshal(FleetJSONSchema(), &doc); err != nil {
		panic(err)
	}
	defs, _ := doc["definitions"].(map[string]any)
	seen := map[string]bool{}
	var walk func(s any, path string, depth int)
	walk = func(s any, path string, depth int) {
		m, ok := s.(map[string]any)
		if !ok || depth > 32 {
			return
		}
		if ref, ok := m["$ref"].(string); ok {
			walk(defs[strings.TrimPrefix(ref, "#/definitions/")], path, depth+1)
		}
		for _, k := range []string{"anyOf", "oneOf", "allOf"} {
			if l, ok := m[k].([]any); ok {
				for _, b := range l {
					walk(b, path, depth+1)
				}
			}
		}
		if props, ok := m["properties"].(map[string]any); ok {
			for name, p := range props {
				if p == true {
					continue // a oneOf branch naming a field, not defining it
				}
				fp := name
				if path != "" {
					fp = path + "." + name
				}
				seen[fp] = true
				walk(p, fp, depth+1)
			}
		}
		switch items := m["items"].(type) {
		case map[string]any:
			walk(items, path+"[]", depth+1)
		case []any:
			for _, it := range items {
				walk(it, path+"[]", depth+1)
			}
		}
		values := []any{m["additionalProperties"]}
		if pp, ok := m["patternProperties"].(map[string]any); ok {
			for _, p := range pp {
				values = append(values, p)
			}
		}
		for _, v := range values {
			if vm, ok := v.(map[string]any); ok {
				seen[path+".*"] = true
				walk(vm, path+".*", depth+1)
			}
		}
	}
	walk(doc, "", 0)
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
