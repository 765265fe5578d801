package lint

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func routesOf(t *testing.T, src string) []any {
	t.Helper()
	var l []any
	if err := yaml.Unmarshal([]byte(src), &l); err != nil {
		t.Fatal(err)
	}
	return l
}

// summary writes route facts compactly: "U spec.http[1] catchAll<-spec.http[0]"
// and "I spec.http[2].match[0] duplicate<-spec.http[0].match[0]".
func summary(unreachable, ineffective []any) string {
	var out []string
	for _, u := range unreachable {
		m := mapOf(u)
		out = append(out, fmt.Sprintf("U %s %s<-%s", m["path"], m["reason"], m["by"]))
	}
	for _, i := range ineffective {
		m := mapOf(i)
		out = append(out, fmt.Sprintf("I %s %s<-%s", m["path"], m["how"], m["by"]))
	}
	return strings.Join(out, "; ")
}

func TestRouteReach(t *testing.T) {
	for _, tc := range []struct {
		name, kind, routes, want string
	}{
		{"catch-all last is fine", "http", `
- match: [{uri: {prefix: /a}}]
- route: []`, ""},
		{"no match first", "http", `
- route: []
- match: [{uri: {prefix: /a}}]
- route: []`, "U spec.http[1] catchAll<-spec.http[0]; U spec.http[2] catchAll<-spec.http[0]"},
		{"prefix slash takes everything", "http", `
- match: [{uri: {prefix: /}, name: all, ignoreUriCase: true}]
- match: [{uri: {exact: /x}}]`, "U spec.http[1] catchAll<-spec.http[0].match[0]"},
		{"empty match takes everything", "http", `
- match: [{}]
- route: []`, "U spec.http[1] catchAll<-spec.http[0].match[0]"},
		{"regex .* takes everything", "http", `
- match: [{uri: {regex: ".*"}}]
- route: []`, "U spec.http[1] catchAll<-spec.http[0].match[0]"},
		{"prefix slash with a condition does not", "http", `
- match: [{uri: {prefix: /}, sourceLabels: {app: a}}]
- match: [{uri: {prefix: /}, port: 8080}]
- match: [{uri: {prefix: /}, headers: {x: {exact: "1"}}}]
- match: [{uri: {prefix: /}, gateways: [gw]}]
- route: []`, ""},
		{"duplicates, names and zero values aside", "http", `
- match: [{name: a, uri: {prefix: /a}, ignoreUriCase: false}, {uri: {exact: /b}}]
- match: [{name: b, uri: {prefix: /a}}]
- match: [{uri: {exact: /b}}, {uri: {exact: /c}}]`,
			"U spec.http[1] covered<-spec.http[0].match[0]; I spec.http[2].match[0] duplicate<-spec.http[0].match[1]"},
		{"prefix covered only with equal other conditions", "http", `
- match: [{uri: {prefix: /api}, method: {exact: GET}}]
- match: [{uri: {prefix: /api/v1}, method: {exact: GET}}, {uri: {prefix: /api/v2}, method: {exact: POST}}]
- match: [{uri: {prefix: /ap}}]
- match: [{uri: {prefix: /apx}, method: {exact: GET}}]`,
			"U spec.http[3] covered<-spec.http[2].match[0]; I spec.http[1].match[0] prefix<-spec.http[0].match[0]"},
		{"a prefix without other conditions covers any longer one", "http", `
- match: [{uri: {prefix: /api/v1/product}}, {uri: {prefix: /api/v1/products}, method: {exact: GET}}]
- match: [{uri: {prefix: /api/v1/product}, method: {exact: GET}}, {uri: {prefix: /b}}]
- match: [{uri: {prefix: /api/v1/prod}, method: {exact: GET}}]`,
			"I spec.http[0].match[1] prefix<-spec.http[0].match[0]"},
		{"a longer prefix first is fine", "http", `
- match: [{uri: {prefix: /api/v1}}]
- match: [{uri: {prefix: /api}}]`, ""},
		{"tcp without match", "tcp", `
- route: []
- match: [{port: 1}]`, "U spec.tcp[1] catchAll<-spec.tcp[0]"},
		{"tcp empty match and duplicates", "tcp", `
- match: [{port: 1}]
- match: [{port: 1}]
- match: [{port: 0}]
- match: [{port: 2}]`, "U spec.tcp[1] covered<-spec.tcp[0].match[0]; U spec.tcp[3] catchAll<-spec.tcp[2].match[0]"},
		{"tls duplicate sni", "tls", `
- match: [{sniHosts: [a.example.com]}]
- match: [{sniHosts: [a.example.com]}, {sniHosts: [b.example.com]}]`, "I spec.tls[1].match[0] duplicate<-spec.tls[0].match[0]"},
		{"a delegating route catches only what its delegate does", "http", `
- delegate: {name: child, namespace: shop}
- match: [{uri: {prefix: /}}]
  delegate: {name: other}
- route: []`, ""},
		{"a delegating route's matches cover nothing", "http", `
- match: [{uri: {prefix: /api}}]
  delegate: {name: child}
- match: [{uri: {prefix: /api/v1}}]
- match: [{uri: {prefix: /api}}]
- match: [{uri: {prefix: /api/v2}}, {uri: {prefix: /api}}]`, "U spec.http[3] covered<-spec.http[2].match[0]"},
		{"null route skipped", "http", `
- null
- route: []`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := summary(routeReach(tc.kind, routesOf(t, tc.routes)))
			if got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestRouteReachBounded: long prefixes cost their length, not the product
// of matches and lengths.
func TestRouteReachBounded(t *testing.T) {
	var routes []any
	long := strings.Repeat("x", 20000)
	for i := 0; i < 2000; i++ {
		routes = append(routes, map[string]any{"match": []any{map[string]any{"uri": map[string]any{"prefix": "/" + long + fmt.Sprint(i) + "/"}}}})
	}
	start := time.Now()
	u, i := routeReach("http", routes)
	if len(u)+len(i) != 0 {
		t.Errorf("distinct prefixes reported: %d unreachable, %d ineffective", len(u), len(i))
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("2,000 prefixes of 20 kB took %v", d)
	}
}

// matchesRef is istio's host.Name.Matches, the reference hostMatcher must
// agree with.
func matchesRef(n, o string) bool {
	hw, ow := strings.HasPrefix(n, "*"), strings.HasPrefix(o, "*")
	switch {
	case hw && ow:
		if len(n) < len(o) {
			return strings.HasSuffix(o[1:], n[1:])
		}
		return strings.HasSuffix(n[1:], o[1:])
	case hw:
		return strings.HasSuffix(o, n[1:])
	case ow:
		return strings.HasSuffix(n, o[1:])
	}
	return n == o
}

func TestHostMatcherAgreesWithIstio(t *testing.T) {
	hosts := []string{"a.example.com", "*.example.com", "*.b.example.com", "c.b.example.com",
		"example.com", "*", "other.org", "*.org", "x.y.svc.cluster.local", "*.svc.cluster.local"}
	for mask := 0; mask < 1<<len(hosts); mask += 7 {
		var gw []string
		for i, h := range hosts {
			if mask&(1<<i) != 0 {
				gw = append(gw, h)
			}
		}
		m := newHostMatcher(gw)
		for _, h := range hosts {
			want := false
			for _, g := range gw {
				want = want || matchesRef(g, h)
			}
			if got := m.matches(h); got != want {
				t.Errorf("gateway hosts %v, host %s: matches = %v, istio says %v", gw, h, got, want)
			}
		}
	}
}

func TestResolveGatewayName(t *testing.T) {
	for in, want := range map[string]string{
		"public":                                 "shop/public",
		"./public":                               "shop/public",
		"istio-ingress/public":                   "istio-ingress/public",
		"public.istio-ingress":                   "istio-ingress/public",
		"public.istio-ingress.svc.cluster.local": "istio-ingress/public",
	} {
		if got := resolveGatewayName(in, "shop"); got != want {
			t.Errorf("resolveGatewayName(%q) = %q, want %q", in, got, want)
		}
	}
	got := hostsForNamespace(serverHosts([]string{"./a.com", "*/b.com", "shop/c.com", "web/d.com", "e.com", "*/*"}, "gw"), "shop")
	if want := "[b.com c.com e.com *]"; fmt.Sprint(got) != want {
		t.Errorf("hosts for shop = %v, want %s", got, want)
	}
}

func TestGatewayFacts(t *testing.T) {
	ix, rs := testIndex(t, `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: edge}
spec:
  servers: [{port: {number: 80}, hosts: ["shop/cart.shop.svc.cluster.local", "*.example.com"]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: short, namespace: shop}
spec:
  hosts: [cart]
  gateways: [edge/gw, edge/nope, mesh]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: other, namespace: web}
spec:
  hosts: [cart.shop.svc.cluster.local]
  gateways: [gw.edge]`)
	short := ix.extras[rs["VirtualService/short"].ref]
	if _, ok := short["gatewayHostMismatch"]; ok {
		t.Errorf("a short host istiod resolves into the Gateway's hosts was reported: %v", short["gatewayHostMismatch"])
	}
	if got := fmt.Sprint(short["gatewaysMissing"]); got != "[map[gateway:edge/nope index:1 namespace:edge]]" {
		t.Errorf("gatewaysMissing = %s", got)
	}
	other := ix.extras[rs["VirtualService/other"].ref]
	if got := fmt.Sprint(other["gatewayHostMismatch"]); got != "[map[gateway:edge/gw gatewayHosts:[*.example.com] hosts:[cart.shop.svc.cluster.local] index:0 more:0]]" {
		t.Errorf("gatewayHostMismatch = %s", got)
	}
}

func TestServiceEntryAddressFacts(t *testing.T) {
	se := `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: db, namespace: shop}
spec:
  hosts: [db.example.com]
  ports: [{number: 5432, name: pg, protocol: tcp}, {number: 80, name: http, protocol: HTTP}]`
	mesh := func(meta string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata:\n  mesh: |\n    defaultConfig:\n      proxyMetadata: {" + meta + "}\n---\n"
	}
	for _, tc := range []struct {
		name, docs, want string
	}{
		{"no mesh config", se, "<nil>"},
		{"mesh config without allocation", mesh(`ISTIO_META_DNS_CAPTURE: "true"`) + se, "[map[index:0 number:5432 protocol:tcp]]"},
		{"allocation", mesh(`ISTIO_META_DNS_CAPTURE: "true", ISTIO_META_DNS_AUTO_ALLOCATE: "true"`) + se, "<nil>"},
		{"allocation without capture", mesh(`ISTIO_META_DNS_AUTO_ALLOCATE: "true"`) + se, "[map[index:0 number:5432 protocol:tcp]]"},
		{"a ProxyConfig allocates", mesh(`ISTIO_META_DNS_CAPTURE: "true"`) + "apiVersion: networking.istio.io/v1beta1\nkind: ProxyConfig\nmetadata: {name: dns, namespace: istio-system}\nspec:\n  environmentVariables: {ISTIO_META_DNS_CAPTURE: \"true\", ISTIO_META_DNS_AUTO_ALLOCATE: \"true\"}\n---\n" + se, "<nil>"},
		{"operator values.meshConfig allocates", "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata: {name: i, namespace: istio-system}\nspec:\n  values:\n    meshConfig:\n      defaultConfig:\n        proxyMetadata: {ISTIO_META_DNS_CAPTURE: \"true\", ISTIO_META_DNS_AUTO_ALLOCATE: \"true\"}\n---\n" + se, "<nil>"},
		{"operator without allocation", "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata: {name: i, namespace: istio-system}\nspec: {profile: default}\n---\n" + se, "[map[index:0 number:5432 protocol:tcp]]"},
		{"broken mesh text tells nothing", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata:\n  mesh: \"a: [\"\n---\n" + se, "<nil>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ix, rs := testIndex(t, tc.docs)
			if got := fmt.Sprint(ix.extras[rs["ServiceEntry/db"].ref]["addressesRequired"]); got != tc.want {
				t.Errorf("addressesRequired = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestConflictingGateways(t *testing.T) {
	gw := func(name, ns, sel, server string) string {
		return "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: " + name + ", namespace: " + ns + "}\nspec:\n  selector: " + sel + "\n  servers: [" + server + "]"
	}
	tls := `{port: {number: 443, protocol: HTTPS}, tls: {mode: SIMPLE}, hosts: [a.example.com]}`
	http := `{port: {number: 80, protocol: HTTP}, hosts: [a.example.com]}`
	tcp := `{port: {number: 80, protocol: TCP}, hosts: [a.example.com]}`
	pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: gw, namespace: edge, labels: {istio: ingress, rev: x}}"
	for _, tc := range []struct {
		name, docs, want string
	}{
		{"tls duplicate across namespaces", gw("a", "x", "{istio: ingress}", tls) + "\n---\n" + gw("b", "y", "{istio: ingress}", tls), "[y/b]"},
		{"plaintext http is merged", gw("a", "x", "{istio: ingress}", http) + "\n---\n" + gw("b", "y", "{istio: ingress}", http), "<nil>"},
		{"http and tcp on one port", gw("a", "x", "{istio: ingress}", http) + "\n---\n" + gw("b", "y", "{istio: ingress}", tcp), "[y/b]"},
		{"other selector", gw("a", "x", "{istio: ingress}", tls) + "\n---\n" + gw("b", "y", "{istio: other}", tls), "<nil>"},
		{"narrower selector without a workload", gw("a", "x", "{istio: ingress}", tls) + "\n---\n" + gw("b", "y", "{istio: ingress, rev: x}", tls), "<nil>"},
		{"narrower selector with a workload", gw("a", "x", "{istio: ingress}", tls) + "\n---\n" + gw("b", "y", "{istio: ingress, rev: x}", tls) + "\n---\n" + pod, "[y/b]"},
		{"other bind", gw("a", "x", "{istio: ingress}", tls) + "\n---\n" + gw("b", "y", "{istio: ingress}", `{port: {number: 443, protocol: HTTPS}, bind: 10.0.0.1, tls: {mode: SIMPLE}, hosts: [a.example.com]}`), "<nil>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ix, rs := testIndex(t, tc.docs)
			got := "<nil>"
			if l, ok := ix.extras[rs["Gateway/x/a"].ref]["conflictingServers"].([]any); ok {
				got = fmt.Sprint(mapOf(l[0])["others"])
			}
			if got != tc.want {
				t.Errorf("others = %s, want %s", got, tc.want)
			}
		})
	}
}

// FuzzRouteReach: any routes, however shaped, give facts that name
// existing routes and matches, each unreachable route once, and an
// ineffective match only of a route that stays reachable.
func FuzzRouteReach(f *testing.F) {
	for _, seed := range []string{
		"- route: []\n- match: [{uri: {prefix: /a}}]\n",
		"- match: [{uri: {prefix: /}}, {uri: {prefix: /a}}]\n- match: [{uri: {prefix: /ab}, method: {exact: GET}}, {}]\n",
		"- match: [{uri: {prefix: /a}, name: x}]\n- match: [{uri: {prefix: /a}}]\n- null\n- 3\n- match: 7\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		var routes []any
		if yaml.Unmarshal([]byte(src), &routes) != nil || len(src) > 1<<16 {
			return
		}
		for _, kind := range []string{"http", "tcp"} {
			u, i := routeReach(kind, routes)
			dead := map[string]bool{}
			for _, x := range u {
				p := str(mapOf(x)["path"])
				if dead[p] || !pathExists(routes, kind, p) {
					t.Fatalf("unreachable %q reported twice or not a route", p)
				}
				dead[p] = true
			}
			for _, x := range i {
				p := str(mapOf(x)["path"])
				route, _, _ := strings.Cut(p, ".match[")
				if dead[route] || !pathExists(routes, kind, p) {
					t.Fatalf("ineffective %q in an unreachable route or not a match", p)
				}
			}
		}
	})
}

// pathExists reports whether "spec.<kind>[i]" or "spec.<kind>[i].match[j]"
// names a route (a match) of routes.
func pathExists(routes []any, kind, path string) bool {
	var i, j int
	if n, _ := fmt.Sscanf(path, "spec."+kind+"[%d].match[%d]", &i, &j); n == 2 {
		return i < len(routes) && j < len(listOf(mapOf(routes[i])["match"]))
	}
	if n, _ := fmt.Sscanf(path, "spec."+kind+"[%d]", &i); n == 1 {
		return i < len(routes)
	}
	return false
}

// TestGatewayFactsBounded: many Gateways declaring one host for one
// workload, and one Gateway offering a host to each of many namespaces
// whose VirtualServices bind it, cost about their count, not its square.
func TestGatewayFactsBounded(t *testing.T) {
	const n = 3000
	var b strings.Builder
	for i := 0; i < n; i++ {
		proto := "HTTP"
		if i%2 == 0 {
			proto = "HTTPS"
		}
		fmt.Fprintf(&b, "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g%d, namespace: edge}\nspec:\n  selector: {istio: ingress}\n  servers: [{port: {number: 443, protocol: %s}, hosts: [a.example.com]}]\n---\n", i, proto)
	}
	b.WriteString("apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: shared, namespace: edge}\nspec:\n  selector: {istio: other}\n  servers:\n  - port: {number: 80, protocol: HTTP}\n    hosts:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "    - ns%d/h%d.example.com\n", i, i)
	}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: v, namespace: ns%d}\nspec:\n  hosts: [x%d.example.com]\n  gateways: [edge/shared]\n", i, i)
	}
	start := time.Now()
	ix, rs := testIndex(t, b.String())
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("indexing took %v", d)
	}
	if l, _ := ix.extras[rs["Gateway/edge/g1"].ref]["conflictingServers"].([]any); len(l) != 1 || mapOf(l[0])["more"] != true {
		t.Errorf("g1 conflicts = %v", l)
	}
	if l, _ := ix.extras[rs["VirtualService/ns7/v"].ref]["gatewayHostMismatch"].([]any); len(l) != 1 || fmt.Sprint(mapOf(l[0])["gatewayHosts"]) != "[h7.example.com]" {
		t.Errorf("ns7 mismatch = %v", l)
	}
}
