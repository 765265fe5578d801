package policies

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// audited are the builtins of OPA v1.22.2 checked to be pure: no network,
// files, environment, clock or randomness, and no call whose memory is out
// of proportion to its operands unless capped (numbers.range,
// numbers.range_step, bits.lsh, replace, strings.replace_n, regex.replace,
// sprintf: see TestLimits). A builtin a new OPA adds fails
// TestEveryBuiltinAudited until it is put here or in Denied.
var audited = []string{
	"abs", "all", "and", "any", "assign", "cast_array", "cast_boolean",
	"cast_null", "cast_object", "cast_set", "cast_string", "ceil", "concat",
	"contains", "count", "div", "endswith", "eq", "equal", "floor",
	"format_int", "gt", "gte", "indexof", "indexof_n", "intersection",
	"is_array", "is_boolean", "is_null", "is_number", "is_object", "is_set",
	"is_string", "lower", "lt", "lte", "max", "min", "minus", "mul", "neq",
	"or", "plus", "print", "product", "re_match", "rem", "replace", "round",
	"set_diff", "sort", "split", "sprintf", "startswith", "substring", "sum",
	"to_number", "trim", "trim_left", "trim_prefix", "trim_right",
	"trim_space", "trim_suffix", "type_name", "union", "upper", "walk",
	"array.concat", "array.flatten", "array.reverse", "array.slice",
	"base64.decode", "base64.encode", "base64.is_valid",
	"base64url.decode", "base64url.encode", "base64url.encode_no_pad",
	"bits.and", "bits.lsh", "bits.negate", "bits.or", "bits.rsh", "bits.xor",
	"crypto.hmac.equal", "crypto.hmac.md5", "crypto.hmac.sha1",
	"crypto.hmac.sha256", "crypto.hmac.sha512", "crypto.md5",
	"crypto.parse_private_keys", "crypto.sha1", "crypto.sha256",
	"crypto.x509.parse_certificate_request", "crypto.x509.parse_certificates",
	"crypto.x509.parse_keypair", "crypto.x509.parse_rsa_private_key",
	"glob.match", "glob.quote_meta",
	"graph.reachable", "graph.reachable_paths",
	"graphql.is_valid", "graphql.parse", "graphql.parse_and_verify",
	"graphql.parse_query", "graphql.parse_schema", "graphql.schema_is_valid",
	"hex.decode", "hex.encode",
	"internal.member_2", "internal.member_3", "internal.template_string",
	"io.jwt.decode", "io.jwt.verify_eddsa", "io.jwt.verify_es256",
	"io.jwt.verify_es384", "io.jwt.verify_es512", "io.jwt.verify_hs256",
	"io.jwt.verify_hs384", "io.jwt.verify_hs512", "io.jwt.verify_ps256",
	"io.jwt.verify_ps384", "io.jwt.verify_ps512", "io.jwt.verify_rs256",
	"io.jwt.verify_rs384", "io.jwt.verify_rs512",
	"json.filter", "json.is_valid", "json.marshal", "json.marshal_with_options",
	"json.patch", "json.remove", "json.unmarshal",
	"numbers.range", "numbers.range_step",
	"object.filter", "object.get", "object.keys", "object.remove",
	"object.subset", "object.union", "object.union_n",
	"regex.find_all_string_submatch_n", "regex.find_n", "regex.globs_match",
	"regex.is_valid", "regex.match", "regex.replace", "regex.split",
	"regex.template_match",
	"rego.metadata.chain", "rego.metadata.rule", "rego.parse_module",
	"semver.compare", "semver.is_valid",
	"strings.any_prefix_match", "strings.any_suffix_match", "strings.count",
	"strings.replace_n", "strings.reverse", "strings.split_n",
	"time.parse_duration_ns", "time.parse_rfc3339_ns",
	"units.parse", "units.parse_bytes",
	"uri.is_valid", "uri.parse",
	"urlquery.decode", "urlquery.decode_object", "urlquery.encode",
	"urlquery.encode_object",
	"uuid.parse",
	"yaml.is_valid", "yaml.marshal", "yaml.unmarshal",
}

