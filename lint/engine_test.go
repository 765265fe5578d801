package lint

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/lint/finding"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const userPolicyHeader = `# METADATA
# title: Team label required
# custom:
#   id: ORG001
#   severity: info
package meshfleet.rules.org001
`

func TestUserPolicy(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"team.rego": userPolicyHeader + `
findings contains {"ref": d.ref, "path": "metadata.labels", "message": "no team label"} if {
	some d in input.resources.Deployment
	not d.object.metadata.labels.team
}
`,
		"team_test.rego": "package meshfleet.rules.org001_test\n",
	})
	eng, err := NewEngine(context.Background(), EngineOptions{PolicyDirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	r, ok := eng.Rule("ORG001")
	if !ok || r.Severity != finding.Info || r.Title != "Team label required" {
		t.Fatalf("rule ORG001 = %+v, %v", r, ok)
	}
	in := writeFiles(t, map[string]string{"d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n  labels: {app: x}\n"})
	res, err := eng.Lint(context.Background(), Options{Paths: []string{in}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Report.Findings) != 1 || res.Report.Findings[0].Rule != "ORG001" || res.Report.Findings[0].Line != 5 {
		t.Fatalf("findings = %+v", res.Report.Findings)
	}
	if got := res.ExitCode(finding.Error); got != 0 {
		t.Errorf("exit code with --fail-on error = %d, want 0", got)
	}
	if got := res.ExitCode(finding.Info); got != 1 {
		t.Errorf("exit code with --fail-on info = %d, want 1", got)
	}
}

// TestUserPolicyShardContract: user policies keep the documented input of
// one namespace per shard (input.namespace, and input.namespaces of one)
// while the built-in rules beside them run on shards of many namespaces;
// the Go checks' findings are reported once.
func TestUserPolicyShardContract(t *testing.T) {
	dir := writeFiles(t, map[string]string{"ns.rego": userPolicyHeader + `
