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