func TestEveryBuiltinAudited(t *testing.T) {
	ok := map[string]bool{}
	for _, n := range audited {
		ok[n] = true
	}
	for _, b := range ast.CapabilitiesForThisVersion().Builtins {
		_, denied := Denied[b.Name]
		switch {
		case denied && ok[b.Name]:
			t.Errorf("%s is both denied and audited as pure", b.Name)
		case !denied && !ok[b.Name]:
			t.Errorf("builtin %s is new in this OPA: audit it, then add it to Denied (policies.go) or to audited", b.Name)
		}
	}
}

// TestCapabilitiesDenyAll proves the capabilities lack every denied
// builtin, and that each denied name is a builtin of this OPA: a misspelt
// or renamed entry would deny nothing.
func TestCapabilitiesDenyAll(t *testing.T) {
	all := map[string]bool{}
	for _, b := range ast.CapabilitiesForThisVersion().Builtins {
		all[b.Name] = true
	}
	for name := range Denied {
		if !all[name] {
			t.Errorf("denied builtin %s does not exist in this OPA", name)
		}
	}
	for _, b := range Capabilities().Builtins {
		if _, denied := Denied[b.Name]; denied {
			t.Errorf("capabilities hold denied builtin %s", b.Name)
		}
	}
	if len(Capabilities().AllowNet) != 0 {
		t.Errorf("capabilities allow hosts %v", Capabilities().AllowNet)
	}
}

// mustDeny is the sandbox's promise, kept apart from Denied so that
// dropping an entry there fails TestDeniedRefusedAtCompile.
var mustDeny = []string{
	"crypto.x509.parse_and_verify_certificates",
	"crypto.x509.parse_and_verify_certificates_with_options", "http.send",
	"internal.print", "internal.test_case", "io.jwt.decode_verify",
	"io.jwt.encode_sign", "io.jwt.encode_sign_raw", "json.match_schema",
	"json.verify_schema", "net.cidr_contains", "net.cidr_contains_matches",
	"net.cidr_expand", "net.cidr_intersects", "net.cidr_is_valid",
	"net.cidr_merge", "net.cidr_overlap", "net.lookup_ip_addr", "opa.runtime",
	"providers.aws.sign_req", "rand.intn", "strings.render_template",
	"time.add_date", "time.clock", "time.date", "time.diff", "time.format",
	"time.now_ns", "time.parse_ns", "time.weekday", "trace", "uuid.rfc4122",
}

// TestDeniedRefusedAtCompile compiles, in the sandbox lint compiles user
// policies in, a rule calling each denied builtin with operands of any
// type: the type checker accepts those for any builtin that exists, so the
// only way to fail is "undefined function".
func TestDeniedRefusedAtCompile(t *testing.T) {
	listed := map[string]bool{}
	for _, n := range mustDeny {
		listed[n] = true
	}
	for n := range Denied {
		if !listed[n] {
			t.Errorf("%s is denied but not in mustDeny: add it", n)
		}
	}
	for _, name := range mustDeny {
		t.Run(name, func(t *testing.T) {
			decl := ast.BuiltinMap[name]
			args := make([]string, len(decl.Decl.FuncArgs().Args))
			for i := range args {
				args[i] = "input.a"
			}
			if decl.Decl.FuncArgs().Variadic != nil || len(args) == 0 && decl.Decl.Result() == nil {
				args = append(args, "input.a")
			}
			call := name + "(" + strings.Join(args, ", ") + ")"
			if decl.Decl.Result() != nil {
				call = "x := " + call
			}
			src := "package hostile\n\np if {\n\t" + call + "\n}\n"
			m, err := ast.ParseModuleWithOpts("hostile.rego", src, ParserOptions())
			if err != nil {
				t.Fatalf("parse %q: %v", src, err)
			}
			c := ast.NewCompiler().WithCapabilities(Capabilities())
			c.Compile(map[string]*ast.Module{"hostile.rego": m})
			if !c.Failed() {
				t.Fatalf("%s compiled in the sandbox:\n%s", name, src)
			}
			if want := "hostile.rego:4: rego_type_error: undefined function " + name; !strings.Contains(c.Errors.Error(), want) {
				t.Fatalf("error %q, want %q", c.Errors, want)
			}
		})
	}
}

