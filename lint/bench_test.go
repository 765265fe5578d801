package lint

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

// fleetsPerNamespace spreads the corpus like a real mesh: about ten
// services per namespace, so namespaces grow with the corpus.
const fleetsPerNamespace = 10

// writeCorpus writes n fleets' worth of manifests under dir, one file per
// fleet with eleven resources (Service, ServiceAccount, PeerAuthentication,
// two AuthorizationPolicies, DestinationRule with subsets, VirtualService,
// WorkloadGroup, two WorkloadEntries, Deployment), and returns how many
// resources it wrote. Of every 100 fleets, one has a Service selector typo
// (MF201), one a subset selecting nothing (MF301) and one a route to an
// undefined subset (MF302), so benchmarks measure rules that fire too.
func writeCorpus(tb testing.TB, dir string, n int) int {
	tb.Helper()
	total := 0
	for i := 0; i < n; i++ {
		ns := fmt.Sprintf("team-%03d", i/fleetsPerNamespace)
		app := fmt.Sprintf("svc-%04d", i)
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
		sub := filepath.Join(dir, ns)
		if err := os.MkdirAll(sub, 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, app+".yaml"), []byte(b.String()), 0o644); err != nil {
			tb.Fatal(err)
		}
		total += 11
	}
	return total
}

func benchLint(b *testing.B, fleets int) {
	dir := b.TempDir()
	n := writeCorpus(b, dir, fleets)
	eng := testEngine(b)
	// As the CLI does (internal/cli tuneGC): GOGC=400 and a soft memory
	// limit of 60 bytes per input byte, at least 160 MiB.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	loaded := func(n int64) { debug.SetMemoryLimit(max(160<<20, 60*n)) }
	var sum Timings
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := eng.Lint(context.Background(), Options{Paths: []string{dir}, Loaded: loaded})
		if err != nil {
			b.Fatal(err)
		}
		if res.Report.Summary.Resources != n {
			b.Fatalf("linted %d resources, want %d", res.Report.Summary.Resources, n)
		}
		if want := fleets / 100 * 3; len(res.Report.Findings) != want {
			b.Fatalf("%d findings, want %d", len(res.Report.Findings), want)
		}
		t := res.Timings
		sum.Parse += t.Parse
		sum.Render += t.Render
		sum.Index += t.Index
		sum.Eval += t.Eval
		sum.Findings += t.Findings
	}
	ms := func(d interface{ Milliseconds() int64 }) float64 { return float64(d.Milliseconds()) / float64(b.N) }
	b.ReportMetric(ms(sum.Parse), "parse-ms/op")
	b.ReportMetric(ms(sum.Index), "index-ms/op")
	b.ReportMetric(ms(sum.Eval), "eval-ms/op")
	b.ReportMetric(ms(sum.Findings), "findings-ms/op")
}

// BenchmarkLint11k is DESIGN.md §6's main target: 11,000 resources.
func BenchmarkLint11k(b *testing.B) { benchLint(b, 1000) }

// BenchmarkLint110k checks growth stays linear at ten times the size.
func BenchmarkLint110k(b *testing.B) {
	if testing.Short() {
		b.Skip("110k resources: skipped with -short")
	}
	benchLint(b, 10000)
}

// TestWriteCorpus writes a benchmark corpus for whole-process timing when
// MESHFLEET_CORPUS=DIR[:FLEETS] is set, e.g.
// MESHFLEET_CORPUS=/tmp/corpus:1000 go test ./lint -run TestWriteCorpus.
// Generated corpora are never committed.
func TestWriteCorpus(t *testing.T) {
	spec := os.Getenv("MESHFLEET_CORPUS")
	if spec == "" {
		t.Skip("set MESHFLEET_CORPUS=DIR[:FLEETS] to write a corpus")
	}
	dir, count, _ := strings.Cut(spec, ":")
	fleets := 1000
	if count != "" {
		var err error
		if fleets, err = strconv.Atoi(count); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("wrote %d resources to %s", writeCorpus(t, dir, fleets), dir)
}

// TestCorpusFindings pins what the corpus's injected defects produce, so
// the benchmarks measure a run whose answer is known.
func TestCorpusFindings(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, dir, 100)
	res, err := testEngine(t).Lint(context.Background(), Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Report.Findings {
		got = append(got, fmt.Sprintf("%s:%d %s %s", filepath.Base(f.File), f.Line, f.Rule, f.Path))
	}
	want := []string{
		"svc-0097.yaml:8 MF201 spec.selector",
		"svc-0098.yaml:82 MF301 spec.subsets[1].labels",
		"svc-0099.yaml:100 MF302 spec.http[1].route[1].destination.subset",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
