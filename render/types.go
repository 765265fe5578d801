package render

// The VMFleet API (meshfleet.dev/v1alpha1, DESIGN.md §2). The types hold a
// decoded fleet with its defaults applied; fields whose absence means
// something different from their zero value are pointers or documented.

// VMFleet is one logical service whose instances run on VMs.
type VMFleet struct {
	APIVersion string
	Kind       string
	Metadata   ObjectMeta
	Spec       Spec
}

// ObjectMeta names the fleet. Labels and annotations are kept for the linter
// (meshfleet.dev/ignore) and are never copied to rendered objects.
type ObjectMeta struct {
	Name        string
	Namespace   string
	Labels      map[string]string
	Annotations map[string]string
}

// MTLSMode is the PeerAuthentication mode of the fleet's app.
type MTLSMode string

// The mTLS modes; STRICT is the default.
const (
	MTLSStrict     MTLSMode = "STRICT"
	MTLSPermissive MTLSMode = "PERMISSIVE"
	MTLSDisable    MTLSMode = "DISABLE"
)

// Spec is the fleet's desired state. After Decode every defaulted field is
// filled in, so renderers never re-apply defaults.
type Spec struct {
	// App is the app label and the name of the app-level objects; default
	// metadata.name.
	App string
	// Version is the version label; default "v1".
	Version string
	// Labels are added to the WorkloadGroup and every WorkloadEntry.
	Labels map[string]string
	// Annotations go to the WorkloadGroup template metadata and every
	// WorkloadEntry, as auto-registration would copy them.
	Annotations map[string]string
	// ServiceAccount is the workloads' identity; default App.
	ServiceAccount string
	// CreateServiceAccount renders the ServiceAccount; default true.
	CreateServiceAccount bool
	// CreateService makes this fleet the owner of the app-level objects
	// (Service, PeerAuthentication, AuthorizationPolicies, DestinationRule,
	// VirtualService); default true.
	CreateService bool
	// Network is the WorkloadGroup/WorkloadEntry network, "" for none.
	Network string
	// TrustDomain prefixes principals; default "cluster.local".
	TrustDomain string
	Ports       []Port
	Probe       *Probe
	VMs         []VM
	// MTLS is the PeerAuthentication mode; default STRICT.
	MTLS MTLSMode
	// Allow is nil when omitted (no ALLOW policy) and non-nil but empty for
	// `allow: []` (an ALLOW policy without rules: deny-all).
	Allow []Rule
	// Deny is nil when omitted (no DENY policy).
	Deny    []Rule
	Traffic *Traffic
}

// Protocol is an Istio protocol name, in Istio's spelling.
type Protocol string

// The protocols Istio selects by port name or appProtocol.
const (
	ProtoHTTP    Protocol = "HTTP"
	ProtoHTTP2   Protocol = "HTTP2"
	ProtoHTTPS   Protocol = "HTTPS"
	ProtoGRPC    Protocol = "GRPC"
	ProtoGRPCWeb Protocol = "GRPC-Web"
	ProtoTCP     Protocol = "TCP"
	ProtoTLS     Protocol = "TLS"
	ProtoMongo   Protocol = "Mongo"
	ProtoMySQL   Protocol = "MySQL"
	ProtoRedis   Protocol = "Redis"
	ProtoUDP     Protocol = "UDP"
)

// Port is one port the workloads listen on.
type Port struct {
	// Name is an IANA_SVC_NAME; it keys WorkloadGroup/WorkloadEntry ports
	// and names the Service port.
	Name string
	Port int32
	// Protocol is the explicit protocol, "" when the name carries it.
	Protocol Protocol
	// Service puts the port on the Service; default true.
	Service bool
}

// PortRef names a port by name or by number, as written.
type PortRef struct {
	Name   string
	Number int32
}

// Probe is the WorkloadGroup readiness probe: exactly one handler.
type Probe struct {
	HTTPGet   *HTTPGetAction
	TCPSocket *TCPSocketAction
	Exec      *ExecAction
	// The timings are nil when omitted (Istio's defaults apply).
	InitialDelaySeconds *int32
	PeriodSeconds       *int32
	TimeoutSeconds      *int32
	SuccessThreshold    *int32
	FailureThreshold    *int32
}

// HTTPGetAction probes an HTTP endpoint on the VM.
type HTTPGetAction struct {
	Path string
	Port PortRef
	Host string
	// Scheme is HTTP or HTTPS, "" when omitted.
	Scheme  string
	Headers map[string]string
}

// TCPSocketAction probes by opening a TCP connection.
type TCPSocketAction struct {
	Port PortRef
	Host string
}

// ExecAction probes by running a command on the VM.
type ExecAction struct {
	Command []string
}

