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

test_fires_on_invalid_templates if {
	count(run(["/{**}/foo/{*}"])) == 1
	count(run(["/*/baz/{*}"])) == 1
	count(run(["/foo/a{*}"])) == 1
}

test_fires_on_literal_braces if {
	fs := run(["/users/{id}"])
	count(fs) == 1
	some f in fs
	contains(f.message, "braces")
}

test_silent_for_supported_patterns if {
	count(run(["/api/v1/*", "*.css", "*", "/exact", "/foo/{*}/bar/{**}", "/foo/{**}/", "/info*"])) == 0
}
