package meshfleet.rules.mf407_test

import data.meshfleet.rules.mf407

se(extra) := object.union({"ref": 2, "apiVersion": "networking.istio.io/v1", "kind": "ServiceEntry", "namespace": "shop", "name": "db"}, extra)

test_fires if {
	s := se({"addressesRequired": [{"index": 0, "number": 5432, "protocol": "TCP"}], "meshConfig": ["IstioOperator istio-system/installed"]})
	fs := mf407.findings with input as {"resources": {"ServiceEntry": [s]}}
	fs == {{
		"ref": 2,
		"path": "spec.ports[0]",
		"message": "port 5432 (TCP) has no address to be told apart by: the ServiceEntry sets no addresses and the mesh configuration (IstioOperator istio-system/installed) does not auto-allocate them, so sidecars listen for it on 0.0.0.0:5432, where it claims TCP connections to that port whatever their destination and conflicts with other such entries; set spec.addresses or enable DNS auto-allocation",
	}}
}

test_unset_protocol if {
	s := se({"addressesRequired": [{"index": 1, "number": 9000, "protocol": ""}], "meshConfig": ["ConfigMap istio-system/istio"]})
	some f in mf407.findings with input as {"resources": {"ServiceEntry": [s]}}
	contains(f.message, "port 9000 (protocol unset)")
}

test_silent_without_facts if {
	count(mf407.findings) == 0 with input as {"resources": {"ServiceEntry": [se({})]}}
}
