# METADATA
# title: Two Gateways declare one host on one port of the same gateway pods
# description: >-
#   A server of this Gateway declares a host (as written, with the same
#   bind address) on a port number where a server of another Gateway
#   selecting the same gateway pods declares it too, and istiod cannot
#   merge the two: it merges the Gateways of a gateway workload into one
#   set of listeners, joins plaintext HTTP servers, but skips a TLS server
#   whose host another server already has on the port, and does not merge
#   servers of other protocols there. The skipped server's TLS settings
#   and the VirtualServices bound only to its Gateway do not apply, and
#   which one is skipped depends on the order istiod reads them. Follows istioctl analyze's
#   gateway.ConflictingGatewayAnalyzer (ConflictingGateways, IST0145):
#   selectors that are equal (a Gateway selector picks pods in every
#   namespace), or of which one holds the other when some workload of the
#   input carries both (compared while the input has at most 50 distinct
#   Gateway selectors); hosts compared as written, as istiod's duplicate
#   check does ("*.example.com" and "a.example.com" do not conflict); two
#   plaintext HTTP servers are not reported (istioctl reports them too,
#   but istiod merges their routes).
# custom:
#   id: MF314
#   severity: error
#   remediation: >-
#     Declare each host on a port in one Gateway per gateway workload (put
#     both servers' settings in it), or give the Gateways different
#     selectors, ports or bind addresses.
#   bad: |
#     apiVersion: networking.istio.io/v1
#     kind: Gateway
#     metadata: {name: shop, namespace: shop}
#     spec:
#       selector: {istio: ingressgateway}
#       servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: [shop.example.com], tls: {mode: SIMPLE, credentialName: shop}}]
#     ---
#     apiVersion: networking.istio.io/v1
#     kind: Gateway
#     metadata: {name: shop-legacy, namespace: legacy}
#     spec:
#       selector: {istio: ingressgateway}
#       servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: [shop.example.com], tls: {mode: SIMPLE, credentialName: old}}]
#   good: |
#     apiVersion: networking.istio.io/v1
#     kind: Gateway
#     metadata: {name: shop, namespace: shop}
#     spec:
#       selector: {istio: ingressgateway}
#       servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: [shop.example.com], tls: {mode: SIMPLE, credentialName: shop}}]
package meshfleet.rules.mf314

findings contains f if {
	some gw in input.resources.Gateway
	some c in gw.conflictingServers
	f := {
		"ref": gw.ref,
		"path": sprintf("spec.servers[%d]", [c.index]),
		"message": sprintf(
			"host %s on port %v is also declared by %s for the gateway pods this Gateway selects (%s): istiod serves only one of these servers for the host, so which Gateway's settings and routes apply is undefined; declare the host in one Gateway",
			[c.host, c.port, others(c), selector(c)],
		),
	}
}

others(c) := sprintf("Gateway %s", c.others) if {
	count(c.others) == 1
	not c.more
}

others(c) := sprintf("Gateways %s", [concat(", ", c.others)]) if {
	count(c.others) > 1
	not c.more
}

others(c) := sprintf("Gateways %s and more", [concat(", ", c.others)]) if c.more

selector(c) := sprintf("selector %s", [c.selector]) if c.selector != ""

selector(c) := "no selector" if c.selector == ""
