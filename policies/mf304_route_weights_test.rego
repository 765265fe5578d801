package meshfleet.rules.mf304_test

import data.meshfleet.rules.mf304

inp(splits) := {"namespaces": ["shop"], "index": {"virtualServices": {"shop": [{"ref": 7, "weightSplits": splits}]}}}

split(weights, total, text) := {
	"path": "spec.http[1].route", "count": count(weights), "given": count([w | some w in weights; w != null]),
	"weights": weights, "total": total, "split": text,
}

test_fires_with_the_effective_split if {
	fs := mf304.findings with input as inp([split([90, 20], 110, "82%/18%")])
	fs == {{
		"ref": 7,
		"path": "spec.http[1].route",
		"message": "weights add up to 110; Istio normalises them to 82%/18%; make them add up to 100",
	}}
}

test_says_omitted_weights_count_as_zero if {
	some f in mf304.findings with input as inp([split([50, null], 50, "100%/0%")])
	contains(f.message, "without a weight count as 0")
}

test_fires_when_every_weight_is_zero if {
	some f in mf304.findings with input as inp([split([null, 0], 0, "")])
	contains(f.message, "total destination weight = 0")
}

test_fires_on_a_single_destination_weight if {
	some f in mf304.findings with input as inp([split([50], 50, "100%")])
	f.path == "spec.http[1].route[0].weight"
}

test_silent_at_100 if {
	count(mf304.findings) == 0 with input as inp([split([90, 10], 100, "90%/10%")])
}

test_silent_at_100_with_an_omitted_weight if {
	count(mf304.findings) == 0 with input as inp([split([100, null], 100, "100%/0%")])
}

test_silent_on_a_single_destination_without_weight if {
	count(mf304.findings) == 0 with input as inp([split([null], 0, "")])
}
