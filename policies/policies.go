// Package policies holds meshfleet's lint rules as Rego, embedded into the
// binary so a run never depends on files beside it, and the sandbox every
// policy — built in or loaded with --policy — is compiled under.
package policies

import (
	"embed"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// FS holds the built-in rules (*.rego), their tests (*_test.rego) and the
// shared helpers (lib.rego).
//
//go:embed *.rego
var FS embed.FS

// denied names builtins a lint policy must not reach: the network, the
// runtime environment, and anything whose answer changes between runs
// (clock, randomness), because lint results must be a pure function of the
// input files.
var denied = []string{
	"http.send",
	"opa.runtime",
	"time.now_ns",
	"io.jwt.decode_verify",
	"providers.aws.sign_req",
}

var deniedPrefixes = []string{"net.", "uuid.", "rand.", "crypto.x509.parse_and_verify"}

// Capabilities is the sandbox: this OPA version's builtins less the denied
// ones, and no host reachable even if a network builtin slipped through.
func Capabilities() *ast.Capabilities {
	c := ast.CapabilitiesForThisVersion()
	keep := c.Builtins[:0]
	for _, b := range c.Builtins {
		if !allowed(b.Name) {
			continue
		}
		keep = append(keep, b)
	}
	c.Builtins = keep
	c.AllowNet = []string{}
	return c
}

func allowed(name string) bool {
	for _, d := range denied {
		if name == d {
			return false
		}
	}
	for _, p := range deniedPrefixes {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	return true
}

// ParserOptions parse Rego v1 with METADATA annotations, which carry each
// rule's id, severity and documentation.
func ParserOptions() ast.ParserOptions {
	return ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1, Capabilities: Capabilities()}
}
