package render

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshfleet/meshfleet/internal/corpus"
	"github.com/meshfleet/meshfleet/internal/manifest"
)

// decodeAll parses and decodes every VMFleet of files, failing on any error.
func decodeAll(t testing.TB, files map[string][]byte) []*Fleet {
	t.Helper()
	var fleets []*Fleet
	for _, name := range sortedKeys(files) {
		docs, err := manifest.Parse(name, files[name], manifest.DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range docs {
			if !IsFleet(doc.Node) {
				continue
			}
			f, errs := Decode(doc)
			if errs != nil {
				t.Fatalf("decode %s: %v", name, errs)
			}
			fleets = append(fleets, f)
		}
	}
	return fleets
}

func mustRender(t testing.TB, fleets []*Fleet, opts Options) []*Resource {
	t.Helper()
	rs, errs := Render(fleets, opts)
	if errs != nil {
		t.Fatalf("render: %v", errs)
	}
	return rs
}

// successGroups is what renders together without error: the examples as
// one group, and each success fixture (all its input files) as another.
func successGroups(t *testing.T) map[string]map[string][]byte {
	t.Helper()
	groups := map[string]map[string][]byte{}
	add := func(group, path string) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if groups[group] == nil {
			groups[group] = map[string][]byte{}
		}
		groups[group][path] = data
	}
	examples, _ := filepath.Glob("../examples/*/fleet.yaml")
	for _, p := range examples {
		add("examples", p)
	}
	wants, _ := filepath.Glob(fixturesDir + "/*/want.yaml")
	for _, w := range wants {
		dir := filepath.Dir(w)
		inputs, _ := filepath.Glob(filepath.Join(dir, "input*.yaml"))
		for _, in := range inputs {
			add(filepath.Base(dir), in)
		}
	}
	if len(groups) < 2 {
		t.Fatal("no inputs")
	}
	// Enough fleets for Render and Marshal to split work across workers.
	groups["generated"] = map[string][]byte{"generated.yaml": genFleets(150)}
	return groups
}

// TestDeterminism renders the same fleets in shuffled order, with every
// object rebuilt in a shuffled map insertion order, and under different
// GOMAXPROCS: the bytes must not change.
func TestDeterminism(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for name, files := range successGroups(t) {
		fleets := decodeAll(t, files)
		want := Marshal(mustRender(t, fleets, Options{}))
		if len(want) == 0 {
			t.Fatalf("%s: nothing rendered", name)
		}
		for i := range 10 {
			runtime.GOMAXPROCS(1 + i%4)
			shuffled := append([]*Fleet(nil), fleets...)
			rng.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
			rs := mustRender(t, shuffled, Options{})
			for j, r := range rs {
				rs[j] = &Resource{Object: reinsert(rng, r.Object).(map[string]any), Fleet: r.Fleet, Origins: r.Origins}
			}
			if got := Marshal(rs); !bytes.Equal(got, want) {
				t.Fatalf("%s, run %d: output differs:\n%s", name, i, cmp.Diff(string(want), string(got)))
			}
		}
	}
}

// reinsert deep-copies v, inserting map keys in a random order.
func reinsert(rng *rand.Rand, v any) any {
	switch x := v.(type) {
	case map[string]any:
		keys := sortedKeys(x)
		rng.Shuffle(len(keys), func(a, b int) { keys[a], keys[b] = keys[b], keys[a] })
		out := make(map[string]any, len(x))
		for _, k := range keys {
			out[k] = reinsert(rng, x[k])
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = reinsert(rng, e)
		}
		return out
	}
	return v
}

// TestDuplicateErrorOrderIndependent: which fleet a duplicate error names
// first does not depend on the input order.
func TestDuplicateErrorOrderIndependent(t *testing.T) {
	dir := filepath.Join(fixturesDir, "err-duplicate-objects")
	files := map[string][]byte{}
	for _, name := range []string{"input.yaml", "input-b.yaml"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = data
	}
	fleets := decodeAll(t, files)
	_, a := Render(fleets, Options{})
	_, b := Render([]*Fleet{fleets[1], fleets[0]}, Options{})
	if len(a) == 0 {
		t.Fatal("no duplicate errors")
	}
	if diff := cmp.Diff(errorLines(a), errorLines(b)); diff != "" {
		t.Errorf("errors depend on input order (-forward +reverse):\n%s", diff)
	}
}

func errorLines(errs []*manifest.Error) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Error()
	}
	return out
}