findings contains {"ref": d.ref, "path": "", "message": msg} if {
	some d in input.resources.Deployment
	msg := sprintf("shard %s of %d, all %s: %d Deployments", [input.namespace, count(input.namespaces), concat(",", input.namespaces), count(input.resources.Deployment)])
}
`})
	eng, err := NewEngine(context.Background(), EngineOptions{PolicyDirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, ns := range []string{"a", "b", "c"} {
		for _, n := range []string{"x", "y"} {
			b.WriteString("---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + n + ", namespace: " + ns + "}\nspec: {replicas: many}\n")
		}
	}
	in := writeFiles(t, map[string]string{"d.yaml": b.String()})
	res, err := eng.Lint(context.Background(), Options{Paths: []string{in}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	schema := 0
	for _, f := range res.Report.Findings {
		if f.Rule == "ORG001" {
			got = append(got, f.Resource.Namespace+": "+f.Message)
		} else if f.Rule == RuleSchema.ID {
			schema++
		}
	}
	want := []string{
		"a: shard a of 1, all a: 2 Deployments", "a: shard a of 1, all a: 2 Deployments",
		"b: shard b of 1, all b: 2 Deployments", "b: shard b of 1, all b: 2 Deployments",
		"c: shard c of 1, all c: 2 Deployments", "c: shard c of 1, all c: 2 Deployments",
	}
	if !slices.Equal(got, want) {
		t.Errorf("user policy findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if schema != 6 {
		t.Errorf("%d schema findings, want one for each of the 6 Deployments", schema)
	}
}

// TestPolicyErrors: a policy that cannot run is refused at compile time with
// its file and line, http.send included (the sandbox).
func TestPolicyErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      string
	}{
		{"http.send", userPolicyHeader + "\nfindings contains x if {\n\tx := http.send({\"method\": \"GET\", \"url\": \"http://example.com\"})\n}\n", `p\.rego:9: .*undefined function http\.send`},
		{"time", userPolicyHeader + "\nfindings contains x if {\n\tx := time.now_ns()\n}\n", `p\.rego:9: .*undefined function time\.now_ns`},
		{"syntax", userPolicyHeader + "\nfindings contains x if {\n", `p\.rego:9: .*rego_parse_error`},
		{"no metadata", "package meshfleet.rules.x\n\nfindings := set()\n", `p\.rego:1: package data\.meshfleet\.rules\.x: no METADATA`},
		{"duplicate id", strings.Replace(userPolicyHeader, "ORG001", "MF301", 1) + "\nfindings := set()\n", `p\.rego:6: duplicate rule id MF301`},
		{"bad severity", strings.Replace(userPolicyHeader, "severity: info", "severity: fatal", 1) + "\nfindings := set()\n", `p\.rego:6: rule ORG001: unknown severity "fatal"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"p.rego": tc.src})
			_, err := NewEngine(context.Background(), EngineOptions{PolicyDirs: []string{dir}})
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *PolicyError", err)
			}
			if !regexp.MustCompile(tc.want).MatchString(err.Error()) {
				t.Errorf("err = %v\nwant match %s", err, tc.want)
			}
		})
	}
	t.Run("empty dir", func(t *testing.T) {
		_, err := NewEngine(context.Background(), EngineOptions{PolicyDirs: []string{t.TempDir()}})
		if err == nil || !strings.Contains(err.Error(), "no policies found") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestPolicyResultShape(t *testing.T) {
	dir := writeFiles(t, map[string]string{"p.rego": userPolicyHeader + "\nfindings contains {\"ref\": 99, \"message\": \"x\"} if true\n"})
	eng, err := NewEngine(context.Background(), EngineOptions{PolicyDirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	in := writeFiles(t, map[string]string{"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"})
	_, err = eng.Lint(context.Background(), Options{Paths: []string{in}})
	if err == nil || !strings.Contains(err.Error(), "resource 99") {
		t.Errorf("err = %v, want a complaint about resource 99", err)
	}
}

func TestRegistryRejectsDuplicates(t *testing.T) {
	_, err := NewEngine(context.Background(), EngineOptions{Checks: []Check{{Rule: RuleUnreadable}}})
	if err == nil || !strings.Contains(err.Error(), "duplicate rule id MF100") {
		t.Errorf("err = %v", err)
	}
	ids := map[string]bool{}
	for _, r := range testEngine(t).Rules() {
		if ids[r.ID] {
			t.Errorf("duplicate %s", r.ID)
		}
		ids[r.ID] = true
		if r.Title == "" || r.Description == "" || r.Remediation == "" || r.Bad == "" || r.Good == "" {
			t.Errorf("rule %s lacks documentation: %+v", r.ID, r)
		}
	}
}

func TestGoCheck(t *testing.T) {
	check := Check{
		Rule: finding.Rule{ID: "MF199", Title: "t", Severity: finding.Error},
		Run: func(obj map[string]any) []Problem {
			if obj["kind"] == "ConfigMap" {
				return []Problem{{Path: "metadata.name", Message: "schema says no"}}
			}
			return nil
		},
	}
	eng, err := NewEngine(context.Background(), EngineOptions{Checks: []Check{check}})
	if err != nil {
		t.Fatal(err)
	}
	in := writeFiles(t, map[string]string{"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"})
	res, err := eng.Lint(context.Background(), Options{Paths: []string{in}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Report.Findings) != 1 || res.Report.Findings[0].Line != 4 || res.Report.Findings[0].Column != 9 {
		t.Errorf("findings = %+v", res.Report.Findings)
	}
}

func TestWalk(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.yaml":                     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
		"b/c.yml":                    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
		"b/d.json":                   `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "d"}}`,
		"b/notes.txt":                "not yaml",
		".git/x.yaml":                "::: broken",
		".hidden/x.yaml":             "::: broken",
		"chart/Chart.yaml":           "name: chart",
		"chart/templates/x.yaml":     "{{ .Values.x }}",
		"kust/kustomization.yaml":    "resources: [a.yaml]",
		"kust/a.yaml":                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: k}\n",
		"legacy/deep/old.yaml":       "::: broken",
		"values.yaml":                "replicas: 3\n",
		"ci/skip-me.yaml":            "::: broken",
		"lists/list.yaml":            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: l1}\n- {kind: Nothing}\n",
		"lists/empty-and-comments.y": "",
	})
	t.Chdir(dir)
	var notices []string
	res, err := testEngine(t).Lint(context.Background(), Options{
		Paths:   []string{"."},
		Config:  &Config{Exclude: []string{"legacy/**"}},
		Exclude: []string{"**/skip-*.yaml"},
		Notice:  func(s string) { notices = append(notices, s) },
		Verbose: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Unreadable {
		t.Errorf("unexpected MF100: %+v", res.Report.Findings)
	}
	if got, want := res.Report.Summary, (finding.Summary{Files: 6, Resources: 5}); got != want {
		t.Errorf("summary = %+v, want %+v", got, want)
	}
	want := []string{
		"chart: skipped: a Helm chart",
		"kust/kustomization.yaml: skipped: a kustomization",
		"lists/list.yaml:7:3: skipped: items[1] has no apiVersion and kind",
		"values.yaml:1:1: skipped: document 1 has no apiVersion and kind",
	}
	for _, w := range want {
		if !slices.ContainsFunc(notices, func(n string) bool { return strings.HasPrefix(n, w) }) {
			t.Errorf("no notice %q in %q", w, notices)
		}
	}
}

func TestUnreadableInputs(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"bad.yaml":  "a: [1, 2\n",
		"good.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: x}\nspec:\n  selector: {app: nothing}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x, labels: {app: p, version: v1}}\nspec: {containers: [{name: p, image: p}]}\n",
	})
	t.Chdir(dir)
	res, err := testEngine(t).Lint(context.Background(), Options{Paths: []string{".", "missing.yaml", "-"}, Stdin: strings.NewReader("x: [\n"), StdinFilename: "piped.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Report.Findings {
		got = append(got, f.File+" "+f.Rule)
	}
	want := []string{"bad.yaml MF100", "good.yaml MF201", "missing.yaml MF100", "piped.yaml MF100"}
	if !slices.Equal(got, want) {
		t.Errorf("findings = %q, want %q", got, want)
	}
	if res.ExitCode(finding.Error) != 2 {
		t.Errorf("exit code = %d, want 2", res.ExitCode(finding.Error))
	}
}

func TestConfig(t *testing.T) {
	c, err := ParseConfig("c.yaml", []byte("failOn: warning\ndisable: [MF205]\nseverity: {MF402: warning}\nexclude: [\"charts/**\"]\nrootNamespace: mesh\ntrustDomain: example.org\nproductionLabel: {env: production}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.FailOn != finding.Warning || c.Disable[0] != "MF205" || c.Severity["MF402"] != finding.Warning || c.RootNamespace != "mesh" || c.ProductionLabel["env"] != "production" {
		t.Errorf("config = %+v", c)
	}
	for src, want := range map[string]string{
		"failOn: error\ndisabel: [MF201]\n": "c.yaml:2:1: disabel: unknown field",
		"failOn: fatal\n":                   `c.yaml:1:9: failOn: unknown severity "fatal"`,
		"disable: MF201\n":                  "c.yaml:1:10: disable: want a list of strings",
		"severity: {MF301: loud}\n":         `c.yaml:1:19: severity.MF301: unknown severity "loud"`,
		"a: 1\na: 2\n":                      `c.yaml:2:1: a: duplicate key "a"`,
	} {
		_, err := ParseConfig("c.yaml", []byte(src))
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("ParseConfig(%q) = %v, want prefix %q", src, err, want)
		}
	}
}

// TestFindConfig pins where the search for .meshfleet.yaml stops: at the
// repository root (the nearest folder holding .git), or outside any
// repository at the starting directory; and that a config that is a link
// leading out of that boundary is skipped, not read.
func TestFindConfig(t *testing.T) {
	outside := writeFiles(t, map[string]string{"secret": "failOn: info\n"})
	dir := writeFiles(t, map[string]string{
		".meshfleet.yaml":      "failOn: info\n",
		"repo/.git/HEAD":       "",
		"repo/a/b/x":           "",
		"repo/.meshfleet.yaml": "failOn: warning\n",
		"loose/a/x":            "",
		"linked/.git":          "gitdir: elsewhere\n",
	})
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(dir, "linked", ".meshfleet.yaml")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ from, want string }{
		{"repo/a/b", "repo/.meshfleet.yaml"},
		{"loose/a", ""},
		{".", ".meshfleet.yaml"},
	} {
		got, err := FindConfig(filepath.Join(dir, tc.from))
		want := ""
		if tc.want != "" {
			want = filepath.Join(dir, tc.want)
		}
		if err != nil || got != want {
			t.Errorf("FindConfig(%s) = %q, %v; want %q", tc.from, got, err, want)
		}
	}
	got, err := FindConfig(filepath.Join(dir, "linked"))
	var skip *manifest.Skipped
	if got != "" || !errors.As(err, &skip) || !strings.Contains(err.Error(), "symbolic link leading out of") {
		t.Errorf("FindConfig(linked) = %q, %v; want a *manifest.Skipped", got, err)
	}
}

func TestGlob(t *testing.T) {
	for _, tc := range []struct {
		pattern, path string
		want          bool
	}{
		{"charts/**", "charts/a/b.yaml", true},
		{"charts/**", "charts", true},
		{"charts/**", "x/charts/a.yaml", false},
		{"**/legacy/*.yaml", "a/b/legacy/x.yaml", true},
		{"**/legacy/*.yaml", "legacy/x.yaml", true},
		{"**/legacy/*.yaml", "legacy/y/x.yaml", false},
		{"*.json", "a.json", true},
		{"*.json", "d/a.json", false},
		{"./d/*.json", "d/a.json", true},
		{"legacy", "legacy/x/y.yaml", true},
		{"a?.yaml", "ab.yaml", true},
	} {
		ex, err := newExcluder([]string{tc.pattern})
		if err != nil {
			t.Fatal(err)
		}
		if got := ex.match(tc.path); got != tc.want {
			t.Errorf("%q matches %q = %v, want %v", tc.pattern, tc.path, got, tc.want)
		}
	}
}

func TestHostResolution(t *testing.T) {
	ix := &index{seHosts: map[string]bool{"api.example": true}}
	for _, tc := range []struct{ host, ns, want string }{
		{"cart", "shop", "cart.shop.svc.cluster.local"},
		{"cart.shop", "other", "cart.shop.svc.cluster.local"},
		{"cart.shop.svc", "other", "cart.shop.svc.cluster.local"},
		{"Cart.Shop.svc.cluster.local.", "other", "cart.shop.svc.cluster.local"},
		{"api.example", "shop", "api.example"},
		{"www.example.com", "shop", "www.example.com"},
		{"*.shop.svc.cluster.local", "x", "*.shop.svc.cluster.local"},
	} {
		if got := ix.fqdn(tc.host, tc.ns); got != tc.want {
			t.Errorf("fqdn(%q, %q) = %q, want %q", tc.host, tc.ns, got, tc.want)
		}
	}
}

func TestKindsRead(t *testing.T) {
	eng := testEngine(t)
	if eng.allKinds || !eng.kinds["Service"] || !eng.kinds["DestinationRule"] || eng.kinds["Deployment"] {
		t.Errorf("built-in rules read kinds %v (all=%v)", eng.kinds, eng.allKinds)
	}
	dir := writeFiles(t, map[string]string{"p.rego": userPolicyHeader + "\nfindings contains {\"ref\": r.ref, \"message\": \"x\"} if {\n\tsome k\n\tsome r in input.resources[k]\n\tk == \"Pod\"\n}\n"})
	dyn, err := NewEngine(context.Background(), EngineOptions{PolicyDirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	if !dyn.allKinds {
		t.Errorf("input.resources[k] must read every kind")
	}
	// Whole objects are converted only for the kinds whose "object" a
	// rule reads: the built-in rules read none (the index copies the few
	// fields they need); user policies get every object.
	if eng.allObjects || len(eng.objKinds) > 0 {
		t.Errorf("built-in rules read the objects of %v (all=%v)", eng.objKinds, eng.allObjects)
	}
	if !dyn.allObjects {
		t.Errorf("user policies must see every object")
	}
	for _, tc := range []struct {
		src   string
		kinds []string
		all   bool
		what  string
	}{
		{"package p\nx if input.resources.Service[_].selected", nil, false, "facts only"},
		{"package p\nx if input.resources.Service[_].object.spec", []string{"Service"}, false, "object of one kind"},
		{"package p\nx if { some r in input.resources.Pod; r[\"object\"] }", []string{"Pod"}, false, "object by string key"},
		{"package p\nf(r) := r.object.spec", nil, true, "a helper may be handed any resource"},
		{"package p\nx if input.resources[k][_].object", nil, true, "dynamic kind"},
	} {
		m := ast.MustParseModule(tc.src)
		_, _, _, objKinds, all := kindsRead(map[string]*ast.Module{"p.rego": m})
		if all != tc.all || len(objKinds) != len(tc.kinds) {
			t.Errorf("%s: object kinds %v all=%v, want %v all=%v", tc.what, objKinds, all, tc.kinds, tc.all)
		}
		for _, k := range tc.kinds {
			if !objKinds[k] {
				t.Errorf("%s: object kinds %v lack %s", tc.what, objKinds, k)
			}
		}
	}
}

// TestIndexObjects: a rule reads objects of another namespace through
// input.index.objects, and sees the host's ports and workload facts.
func TestIndexObjects(t *testing.T) {
	if testEngine(t).objects {
		t.Errorf("built-in rules do not read input.index.objects; converting them is waste")
	}
	dir := writeFiles(t, map[string]string{"p.rego": userPolicyHeader + `
findings contains f if {
	some d in input.resources.Deployment
	h := input.index.hosts["cart.shop.svc.cluster.local"]
	some ref in h.services
	o := input.index.objects[ref]
	some we in input.index.workloads
	we.kind == "WorkloadEntry"
	f := {"ref": d.ref, "path": "", "message": sprintf("%s/%s has %d ports, first %s; entry %s on %s", [o.metadata.namespace, o.metadata.name, count(h.ports), h.ports[0].name, we.address, we.network])}
}
`})
	eng, err := NewEngine(context.Background(), EngineOptions{PolicyDirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	if !eng.objects {
		t.Fatal("a rule reading input.index.objects must turn objects on")
	}
	in := writeFiles(t, map[string]string{
		"web.yaml":  "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: web}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: web}]}\n",
		"shop.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: cart, namespace: shop}\nspec:\n  selector: {app: cart}\n  ports: [{name: http, port: 80}, {name: grpc, port: 90}]\n---\napiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: vm, namespace: shop}\nspec: {address: 10.0.0.1, network: vm-net, labels: {app: cart}}\n",
	})
	res, err := eng.Lint(context.Background(), Options{Paths: []string{in}})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, f := range res.Report.Findings {
		if f.Rule == "ORG001" { // built-in rules have their own tests
			msgs = append(msgs, f.Rule+" "+f.Message)
		}
	}
	want := []string{"ORG001 shop/cart has 2 ports, first http; entry 10.0.0.1 on vm-net"}
	if !slices.Equal(msgs, want) {
		t.Errorf("findings = %q, want %q", msgs, want)
	}
}
