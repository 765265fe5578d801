# METADATA
# title: Path pattern that Istio reads differently than intended
# description: >-
#   AuthorizationPolicy paths and notPaths support an exact path, a prefix
#   match with one trailing `*` ("/api/*"), a suffix match with one leading
#   `*` ("*.css"), `*` alone (any non-empty path) and, in path templates,
#   `{*}` (one segment) and `{**}` (any rest). Any other `*` is a literal
#   character: "/api/*/users" is the exact path with a star in it, "/api/**"
#   a prefix match on "/api/*". Istio accepts such a path and never matches
#   what the author meant. Paths istiod rejects outright (braces other than
#   whole {*}/{**} segments, "/users/{id}", `*` elsewhere in a template,
#   `{**}` not last) are MF101: the policy never reaches the mesh.
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

# suspicious is a cheap first filter: a star that is not a lone leading or
# trailing one.
suspicious(v) if {
	contains(v, "*")
	not simple_glob(v)
}

template(v) if contains(v, "{*}")

template(v) if contains(v, "{**}")

stars(v) := count(indexof_n(v, "*"))

problems(v) := literal_star(v)

literal_star(v) := {msg |
	not template(v)
	stars(v) > 0
	not simple_glob(v)
	msg := sprintf("Istio reads %q as %s, not as a wildcard in the middle; use {*} for one segment or {**} (or a trailing *) for the rest of the path", [v, reading(v)])
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
