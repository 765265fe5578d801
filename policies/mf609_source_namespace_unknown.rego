# METADATA
# title: Source namespace matches no namespace of the input
# description: >-
#   With a complete input (lint --complete, or complete: true in
#   .meshfleet.yaml), an AuthorizationPolicy source.namespaces or
#   source.notNamespaces entry matches none of the input's namespaces (a
#   Namespace object, or any resource in it). The entry then matches no
#   caller: an ALLOW policy denies the callers it was written for, a DENY
#   policy denies nothing from them, and a notNamespaces entry excludes
#   nothing. Usually a typo or a renamed namespace. Entries are matched as
#   Istio matches them: exact ("shop"), prefix ("team-*"), suffix
#   ("*-prod"), presence ("*": any namespace), Istio reading every "*" as
#   any run of characters. The namespaces every cluster has (default,
#   kube-system, kube-public, kube-node-lease) and Istio's root namespace
#   count as existing though a repository rarely holds them. Not checked:
#   partial inputs (the default: the input cannot know every namespace),
#   entries with characters no namespace name has besides "*" and ".".
# custom:
#   id: MF609
#   severity: warning
#   remediation: >-
#     Fix the namespace name or pattern, create the namespace, or drop the
#     entry.
#   bad: |
#     # linted with --complete
#     apiVersion: v1
#     kind: Namespace
#     metadata: {name: frontend}
#     ---
#     apiVersion: security.istio.io/v1
#     kind: AuthorizationPolicy
#     metadata: {name: cart-allow, namespace: shop}
#     spec:
#       action: ALLOW
#       rules:
#         - from:
#             - source: {namespaces: [frontnd]}
#   good: |
#     apiVersion: v1
#     kind: Namespace
#     metadata: {name: frontend}
#     ---
#     apiVersion: security.istio.io/v1
#     kind: AuthorizationPolicy
#     metadata: {name: cart-allow, namespace: shop}
#     spec:
#       action: ALLOW
#       rules:
#         - from:
#             - source: {namespaces: [frontend]}
package meshfleet.rules.mf609

import data.meshfleet.lib

findings contains f if {
	lib.complete
	some ap in input.resources.AuthorizationPolicy
	lib.istio(ap)
	some field in ["namespaces", "notNamespaces"]
	some c in ap.conditions[field]
	some k, entry in c.values
	is_string(entry)
	checked(entry)
	not matches_some(entry)
	f := {
		"ref": ap.ref,
		"path": sprintf("%s[%d]", [c.path, k]),
		"message": sprintf(
			"%s entry %s matches no namespace of the input, so %s; fix the %s%s",
			[field, written(entry), effect[field], kind(entry), known_list],
		),
	}
}

# checked is true for entries made only of characters a namespace name may
# have, "*" and ".": Istio writes the entry into a regular expression, "*"
# becoming ".*", so other characters could mean anything.
checked(entry) if regex.match(`^[A-Za-z0-9._*-]+$`, entry)

# matches_some is true when the entry matches a namespace of the input, or
# one every cluster has.
matches_some(entry) if lib.namespace_exists(entry)

matches_some(entry) if {
	contains(entry, "*")
	some ns in namespace_names
	matches(entry, ns)
}

matches_some(entry) if {
	contains(entry, ".")
	some ns in namespace_names
	matches(entry, ns)
}

# matches follows Istio: the entry becomes the regular expression
# .*/ns/<entry>/.* over the caller's principal, each "*" turned into ".*":
# over the namespace name, a full match of the entry with every "*" any run
# of characters (so "*" alone any namespace).
matches(entry, ns) if regex.match(concat("", ["^", replace(entry, "*", ".*"), "$"]), ns)

namespace_names contains ns if some ns, _ in input.index.namespaces

namespace_names contains ns if {
	some ns in {"default", "kube-system", "kube-public", "kube-node-lease", input.index.rootNamespace}
}

kind(entry) := "pattern" if contains(entry, "*")

kind(entry) := "name" if not contains(entry, "*")

written(entry) := sprintf("pattern %q", [entry]) if contains(entry, "*")

written(entry) := sprintf("%q", [entry]) if not contains(entry, "*")

effect := {
	"namespaces": "no caller matches it (an ALLOW rule does not let in the callers meant, a DENY rule does not stop them)",
	"notNamespaces": "it excludes no caller",
}

# known_list names the input's namespaces when they are few, to make a typo
# obvious.
known_list := sprintf(" (the input has %s)", [concat(", ", sorted)]) if {
	sorted := sort([ns | some ns, _ in input.index.namespaces])
	count(sorted) > 0
	count(sorted) <= 10
} else := ""
