# METADATA
# title: Service port does not declare its protocol
# description: >-
#   A TCP Service port whose name is not Istio's "<protocol>" or
#   "<protocol>-<suffix>" (http, http2, https, grpc, grpc-web, tcp, tls, mongo,
#   mysql, redis, udp) and that has no appProtocol. Istio then sniffs the
#   protocol of every new connection: it adds latency, misdetects
#   server-first protocols such as MySQL (the client waits for the server,
#   the proxy waits for the client), and leaves the intent invisible to
#   reviewers; Istio recommends explicit protocol selection. UDP and SCTP
#   ports (not proxied), ports with any appProtocol, and the ports Istio
#   already treats as TCP without sniffing (25, 53, 3306, 27017) are not
#   reported. As istioctl analyze's port name analyzer, it skips the
#   namespaces Istio never injects (kube-system, kube-public,
#   kube-node-lease, local-path-storage) and Istio's own Services: its
#   control plane and gateways (label istio, or release: istio) and the
#   Services its gateway controller generates (gateway.istio.io/managed).
# custom:
#   id: MF401
#   severity: warning
#   remediation: >-
#     Prefix the port name with its protocol ("tcp-postgres", "http-web") or
#     set appProtocol (appProtocol: tcp). Port names are free to change:
#     clients address Service ports by number.
#   bad: |
#     apiVersion: v1
#     kind: Service
#     metadata: {name: legacy-database, namespace: hybrid-app}
#     spec:
#       selector: {app: legacy-database}
#       ports:
#         - name: postgres          # not a protocol: Istio sniffs it
#           port: 5432
#   good: |
#     apiVersion: v1
#     kind: Service
#     metadata: {name: legacy-database, namespace: hybrid-app}
#     spec:
#       selector: {app: legacy-database}
#       ports:
#         - name: tcp-postgres      # or keep the name and add appProtocol: tcp
#           port: 5432
package meshfleet.rules.mf401

findings contains f if {
	some svc in input.resources.Service
	svc.apiVersion == "v1"
	not system_namespaces[svc.namespace]
	not svc.istioOwned
	some p in svc.servicePorts
	p.transport == "TCP"
	p.appProtocol == ""
	p.nameProtocol == ""
	not p.wellKnown
	f := {"ref": svc.ref, "path": path(p), "message": message(p)}
}

# The namespaces Istio never injects (inject.IgnoredNamespaces), whose
# Services istioctl analyze does not check for port names.
system_namespaces := {"kube-system", "kube-public", "kube-node-lease", "local-path-storage"}

path(p) := sprintf("spec.ports[%d].name", [p.index]) if p.name != ""

path(p) := sprintf("spec.ports[%d]", [p.index]) if p.name == ""

message(p) := sprintf(
	"port %q (%v) does not name a protocol and has no appProtocol, so Istio sniffs each connection (added latency, server-first protocols misdetected); rename it %q (or http-, grpc-, ... as it serves) or set appProtocol",
	[p.name, p.number, concat("", ["tcp-", p.name])],
) if p.name != ""

message(p) := sprintf(
	"port %v has no name and no appProtocol, so Istio sniffs each connection (added latency, server-first protocols misdetected); name it \"tcp\", \"http\", ... as it serves (or \"tcp-<suffix>\") or set appProtocol",
	[p.number],
) if p.name == ""
