// Package policies holds meshfleet's lint rules as Rego, embedded into the
// binary so a run never depends on files beside it, and the sandbox every
// policy — built in or loaded with --policy — is compiled under.
package policies

import (
	"embed"
	"fmt"
	"math/big"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/topdown/builtins"
)

// FS holds the built-in rules (*.rego), their tests (*_test.rego) and the
// shared helpers (lib.rego).
//
//go:embed *.rego
var FS embed.FS

// Denied names every builtin of this OPA version a lint policy must not
// reach, each with the reason: lint results must be a pure function of the
// input files, computed without touching the network, the file system, the
// environment, the clock or a random source, and within bounded time and
// memory (DESIGN.md §7). Builtins not listed were audited and are pure.
// capabilities_test.go pins the audited list, so an OPA upgrade that adds a
// builtin fails until someone decides which side it belongs on.
var Denied = map[string]string{
	"http.send":          "network",
	"net.lookup_ip_addr": "network (DNS)",
	"net.cidr_expand":    "returns every address of a CIDR in one uninterruptible call (2^32 for 0.0.0.0/0)",
	// The pure CIDR helpers go with their family: the sandbox has promised
	// no net.* builtin at all (TestSandbox).
	"net.cidr_contains":         "net.* family",
	"net.cidr_contains_matches": "net.* family",
	"net.cidr_intersects":       "net.* family",
	"net.cidr_is_valid":         "net.* family",
	"net.cidr_merge":            "net.* family",
	"net.cidr_overlap":          "net.* family",
	"opa.runtime":               "environment variables and OPA configuration",
	"time.now_ns":               "clock",
	// A time zone argument makes these read the zoneinfo files (or, for
	// "Local", the TZ environment variable); time.parse_ns resolves zone
	// abbreviations against the local zone.
	"time.date":     "time zone database and TZ",
	"time.clock":    "time zone database and TZ",
	"time.weekday":  "time zone database and TZ",
	"time.format":   "time zone database and TZ",
	"time.add_date": "time zone database and TZ",
	"time.diff":     "time zone database and TZ",
	"time.parse_ns": "local time zone",
	"rand.intn":     "randomness",
	"uuid.rfc4122":  "randomness",
	// The schema builtins load every $ref, file:// and http(s):// alike.
	"json.match_schema":                                      "reads files and the network through $ref",
	"json.verify_schema":                                     "reads files and the network through $ref",
	"io.jwt.decode_verify":                                   "clock (exp and nbf checked against now)",
	"io.jwt.encode_sign":                                     "randomness (signatures)",
	"io.jwt.encode_sign_raw":                                 "randomness (signatures)",
	"crypto.x509.parse_and_verify_certificates":              "clock (validity checked against now)",
	"crypto.x509.parse_and_verify_certificates_with_options": "clock (validity checked against now by default)",
	"providers.aws.sign_req":                                 "signs outgoing requests, of no use without http.send",
	// Go text/template: a template that calls itself twice makes one call's
	// time and output exponential, out of the deadline's reach.
	"strings.render_template": "unbounded time and memory in one call",
	// A policy's only output is its findings. (print needs no entry: with
	// print statements off, as lint compiles, the compiler erases its
	// calls before they are checked; internal.print is what it would
	// become.)
	"internal.print":     "prints",
	"trace":              "writes to the tracer",
	"internal.test_case": "writes to the tracer",
}

// Capabilities is the sandbox: this OPA version's builtins less the denied
// ones, and no host reachable even if a network builtin slipped through.
func Capabilities() *ast.Capabilities {
	c := ast.CapabilitiesForThisVersion()
	keep := c.Builtins[:0]
	for _, b := range c.Builtins {
		if _, deny := Denied[b.Name]; !deny {
			keep = append(keep, b)
		}
	}
	c.Builtins = keep
	c.AllowNet = []string{}
	return c
}

// ParserOptions parse Rego v1 with METADATA annotations, which carry each
// rule's id, severity and documentation.
func ParserOptions() ast.ParserOptions {
	return ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1, Capabilities: Capabilities()}
}

// Limits on the builtins whose one call allocates in proportion to a number
// it is given rather than to data that already exists: cancellation is
// checked between expressions, so a deadline cannot stop such a call before
// it has exhausted memory. The sandbox refuses oversize calls instead.
const (
	// MaxRange bounds the numbers one numbers.range or numbers.range_step
	// call returns (all TCP ports fit).
	MaxRange = 100_000
	// MaxShift bounds the bits.lsh shift, in bits.
	MaxShift = 4096
)

// LimitError is a builtin call refused by a sandbox limit. It halts the
// evaluation: lint evaluates with StrictBuiltinErrors off, where an
// ordinary builtin error would only leave the expression undefined and the
// rule would pass without a word.
type LimitError struct {
	Location *ast.Location
	Builtin  string
	Msg      string
}

func (e *LimitError) Error() string {
	where := ""
	if e.Location != nil {
		where = fmt.Sprintf("%s:%d: ", e.Location.File, e.Location.Row)
	}
	return where + e.Builtin + ": " + e.Msg
}

// The caps replace OPA's implementations process-wide: a builtin of OPA's
// own name cannot be overridden per query (rego.Function loses to the
// global table), and every evaluation in meshfleet is sandboxed anyway.
// Registering in init keeps the global table's writes before any read.
func init() {
	capRange(ast.NumbersRange.Name)
	capRange(ast.NumbersRangeStep.Name)
	orig := topdown.GetBuiltin(ast.BitsShiftLeft.Name)
	topdown.RegisterBuiltinFunc(ast.BitsShiftLeft.Name, func(bctx topdown.BuiltinContext, ops []*ast.Term, iter func(*ast.Term) error) error {
		if n, err := builtins.BigIntOperand(ops[1].Value, 2); err == nil && n.Cmp(big.NewInt(MaxShift)) > 0 {
			return limit(bctx, ast.BitsShiftLeft.Name, fmt.Sprintf("a shift of %s bits is over the sandbox limit of %d (policies.MaxShift)", n, MaxShift))
		}
		return orig(bctx, ops, iter)
	})
}

// capRange refuses numbers.range and numbers.range_step calls that would
// return more than MaxRange numbers; OPA's own implementation reports
// malformed operands.
func capRange(name string) {
	orig := topdown.GetBuiltin(name)
	topdown.RegisterBuiltinFunc(name, func(bctx topdown.BuiltinContext, ops []*ast.Term, iter func(*ast.Term) error) error {
		x, err1 := builtins.BigIntOperand(ops[0].Value, 1)
		y, err2 := builtins.BigIntOperand(ops[1].Value, 2)
		step := big.NewInt(1)
		var err3 error
		if name == ast.NumbersRangeStep.Name { // ops may end with the output term
			step, err3 = builtins.BigIntOperand(ops[2].Value, 3)
		}
		if err1 == nil && err2 == nil && err3 == nil && step.Sign() > 0 {
			n := new(big.Int).Sub(y, x)
			n.Abs(n).Quo(n, step).Add(n, big.NewInt(1))
			if n.Cmp(big.NewInt(MaxRange)) > 0 {
				return limit(bctx, name, fmt.Sprintf("%s numbers are over the sandbox limit of %d per range (policies.MaxRange)", n, MaxRange))
			}
		}
		return orig(bctx, ops, iter)
	})
}

func limit(bctx topdown.BuiltinContext, name, msg string) error {
	return topdown.Halt{Err: &LimitError{Location: bctx.Location, Builtin: name, Msg: msg}}
}
