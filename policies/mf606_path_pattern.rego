# METADATA
# title: Path pattern that Istio rejects or reads differently than intended
# description: >-
#   AuthorizationPolicy paths and notPaths support an exact path, a prefix
#   match with one trailing `*` ("/api/*"), a suffix match with one leading
#   `*` ("*.css"), `*` alone (any non-empty path) and, in path templates,
#   `{*}` (one segment) and `{**}` (any rest). Any other `*` is a literal
#   character: "/api/*/users" is the exact path with a star in it, "/api/**"
#   a prefix match on "/api/*". Braces other than the two operators are
#   literal too ("/users/{id}"). A template must have no `*`, `{` or `}`
#   outside its operators, nothing else in an operator's segment, and `{**}`
#   as its last operator, or Istio rejects the policy.
# custom:
#   id: MF606
#   severity: warning
#   remediation: >-
#     Use "/api/{*}/users" to match one segment, "/api/{**}" or "/api/*" for
#     everything below a prefix, and keep `{**}` last in a template.
#   bad: |
#     apiVersion: security.istio.io/v1
#     kind: AuthorizationPolicy
#     metadata: {name: api, namespace: shop}
#     spec:
#       rules:
#         - to:
#             - operation: {paths: ["/api/*/users"]}   # exact path with a literal *
#   good: |
#     apiVersion: security.istio.io/v1
#     kind: AuthorizationPolicy
#     metadata: {name: api, namespace: shop}
#     spec:
#       rules:
#         - to:
#             - operation: {paths: ["/api/{*}/users"]}
package meshfleet.rules.mf606

findings contains f if {
	some ap in input.resources.AuthorizationPolicy
	some field in ["paths", "notPaths"]
	some c in ap.conditions[field]
	some k, v in c.values
	is_string(v)
	suspicious(v)
	some problem in problems(v)
	f := {
		"ref": ap.ref,
		"path": sprintf("%s[%d]", [c.path, k]),
		"message": problem,
	}
}

# suspicious is a cheap first filter: braces, or a star that is not a lone
# leading or trailing one.
suspicious(v) if contains(v, "{")

suspicious(v) if contains(v, "}")

suspicious(v) if {
	contains(v, "*")
	not simple_glob(v)
}

template(v) if contains(v, "{*}")

template(v) if contains(v, "{**}")

stars(v) := count(indexof_n(v, "*"))

problems(v) := union({outside_operators(v), mixed_segment(v), double_star_not_last(v), literal_star(v), literal_braces(v)})

outside_operators(v) := {msg |
	template(v)
	rest := replace(replace(v, "{**}", ""), "{*}", "")
	regex.match(`[*{}]`, rest)
	msg := sprintf("Istio rejects path template %q: it has *, { or } outside a {*} or {**} operator; use {*} for one segment and {**} for the rest of the path", [v])
}

mixed_segment(v) := {msg |
	template(v)
	some seg in split(v, "/")
	regex.match(`\{\*\*?\}`, seg)
	not seg in {"{*}", "{**}"}
	msg := sprintf("Istio rejects path template %q: segment %q mixes an operator with other characters; an operator must be the whole segment", [v, seg])
}

double_star_not_last(v) := {msg |
	template(v)
	ops := regex.find_n(`\{\*\*?\}`, v, -1)
	some k, op in ops
	op == "{**}"
	k < count(ops) - 1
	msg := sprintf("Istio rejects path template %q: {**} must be its last operator", [v])
}

literal_star(v) := {msg |
	not template(v)
	stars(v) > 0
	not simple_glob(v)
	msg := sprintf("Istio reads %q as %s, not as a wildcard in the middle; use {*} for one segment or {**} (or a trailing *) for the rest of the path", [v, reading(v)])
}

literal_braces(v) := {msg |
	not template(v)
	regex.match(`\{[^}]*\}`, v)
	msg := sprintf("Istio reads the braces in %q literally: the only path template operators are {*} (one segment) and {**} (the rest of the path)", [v])
}

simple_glob("*")

simple_glob(v) if {
	stars(v) == 1
	startswith(v, "*")
}

simple_glob(v) if {
	stars(v) == 1
	endswith(v, "*")
}

reading(v) := sprintf("a suffix match on %q, whose other * is a literal character", [substring(v, 1, -1)]) if startswith(v, "*")

reading(v) := sprintf("a prefix match on %q, whose other * is a literal character", [trim_suffix(v, "*")]) if {
	not startswith(v, "*")
	endswith(v, "*")
}

reading(v) := "an exact path with a literal *" if {
	not startswith(v, "*")
	not endswith(v, "*")
}
