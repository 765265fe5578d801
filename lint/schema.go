package lint

import (
	"fmt"

	"github.com/meshfleet/meshfleet/lint/finding"
	"github.com/meshfleet/meshfleet/schemas"
)

// The MF1xx rules check one resource at a time against the schemas of
// package schemas: the CUE definitions generated from Istio's CRDs and
// k8s.io/api, validated through their JSON Schema export (fast enough for
// the lint budget, DESIGN.md §6). They run on the evaluation workers like
// every Go check.
var (
	RuleSchema = finding.Rule{
		ID:          "MF101",
		Title:       "Resource does not match its schema",
		Severity:    finding.Error,
		Description: "An Istio or Kubernetes resource has a field its kind does not define, a value of the wrong type, a value outside an enum, or lacks a required field. The API server rejects most of these; Istio's CRDs accept unknown fields silently and then ignore them, so a misspelt `subset` or `tls` setting simply does nothing. Schemas are closed except under x-kubernetes-preserve-unknown-fields.",
		Remediation: "Fix the field at the position given: the message names the expected type or values, and an unknown field gets the nearest valid name.",
		Bad:         "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: cart, namespace: shop}\nspec:\n  hosts: [cart]\n  http:\n    - route:\n        - destination:\n            host: cart\n            subnet: v1   # unknown field: did you mean subset?\n",
		Good:        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: cart, namespace: shop}\nspec:\n  hosts: [cart]\n  http:\n    - route:\n        - destination:\n            host: cart\n            subset: v1\n",
	}
	RuleOlderAPI = finding.Rule{
		ID:          "MF102",
		Title:       "Older apiVersion where v1 serves the same kind",
		Severity:    finding.Info,
		Description: "The resource uses an Istio beta or alpha apiVersion for a kind that Istio also serves as v1, the stable API with the same schema. No CRD marks the older versions deprecated, so this is information, not a defect: v1 is what new tooling and documentation assume.",
		Remediation: "Change apiVersion to the v1 version named in the message once every cluster you deploy to runs at least the Istio version it names (render with --istio-version to keep older ones).",
		Bad:         "apiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\nmetadata: {name: cart, namespace: shop}\nspec: {host: cart}\n",
		Good:        "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: cart, namespace: shop}\nspec: {host: cart}\n",
	}
	RuleInvalidName = finding.Rule{
		ID:          "MF103",
		Title:       "Invalid resource name",
		Severity:    finding.Error,
		Description: "metadata.name is not valid for its kind: Services need a DNS-1035 label (a letter first), Namespaces a DNS-1123 label, most other kinds, Istio's included, a DNS-1123 subdomain. The API server refuses the object, so the whole apply fails.",
		Remediation: "Rename the resource with lower-case letters, digits and '-' (and '.' where a subdomain is allowed), starting and ending with a letter or digit, and update the references to it.",
		Bad:         "apiVersion: v1\nkind: Service\nmetadata: {name: Cart_Service, namespace: shop}\nspec:\n  selector: {app: cart}\n  ports: [{name: http, port: 8080}]\n",
		Good:        "apiVersion: v1\nkind: Service\nmetadata: {name: cart-service, namespace: shop}\nspec:\n  selector: {app: cart}\n  ports: [{name: http, port: 8080}]\n",
	}
)

// schemaChecks are the MF1xx rules every engine runs.
func schemaChecks() []Check {
	return []Check{
		{Rule: RuleSchema, Run: checkSchema},
		{Rule: RuleOlderAPI, Run: checkOlderAPI},
		{Rule: RuleInvalidName, Run: checkName},
	}
}

func typeOf(obj map[string]any) (apiVersion, kind string) {
	apiVersion, _ = obj["apiVersion"].(string)
	kind, _ = obj["kind"].(string)
	return apiVersion, kind
}

func checkSchema(obj map[string]any) []Problem {
	apiVersion, kind := typeOf(obj)
	clean := withoutNulls(obj)
	ps := schemas.Validate(apiVersion, kind, clean)
	meta, _ := obj["metadata"].(map[string]any)
	_, named := meta["name"].(string)
	more := istiodProblems(apiVersion, kind, clean)
	out := make([]Problem, 0, len(ps)+len(more))
	for _, p := range ps {
		if named && p.Path == "metadata.name" {
			continue // a malformed name is MF103's, reported once
		}
		out = append(out, Problem{Path: p.Path, Message: p.Path + ": " + p.Msg, AtKey: p.Kind == schemas.UnknownField})
	}
	return append(out, more...)
}

func checkOlderAPI(obj map[string]any) []Problem {
	apiVersion, kind := typeOf(obj)
	next, since, ok := schemas.Successor(apiVersion, kind)
	if !ok {
		return nil
	}
	return []Problem{{Path: "apiVersion", Message: fmt.Sprintf(
		"%s %s is also served as %s (the stable API since Istio %s, same schema); switch apiVersion once every cluster runs Istio %s or later",
		apiVersion, kind, next, since, since)}}
}

func checkName(obj map[string]any) []Problem {
	apiVersion, kind := typeOf(obj)
	if !schemas.Known(apiVersion, kind) {
		return nil
	}
	meta, _ := obj["metadata"].(map[string]any)
	name, ok := meta["name"].(string)
	if !ok {
		return nil // a missing or non-string name is MF101's
	}
	if err := schemas.ValidName(kind, name); err != nil {
		return []Problem{{Path: "metadata.name", Message: err.Error()}}
	}
	return nil
}

// withoutNulls is obj without the mapping fields whose value is null, at any
// depth: the API server reads `emptyDir: null` or `imagePullPolicy: null` as
// an omitted field (a typed field decodes null to its zero value, and a
// CRD's structural schema prunes nulls before validation unless the field is
// nullable). Nulls inside lists stay (a null list item is no object the API
// server accepts). obj itself is returned when it holds no null field, and
// never modified: the index and the rules read it as written.
func withoutNulls(obj map[string]any) map[string]any {
	if m, changed := pruneNulls(obj); changed {
		return m.(map[string]any)
	}
	return obj
}

// pruneNulls returns v with null mapping fields dropped, copying only the
// maps and lists on the way to one, and whether it dropped any.
func pruneNulls(v any) (any, bool) {
	switch t := v.(type) {
	case map[string]any:
		var out map[string]any
		for k, e := range t {
			ne, changed := e, false
			if e == nil {
				changed = true
			} else {
				ne, changed = pruneNulls(e)
			}
			if !changed {
				continue
			}
			if out == nil {
				out = make(map[string]any, len(t))
				for k2, e2 := range t {
					out[k2] = e2
				}
			}
			if e == nil {
				delete(out, k)
			} else {
				out[k] = ne
			}
		}
		if out == nil {
			return v, false
		}
		return out, true
	case []any:
		var out []any
		for i, e := range t {
			ne, changed := pruneNulls(e)
			if !changed {
				continue
			}
			if out == nil {
				out = append([]any(nil), t...)
			}
			out[i] = ne
		}
		if out == nil {
			return v, false
		}
		return out, true
	}
	return v, false
}
