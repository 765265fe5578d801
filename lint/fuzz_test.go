package lint

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzLoad feeds arbitrary bytes to the loader as one input: whatever they
// are, lint returns findings (MF100 at worst) and never panics or fails.
func FuzzLoad(f *testing.F) {
	for _, seed := range []string{
		"apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {selector: {app: a}}\n",
		"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p, labels: {app: a}}\n",
		"apiVersion: meshfleet.dev/v1alpha1\nkind: VMFleet\nmetadata: {name: a, namespace: b}\nspec: {ports: [{name: http, port: 80}]}\n",
		"apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: v}\nspec:\n  http: [{route: [{destination: {host: a, subset: s}}]}]\n",
		"apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: v}\nspec:\n  hosts: [a.example.com]\n  gateways: [gw, x/y.z]\n  http: [{route: []}, {match: [{uri: {prefix: /}}, {uri: {prefix: /a}, name: n}]}, {match: [{uri: {prefix: /ab}}]}]\n  tcp: [{match: [{}]}, {match: [{port: 1}]}]\n",
		"apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw}\nspec:\n  selector: {istio: i}\n  servers: [{port: {number: 443}, tls: {mode: SIMPLE}, hosts: ['./*.example.com', '*/*', a.example.com]}]\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata: {mesh: \"defaultConfig: {proxyMetadata: {ISTIO_META_DNS_CAPTURE: 'true'}}\"}\n---\napiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: s}\nspec: {hosts: [db.example.com], ports: [{number: 5432, name: tcp}]}\n",
		"a: &a [*a]\n",
		"{\"apiVersion\": \"v1\", \"kind\": \"Service\"}",
		"---\n---\n# only comments\n",
		"a: [1, 2\n",
		// istiod's validation (lint/istiod_validation.go): whole-object rules per kind.
		"apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: s}\nspec:\n  ingress: [{port: {number: 80}, defaultEndpoint: '[::1:80'}]\n  egress: [{hosts: [a]}, {port: {number: 1}, hosts: ['./*']}]\n",
		"apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p}\nspec:\n  action: CUSTOM\n  rules: [null, {from: [{}], to: [{operation: {paths: ['/{**}/{*}']}}], when: [{key: 'request.headers[', values: ['']}]}]\n",
		"apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: v}\nspec:\n  hosts: ['*.a', b.a]\n  tls: [{match: [{sniHosts: [c.b]}]}]\n  http: [{delegate: {}, redirect: {}, route: [{weight: 0}, {weight: 0}]}]\n",
		"apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: e}\nspec: {hosts: ['*.a', b], addresses: [1.2.3.0/24], resolution: DNS_ROUND_ROBIN, ports: [{number: 1, name: a}], endpoints: [{address: x_y}, {ports: {b: 2}}], exportTo: ['~', '*', '.']}\n",
		"apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec: {servers: [{port: {number: 443, protocol: HTTPS, name: a}, hosts: [a/b]}, {port: {number: 80, protocol: TCP, name: a}, tls: {mode: ISTIO_MUTUAL, credentialName: c}}]}\n",
		"apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: d}\nspec: {host: a, trafficPolicy: {portLevelSettings: [{}], loadBalancer: {consistentHash: {maglev: {tableSize: -3}}}}, subsets: [{name: A}, {name: A}]}\n",
	} {
		f.Add([]byte(seed))
	}
	eng := testEngine(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := eng.Lint(context.Background(), Options{Paths: []string{"-"}, Stdin: bytes.NewReader(data), Workers: 1})
		if err != nil {
			t.Fatalf("lint failed: %v", err)
		}
		for _, f := range res.Report.Findings {
			if f.Rule == "" || f.Severity == "" || f.File == "" {
				t.Fatalf("incomplete finding %+v", f)
			}
		}
	})
}

