# METADATA
# title: Workload in a production namespace accepts plaintext
# description: >-
#   A workload in a namespace labelled as production (.meshfleet.yaml
#   productionLabel, e.g. {env: production}) whose effective mTLS mode is
#   PERMISSIVE or DISABLE, on all ports or on one (portLevelMtls), accepts
#   plaintext: any pod or VM that reaches it without a sidecar is neither
#   authenticated nor encrypted, and identity-based authorization does not
#   apply to it. The finding points at the PeerAuthentication that sets the
#   mode (which may be the mesh-wide one in the root namespace), or at the
#   workload when no policy applies and Istio's default PERMISSIVE holds. That
#   last case is reported only when the input holds the root namespace (else
#   a mesh-wide STRICT policy may exist outside it). Without productionLabel
#   the rule is silent; pods opting out of sidecar injection are not checked
#   (workloads outside the mesh only by their namespace's labels still are:
#   they accept plaintext all the same).
# custom:
#   id: MF502
#   severity: warning
#   remediation: >-
#     Once every client has a sidecar, set mtls.mode STRICT (namespace-wide, or
#     on the workload's PeerAuthentication); keep PERMISSIVE only on the ports
#     that must take plaintext.
#   bad: |
#     apiVersion: v1
#     kind: Namespace
#     metadata: {name: payments, labels: {env: production}}
#     ---
#     apiVersion: security.istio.io/v1
#     kind: PeerAuthentication
#     metadata: {name: default, namespace: payments}
#     spec:
#       mtls: {mode: PERMISSIVE}
#   good: |
#     apiVersion: v1
#     kind: Namespace
#     metadata: {name: payments, labels: {env: production}}
#     ---
#     apiVersion: security.istio.io/v1
#     kind: PeerAuthentication
#     metadata: {name: default, namespace: payments}
#     spec:
#       mtls: {mode: STRICT}
package meshfleet.rules.mf502

import data.meshfleet.lib

weak := {"PERMISSIVE", "DISABLE"}

production(ns) if {
	pl := input.index.productionLabel
	count(pl) > 0
	labels := input.index.namespaces[ns].labels
	lib.selects(pl, labels)
}

settings(m) := array.concat([m], [s | some _, s in m.ports])

findings contains f if {
	some ns in input.namespaces
	production(ns)
	some ref in input.index.workloadsByNamespace[ns]
	w := input.index.workloads[ref]

	# Only the pod's own opt-out exempts it: a workload outside the mesh
	# because its namespace lacks injection labels accepts plaintext all
	# the same (mesh false; see policies/README.md).
	not w.noSidecar
	some s in settings(w.mtls)
	weak[s.mode]
	s.known
	f := finding(w, s)
}

finding(w, s) := {
	"ref": s.source,
	"path": s.path,
	"message": sprintf(
		"mTLS mode %s%s applies to workloads in namespace %s, labelled production (%s): they accept plaintext from callers without a sidecar; set mtls.mode STRICT once every client has one",
		[s.mode, port_of(s), w.namespace, lib.format_labels(input.index.productionLabel)],
	),
} if s.level != "default"

finding(w, s) := {
	"ref": w.ref,
	"path": "",
	"message": sprintf(
		"no PeerAuthentication applies to %s %s/%s in namespace %s, labelled production (%s), so it runs Istio's default PERMISSIVE mTLS and accepts plaintext; add a PeerAuthentication with mtls.mode STRICT for the namespace",
		[w.kind, w.namespace, w.name, w.namespace, lib.format_labels(input.index.productionLabel)],
	),
} if s.level == "default"

port_of(s) := sprintf(" on port %s", [regex.split(`\.`, s.path)[2]]) if s.level == "port"

port_of(s) := "" if s.level != "port"
