package policies

import (
	"context"
	"io/fs"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"
)

// TestRego runs every *_test.rego beside the rules through OPA's tester, in
// the same sandbox the rules run in, so `go test` is the only runner.
func TestRego(t *testing.T) {
	mods := map[string]*ast.Module{}
	files, err := fs.Glob(FS, "*.rego")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		src, err := fs.ReadFile(FS, f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := ast.ParseModuleWithOpts(f, string(src), ParserOptions())
		if err != nil {
			t.Fatal(err)
		}
		mods[f] = m
	}
	runner := tester.NewRunner().
		SetCompiler(ast.NewCompiler().WithCapabilities(Capabilities()).WithEnablePrintStatements(true)).
		CapturePrintOutput(true).
		RaiseBuiltinErrors(true)
	ch, err := runner.Run(context.Background(), mods)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r := range ch {
		n++
		if r.Error != nil {
			t.Errorf("%s: %s: %v", r.Location, r.Name, r.Error)
		} else if !r.Pass() {
			t.Errorf("%s: %s failed\n%s", r.Location, r.Name, r.Output)
		}
	}
	if n == 0 {
		t.Fatal("no Rego tests ran")
	}
}

// TestEveryRuleHasRegoTests holds each rule file to a _test.rego beside it.
func TestEveryRuleHasRegoTests(t *testing.T) {
	files, _ := fs.Glob(FS, "*.rego")
	have := map[string]bool{}
	for _, f := range files {
		have[f] = true
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.rego") {
			continue
		}
		if test := strings.TrimSuffix(f, ".rego") + "_test.rego"; !have[test] {
			t.Errorf("%s has no %s", f, test)
		}
	}
}

// TestSandbox proves the capabilities refuse network, runtime, clock and
// randomness builtins, and keep ordinary ones.
func TestSandbox(t *testing.T) {
	c := Capabilities()
	have := map[string]bool{}
	for _, b := range c.Builtins {
		have[b.Name] = true
	}
	for _, name := range []string{"http.send", "net.lookup_ip_addr", "net.cidr_contains", "opa.runtime", "time.now_ns", "rand.intn", "uuid.rfc4122", "io.jwt.decode_verify"} {
		if have[name] {
			t.Errorf("sandbox allows %s", name)
		}
	}
	for _, name := range []string{"sprintf", "concat", "count", "regex.match", "glob.match", "time.parse_rfc3339_ns"} {
		if !have[name] {
			t.Errorf("sandbox lacks %s", name)
		}
	}
	if c.AllowNet == nil || len(c.AllowNet) != 0 {
		t.Errorf("AllowNet = %v, want empty (no host)", c.AllowNet)
	}
}
