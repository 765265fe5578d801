package meshfleet.rules.mf208_test

import data.meshfleet.rules.mf208

wl(extra) := object.union({"ref": 3, "kind": "Deployment", "namespace": "shop", "name": "cart", "labelsPath": "spec.template.metadata.labels"}, extra)

test_fires_with_the_suggestion if {
	w := wl({"labelTypos": [{"key": "service.istio.io/canonical-version", "suggestion": "service.istio.io/canonical-revision", "path": "spec.template.metadata.labels"}]})
	fs := mf208.findings with input as {"namespaces": ["shop"], "index": {"workloadsByNamespace": {"shop": [3]}, "workloads": {3: w}}}
	fs == {{
		"ref": 3,
		"path": "spec.template.metadata.labels[\"service.istio.io/canonical-version\"]",
		"message": "label \"service.istio.io/canonical-version\" is not an Istio label, so Istio ignores it; did you mean \"service.istio.io/canonical-revision\"?",
	}}
}

test_silent_without_typos if {
	count(mf208.findings) == 0 with input as {"namespaces": ["shop"], "index": {"workloadsByNamespace": {"shop": [3]}, "workloads": {3: wl({})}}}
}

test_silent_in_other_namespaces if {
	w := wl({"labelTypos": [{"key": "istio.io/revv", "suggestion": "istio.io/rev", "path": "metadata.labels"}]})
	count(mf208.findings) == 0 with input as {"namespaces": ["web"], "index": {"workloadsByNamespace": {"shop": [3]}, "workloads": {3: w}}}
}
