package lint

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The generators below reproduce issue 8 ("unbounded cost"): many
// resources selecting the same many identical workloads. Before the index
// grouped workloads into classes, each shape cost time and memory
// quadratic in N (Services × WorkloadEntries on one selector: 16 s at
// N=500, 262 s and 8.6 GB at N=2,000). selectors_bound_test.go holds them
// to a few seconds at N=5,000; TestSelectorShapes pins what they find at a
// size the race detector can run. Generated corpora are never committed.

// selectorShape writes one input of n resources of each side.
type selectorShape struct {
	name  string
	write func(b *strings.Builder, n int)
	// want returns the expected findings per rule for size n.
	want func(n int) map[string]int
	// more is how many more workloads than the one named some message
	// counts, for size n.
	more func(n int) int
}

var selectorShapes = []selectorShape{
	{"services-workloadentries", writeServicesWorkloadEntries, func(n int) map[string]int {
		// MF402 per Service (metrics port undeclared on the VMs), MF406 per
		// Service pair disagreeing on the protocol of port 8080 is avoided:
		// every Service names it http.
		return map[string]int{"MF402": n, "MF201": 1}
	}, func(n int) int { return n - 1 }},
	{"services-workloadentries-clean", func(b *strings.Builder, n int) { writeServices(b, n, false) }, func(n int) map[string]int {
		// The reproduction: nothing to report but the typo.
		return map[string]int{"MF201": 1}
	}, nil},
	{"authorization-principals", writeAuthorizationPolicies, func(n int) map[string]int {
		// Per policy: MF601 (principals on PERMISSIVE workloads), MF607
		// (port 7777 none listens on), MF608 (service account unknown); the
		// policy selecting nothing has no rules either (MF603).
		return map[string]int{"MF601": n, "MF607": n, "MF608": n, "MF202": 1, "MF603": 1}
	}, func(n int) int { return n - 1 }},
	{"destinationrule-subsets", writeDestinationRuleSubsets, func(n int) map[string]int {
		// Per rule: MF301 (subset v3), MF501 (DISABLE to STRICT backends);
		// every rule after the first repeats the host (MF305).
		return map[string]int{"MF301": n, "MF501": n, "MF305": n - 1}
	}, func(n int) int { return n/2 - 1 }},
	{"policies-groups", writePolicySelectors, func(n int) map[string]int {
		// Per PeerAuthentication: MF503 (port 9999 none receives); the
		// Sidecar selecting nothing: MF202; the n Sidecars all select the
		// same pods (MF207).
		return map[string]int{"MF503": n, "MF202": 1, "MF207": n}
	}, func(n int) int { return 2*n - 1 }},
	{"services-distinct-versions", writeDistinctVersions, func(n int) map[string]int {
		// Nothing to report but the typo: every subset selects its VM.
		return map[string]int{"MF201": 1}
	}, nil},
	{"policies-distinct-classes", writeDistinctClasses, func(n int) map[string]int {
		// MF305: the first dr-i brings the trafficPolicy the subsets-only
		// "versions" lacks (a lossless split); the n-1 after it lose theirs.
		return map[string]int{"MF501": n, "MF503": n, "MF607": n, "MF305": n - 1}
	}, func(n int) int { return n - 1 }},
}