// TestPosition checks that findings on rendered fields point at the VMFleet
// field that produced them.
func TestPosition(t *testing.T) {
	const file = "../examples/payment-service/fleet.yaml"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	rs := mustRender(t, decodeAll(t, map[string][]byte{file: data}), Options{})
	lines := strings.Split(string(data), "\n")
	lineOf := func(needle string) int {
		for i, l := range lines {
			if strings.Contains(l, needle) {
				return i + 1
			}
		}
		t.Fatalf("%q not in %s", needle, file)
		return 0
	}
	tests := []struct {
		kind, name, path string
		wantPath         string
		wantLine         int
	}{
		{"DestinationRule", "payment-service", "spec.subsets[0]", "spec.traffic.subsets.k8s-version", lineOf("k8s-version: {version: v2}")},
		{"DestinationRule", "payment-service", "spec.subsets[1].labels.version", "spec.traffic.subsets.vm-version.version", lineOf("vm-version: {version: v1}")},
		{"DestinationRule", "payment-service", "spec.trafficPolicy.connectionPool.tcp.maxConnections", "spec.traffic.connectionPool.tcp.maxConnections", lineOf("maxConnections: 100")},
		{"DestinationRule", "payment-service", "spec.trafficPolicy.tls.mode", "spec.mtls", lineOf("mtls: STRICT")},
		{"DestinationRule", "payment-service", "spec.host", "spec.app", lineOf("app: payment-service")},
		{"Service", "payment-service", "spec.ports[1]", "spec.ports[1]", lineOf("{name: grpc, port: 9090}")},
		{"Service", "payment-service", "spec.ports[1].targetPort", "spec.ports[1].port", lineOf("{name: grpc, port: 9090}")},
		{"Service", "payment-service", "spec.selector.app", "spec.app", lineOf("app: payment-service")},
		{"WorkloadEntry", "legacy-payment-service-vm-1", "spec.address", "spec.vms[0].address", lineOf("address: 10.0.1.5")},
		{"WorkloadEntry", "legacy-payment-service-vm-2", "spec.labels.instance", "spec.vms[1].labels.instance", lineOf("{instance: secondary}")},
		{"WorkloadEntry", "legacy-payment-service-vm-2", "metadata.labels.environment", "spec.labels.environment", lineOf("environment: production")},
		{"WorkloadEntry", "legacy-payment-service-vm-1", "spec.ports.grpc", "spec.ports[1]", lineOf("{name: grpc, port: 9090}")},
		{"WorkloadEntry", "legacy-payment-service-vm-1", "spec.network", "spec.network", lineOf("network: vm-network")},
		{"VirtualService", "payment-service", "spec.http[1].route[0]", "spec.traffic.routes[1].to.k8s-version", lineOf("- to: {k8s-version: 90")},
		{"VirtualService", "payment-service", "spec.http[0].match[0].headers.x-canary.exact", "spec.traffic.routes[0].match.headers.x-canary.exact", lineOf("x-canary")},
		{"VirtualService", "payment-service", "spec.http[0].timeout", "spec.traffic.timeout", lineOf("timeout: 5s")},
		{"AuthorizationPolicy", "legacy-payment-service-allow", "spec.rules[0].from[0].source.principals[0]", "spec.allow[0].from.serviceAccounts[0]", lineOf("frontend/frontend-sa")},
		{"AuthorizationPolicy", "legacy-payment-service-allow", "spec.rules[0].to[0].operation.ports[0]", "spec.allow[0].to.ports[0]", lineOf("ports: [http]")},
		{"AuthorizationPolicy", "legacy-payment-service-deny", "spec.rules[0].from[0].source.notNamespaces", "spec.deny[0].from.notNamespaces", lineOf("notNamespaces")},
		{"WorkloadGroup", "legacy-payment-service", "spec.probe.httpGet.port", "spec.probe.httpGet.port", lineOf("httpGet: {path: /health")},
		{"WorkloadGroup", "legacy-payment-service", "spec.template.ports.metrics", "spec.ports[2]", lineOf("{name: metrics")},
		{"WorkloadGroup", "legacy-payment-service", "spec.metadata.labels.version", "spec.version", lineOf("version: v1")},
		{"PeerAuthentication", "legacy-payment-service", "spec.mtls.mode", "spec.mtls", lineOf("mtls: STRICT")},
		{"ServiceAccount", "payment-service-sa", "metadata.name", "spec.serviceAccount", lineOf("serviceAccount: payment-service-sa")},
	}
	for _, tt := range tests {
		t.Run(tt.kind+"/"+tt.path, func(t *testing.T) {
			r := findResource(t, rs, tt.kind, tt.name)
			gotFile, line, col, fleetPath := r.Position(tt.path)
			if gotFile != file || fleetPath != tt.wantPath || line != tt.wantLine || col == 0 {
				t.Errorf("Position(%q) = %s:%d:%d %s, want %s:%d %s", tt.path, gotFile, line, col, fleetPath, file, tt.wantLine, tt.wantPath)
			}
		})
	}
}

