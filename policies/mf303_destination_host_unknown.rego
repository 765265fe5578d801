# METADATA
# title: VirtualService destination host resolves to nothing
# description: >-
#   An http, tcp or tls route destination, or an http mirror, of a
#   VirtualService names a host that no Service, ServiceEntry or wildcard
#   ServiceEntry in the input provides. Envoy has no cluster for it and the
#   route fails with 503 (NR / "no healthy upstream"); a mirror silently
#   sends nothing. Short names resolve in the VirtualService's namespace,
#   "name.ns" in namespace ns. A host resolves only where some Service or
#   ServiceEntry providing it is exported (exportTo; on a Service the
#   networking.istio.io/exportTo annotation; unset: every namespace), and a
#   VirtualService's destinations must be visible from its own namespace,
#   or with exportTo from a namespace it is exported to, as istioctl
#   analyze looks them up: a host provided only where the VirtualService
#   does not apply is reported as not exported there. Only cluster-local hosts in namespaces whose
#   Services or workloads the input shows are checked: a namespace the input
#   does not mention, or mentions only through policies (istio-system with
#   a mesh-wide PeerAuthentication, a gateway namespace installed by Helm),
#   may hold Services the input does not, and external hosts may be declared
#   by a ServiceEntry kept elsewhere. When the host is a short name and a
#   Service of that name exists in another namespace, the message says so
#   (MF306 then stays silent on the destination). With a complete input
#   (lint --complete) every destination host is checked, in any namespace
#   but those every cluster has and a repository rarely holds (default,
#   kube-system, kube-public, kube-node-lease, Istio's root namespace), and
#   external hosts need a ServiceEntry; a DestinationRule whose host nothing
#   provides is reported too, as a warning (it applies to nothing; MF306
#   reports a short host that resolves elsewhere).
# custom:
#   id: MF303
#   severity: error
#   remediation: >-
#     Fix the host (for a Service in another namespace write name.namespace
#     or the FQDN), create the Service, or declare the host with a
#     ServiceEntry.
#   bad: |
#     apiVersion: networking.istio.io/v1
#     kind: VirtualService
#     metadata: {name: cart, namespace: shop}
#     spec:
#       hosts: [cart]
#       http:
#         - route:
#             - destination: {host: kart}   # no Service kart in shop
#   good: |
#     apiVersion: networking.istio.io/v1
#     kind: VirtualService
#     metadata: {name: cart, namespace: shop}
#     spec:
#       hosts: [cart]
#       http:
#         - route:
#             - destination: {host: cart}
package meshfleet.rules.mf303

import data.meshfleet.lib

findings contains f if {
	some d in input.destinations
	lib.checkable(d)
	d.provided == false
	not d.notExported
	f := {
		"ref": d.ref,
		"path": concat("", [d.path, ".host"]),
		"message": sprintf(
			"destination host %s matches no Service or ServiceEntry: %s; %s",
			[written(d), effect(d.path), fix(d)],
		),
	}
}

# The host is provided, but no provider is exported (exportTo, or a
# Service's networking.istio.io/exportTo annotation) to the namespaces the
# VirtualService applies in (d.notExported.to: its own without exportTo,
# else its exportTo), as istioctl analyze's DestinationHostAnalyzer looks
# hosts up: from there the host resolves to nothing.
findings contains f if {
	some d in input.destinations
	lib.checkable(d)
	d.provided == false
	d.notExported
	f := {
		"ref": d.ref,
		"path": concat("", [d.path, ".host"]),
		"message": sprintf(
			"destination host %s exists (%s) but is not exported to %s, where this VirtualService applies, so it resolves to nothing there: %s; export it there (exportTo, on a Service the networking.istio.io/exportTo annotation) or route to a host that is",
			[written(d), d.notExported.by, lib.export_scope(d.notExported.to), effect(d.path)],
		),
	}
}

written(d) := sprintf("%q", [d.rawHost]) if d.rawHost == d.host

written(d) := sprintf("%q (%s)", [d.rawHost, d.host]) if d.rawHost != d.host

effect(path) := "the mirror sends nothing" if contains(path, ".mirror")

effect(path) := "Envoy has no cluster for it and the route fails with 503" if not contains(path, ".mirror")

fix(d) := sprintf("did you mean %s?", [concat(" or ", d.elsewhere)]) if count(d.elsewhere) > 0

fix(d) := "fix the host, or create the Service or a ServiceEntry for it" if {
	not d.elsewhere
	not d.invalidProvider
}

# A provider that fails its schema (MF101) is rejected, so provides nothing.
fix(d) := sprintf("%s declares it but fails its schema (MF101) and is rejected; fix it", [d.invalidProvider]) if {
	not d.elsewhere
	d.invalidProvider
}

# With a complete input, a DestinationRule whose host nothing provides
# applies to nothing: a warning, as MF306 for a short host resolving
# elsewhere (which reports those), since no traffic breaks.
findings contains f if {
	lib.complete
	some dr in input.resources.DestinationRule
	lib.istio(dr)
	dr.provided == false
	not dr.shortHost
	not dr.hiddenFrom
	lib.known_destination(dr.host)
	f := {
		"ref": dr.ref,
		"path": "spec.host",
		"severity": "warning",
		"message": sprintf(
			"DestinationRule host %s matches no Service or ServiceEntry, so this DestinationRule applies to nothing; fix the host, or create the Service or a ServiceEntry for it",
			[dr.host],
		),
	}
}

# A host that exists but is not exported where the rule applies: the rule
# configures clients that cannot see the host.
findings contains f if {
	lib.complete
	some dr in input.resources.DestinationRule
	lib.istio(dr)
	dr.provided == false
	h := dr.hiddenFrom
	f := {
		"ref": dr.ref,
		"path": "spec.host",
		"severity": "warning",
		"message": sprintf(
			"DestinationRule host %s exists (%s) but is not exported to %s, where this DestinationRule applies, so it applies to nothing; export the host there or move the DestinationRule to a namespace that sees it",
			[dr.host, h.provider, lib.export_scope(h.scopes)],
		),
	}
}