// FuzzLintFiles lints two fuzzed files in one directory: multi-file and
// multi-document input, cross-file references through the index. Whatever
// they hold, lint never fails or panics, every finding names one of the
// two files, and the report is the same on one worker as on four.
func FuzzLintFiles(f *testing.F) {
	seeds := [][2]string{
		{"apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: s}\nspec: {selector: {app: a}, ports: [{name: http, port: 80}]}\n",
			"apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: a, namespace: s}\nspec: {host: a, subsets: [{name: v1, labels: {version: v1}}]}\n"},
		{"x: &a [1]\n---\ny: *a\n", "---\n---\n"},
		{"apiVersion: meshfleet.dev/v1alpha1\nkind: VMFleet\nmetadata: {name: a, namespace: s}\nspec: {ports: [{name: http, port: 80}]}\n",
			"apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p, namespace: s}\nspec: {rules: [{from: [{source: {principals: [cluster.local/ns/s/sa/x]}}]}]}\n"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	eng := testEngine(f)
	f.Fuzz(func(t *testing.T, a, b string) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(a), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "b.yaml"), []byte(b), 0o644); err != nil {
			t.Fatal(err)
		}
		var reports [2]string
		for i, workers := range []int{1, 4} {
			res, err := eng.Lint(context.Background(), Options{Paths: []string{dir}, Workers: workers})
			if err != nil {
				t.Fatalf("lint failed: %v", err)
			}
			for _, f := range res.Report.Findings {
				if base := filepath.Base(f.File); base != "a.yaml" && base != "b.yaml" {
					t.Fatalf("finding names %q", f.File)
				}
			}
			reports[i] = fmt.Sprint(res.Report.Findings, res.Report.Summary)
		}
		if reports[0] != reports[1] {
			t.Fatalf("one worker and four disagree:\n%s\n%s", reports[0], reports[1])
		}
	})
}

// FuzzPolicy compiles a fuzzed user policy (--policy) in the sandbox and
// runs it over a small input with a deadline: whatever the Rego, meshfleet
// refuses it at compile time, stops it at the deadline or a builtin cap,
// or returns findings; it never panics and never runs past the deadline
// by more than a margin. Each execution compiles every rule, so it is slow
// (a few per second): it guards the sandbox, not throughput.
func FuzzPolicy(f *testing.F) {
	header := "# METADATA\n# title: Fuzzed\n# custom:\n#   id: ORG999\npackage meshfleet.rules.org999\n\n"
	for _, body := range []string{
		"findings contains f if {\n\tsome s in input.resources.Service\n\tf := {\"ref\": s.ref, \"path\": \"metadata.name\", \"message\": \"x\"}\n}\n",
		"findings contains f if {\n\tn := count(numbers.range(1, 1e8))\n\tn > 0\n\tf := {\"ref\": 0, \"path\": \"\", \"message\": \"x\"}\n}\n",
		"findings contains f if {\n\t[_, e] := json.match_schema({}, {\"$ref\": \"file:///etc/passwd\"})\n\tf := {\"ref\": 0, \"path\": \"\", \"message\": sprintf(\"%v\", [e])}\n}\n",
		"findings contains f if {\n\tx := http.send({\"method\": \"GET\", \"url\": \"http://127.0.0.1:1\"})\n\tf := {\"ref\": 0, \"path\": \"\", \"message\": sprintf(\"%v\", [x])}\n}\n",
		"findings contains f if {\n\ts := replace(\"aaaaaaaa\", \"a\", \"aaaaaaaaaaaaaaaa\")\n\tf := {\"ref\": 99, \"path\": \"\", \"message\": s}\n}\n",
	} {
		f.Add(body)
	}
	input := []byte("apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: s}\nspec: {selector: {app: a}, ports: [{name: http, port: 80}]}\n")
	f.Fuzz(func(t *testing.T, body string) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "p.rego"), []byte(header+body), 0o644); err != nil {
			t.Fatal(err)
		}
		eng, err := NewEngine(context.Background(), EngineOptions{PolicyDirs: []string{dir}})
		if err != nil {
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("compile error %v is not a *PolicyError", err)
			}
			return
		}
		const deadline = time.Second
		start := time.Now()
		_, err = eng.Lint(context.Background(), Options{Paths: []string{"-"}, Stdin: bytes.NewReader(input), Workers: 1, EvalTimeout: deadline})
		if took := time.Since(start); took > 5*deadline {
			t.Fatalf("lint took %v with a %v deadline", took, deadline)
		}
		// A rule may fail at run time (a conflict, a capped builtin): an
		// error naming it, exit 2. Only a panic or an overrun is a bug.
		_ = err
	})
}