// writeDistinctClasses: n WorkloadEntries behind one Service that a
// DestinationRule's subsets tell apart (every VM its own class), STRICT,
// and n each of DestinationRules turning TLS off, AuthorizationPolicies
// with ports, and PeerAuthentications with portLevelMtls, all selecting
// every VM.
func writeDistinctClasses(b *strings.Builder, n int) {
	b.WriteString(`apiVersion: v1
kind: Namespace
metadata: {name: mix}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: mix}
spec:
  mtls: {mode: STRICT}
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: mix}
spec:
  selector: {app: cart}
  ports: [{name: http, port: 8080}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: versions, namespace: mix}
spec:
  host: cart
  subsets:
`)
	for i := 0; i < n; i++ {
		fmt.Fprintf(b, "    - {name: v%d, labels: {version: v%d}}\n", i, i)
	}
	for i := 0; i < n; i++ {
		fmt.Fprintf(b, `---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: we-%[1]d, namespace: mix}
spec:
  address: 10.%[2]d.%[3]d.%[4]d
  labels: {app: cart, version: v%[1]d}
  serviceAccount: cart
  ports: {http: 8080}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: dr-%[1]d, namespace: mix}
spec:
  host: cart
  trafficPolicy:
    tls: {mode: DISABLE}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ap-%[1]d, namespace: mix}
spec:
  selector:
    matchLabels: {app: cart}
  rules:
    - from:
        - source:
            principals: [cluster.local/ns/mix/sa/cart]
      to:
        - operation:
            ports: ["8080", "7777"]
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: pa-%[1]d, namespace: mix}
spec:
  selector:
    matchLabels: {app: cart}
  portLevelMtls:
    "9999": {mode: DISABLE}
`, i, i/65536, i/256%256, i%256)
	}
}

// writeDistinctVersions: n Services sharing one selector in front of n
// WorkloadEntries that one DestinationRule's n subsets tell apart (a
// version each), so every VM is a class of its own.
func writeDistinctVersions(b *strings.Builder, n int) {
	writeServices(b, n, false)
	b.WriteString("---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: svc-0, namespace: vm}\nspec:\n  host: svc-0\n  subsets:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(b, "    - {name: we-%d, labels: {instance: we-%d}}\n", i, i)
	}
}

// writePolicySelectors: n WorkloadGroups and n WorkloadEntries with one
// label set (every entry fits every group, half name the first one), n
// Deployments with another, and n each of PeerAuthentications (with
// portLevelMtls), Sidecars and Telemetries selecting them.
func writePolicySelectors(b *strings.Builder, n int) {
	b.WriteString("apiVersion: v1\nkind: Namespace\nmetadata: {name: mesh}\n")
	for i := 0; i < n; i++ {
		ann := ""
		if i%2 == 0 {
			ann = "\n  annotations: {istio.io/autoRegistrationGroup: wg-0}"
		}
		fmt.Fprintf(b, `---
apiVersion: networking.istio.io/v1
kind: WorkloadGroup
metadata: {name: wg-%[1]d, namespace: mesh}
spec:
  metadata:
    labels: {app: vm, version: v1}
  template:
    serviceAccount: vm
    ports: {http: 8080}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata:
  name: we-%[1]d
  namespace: mesh%[2]s
spec:
  address: 10.%[3]d.%[4]d.%[5]d
  labels: {app: vm, version: v1, instance: we-%[1]d}
  serviceAccount: vm
  ports: {http: 8080}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d-%[1]d, namespace: mesh}
spec:
  selector:
    matchLabels: {app: pod}
  template:
    metadata:
      labels: {app: pod, version: v1}
    spec:
      containers:
        - {name: c, image: c, ports: [{name: http, containerPort: 8080}]}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: pa-%[1]d, namespace: mesh}
spec:
  selector:
    matchLabels: {app: vm}
  mtls: {mode: STRICT}
  portLevelMtls:
    "9999": {mode: DISABLE}
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: sc-%[1]d, namespace: mesh}
spec:
  workloadSelector:
    labels: {app: pod}
  egress: [{hosts: ["./*"]}]
---
apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: {name: t-%[1]d, namespace: mesh}
spec:
  selector:
    matchLabels: {app: pod}
`, i, ann, i/65536, i/256%256, i%256)
	}
	b.WriteString("---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: typo, namespace: mesh}\nspec:\n  workloadSelector:\n    labels: {app: pdo}\n  egress: [{hosts: [\"./*\"]}]\n")
}

