# Helpers shared by the rules.
package meshfleet.lib

# selects(selector, labels) is true when labels carry every key and value
# of selector (Kubernetes matchLabels semantics). The index already turns
# label values into strings on both sides, so object.subset (one builtin
# call, several times faster than an every loop) compares them as equals.
selects(selector, labels) if object.subset(labels, selector)

# format_labels writes a label map as sorted key=value pairs: "app=cart,version=v2".
format_labels(ls) := concat(",", sort([sprintf("%v=%v", [k, v]) | some k, v in ls]))

# istio is true for a resource of an istio.io API group.
istio(r) if endswith(split(r.apiVersion, "/")[0], ".istio.io")

# known_host is true when the input may be trusted to hold everything about
# a host: it is cluster-local in a namespace the input mentions, or a
# ServiceEntry declares it. Rules stay silent about other hosts.
known_host(h) if input.index.hosts[h].known

# policy_scope says which workloads a selector-based policy (Authorization-,
# PeerAuthentication, ...) applies to: "workloads app=api in shop", "every
# workload in shop", "every workload in the mesh" (root namespace).
policy_scope(p) := sprintf("workloads %s in %s", [format_labels(p.selector), p.namespace]) if {
	count(object.get(p, "selector", {})) > 0
	p.namespace != input.index.rootNamespace
}

policy_scope(p) := sprintf("workloads %s in every namespace", [format_labels(p.selector)]) if {
	count(object.get(p, "selector", {})) > 0
	p.namespace == input.index.rootNamespace
}

policy_scope(p) := sprintf("every workload in %s", [p.namespace]) if {
	count(object.get(p, "selector", {})) == 0
	p.namespace != input.index.rootNamespace
}

policy_scope(p) := "every workload in the mesh" if {
	count(object.get(p, "selector", {})) == 0
	p.namespace == input.index.rootNamespace
}

# complete is true when the input is everything deployed (lint --complete,
# complete: true in .meshfleet.yaml; DESIGN §4): a namespace, host, service
# account or workload it does not hold does not exist. By default the input
# may be partial, and rules stay silent about what it does not show.
complete if input.index.complete == true

# cluster_namespace(ns) is true for the namespaces every cluster with Istio
# has, though a repository rarely holds them: those Kubernetes creates and
# Istio's root namespace (installed by Helm or istioctl, whose charts lint
# skips).
cluster_namespace(ns) if ns in {"default", "kube-system", "kube-public", "kube-node-lease"}

cluster_namespace(ns) if ns == input.index.rootNamespace

# namespace_exists(ns) is true when the input holds namespace ns (a
# Namespace object or any resource in it) or it is a cluster_namespace.
namespace_exists(ns) if input.index.namespaces[ns]

namespace_exists(ns) if cluster_namespace(ns)

# known_namespace(ns) is true when the input may be trusted to hold what
# namespace ns holds, so a reference into ns it cannot resolve is a finding:
# by default when the input holds ns; with a complete input also when it
# does not (ns then does not exist), except a cluster_namespace, whose
# contents a repository rarely holds.
known_namespace(ns) if input.index.namespaces[ns]

known_namespace(ns) if {
	complete
	not input.index.namespaces[ns]
	not cluster_namespace(ns)
}

# workloads_known(ns) is true when the input may be trusted to show the
# workloads of namespace ns: it shows some, or it is complete and ns is
# known (a namespace without workloads then has none).
workloads_known(ns) if count(object.get(input.index.workloadsByNamespace, ns, [])) > 0

workloads_known(ns) if {
	complete
	known_namespace(ns)
}

# host_namespace(h) is the namespace of a cluster-local FQDN
# (name.ns.svc.cluster.local); undefined for other hosts.
host_namespace(h) := parts[1] if {
	endswith(h, ".svc.cluster.local")
	parts := split(h, ".")
	count(parts) == 5
}

# known_destination(h) is true when a host nothing provides is a finding
# with a complete input: a cluster-local host in a known namespace, or any
# other host (no ServiceEntry declares it).
known_destination(h) if {
	complete
	known_namespace(host_namespace(h))
}

known_destination(h) if {
	complete
	not host_namespace(h)
	not contains(h, "*")
}

# backends_known(h) is true when the input may be trusted to show the
# workloads behind host h (input.index.hosts[h], whose backendsComplete the
# caller checks): it shows some, or it is complete (then there are none).
backends_known(h) if count(h.backends) > 0

backends_known(_) if complete

# checkable(d) is true when a route destination's host may be checked:
# the index found its namespace shows Services or workloads, or the input is
# complete and the host is a known_destination.
checkable(d) if d.checkable

checkable(d) if {
	complete
	known_destination(d.host)
}

# export_scope(scopes) names the namespaces a resource is not exported to,
# for messages: "namespace shop", "namespaces a, b", "every namespace" ("*").
export_scope(scopes) := "every namespace" if "*" in scopes

export_scope(scopes) := sprintf("namespace %s", [scopes[0]]) if {
	not "*" in scopes
	count(scopes) == 1
}

export_scope(scopes) := sprintf("namespaces %s", [concat(", ", scopes)]) if {
	not "*" in scopes
	count(scopes) > 1
}

# where_off says where the control plane turns a setting of
# input.index.controlPlane off (lint/index_install.go): the variable and
# each control plane's resource and field.
where_off(setting) := sprintf("%s is off in every control plane of the input (%s)", [
	setting.env,
	concat(", ", sort([sprintf("%s %s: %q", [w.resource, w.path, w.value]) | some w in setting.where])),
])
