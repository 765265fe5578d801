// Package corpus generates the synthetic hybrid-mesh repositories that
// meshfleet's benchmarks, scale tests and peer comparisons run on: one file
// per fleet of eleven resources, with known defects injected, and VMFleet
// files for the renderer. Generated corpora are never committed.
package corpus

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ResourcesPerFleet is what Mesh writes per fleet: Service, ServiceAccount,
// PeerAuthentication, two AuthorizationPolicies, DestinationRule,
// VirtualService, WorkloadGroup, two WorkloadEntries and a Deployment.
const ResourcesPerFleet = 11

// Defect is a finding Mesh injected: the fleet file, the rule and the
// field it fires on.
type Defect struct {
	File, Rule, Path string
}

// Injected lists the defects Mesh injects into n fleets, in file order: of
// every 100 fleets, one has a Service selector typo (MF201), one a subset
// selecting nothing (MF301) and one a route to an undefined subset (MF302).
// Everything else is clean, so a scale test can demand exactly these.
func Injected(n, perNamespace int) []Defect {
	var out []Defect
	for i := 0; i < n; i++ {
		var d Defect
		switch i % 100 {
		case 97:
			d = Defect{Rule: "MF201", Path: "spec.selector"}
		case 98:
			d = Defect{Rule: "MF301", Path: "spec.subsets[1].labels"}
		case 99:
			d = Defect{Rule: "MF302", Path: "spec.http[1].route[1].destination.subset"}
		default:
			continue
		}
		d.File = filepath.Join(namespace(i, perNamespace), app(i)+".yaml")
		out = append(out, d)
	}
	return out
}

func namespace(i, perNamespace int) string {
	return fmt.Sprintf("team-%03d", i/max(perNamespace, 1))
}

func app(i int) string { return fmt.Sprintf("svc-%04d", i) }

// Mesh writes n fleets' worth of manifests under dir, perNamespace fleets
// to a namespace (one directory per namespace), and returns how many
// resources it wrote.
func Mesh(dir string, n, perNamespace int) (int, error) {
	total := 0
	for i := 0; i < n; i++ {
		ns := namespace(i, perNamespace)
		data := Fleet(i, ns)
		sub := filepath.Join(dir, ns)
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return total, err
		}
		if err := os.WriteFile(filepath.Join(sub, app(i)+".yaml"), data, 0o644); err != nil {
			return total, err
		}
		total += ResourcesPerFleet
	}
	return total, nil
}

// Fleet is the manifests of fleet i in namespace ns.
func Fleet(i int, ns string) []byte {
	app := app(i)
	selector, subset, route := app, "v2", "v2"
	switch i % 100 {
	case 97:
		selector = app + "-typo"
	case 98:
		subset = "v3"
	case 99:
		route = "blue"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `apiVersion: v1
kind: Service
metadata:
  name: %[1]s
  namespace: %[2]s
  labels: {app: %[1]s}
spec:
  selector:
    app: %[3]s
  ports:
    - name: http
      port: 8080
      targetPort: 8080
    - name: grpc
      port: 9090
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: %[1]s-sa
  namespace: %[2]s
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: %[1]s
  namespace: %[2]s
spec:
  selector:
    matchLabels: {app: %[1]s}
  mtls: {mode: STRICT}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: %[1]s-allow
  namespace: %[2]s
spec:
  selector:
    matchLabels: {app: %[1]s}
  action: ALLOW
  rules:
    - from:
        - source:
            principals: [cluster.local/ns/frontend/sa/frontend-sa]
      to:
        - operation:
            methods: [GET, POST]
            paths: [/api/v1/*]
            ports: ["8080"]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: %[1]s-deny
  namespace: %[2]s
spec:
  selector:
    matchLabels: {app: %[1]s}
  action: DENY
  rules:
    - from:
        - source:
            notNamespaces: [%[2]s, frontend]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: %[1]s
  namespace: %[2]s
spec:
  host: %[1]s.%[2]s.svc.cluster.local
  trafficPolicy:
    tls: {mode: ISTIO_MUTUAL}
    connectionPool:
      tcp: {maxConnections: 100}
    outlierDetection: {consecutive5xxErrors: 5, interval: 30s}
  subsets:
    - name: v1
      labels: {version: v1}
    - name: v2
      labels: {version: %[4]s}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: %[1]s
  namespace: %[2]s
spec:
  hosts: [%[1]s]
  http:
    - match:
        - headers:
            x-canary: {exact: "true"}
      route:
        - destination: {host: %[1]s, subset: v2}
    - route:
        - destination: {host: %[1]s, subset: v1, port: {number: 8080}}
          weight: 90
        - destination: {host: %[1]s, subset: %[5]s}
          weight: 10
      timeout: 5s
      retries: {attempts: 3, perTryTimeout: 2s}
---
apiVersion: networking.istio.io/v1
kind: WorkloadGroup
metadata:
  name: %[1]s
  namespace: %[2]s
spec:
  metadata:
    labels: {app: %[1]s, version: v1}
  template:
    serviceAccount: %[1]s-sa
    network: vm-network
    ports: {http: 8080, grpc: 9090}
  probe:
    httpGet: {path: /health, port: 8080}
`, app, ns, selector, subset, route)
	for v := 1; v <= 2; v++ {
		fmt.Fprintf(&b, `---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata:
  name: %[1]s-vm-%[3]d
  namespace: %[2]s
  labels: {app: %[1]s, version: v1}
spec:
  address: 10.%[4]d.%[5]d.%[3]d
  labels: {app: %[1]s, version: v1, instance: vm-%[3]d}
  serviceAccount: %[1]s-sa
  network: vm-network
  ports: {http: 8080, grpc: 9090}
`, app, ns, v, i/250, i%250)
	}
	fmt.Fprintf(&b, `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s-v2
  namespace: %[2]s
spec:
  replicas: 2
  selector:
    matchLabels: {app: %[1]s, version: v2}
  template:
    metadata:
      labels: {app: %[1]s, version: v2}
    spec:
      serviceAccountName: %[1]s-sa
      containers:
        - name: app
          image: registry.example.com/%[1]s:2.0.0
          ports:
            - {name: http, containerPort: 8080}
            - {name: grpc, containerPort: 9090}
          resources:
            requests: {cpu: 100m, memory: 128Mi}
`, app, ns)
	return []byte(b.String())
}