// writeServicesWorkloadEntries: n Services sharing one selector, n
// WorkloadEntries carrying it (two versions, so there are several classes,
// and an instance label each, which no selector reads), and one Service
// selecting nothing. Every Service has a port
// the VMs do not declare (MF402 names one and counts the others).
func writeServicesWorkloadEntries(b *strings.Builder, n int) { writeServices(b, n, true) }

func writeServices(b *strings.Builder, n int, metrics bool) {
	b.WriteString("apiVersion: v1\nkind: Namespace\nmetadata: {name: vm}\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(b, `---
apiVersion: v1
kind: Service
metadata: {name: svc-%d, namespace: vm}
spec:
  selector: {app: shared}
  ports:
    - {name: http, port: 8080}
    - {name: grpc, port: 9090, targetPort: 9090}
`, i)
		if metrics {
			b.WriteString("    - {name: http-metrics, port: 9100}\n")
		}
	}
	for i := 0; i < n; i++ {
		fmt.Fprintf(b, `---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: we-%d, namespace: vm}
spec:
  address: 10.%d.%d.%d
  labels: {app: shared, version: v%d, instance: we-%d}
  serviceAccount: vm-sa
  ports: {http: 8080, grpc: 9090}
`, i, i/65536, i/256%256, i%256, 1+i%2, i)
	}
	b.WriteString("---\napiVersion: v1\nkind: Service\nmetadata: {name: typo, namespace: vm}\nspec:\n  selector: {app: shraed}\n  ports: [{name: http, port: 80}]\n")
}

// writeAuthorizationPolicies: n AuthorizationPolicies with principals and
// ports selecting n identical WorkloadEntries, whose mTLS is Istio's
// PERMISSIVE default, and one policy selecting nothing.
func writeAuthorizationPolicies(b *strings.Builder, n int) {
	b.WriteString("apiVersion: v1\nkind: Namespace\nmetadata: {name: istio-system}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: api}\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(b, `---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: we-%d, namespace: api}
spec:
  address: 10.%d.%d.%d
  labels: {app: api, version: v1, instance: we-%d}
  serviceAccount: api-sa
  ports: {http: 8080}
`, i, i/65536, i/256%256, i%256, i)
	}
	for i := 0; i < n; i++ {
		fmt.Fprintf(b, `---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ap-%d, namespace: api}
spec:
  selector:
    matchLabels: {app: api}
  action: ALLOW
  rules:
    - from:
        - source:
            principals: [cluster.local/ns/api/sa/client-%d]
      to:
        - operation:
            ports: ["8080", "7777"]
`, i, i)
	}
	b.WriteString("---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: typo, namespace: api}\nspec:\n  selector:\n    matchLabels: {app: aip}\n")
}

// writeDestinationRuleSubsets: one Service in front of n identical
// WorkloadEntries (two versions), STRICT in the namespace, and n
// DestinationRules for its host with three subsets, one selecting nothing
// and one turning TLS off.
func writeDestinationRuleSubsets(b *strings.Builder, n int) {
	b.WriteString(`apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec:
  mtls: {mode: STRICT}
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec:
  selector: {app: cart}
  ports: [{name: http, port: 8080}]
`)
	for i := 0; i < n; i++ {
		fmt.Fprintf(b, `---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: we-%d, namespace: shop}
spec:
  address: 10.%d.%d.%d
  labels: {app: cart, version: v%d, instance: we-%d}
  serviceAccount: cart
  ports: {http: 8080}
`, i, i/65536, i/256%256, i%256, 1+i%2, i)
	}
	for i := 0; i < n; i++ {
		fmt.Fprintf(b, `---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: dr-%d, namespace: shop}
spec:
  host: cart
  subsets:
    - {name: v1, labels: {version: v1}}
    - name: v2
      labels: {version: v2}
      trafficPolicy:
        tls: {mode: DISABLE}
    - {name: v3, labels: {app: cart, version: v3}}
