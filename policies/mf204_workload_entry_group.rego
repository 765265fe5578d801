# METADATA
# title: WorkloadEntry differs from its WorkloadGroup
# description: >-
#   A WorkloadEntry that belongs to a WorkloadGroup lacks some of the group's
#   labels, or runs under a different service account than the group's
#   template. The Services, DestinationRule subsets and policies written for
#   the group select by its labels, so an entry without them gets none of
#   that traffic or protection; and callers' AuthorizationPolicies name the
#   group's identity, so an entry with another service account is refused
#   (or admitted where it should not be). An entry belongs to the group named
#   by its istio.io/autoRegistrationGroup annotation (in its namespace);
#   without the annotation, to the one WorkloadGroup of its namespace whose
#   labels it carries, when exactly one does, and then only the service
#   account is compared (an entry that carries no group's labels, or several
#   groups', is a manual registration of its own and is left alone).
#   Annotated entries whose group is not in the input are not checked.
# custom:
#   id: MF204
#   severity: warning
#   remediation: >-
#     Give the entry every label of the group's spec.metadata.labels and the
#     group's spec.template.serviceAccount, or drop the annotation if the
#     entry is not meant to be one of the group's VMs.
#   bad: |
#     apiVersion: networking.istio.io/v1
#     kind: WorkloadEntry
#     metadata:
#       name: cart-vm-1
#       namespace: shop
#       annotations: {istio.io/autoRegistrationGroup: cart}
#     spec:
#       address: 10.0.0.5
#       labels: {app: cart}          # the group also sets version: v1
#       serviceAccount: default      # the group runs as cart
#   good: |
#     apiVersion: networking.istio.io/v1
#     kind: WorkloadEntry
#     metadata:
#       name: cart-vm-1
#       namespace: shop
#       annotations: {istio.io/autoRegistrationGroup: cart}
#     spec:
#       address: 10.0.0.5
#       labels: {app: cart, version: v1}
#       serviceAccount: cart
package meshfleet.rules.mf204

import data.meshfleet.lib

# The index ties entries to groups (group) on the workload, so no shard
# converts WorkloadEntry objects. The rules walk the namespace's workloads
# directly: collecting them in a set first hashed every workload, which
# cost more than the checks.

findings contains f if {
	some ns in input.namespaces
	some ref in input.index.workloadsByNamespace[ns]
	w := input.index.workloads[ref]
	g := w.group
	g.via == "annotation"
	missing := {k: v | some k, v in g.labels; object.get(w.labels, k, null) != v}
	count(missing) > 0
	f := {
		"ref": w.ref,
		"path": w.labelsPath,
		"message": sprintf(
			"lacks %s of WorkloadGroup %s (its istio.io/autoRegistrationGroup): Services, subsets and policies selecting the group's labels miss this VM; copy the group's spec.metadata.labels",
			[lib.format_labels(missing), g.name],
		),
	}
}

findings contains f if {
	some ns in input.namespaces
	some ref in input.index.workloadsByNamespace[ns]
	w := input.index.workloads[ref]
	g := w.group
	g.serviceAccount != ""
	sa := w.serviceAccount
	sa != g.serviceAccount
	sa_ok(sa, g.via)
	f := {
		"ref": w.ref,
		"path": sa_path(sa),
		"message": sprintf(
			"%s, but WorkloadGroup %s (%s) runs as %q: the VM gets another identity than the group's, so policies written for the group do not match it; set serviceAccount: %s",
			[sa_said(sa), g.name, via_said(g.via), g.serviceAccount, g.serviceAccount],
		),
	}
}

# A manual entry that only fits a group by its labels is compared only when
# it names a service account itself.
sa_ok(sa, "annotation") := true

sa_ok(sa, "labels") if sa != ""

sa_path("") := "spec"

sa_path(sa) := "spec.serviceAccount" if sa != ""

sa_said("") := "no serviceAccount"

sa_said(sa) := sprintf("serviceAccount %q", [sa]) if sa != ""

via_said("annotation") := "its istio.io/autoRegistrationGroup"

via_said("labels") := "the only group whose labels it carries"
