package lint

import (
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/meshfleet/meshfleet/policies"
)

// TestBuiltinRulesPassEveryStage is what lets a run of the built-in rules
// skip checkOnlyStages: every built-in module, with every helper, compiles
// on one compiler running every stage, type checker included.
func TestBuiltinRulesPassEveryStage(t *testing.T) {
	mods, order, builtin, err := loadModules(nil)
	if err != nil {
		t.Fatal(err)
	}
	if builtin != len(order) || builtin == 0 {
		t.Fatalf("loadModules(nil): %d built-in of %d modules", builtin, len(order))
	}
	c := ast.NewCompiler().WithCapabilities(policies.Capabilities())
	c.Compile(mods)
	if c.Failed() {
		t.Fatalf("built-in rules fail a compiler stage: %v", c.Errors)
	}
	if c.TypeEnv == nil {
		t.Fatal("the type checker did not run")
	}
}

// TestSkippedStagesAreChecks keeps checkOnlyStages to stages that exist,
// and a rule with a type error still fails when it is a user's policy.
func TestSkippedStagesAreChecks(t *testing.T) {
	all := map[ast.StageID]bool{}
	for _, s := range ast.AllStages() {
		all[s] = true
	}
	for _, s := range checkOnlyStages {
		if !all[s] {
			t.Errorf("checkOnlyStages names %q, which the compiler does not have", s)
		}
	}
	dir := writeFiles(t, map[string]string{"bad.rego": `# METADATA
# title: bad
# custom:
#   id: MF999
#   severity: warning
package meshfleet.rules.bad

import rego.v1

findings contains f if {
	x := 1 + "a"
	f := {"ref": x, "message": "m"}
}
`})
	_, err := NewEngine(t.Context(), EngineOptions{PolicyDirs: []string{dir}})
	if err == nil || !strings.Contains(err.Error(), "rego_type_error") {
		t.Fatalf("a user policy with a type error: got %v, want a type error", err)
	}
}
