package meshfleet.rules.mf606_test

import data.meshfleet.rules.mf606

ap(paths) := {
	"ref": 1, "apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
	"namespace": "shop", "name": "api",
	"conditions": {"paths": [{"rule": 0, "to": 0, "path": "spec.rules[0].to[0].operation.paths", "values": paths}]},
}

run(paths) := fs if {
	fs := mf606.findings with input as {"resources": {"AuthorizationPolicy": [ap(paths)]}}
}

test_fires_on_a_star_inside_a_path if {
	run(["/api/*/users"]) == {{
		"ref": 1,
		"path": "spec.rules[0].to[0].operation.paths[0]",
		"message": "Istio reads \"/api/*/users\" as an exact path with a literal *, not as a wildcard in the middle; use {*} for one segment or {**} (or a trailing *) for the rest of the path",
	}}
}

test_fires_on_a_double_star_suffix if {
	fs := run(["/ok", "/api/**"])
	count(fs) == 1
	some f in fs
	f.path == "spec.rules[0].to[0].operation.paths[1]"
	contains(f.message, "a prefix match on \"/api/*\"")
}

# Paths istiod rejects are MF101's (lint/istiod_validation.go): the policy
# never reaches the mesh, so there is nothing Istio "reads differently".
test_silent_on_paths_istiod_rejects if {
	count(run(["/{**}/foo/{*}", "/*/baz/{*}", "/foo/a{*}", "/users/{id}"])) == 0
}

test_silent_for_supported_patterns if {
	count(run(["/api/v1/*", "*.css", "*", "/exact", "/foo/{*}/bar/{**}", "/foo/{**}/", "/info*"])) == 0
}