// VM is one manually registered instance, rendered as a WorkloadEntry.
type VM struct {
	// Address is an IP address in canonical form.
	Address string
	// Name defaults to a DNS-1123 label derived from the address.
	Name     string
	Locality string
	// Weight is the load-balancing weight, 0 when omitted.
	Weight uint32
	// Network defaults to Spec.Network.
	Network string
	Labels  map[string]string
}

// Rule is one authorization rule: the request matches when it matches from,
// to and every condition. Omitted parts match everything.
type Rule struct {
	From *Source
	To   *Operation
	When []Condition
}

// Source is who calls. ServiceAccounts ("ns/sa", or "sa" in the fleet's
// namespace) become principals under the fleet's trust domain.
type Source struct {
	ServiceAccounts      []string
	NotServiceAccounts   []string
	Principals           []string
	NotPrincipals        []string
	Namespaces           []string
	NotNamespaces        []string
	IPBlocks             []string
	NotIPBlocks          []string
	RemoteIPBlocks       []string
	NotRemoteIPBlocks    []string
	RequestPrincipals    []string
	NotRequestPrincipals []string
}

// Operation is what is called. Ports are resolved to numbers on render.
type Operation struct {
	Hosts      []string
	NotHosts   []string
	Methods    []string
	NotMethods []string
	Paths      []string
	NotPaths   []string
	Ports      []PortRef
	NotPorts   []PortRef
}

// Condition is an Istio authorization condition (when).
type Condition struct {
	Key       string
	Values    []string
	NotValues []string
}

// Traffic is the DestinationRule and VirtualService of the app.
type Traffic struct {
	// Subsets are sorted by name.
	Subsets []Subset
	Routes  []Route
	// Timeout and Retries apply to every route.
	Timeout          string
	Retries          *Retries
	ConnectionPool   *ConnectionPool
	OutlierDetection *OutlierDetection
}

// Subset is a named set of workloads selected by labels.
type Subset struct {
	Name   string
	Labels map[string]string
}

// Route is one VirtualService http route: requests matching any of Match go
// to the subsets in To.
type Route struct {
	Match []Match
	// To is sorted by subset name.
	To []Destination
	// matchList records whether match was written as a list, so rendered
	// paths map back to the right VMFleet path.
	matchList bool
	// toComplete records that every weight in To decoded, so a bad weight
	// is not reported a second time as a wrong sum.
	toComplete bool
}

// Destination is a subset and its weight in percent.
type Destination struct {
	Subset string
	Weight int32
}

// Match is an Istio HTTPMatchRequest.
type Match struct {
	Name            string
	URI             *StringMatch
	Scheme          *StringMatch
	Method          *StringMatch
	Authority       *StringMatch
	Headers         map[string]StringMatch
	QueryParams     map[string]StringMatch
	WithoutHeaders  map[string]StringMatch
	Port            uint32
	SourceLabels    map[string]string
	SourceNamespace string
	IgnoreURICase   bool
}

// StringMatch is exactly one of exact, prefix or regex.
type StringMatch struct {
	// Kind is "exact", "prefix" or "regex".
	Kind  string
	Value string
}

// Retries is an Istio HTTPRetry.
type Retries struct {
	Attempts              int32
	PerTryTimeout         string
	RetryOn               string
	RetryRemoteLocalities *bool
}

// ConnectionPool is an Istio ConnectionPoolSettings.
type ConnectionPool struct {
	TCP  *TCPSettings
	HTTP *HTTPSettings
}

// TCPSettings are the TCP connection pool settings.
type TCPSettings struct {
	MaxConnections        *int32
	ConnectTimeout        string
	MaxConnectionDuration string
	IdleTimeout           string
	TCPKeepalive          *TCPKeepalive
}

// TCPKeepalive configures TCP keepalive probes.
type TCPKeepalive struct {
	Probes   *int32
	Time     string
	Interval string
}

// HTTPSettings are the HTTP connection pool settings.
type HTTPSettings struct {
	HTTP1MaxPendingRequests  *int32
	HTTP2MaxRequests         *int32
	MaxRequestsPerConnection *int32
	MaxRetries               *int32
	MaxConcurrentStreams     *int32
	IdleTimeout              string
	// H2UpgradePolicy is DEFAULT, DO_NOT_UPGRADE or UPGRADE, "" when omitted.
	H2UpgradePolicy   string
	UseClientProtocol *bool
}

// OutlierDetection is an Istio OutlierDetection (the circuit breaker).
type OutlierDetection struct {
	SplitExternalLocalOriginErrors *bool
	ConsecutiveLocalOriginFailures *int32
	ConsecutiveGatewayErrors       *int32
	Consecutive5xxErrors           *int32
	Interval                       string
	BaseEjectionTime               string
	MaxEjectionPercent             *int32
	MinHealthPercent               *int32
}
