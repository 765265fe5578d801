# METADATA
# title: ServiceEntry with TCP ports and no addresses
# description: >-
#   A ServiceEntry without spec.addresses has a port whose protocol is TCP
#   or unset, while the mesh configuration in the input does not have
#   sidecars allocate addresses themselves. Sidecars tell TCP traffic apart
#   only by destination address and port: without an address they listen
#   for the entry on 0.0.0.0 and that port, so it claims TCP connections
#   to that port whatever their destination, and several such entries on
#   one port conflict. Follows istioctl analyze's
#   serviceentry.ProtocolAddressesAnalyzer (ServiceEntryAddressesRequired,
#   IST0134): addresses allocated into the entry's status count, and so
#   does auto-allocation (meshConfig.defaultConfig.proxyMetadata
#   ISTIO_META_DNS_CAPTURE "true" with ISTIO_META_DNS_AUTO_ALLOCATE or
#   PILOT_ENABLE_IP_AUTOALLOCATE "true", the same in a ProxyConfig's
#   environmentVariables, or istiod's PILOT_ENABLE_IP_AUTOALLOCATE).
#   Checked only when the input holds the
#   mesh configuration — an IstioOperator that installs istiod, or the
#   istio ConfigMap (data.mesh) of the root namespace — since otherwise
#   whether addresses are allocated cannot be known offline; with several,
#   one that allocates is enough to stay silent.
# custom:
#   id: MF407
#   severity: warning
#   remediation: >-
#     Give the ServiceEntry the virtual IPs (spec.addresses) its clients
#     use, or turn on DNS proxying with auto-allocation in
#     meshConfig.defaultConfig.proxyMetadata (ISTIO_META_DNS_CAPTURE and
#     ISTIO_META_DNS_AUTO_ALLOCATE "true"), or declare the port's protocol
#     if it is HTTP or TLS.
#   bad: |
#     apiVersion: networking.istio.io/v1
#     kind: ServiceEntry
#     metadata: {name: db, namespace: shop}
#     spec:
#       hosts: [db.example.com]
#       ports: [{number: 5432, name: postgres, protocol: TCP}]
#       resolution: DNS
#   good: |
#     apiVersion: networking.istio.io/v1
#     kind: ServiceEntry
#     metadata: {name: db, namespace: shop}
#     spec:
#       hosts: [db.example.com]
#       addresses: [10.20.0.15]
#       ports: [{number: 5432, name: postgres, protocol: TCP}]
#       resolution: DNS
package meshfleet.rules.mf407

findings contains f if {
	some se in input.resources.ServiceEntry
	some p in se.addressesRequired
	f := {
		"ref": se.ref,
		"path": sprintf("spec.ports[%d]", [p.index]),
		"message": sprintf(
			"port %v (%s) has no address to be told apart by: the ServiceEntry sets no addresses and the mesh configuration (%s) does not auto-allocate them, so sidecars listen for it on 0.0.0.0:%v, where it claims TCP connections to that port whatever their destination and conflicts with other such entries; set spec.addresses or enable DNS auto-allocation",
			[p.number, protocol(p), concat(", ", se.meshConfig), p.number],
		),
	}
}

protocol(p) := "protocol unset" if p.protocol == ""

protocol(p) := p.protocol if p.protocol != ""