// TestPositionDefaulted: a rendered field whose VMFleet field is defaulted
// points at metadata.name, the field every default derives from.
func TestPositionDefaulted(t *testing.T) {
	data := []byte("apiVersion: meshfleet.dev/v1alpha1\nkind: VMFleet\nmetadata:\n  name: tiny\n  namespace: ns\nspec:\n  ports: [{name: http, port: 80}]\n")
	rs := mustRender(t, decodeAll(t, map[string][]byte{"f.yaml": data}), Options{})
	for _, r := range rs {
		for _, path := range []string{"metadata.name", "spec.template.serviceAccount", "spec.host", "metadata.labels"} {
			_, line, _, fleetPath := r.Position(path)
			if line == 0 {
				t.Errorf("%s %s: no position for %s", r.kind(), r.name(), path)
			}
			if path == "metadata.name" && fleetPath != "metadata.name" && fleetPath != "spec.ports" {
				t.Errorf("%s: metadata.name resolved to %s", r.kind(), fleetPath)
			}
		}
	}
}

func findResource(t *testing.T, rs []*Resource, kind, name string) *Resource {
	t.Helper()
	for _, r := range rs {
		if r.kind() == kind && r.name() == name {
			return r
		}
	}
	t.Fatalf("no %s %s rendered", kind, name)
	return nil
}

func TestVMName(t *testing.T) {
	tests := map[string]string{
		"10.0.1.5":               "10-0-1-5",
		"fd00::1":                "fd00-0-0-0-0-0-0-1",
		"2001:db8::ff00:42:8329": "2001-db8-0-0-0-ff00-42-8329",
		"::":                     "0-0-0-0-0-0-0-0",
		"::ffff:10.0.1.5":        "0-0-0-0-0-ffff-a00-105",
	}
	seen := map[string]string{}
	for addr, want := range tests {
		got := vmName(netip.MustParseAddr(addr))
		if got != want {
			t.Errorf("vmName(%s) = %s, want %s", addr, got, want)
		}
		if msg := dns1123Label(got); msg != "" {
			t.Errorf("vmName(%s): %s", addr, msg)
		}
		if other, dup := seen[got]; dup {
			t.Errorf("vmName(%s) = vmName(%s) = %s", addr, other, got)
		}
		seen[got] = addr
	}
}

func TestAPIVersions(t *testing.T) {
	tests := []struct {
		in, net, sec string
		err          bool
	}{
		{"", "networking.istio.io/v1", "security.istio.io/v1", false},
		{"1.22", "networking.istio.io/v1", "security.istio.io/v1", false},
		{"1.24.2", "networking.istio.io/v1", "security.istio.io/v1", false},
		{"v1.23.0-beta.1", "networking.istio.io/v1", "security.istio.io/v1", false},
		{"2.0", "networking.istio.io/v1", "security.istio.io/v1", false},
		{"1.21.3", "networking.istio.io/v1beta1", "security.istio.io/v1beta1", false},
		{"1.20", "networking.istio.io/v1beta1", "security.istio.io/v1beta1", false},
		{"1.9", "networking.istio.io/v1beta1", "security.istio.io/v1beta1", false},
		{"latest", "", "", true},
		{"1", "", "", true},
		{"1.x", "", "", true},
	}
	for _, tt := range tests {
		n, s, err := apiVersions(tt.in)
		if (err != nil) != tt.err || n != tt.net || s != tt.sec {
			t.Errorf("apiVersions(%q) = %s, %s, %v", tt.in, n, s, err)
		}
	}
}

