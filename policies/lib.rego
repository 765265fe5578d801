# Helpers shared by the rules.
package meshfleet.lib

# selects(selector, labels) is true when labels carry every key and value
# of selector (Kubernetes matchLabels semantics). The index already turns
# label values into strings on both sides.
selects(selector, labels) if {
	every k, v in selector {
		labels[k] == v
	}
}

# format_labels writes a label map as sorted key=value pairs: "app=cart,version=v2".
format_labels(ls) := concat(",", sort([sprintf("%v=%v", [k, v]) | some k, v in ls]))

# istio is true for a resource of an istio.io API group.
istio(r) if endswith(split(r.apiVersion, "/")[0], ".istio.io")

# known_host is true when the input may be trusted to hold everything about
# a host: it is cluster-local in a namespace the input mentions, or a
# ServiceEntry declares it. Rules stay silent about other hosts.
known_host(h) if input.index.hosts[h].known
