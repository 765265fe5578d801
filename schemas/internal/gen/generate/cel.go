package generate

import "regexp"

// CRD schemas state some constraints only as CEL rules
// (x-kubernetes-validations), which JSON Schema validators ignore. carryCEL
// rewrites the rules whose meaning has an exact or safely weaker JSON Schema
// form into keywords before extraction, so the generated schemas enforce
// them; the other rules are left to Istio's admission.
func carryCEL(s map[string]any) {
	if rules, ok := s["x-kubernetes-validations"].([]any); ok {
		for _, r := range rules {
			rm, _ := r.(map[string]any)
			rule, _ := rm["rule"].(string)
			applyCEL(s, spaceRE.ReplaceAllString(rule, " "))
		}
	}
	for _, key := range []string{"properties", "patternProperties"} {
		if props, ok := s[key].(map[string]any); ok {
			for _, p := range props {
				if pm, ok := p.(map[string]any); ok {
					carryCEL(pm)
				}
			}
		}
	}
	for _, key := range []string{"items", "additionalProperties", "not"} {
		if pm, ok := s[key].(map[string]any); ok {
			carryCEL(pm)
		}
	}
	for _, key := range []string{"allOf", "anyOf", "oneOf"} {
		if list, ok := s[key].([]any); ok {
			for _, p := range list {
				if pm, ok := p.(map[string]any); ok {
					carryCEL(pm)
				}
			}
		}
	}
}

// durationPattern is the syntax CEL's duration() accepts (Go's
// time.ParseDuration); the rule's lower bound of 1ms is not carried.
const durationPattern = `^[-+]?([0-9]*(\.[0-9]*)?(ns|us|µs|μs|ms|s|m|h))+$`

// CarriedCEL lists the CEL rules carryCEL translates, and how.
var CarriedCEL = []struct{ Rule, As string }{
	{`0 < self && self <= 65535`, "minimum 1, maximum 65535 (port numbers)"},
	{`!self.contains("*")`, `pattern ^[^*]*$ (no wildcard in hosts and names)`},
	{`self != "*"`, `pattern that refuses the lone "*"`},
	{`self in ["", "HTTP", "HTTPS"]`, `enum "", HTTP, HTTPS`},
	{`duration(self) >= duration('1ms')`, "pattern of a duration (the 1ms lower bound is not carried)"},
	{`has(self.address) || has(self.network)`, "anyOf required address | required network (WorkloadEntry and ServiceEntry endpoints)"},
	{`(has(self.a) ? 1 : 0) + (has(self.b) ? 1 : 0) [+ ...] <= 1`, "not required [a, b] for each pair (selector/targetRef/targetRefs; workloadSelector/endpoints; jwksUri/jwks_uri/jwks; credentialName/credentialNames/tlsCertificates)"},
	{`self.size() == 0`, "maxLength 0 (targetRef namespaces, which must stay empty)"},
}

// atMostOneRE matches the CEL idiom for "at most one of these fields".
var atMostOneRE = regexp.MustCompile(`^\(has\(self\.(\w+)\) \? 1 : 0\)( \+ \(has\(self\.(\w+)\) \? 1 : 0\))+ <= 1$`)

var hasRE = regexp.MustCompile(`has\(self\.(\w+)\)`)

func applyCEL(s map[string]any, rule string) {
	if atMostOneRE.MatchString(rule) {
		var fields []string
		for _, m := range hasRE.FindAllStringSubmatch(rule, -1) {
			fields = append(fields, m[1])
		}
		allOf, _ := s["allOf"].([]any)
		for i := range fields {
			for j := i + 1; j < len(fields); j++ {
				allOf = append(allOf, map[string]any{"not": map[string]any{"required": []any{fields[i], fields[j]}}})
			}
		}
		s["allOf"] = allOf
		return
	}
	switch rule {
	case `self.size() == 0`:
		if s["type"] == "string" {
			s["maxLength"] = 0
		}
	case `0 < self && self <= 65535`:
		s["minimum"] = 1
		s["maximum"] = 65535
	case `!self.contains("*")`:
		s["pattern"] = `^[^*]*$`
	case `self != "*"`:
		if _, ok := s["pattern"]; !ok {
			s["pattern"] = `^([^*]|.{2,})$`
		}
	case `self in ["", "HTTP", "HTTPS"]`:
		s["enum"] = []any{"", "HTTP", "HTTPS"}
	case `duration(self) >= duration('1ms')`:
		s["pattern"] = durationPattern
	case `has(self.address) || has(self.network)`:
		s["anyOf"] = []any{
			map[string]any{"required": []any{"address"}},
			map[string]any{"required": []any{"network"}},
		}
	}
}