`, i)
	}
}

// shapeRun is one lint of a generated shape.
type shapeRun struct {
	elapsed   time.Duration
	peakHeap  uint64 // highest HeapAlloc sampled during the run
	allocated uint64 // bytes allocated by the run
	counts    map[string]int
	messages  []string
}

// runShape writes shape s at size n to temporary files and lints them.
func runShape(t testing.TB, s selectorShape, n int) shapeRun {
	t.Helper()
	var b strings.Builder
	s.write(&b, n)
	// Files of at most 2,000 documents: a file may hold 10,000.
	dir := t.TempDir()
	docs := strings.Split(b.String(), "\n---\n")
	for i := 0; i < len(docs); i += 2000 {
		name := filepath.Join(dir, fmt.Sprintf("%s-%03d.yaml", s.name, i/2000))
		if err := os.WriteFile(name, []byte(strings.Join(docs[i:min(i+2000, len(docs))], "\n---\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := dir
	eng := testEngine(t)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	start := time.Now()
	res, err := eng.Lint(context.Background(), Options{Paths: []string{path}})
	elapsed := time.Since(start)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	run := shapeRun{elapsed: elapsed, peakHeap: peak.Load(), allocated: after.TotalAlloc - before.TotalAlloc, counts: map[string]int{}}
	for _, f := range res.Report.Findings {
		run.counts[f.Rule]++
		run.messages = append(run.messages, fmt.Sprintf("%d %s %s %s", f.Line, f.Rule, f.Path, f.Message))
	}
	sort.Strings(run.messages)
	return run
}

// checkShapeCounts compares findings per rule with what the shape injects.
func checkShapeCounts(t *testing.T, s selectorShape, n int, run shapeRun) {
	t.Helper()
	want := s.want(n)
	if fmt.Sprint(run.counts) != fmt.Sprint(want) {
		t.Errorf("%s n=%d: findings per rule %v, want %v", s.name, n, run.counts, want)
	}
}

// TestSelectorShapes lints each shape at a size the race detector can run
// and checks what it finds, including the "(and N more workloads)" counts
// that the index now computes per workload class.
func TestSelectorShapes(t *testing.T) {
	const n = 40
	for _, s := range selectorShapes {
		t.Run(s.name, func(t *testing.T) {
			run := runShape(t, s, n)
			checkShapeCounts(t, s, n, run)
			if s.more == nil {
				return
			}
			more := "and " + strconv.Itoa(s.more(n)) + " more"
			found := false
			for _, m := range run.messages {
				found = found || strings.Contains(m, more)
			}
			if !found {
				t.Errorf("no message says %q:\n%s", more, strings.Join(run.messages[:min(5, len(run.messages))], "\n"))
			}
		})
	}
}

// TestSelectorShapesReport prints time and memory per shape and size when
// MESHFLEET_SHAPES=500,1000,2000 is set (for the before/after
// table), and with MESHFLEET_SHAPES_DUMP=DIR writes their findings there
// (to compare two builds); it checks nothing else.
func TestSelectorShapesReport(t *testing.T) {
	sizes := os.Getenv("MESHFLEET_SHAPES")
	if sizes == "" {
		t.Skip("set MESHFLEET_SHAPES=500,1000 to measure")
	}
	only := os.Getenv("MESHFLEET_SHAPE")
	for _, f := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range selectorShapes {
			if only != "" && only != s.name {
				continue
			}
			run := runShape(t, s, n)
			if dump := os.Getenv("MESHFLEET_SHAPES_DUMP"); dump != "" {
				name := filepath.Join(dump, fmt.Sprintf("%s-%d.txt", s.name, n))
				if err := os.WriteFile(name, []byte(strings.Join(run.messages, "\n")+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			t.Logf("%-26s n=%-5d %8.2fs  peak heap %6d MiB  allocated %6d MiB  findings %v",
				s.name, n, run.elapsed.Seconds(), run.peakHeap>>20, run.allocated>>20, run.counts)
		}
	}
}
