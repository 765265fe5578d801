# METADATA
# title: DestinationRule disables mTLS towards workloads that require it
# description: >-
#   A DestinationRule whose trafficPolicy (or a portLevelSettings entry, or a
#   subset's trafficPolicy) sets tls.mode DISABLE or SIMPLE makes client
#   sidecars send plaintext, or one-way TLS without an Istio client
#   certificate, to the host. When a backend's effective mTLS mode is STRICT
#   on the port concerned (PeerAuthentication precedence: workload, then
#   namespace, then mesh-wide policy; portLevelMtls per target port), its
#   sidecar rejects those connections and clients see 503s. Port-level
#   settings are matched through the Service's targetPort to the backend's
#   port. Backends outside the mesh are not checked (no proxy enforces
#   STRICT there: a pod Istio does not inject, by its own opt-out or its
#   namespace's injection labels, or a WorkloadEntry with tlsMode
#   disabled), nor are backends the input does not show.
# custom:
#   id: MF501
#   severity: error
#   remediation: >-
#     Set tls.mode ISTIO_MUTUAL (or drop the tls block and let auto mTLS pick),
#     or, if the backend must accept plaintext, relax its PeerAuthentication
#     for that port.
#   bad: |
#     apiVersion: networking.istio.io/v1
#     kind: DestinationRule
#     metadata: {name: db, namespace: data}
#     spec:
#       host: db
#       trafficPolicy:
#         tls: {mode: DISABLE}     # db's PeerAuthentication is STRICT
#   good: |
#     apiVersion: networking.istio.io/v1
#     kind: DestinationRule
#     metadata: {name: db, namespace: data}
#     spec:
#       host: db
#       trafficPolicy:
#         tls: {mode: ISTIO_MUTUAL}
package meshfleet.rules.mf501

sends := {
	"DISABLE": "plaintext",
	"SIMPLE": "one-way TLS without an Istio client certificate",
}

findings contains f if {
	some dr in input.resources.DestinationRule
	some s in dr.tlsSettings
	sends[s.mode]
	# The index names the first backend STRICT on a port s covers and
	# counts them.
	s.strictCount > 0
	b := s.strictFirst
	f := {
		"ref": dr.ref,
		"path": s.path,
		"message": sprintf(
			"tls.mode %s makes clients send %s to %s%s, but %s %s/%s behind it requires mTLS (STRICT%s, set by %s)%s, so its sidecar rejects the connections and clients get 503s; use ISTIO_MUTUAL (or drop tls to let auto mTLS choose), or relax that PeerAuthentication",
			[s.mode, sends[s.mode], dr.host, on_port(s), b.kind, b.namespace, b.name, at_port(b), b.by, more(s.strictCount - 1)],
		),
	}
}

on_port(s) := sprintf(" port %v", [s.port]) if s.port

on_port(s) := "" if not s.port

at_port(b) := sprintf(" on port %v", [b.port]) if b.port

at_port(b) := "" if not b.port

more(0) := ""

more(n) := sprintf(" (and %d more workloads)", [n]) if n > 0
