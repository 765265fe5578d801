package meshfleet.rules.mf305_test

import data.meshfleet.rules.mf305

dr(extra) := object.union(
	{
		"ref": 9, "apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
		"namespace": "payments", "name": "payment-service-circuit-breaker",
		"host": "payment-service.payments.svc.cluster.local",
	},
	extra,
)

test_fires_on_the_later_rule if {
	d := dr({"duplicateOf": {"ref": 8, "namespace": "payments", "name": "payment-service-dr", "lost": "its trafficPolicy (the one of payments/payment-service-dr applies)"}})
	fs := mf305.findings with input as {"resources": {"DestinationRule": [d]}}
	fs == {{
		"ref": 9,
		"path": "spec.host",
		"message": "DestinationRule payments/payment-service-dr also configures payment-service.payments.svc.cluster.local and Istio merges the two, so this one loses its trafficPolicy (the one of payments/payment-service-dr applies); merge them into one DestinationRule",
	}}
}

test_silent_on_a_single_rule if {
	count(mf305.findings) == 0 with input as {"resources": {"DestinationRule": [dr({})]}}
}