func TestProtocolFromName(t *testing.T) {
	tests := map[string]Protocol{
		"http": ProtoHTTP, "http-api": ProtoHTTP, "http2": ProtoHTTP2, "https-x": ProtoHTTPS,
		"grpc": ProtoGRPC, "grpc-web": ProtoGRPCWeb, "grpc-web-ui": ProtoGRPCWeb, "grpc-api": ProtoGRPC,
		"tcp": ProtoTCP, "tls-db": ProtoTLS, "mongo": ProtoMongo, "mysql": ProtoMySQL, "redis-x": ProtoRedis,
		"udp": ProtoUDP, "postgres": "", "httpx": "", "metrics": "", "tcpdump": "",
	}
	for name, want := range tests {
		got, ok := protocolFromName(name)
		if got != want || ok != (want != "") {
			t.Errorf("protocolFromName(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
}

func TestHint(t *testing.T) {
	tests := []struct{ got, want string }{
		{"tcpSockets", " (did you mean tcpSocket?)"},
		{"TCPSocket", " (did you mean tcpSocket?)"},
		{"grpc", " (expected one of: exec, httpGet, tcpSocket)"},
	}
	for _, tt := range tests {
		if h := hint(tt.got, []string{"httpGet", "tcpSocket", "exec"}); h != tt.want {
			t.Errorf("hint(%q) = %q, want %q", tt.got, h, tt.want)
		}
	}
}

// TestDecodeNonFleet: Decode on something that is not a VMFleet reports it
// rather than rendering it.
func TestDecodeNonFleet(t *testing.T) {
	docs, err := manifest.Parse("x.yaml", []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: b}\n"), manifest.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if IsFleet(docs[0].Node) {
		t.Fatal("a ConfigMap is not a VMFleet")
	}
	f, errs := Decode(docs[0])
	if f != nil || len(errs) == 0 {
		t.Fatalf("Decode(ConfigMap) = %v, %v", f, errs)
	}
}

// FuzzDecode drives the whole pipeline on arbitrary input: it may fail,
// never panic, and what renders must marshal and resolve positions.
func FuzzDecode(f *testing.F) {
	seeds, _ := filepath.Glob(fixturesDir + "/*/input*.yaml")
	examples, _ := filepath.Glob("../examples/*/fleet.yaml")
	for _, p := range append(seeds, examples...) {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("apiVersion: meshfleet.dev/v1alpha1\nkind: VMFleet\nmetadata: &m {name: a, namespace: b}\nspec: {ports: [{name: http, port: 1}], vms: [{address: '::'}], allow: []}\n"))
	lim := manifest.Limits{MaxBytes: 1 << 20, MaxDepth: 50, MaxAliasNodes: 10_000}
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := manifest.Parse("fuzz.yaml", data, lim)
		if err != nil {
			return
		}
		var fleets []*Fleet
		for _, doc := range docs {
			if !IsFleet(doc.Node) {
				continue
			}
			fl, errs := Decode(doc)
			if (fl == nil) == (len(errs) == 0) {
				t.Fatalf("Decode returned fleet %v with %d errors", fl != nil, len(errs))
			}
			for _, e := range errs {
				if e.File != "fuzz.yaml" || e.Msg == "" {
					t.Fatalf("bad error %#v", e)
				}
			}
			if fl != nil {
				fleets = append(fleets, fl)
			}
		}
		rs, errs := Render(fleets, Options{})
		if errs != nil {
			return
		}
		roundTrip(t, rs)
		for _, r := range rs {
			for _, o := range r.Origins {
				r.Position(o.Path)
			}
			r.Position("spec.no.such[3].path")
		}
	})
}

// genFleets writes n varied VMFleets (internal/corpus).
func genFleets(n int) []byte { return corpus.VMFleets(n) }

// BenchmarkRender1000Fleets measures what `meshfleet render` does for 1,000
// fleets once the bytes are read: parse, decode, render, marshal. The goal
// is 0.3 s (DESIGN.md §6).
func BenchmarkRender1000Fleets(b *testing.B) {
	data := genFleets(1000)
	var resources int
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		docs, err := manifest.Parse("fleets.yaml", data, manifest.DefaultLimits)
		if err != nil {
			b.Fatal(err)
		}
		fleets := make([]*Fleet, 0, len(docs))
		for _, doc := range docs {
			f, errs := Decode(doc)
			if errs != nil {
				b.Fatal(errs[0])
			}
			fleets = append(fleets, f)
		}
		rs, errs := Render(fleets, Options{})
		if errs != nil {
			b.Fatal(errs[0])
		}
		resources = len(rs)
		if len(Marshal(rs)) == 0 {
			b.Fatal("empty output")
		}
	}
	b.ReportMetric(float64(resources), "resources")
}

// roundTrip reads Marshal's output back and compares it with the objects.
func roundTrip(t testing.TB, rs []*Resource) {
	t.Helper()
	docs, err := manifest.Parse("out.yaml", Marshal(rs), manifest.DefaultLimits)
	if err != nil {
		t.Fatalf("output does not parse: %v", err)
	}
	if len(docs) != len(rs) {
		t.Fatalf("%d documents for %d resources", len(docs), len(rs))
	}
	for i, doc := range docs {
		if diff := cmp.Diff(any(rs[i].Object), manifest.Value(doc.Node)); diff != "" {
			t.Fatalf("document %d does not read back (-object +read):\n%s", i, diff)
		}
	}
}