// VMFleets is n varied VMFleets in one stream: HTTP and TCP apps, zero to
// four VMs, every probe kind, policies, subsets and routes, across 40
// namespaces.
func VMFleets(n int) []byte {
	var b strings.Builder
	for i := range n {
		b.Write(VMFleet(i))
	}
	return []byte(b.String())
}

// VMFleet is the i-th fleet of VMFleets, a document of its own.
func VMFleet(i int) []byte {
	var b strings.Builder
	ns := fmt.Sprintf("ns-%d", i%40)
	fmt.Fprintf(&b, "---\napiVersion: meshfleet.dev/v1alpha1\nkind: VMFleet\nmetadata:\n  name: fleet-%d\n  namespace: %s\nspec:\n", i, ns)
	fmt.Fprintf(&b, "  app: app-%d\n  version: v%d\n  labels: {team: t%d, tier: backend}\n  network: net-%d\n", i, 1+i%3, i%7, i%2)
	b.WriteString("  ports:\n    - {name: http, port: 8080}\n    - {name: grpc, port: 9090}\n    - {name: metrics, port: 9091, service: false}\n")
	if i%4 == 0 {
		b.WriteString("    - {name: postgres, port: 5432, protocol: TCP}\n")
	}
	switch i % 3 {
	case 0:
		b.WriteString("  probe:\n    httpGet: {path: /health, port: http, headers: {x-probe: mesh}}\n    periodSeconds: 10\n")
	case 1:
		b.WriteString("  probe:\n    tcpSocket: {port: 9090}\n")
	default:
		b.WriteString("  probe:\n    exec: {command: [/bin/check]}\n")
	}
	if vms := i % 5; vms > 0 {
		b.WriteString("  vms:\n")
		for v := range vms {
			fmt.Fprintf(&b, "    - {address: 10.%d.%d.%d, locality: us-west-2/us-west-2a, labels: {slot: s%d}}\n", i/250, i%250, v+1, v)
		}
	}
	if i%2 == 0 {
		fmt.Fprintf(&b, "  allow:\n    - from: {serviceAccounts: [%s/client-%d], namespaces: [web]}\n      to: {methods: [GET], paths: [/api/*], ports: [http]}\n", ns, i)
		b.WriteString("  deny:\n    - from: {notNamespaces: [web, " + ns + "]}\n")
	}
	if i%3 == 0 {
		b.WriteString("  traffic:\n    subsets: {v1: {version: v1}, v2: {version: v2}}\n    routes:\n      - match: {headers: {x-canary: {exact: \"true\"}}}\n        to: {v2: 100}\n      - to: {v1: 90, v2: 10}\n    timeout: 5s\n    connectionPool: {tcp: {maxConnections: 100}}\n    outlierDetection: {consecutive5xxErrors: 5, interval: 30s}\n")
	}
	return []byte(b.String())
}

// WriteVMFleets writes VMFleets(n) as one file per fleet under dir.
func WriteVMFleets(dir string, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i := range n {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("fleet-%04d.yaml", i)), VMFleet(i), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// MeshTests is one MeshTest (meshfleet test) of cases over the fleets of
// Mesh(dir, fleets, perNamespace): a caller of the fleet's own namespace
// and service account, with and without the canary header. The fleets
// admit only the frontend (absent), so every call is denied, over mTLS;
// every case passes. Fleets with injected defects are skipped.
func MeshTests(fleets, perNamespace, cases int) []byte {
	var b strings.Builder
	b.WriteString("apiVersion: meshfleet.dev/v1alpha1\nkind: MeshTest\nmetadata: {name: corpus}\nspec:\n  cases:\n")
	for i := 0; i < cases; i++ {
		f := i % fleets
		if f%100 >= 97 {
			f -= 3 // the fleets with injected defects
		}
		ns, app := namespace(f, perNamespace), app(f)
		fmt.Fprintf(&b, "    - name: case %d\n      from: {namespace: %s, serviceAccount: %s-sa}\n", i, ns, app)
		if i%2 == 0 {
			fmt.Fprintf(&b, "      request: {host: %s, port: 8080, method: GET, path: /api/v1/x}\n", app)
			fmt.Fprintf(&b, "      expect: {allowed: false, mtls: true, destinations: [{subset: v1, weight: 90}, {subset: v2, weight: 10}]}\n")
		} else {
			fmt.Fprintf(&b, "      request: {host: %s.%s.svc.cluster.local, port: 8080, method: POST, path: /api/v1/x, headers: {x-canary: \"true\"}}\n", app, ns)
			fmt.Fprintf(&b, "      expect: {allowed: false, mtls: true, endpoints: [Deployment/%s/%s-v2]}\n", ns, app)
		}
	}
	return []byte(b.String())
}
