package lint

import (
	"math"
	"strconv"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/meshfleet/meshfleet/internal/par"
)

// refMap is an object keyed by resource ref; it becomes a Rego object with
// number keys, so rules look workloads up as index.workloads[ref].
type refMap map[int]any

// internedKeys are the object keys that recur in every resource and index
// entry: interned, they are one shared term each rather than one allocation
// per occurrence. Terms in input values are never mutated, so sharing is
// safe.
var internedKeys = []string{
	"apiVersion", "kind", "metadata", "name", "namespace", "labels", "annotations", "spec",
	"selector", "matchLabels", "ports", "port", "targetPort", "protocol", "appProtocol", "number",
	"host", "hosts", "subset", "subsets", "weight", "route", "destination", "http", "tcp", "tls",
	"mtls", "mode", "portLevelMtls", "rules", "from", "to", "when", "source", "operation", "action",
	"principals", "notPrincipals", "namespaces", "notNamespaces", "methods", "paths", "notPaths",
	"trafficPolicy", "template", "containers", "containerPort", "serviceAccount", "serviceAccountName",
	"ref", "path", "index", "object", "resources", "workloads", "selected", "app", "version",
	"address", "network", "containerPorts", "rawHost", "gateways", "known", "level", "by", "via",
	"group", "sidecar", "noSidecar", "listenPorts", "missingLabels", "labelsPath", "checkable",
	"gatewayBound", "hostPorts", "provided", "backends", "services", "serviceEntries",
	"destinationRules", "virtualServices", "backendsComplete", "declared", "v1", "v2",
	"ALLOW", "DENY", "STRICT", "PERMISSIVE", "DISABLE", "ISTIO_MUTUAL", "TCP", "HTTP", "grpc",
	"matchLabels", "workloadSelector", "probe", "httpGet", "image", "replicas", "type",
	"first", "count", "endpointsByStatus", "ok", "unchecked", "strictCount", "strictFirst",
	// Field names of the index facts and resource extras (index*.go), and
	// the kinds they name.
	"AuthorizationPolicy", "ConfigMap", "CronJob", "DaemonSet", "Deployment", "DestinationRule",
	"Gateway", "HTTP2", "IstioOperator", "Job", "Namespace", "PeerAuthentication", "Pod",
	"ProxyConfig", "ReplicaSet", "ReplicationController", "RequestAuthentication", "Service",
	"ServiceAccount", "ServiceEntry", "Sidecar", "StatefulSet", "Telemetry", "VirtualService",
	"absent", "addressesRequired", "appliesComplete", "appliesTo", "authz", "autoRegistration",
	"bind", "byPrefix", "byWhy", "classes", "conditions", "conflicts", "controlPlane", "delegate",
	"deprecatedSettings", "describe", "disabled", "dropped", "duplicateOf", "elsewhere",
	"emptyRules", "enabled", "env", "field", "gateway", "gatewayHostMismatch", "gatewayHosts",
	"gatewaysMissing", "given", "hasProbe", "healthChecks", "hiddenFrom", "how", "httpx", "in",
	"ineffectiveMatches", "initContainers", "instead", "invalidProvider", "istioOwned", "key",
	"labelTypos", "lost", "match", "mesh", "meshConfig", "meshSplit", "mirror", "mirrors", "more",
	"mysql", "nameProtocol", "notExported", "off", "optin", "optout", "others",
	"peerAuthentications", "plain", "plaintext", "plaintextAny", "portDuplicates", "portName",
	"postgres", "prefix", "productionLabel", "provider", "public", "reason", "registeredEntries",
	"removed", "resource", "rev", "rootNamespace", "routed", "rule", "ruleCount", "scopes",
	"selectedPorts", "selectsBackend", "service", "serviceAccounts", "servicePorts", "shortHost",
	"shortHosts", "specKeys", "split", "status", "subsetNotExported", "suggestion", "targetRef",
	"targetRefs", "tcpAny", "templatePorts", "tlsSettings", "total", "transport", "trustDomain",
	"undeclared", "unlabeled", "unnamed", "unreachableRoutes", "uri", "value", "valueFrom",
	"values", "weightSplits", "weights", "wellKnown", "where", "workloadSelectorWritten",
	"workloadServiceAccounts", "workloadsByNamespace", "workloadsMissingLabels",
}

// interned maps internedKeys to their shared terms: a small map of our
// own, one lookup per string.
var interned = map[string]*ast.Term{}

func init() {
	ast.InternStringTerm(internedKeys...)
	for _, k := range internedKeys {
		interned[k] = ast.InternedTerm(k)
	}
}

// stringTerm returns the shared term of s if it is interned, else a new one.
func stringTerm(s string) *ast.Term {
	if t, ok := interned[s]; ok {
		return t
	}
	return ast.StringTerm(s)
}

