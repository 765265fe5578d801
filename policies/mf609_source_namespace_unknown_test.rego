package meshfleet.rules.mf609_test

import data.meshfleet.rules.mf609

ap(field, values) := {
	"ref": 1, "apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
	"namespace": "shop", "name": "cart-allow",
	"conditions": {field: [{"rule": 0, "path": sprintf("spec.rules[0].from[0].source.%s", [field]), "values": values}]},
}

idx := {
	"rootNamespace": "istio-system",
	"complete": true,
	"namespaces": {
		"shop": {"declared": true, "labels": {}},
		"frontend": {"declared": true, "labels": {}},
		"payments-prod": {"declared": false, "labels": {}},
	},
}

run(field, values) := fs if {
	fs := mf609.findings with input as {"resources": {"AuthorizationPolicy": [ap(field, values)]}, "index": idx}
}

run_partial(field, values) := fs if {
	fs := mf609.findings with input as {
		"resources": {"AuthorizationPolicy": [ap(field, values)]},
		"index": object.remove(idx, ["complete"]),
	}
}

test_fires_on_a_name_no_namespace_has if {
	run("namespaces", ["frontend", "frontnd"]) == {{
		"ref": 1,
		"path": "spec.rules[0].from[0].source.namespaces[1]",
		"message": "namespaces entry \"frontnd\" matches no namespace of the input, so no caller matches it (an ALLOW rule does not let in the callers meant, a DENY rule does not stop them); fix the name (the input has frontend, payments-prod, shop)",
	}}
}

test_fires_on_patterns_matching_nothing if {
	fs := run("namespaces", ["bogus-*", "*-staging", "team-*-prod"])
	{f.path | some f in fs} == {
		"spec.rules[0].from[0].source.namespaces[0]",
		"spec.rules[0].from[0].source.namespaces[1]",
		"spec.rules[0].from[0].source.namespaces[2]",
	}
	some f in fs
	f.path == "spec.rules[0].from[0].source.namespaces[0]"
	startswith(f.message, "namespaces entry pattern \"bogus-*\" matches no namespace")
}

test_fires_on_not_namespaces if {
	fs := run("notNamespaces", ["legacy"])
	count(fs) == 1
	some f in fs
	f.path == "spec.rules[0].from[0].source.notNamespaces[0]"
	contains(f.message, "it excludes no caller")
}

test_silent_on_matching_names_and_patterns if {
	count(run("namespaces", ["shop", "front*", "*-prod", "*", "pay*prod", "*end", "shop*"])) == 0
	count(run("notNamespaces", ["frontend", "payments-*"])) == 0
}

test_silent_on_the_namespaces_every_cluster_has if {
	count(run("namespaces", ["kube-system", "default", "istio-system", "kube-*", "istio-*"])) == 0
}

test_silent_on_entries_istio_reads_as_other_regular_expressions if {
	count(run("namespaces", ["sh(o|x)p", "[bad", "a/b"])) == 0
}

test_silent_on_a_partial_input if {
	count(run_partial("namespaces", ["frontnd", "bogus-*"])) == 0
}

test_silent_on_other_fields if {
	count(run("principals", ["cluster.local/ns/nowhere/sa/x"])) == 0
}