// TestMarshalRoundTrip: strings that a YAML reader could take for something
// else are quoted, and everything reads back as written.
func TestMarshalRoundTrip(t *testing.T) {
	tricky := []any{
		"", " ", "true", "True", "yes", "NO", "on", "y", "~", "null", "Null", "8080", "-1", "+1", "0x1F", "0o17",
		"017", "1_000", "1e3", ".5", "1.", ".inf", "-.Inf", ".NaN", "1:20", "2001-12-14", "10.0.1.5", "fd00::1",
		"::1", "-data", "- item", "a: b", "a #b", "a#b", "#x", "&a", "*a", "!tag", "|", ">", "%x", "@x", "`x",
		"'q'", `"q"`, "x:", "key: value", "multi\nline", "tab\there", "ctl\x01", "é", "\u2028", "\ufeff", "emoji 🚀",
		"/api/v1/*", "5xx,reset", "[a]", "{a}", "back\\slash", "a  b", "trailing ", "?x", ",x",
		"<<", "=", "...", "...x", ".hidden", "---", "a\u00a0b",
	}
	obj := map[string]any{"list": tricky, "nested": []any{[]any{"a", int64(1)}, map[string]any{}, []any{}, nil, true, int64(-7)}}
	for i, s := range tricky {
		obj[fmt.Sprintf("k%02d", i)] = s
		if s != "" {
			obj[s.(string)] = s
		}
	}
	obj[strings.Repeat("k", 1100)] = "long key"
	roundTrip(t, []*Resource{{Object: obj}, {Object: map[string]any{"empty": map[string]any{}}}})
}

// TestRenderedRoundTrip: every golden output reads back as rendered.
func TestRenderedRoundTrip(t *testing.T) {
	for name, files := range successGroups(t) {
		t.Run(name, func(t *testing.T) { roundTrip(t, mustRender(t, decodeAll(t, files), Options{})) })
	}
}

// TestPositionWithoutFleet: objects no VMFleet rendered have no position
// rather than a panic.
func TestPositionWithoutFleet(t *testing.T) {
	r := &Resource{Object: map[string]any{"kind": "ConfigMap"}}
	if file, line, col, p := r.Position("metadata.name"); file != "" || line != 0 || col != 0 || p != "" {
		t.Errorf("Position = %q %d %d %q, want zeros", file, line, col, p)
	}
}

// TestDecodeNotAnObject: a document that is not a mapping gets one error.
func TestDecodeNotAnObject(t *testing.T) {
	docs, err := manifest.Parse("x.yaml", []byte("- a\n- b\n"), manifest.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	f, errs := Decode(docs[0])
	if f != nil || len(errs) != 1 || errs[0].Error() != "x.yaml:1:1: expected a mapping, got a sequence" {
		t.Fatalf("Decode = %v, %v", f, errorLines(errs))
	}
}

// TestPositionMetadata: the metadata of objects named after the fleet points
// at the fleet's own metadata.
func TestPositionMetadata(t *testing.T) {
	const file = "../examples/payment-service/fleet.yaml"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	rs := mustRender(t, decodeAll(t, map[string][]byte{file: data}), Options{})
	for _, tt := range []struct{ kind, name, path, want string }{
		{"PeerAuthentication", "legacy-payment-service", "metadata.name", "metadata.name"},
		{"AuthorizationPolicy", "legacy-payment-service-allow", "metadata.namespace", "metadata.namespace"},
		{"WorkloadGroup", "legacy-payment-service", "metadata.name", "metadata.name"},
		{"Service", "payment-service", "metadata.name", "spec.app"},
		{"WorkloadEntry", "legacy-payment-service-vm-1", "metadata.name", "spec.vms[0].name"},
		{"WorkloadEntry", "legacy-payment-service-vm-1", "metadata.namespace", "metadata.namespace"},
		{"WorkloadEntry", "legacy-payment-service-vm-1", "metadata.annotations", "spec.vms[0]"},
	} {
		if _, _, _, got := findResource(t, rs, tt.kind, tt.name).Position(tt.path); got != tt.want {
			t.Errorf("%s %s: Position(%s) resolved to %s, want %s", tt.kind, tt.name, tt.path, got, tt.want)
		}
	}
}