// TestLimits proves the capped builtins refuse oversize calls with an
// error naming the limit, halting evaluation even with strict builtin
// errors off, and still answer calls within it.
func TestLimits(t *testing.T) {
	for _, tc := range []struct{ expr, want string }{
		{"count(numbers.range(1, 100000000))", "numbers.range: 100000000 numbers are over the sandbox limit of 100000 per range (policies.MaxRange)"},
		{"count(numbers.range(1e8, 1))", "policies.MaxRange"},
		{"count(numbers.range_step(0, 1e9, 3))", "numbers.range_step: 333333334 numbers are over"},
		{"bits.lsh(1, 1e10)", "bits.lsh: a shift of 10000000000 bits is over the sandbox limit of 4096 (policies.MaxShift)"},
		{`replace(concat("", [x | some _ in numbers.range(1, 5000); x := "a"]), "a", concat("", [x | some _ in numbers.range(1, 5000); x := "a"]))`, "replace: a result of up to 25000000 bytes is over the sandbox limit of 16777216 (policies.MaxString)"},
		{`strings.replace_n({"": concat("", [x | some _ in numbers.range(1, 200); x := "x"])}, concat("", [x | some _ in numbers.range(1, 100000); x := "a"]))`, "strings.replace_n: a result of up to 20100200 bytes is over"},
		{`regex.replace(concat("", [x | some _ in numbers.range(1, 5000); x := "a"]), "a", "$0$0")`, "regex.replace: a result of up to 50025000 bytes is over"},
		{`sprintf(concat("", [x | some _ in numbers.range(1, 20); x := "%999999d"]), [])`, "sprintf: a result of up to 20000140 bytes is over"},
		{`sprintf(concat("", [x | some _ in numbers.range(1, 20); x := "%*d"]), [x | some _ in numbers.range(1, 40); x := 999999])`, "sprintf: a result of up to 40000020 bytes is over"},
		{`replace("a.b.c", ".", "--")`, ""},
		{`regex.replace("a.b", "[.]", "$0$0")`, ""},
		{`sprintf("%5d %s port 8080", [1, "x"])`, ""},
		{"count(numbers.range(1, 65535))", ""},
		{"count(numbers.range_step(0, 299997, 3))", ""},
		{"bits.lsh(1, 64)", ""},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			src := "package q\n\nx := " + tc.expr + "\n"
			rs, err := rego.New(rego.Query("data.q.x"), rego.Module("q.rego", src),
				rego.Capabilities(Capabilities()), rego.StrictBuiltinErrors(false)).Eval(context.Background())
			if tc.want == "" {
				if err != nil || len(rs) != 1 {
					t.Fatalf("got %v, %v; want a value", rs, err)
				}
				return
			}
			var le *LimitError
			if !errors.As(err, &le) {
				t.Fatalf("got %v, %v; want a *LimitError", rs, err)
			}
			if !strings.Contains(err.Error(), "q.rego:3: ") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q, want q.rego:3 and %q", err, tc.want)
			}
		})
	}
}

// TestPrintErased proves print, left in the capabilities, never runs: lint
// compiles with print statements off, and the compiler then drops its
// calls.
func TestPrintErased(t *testing.T) {
	m, err := ast.ParseModuleWithOpts("p.rego", "package p\n\nx if {\n\tprint(input)\n}\n", ParserOptions())
	if err != nil {
		t.Fatal(err)
	}
	c := ast.NewCompiler().WithCapabilities(Capabilities())
	c.Compile(map[string]*ast.Module{"p.rego": m})
	if c.Failed() {
		t.Fatal(c.Errors)
	}
	ast.WalkExprs(c.Modules["p.rego"], func(e *ast.Expr) bool {
		if e.IsCall() && strings.HasSuffix(e.Operator().String(), "print") {
			t.Errorf("print call survived compilation: %v", e)
		}
		return false
	})
}