// toAST converts plain values to OPA values directly. Feeding OPA ast.Values
// avoids the JSON round trip rego.EvalInput does on Go maps (DESIGN.md §6).
func toAST(v any) ast.Value {
	switch x := v.(type) {
	case nil:
		return ast.NullValue
	case string:
		return ast.String(x)
	case bool:
		return ast.Boolean(x)
	case int:
		// Small numbers (ref, index, count) are OPA's shared values.
		return ast.InternedValue(x)
	case int64:
		return ast.Number(strconv.FormatInt(x, 10))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return ast.String(strconv.FormatFloat(x, 'g', -1, 64))
		}
		return ast.Number(strconv.FormatFloat(x, 'g', -1, 64))
	case map[string]any:
		items := make([][2]*ast.Term, 0, len(x))
		terms := make([]ast.Term, len(x))
		i := 0
		for k, e := range x {
			items = append(items, [2]*ast.Term{stringTerm(k), termIn(&terms[i], e)})
			i++
		}
		return ast.NewObject(items...)
	case map[string]string:
		items := make([][2]*ast.Term, 0, len(x))
		for k, e := range x {
			items = append(items, [2]*ast.Term{stringTerm(k), stringTerm(e)})
		}
		return ast.NewObject(items...)
	case refMap:
		items := make([][2]*ast.Term, 0, len(x))
		terms := make([]ast.Term, 2*len(x))
		i := 0
		for k, e := range x {
			terms[i].Value = ast.Number(strconv.Itoa(k))
			items = append(items, [2]*ast.Term{&terms[i], termIn(&terms[i+1], e)})
			i += 2
		}
		return ast.NewObject(items...)
	case []any:
		terms := make([]*ast.Term, len(x))
		ts := make([]ast.Term, len(x))
		for i, e := range x {
			terms[i] = termIn(&ts[i], e)
		}
		return ast.NewArray(terms...)
	case []int:
		terms := make([]*ast.Term, len(x))
		for i, e := range x {
			terms[i] = ast.InternedTerm(e)
		}
		return ast.NewArray(terms...)
	case []string:
		terms := make([]*ast.Term, len(x))
		for i, e := range x {
			terms[i] = stringTerm(e)
		}
		return ast.NewArray(terms...)
	case *selection:
		return x.value()
	case sharedBackends:
		return x.s.backendsValue()
	case ast.Value:
		return x
	}
	return ast.NullValue
}

// termIn returns the term of v: the shared term of a boolean, a small
// integer or an interned string, else slot holding v's value. Shared terms
// are taken before converting, so common scalars allocate nothing.
func termIn(slot *ast.Term, v any) *ast.Term {
	switch x := v.(type) {
	case bool:
		return ast.InternedTerm(x)
	case string:
		if it, ok := interned[x]; ok {
			return it
		}
	case int:
		if ast.HasInternedIntNumberTerm(x) {
			return ast.InternedTerm(x)
		}
	}
	slot.Value = toAST(v)
	return slot
}

// objectParallel converts the values of m on up to workers goroutines: the
// index's maps are independent of each other, and the entries of a big
// map (index.workloads, index.hosts: most of the index) are converted in
// chunks too, so one key does not leave the other workers idle.
func objectParallel(m map[string]any, workers int) ast.Value {
	const chunk = 256
	keys := sortedKeys(m)
	items := make([][2]*ast.Term, len(keys))
	var tasks []func()
	var finish []func()
	for i, k := range keys {
		// Big maps (index.workloads by ref, index.hosts by name) are
		// converted entry by entry in chunks.
		var keyTerms []*ast.Term
		var vals []any
		switch x := m[k].(type) {
		case refMap:
			for ref, v := range x {
				keyTerms = append(keyTerms, ast.IntNumberTerm(ref))
				vals = append(vals, v)
			}
		case map[string]any:
			for name, v := range x {
				keyTerms = append(keyTerms, stringTerm(name))
				vals = append(vals, v)
			}
		}
		if len(vals) <= chunk {
			tasks = append(tasks, func() { items[i] = [2]*ast.Term{ast.StringTerm(k), ast.NewTerm(toAST(m[k]))} })
			continue
		}
		entries := make([][2]*ast.Term, len(vals))
		for lo := 0; lo < len(vals); lo += chunk {
			hi := min(lo+chunk, len(vals))
			tasks = append(tasks, func() {
				for j := lo; j < hi; j++ {
					entries[j] = [2]*ast.Term{keyTerms[j], ast.NewTerm(toAST(vals[j]))}
				}
			})
		}
		finish = append(finish, func() { items[i] = [2]*ast.Term{ast.StringTerm(k), ast.ObjectTerm(entries...)} })
	}
	par.For(workers, len(tasks), func(t int) { tasks[t]() })
	for _, f := range finish {
		f()
	}
	return ast.NewObject(items...)
}
