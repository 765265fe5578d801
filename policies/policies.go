// Package policies holds meshfleet's lint rules as Rego, embedded into the
// binary so a run never depends on files beside it, and the sandbox every
// policy — built in or loaded with --policy — is compiled under.
package policies

import (
	"embed"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"unicode/utf8"

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
	// MaxString bounds, in bytes, the string one replace,
	// strings.replace_n, regex.replace or sprintf call may build: a
	// replacement or a width multiplies its input.
	MaxString = 16 << 20
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
	capString(ast.Replace.Name, replaceSize)
	capString(ast.ReplaceN.Name, replaceNSize)
	capString(ast.RegexReplace.Name, regexReplaceSize)
	capString(ast.Sprintf.Name, sprintfSize)
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

// capString refuses calls of name whose result, as bound estimates it from
// the operands (an upper bound; ok false when the operands are malformed,
// which OPA's implementation then reports), would pass MaxString.
func capString(name string, bound func(ops []*ast.Term) (size int64, ok bool)) {
	orig := topdown.GetBuiltin(name)
	topdown.RegisterBuiltinFunc(name, func(bctx topdown.BuiltinContext, ops []*ast.Term, iter func(*ast.Term) error) error {
		if n, ok := bound(ops); ok && n > MaxString {
			return limit(bctx, name, fmt.Sprintf("a result of up to %d bytes is over the sandbox limit of %d (policies.MaxString)", n, MaxString))
		}
		return orig(bctx, ops, iter)
	})
}

func str(t *ast.Term) (string, bool) {
	s, ok := t.Value.(ast.String)
	return string(s), ok
}

// grown is the length of s once its n occurrences of a string of length
// from are each replaced by one of length to.
func grown(s string, n, from, to int) int64 {
	return int64(len(s)) + int64(n)*max(0, int64(to-from))
}

// occurrences counts old in s as strings.Replace replaces it: an empty
// old matches before every rune and at the end.
func occurrences(s, old string) int {
	if old == "" {
		return utf8.RuneCountInString(s) + 1
	}
	return strings.Count(s, old)
}

func replaceSize(ops []*ast.Term) (int64, bool) {
	s, ok1 := str(ops[0])
	old, ok2 := str(ops[1])
	repl, ok3 := str(ops[2])
	if !ok1 || !ok2 || !ok3 {
		return 0, false
	}
	return grown(s, occurrences(s, old), len(old), len(repl)), true
}

// replaceNSize bounds strings.replace_n as if every pattern were replaced
// at every occurrence, overlaps included.
func replaceNSize(ops []*ast.Term) (int64, bool) {
	patterns, ok1 := ops[0].Value.(ast.Object)
	s, ok2 := str(ops[1])
	if !ok1 || !ok2 {
		return 0, false
	}
	n := int64(len(s))
	ok := true
	patterns.Foreach(func(k, v *ast.Term) {
		old, ok1 := str(k)
		repl, ok2 := str(v)
		if !ok1 || !ok2 {
			ok = false
			return
		}
		n += grown(s, occurrences(s, old), len(old), len(repl)) - int64(len(s))
	})
	return n, ok
}

// regexReplaceSize bounds regex.replace: each match becomes the
// replacement, in which every $ may expand to a whole copy of the input.
func regexReplaceSize(ops []*ast.Term) (int64, bool) {
	s, ok1 := str(ops[0])
	pattern, ok2 := str(ops[1])
	repl, ok3 := str(ops[2])
	if !ok1 || !ok2 || !ok3 {
		return 0, false
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return 0, false
	}
	matches := int64(len(re.FindAllStringIndex(s, -1)))
	each := int64(len(repl)) + int64(strings.Count(repl, "$"))*int64(len(s))
	return int64(len(s)) + matches*each, true
}

// sprintfSize bounds the padding sprintf may add: every number in the
// format may be a width or precision (Go caps each at 10^6), and with a *
// so may every number among the arguments. The arguments' own text is as
// large as the values already built.
func sprintfSize(ops []*ast.Term) (int64, bool) {
	format, ok := str(ops[0])
	if !ok {
		return 0, false
	}
	n := int64(len(format))
	digits := int64(-1)
	for _, c := range format + "." {
		if c >= '0' && c <= '9' {
			digits = max(0, digits)*10 + int64(c-'0')
			digits = min(digits, 1e6)
			continue
		}
		n += max(0, digits)
		digits = -1
	}
	if args, ok := ops[1].Value.(*ast.Array); ok && strings.Contains(format, "*") {
		args.Foreach(func(t *ast.Term) {
			if x, ok := t.Value.(ast.Number); ok {
				if f, ok := x.Float64(); ok {
					n += int64(min(abs(f), 1e6))
				}
			}
		})
	}
	return n, true
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
