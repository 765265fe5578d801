package lint

import (
	"fmt"

	"github.com/meshfleet/meshfleet/lint/finding"
)

// Rules implemented in Go rather than Rego. They share the catalogue, the
// metadata and the suppression of policy rules, so `meshfleet rules` and
// SARIF show one table whatever implements a rule.
var (
	// RuleUnreadable reports input that could not be read as YAML or JSON.
	// Its presence makes the run exit 2: the lint is incomplete.
	RuleUnreadable = finding.Rule{
		ID:          "MF100",
		Title:       "Input cannot be read as YAML or JSON",
		Severity:    finding.Error,
		Description: "A file, stdin or kustomize build could not be read or parsed: invalid YAML or JSON, a duplicate mapping key, aliases expanding past the budget, nesting too deep, or a file too large. Nothing in it was linted, so the run exits 2 even though the other inputs were linted.",
		Remediation: "Fix the syntax at the position given, or exclude the file with --exclude or `exclude:` in .meshfleet.yaml if it is not a manifest.",
		Bad:         "apiVersion: v1\nkind: Service\nmetadata:\n  name: cart\n  name: checkout   # duplicate key\n",
		Good:        "apiVersion: v1\nkind: Service\nmetadata:\n  name: cart\n",
	}
	// RuleInvalidFleet reports a VMFleet that parses as YAML but does not
	// decode or render: findings and exit 1, not a tool failure.
	RuleInvalidFleet = finding.Rule{
		ID:          "MF104",
		Title:       "Invalid VMFleet",
		Severity:    finding.Error,
		Description: "A VMFleet in the input fails its schema or its cross-field checks (unknown field, wrong type, a route to an undefined subset, weights not adding to 100, a port not declared, two fleets rendering the same object). It is not rendered, so nothing it would produce is linted.",
		Remediation: "Fix the VMFleet field at the position given; `meshfleet render FILE` shows the same errors.",
		Bad:         "apiVersion: meshfleet.dev/v1alpha1\nkind: VMFleet\nmetadata: {name: cart, namespace: shop}\nspec:\n  ports: [{name: http, port: 8080}]\n  traffic:\n    routes:\n      - to: {next: 100}   # no subset \"next\"\n",
		Good:        "apiVersion: meshfleet.dev/v1alpha1\nkind: VMFleet\nmetadata: {name: cart, namespace: shop}\nspec:\n  ports: [{name: http, port: 8080}]\n  traffic:\n    subsets: {next: {version: v2}}\n    routes:\n      - to: {next: 100}\n",
	}
)

// Problem is what a Go check reports on one resource.
type Problem struct {
	// Path is the YAML path of the offending field in the resource.
	Path    string
	Message string
	// AtKey points the finding at the field's key instead of its value.
	AtKey bool
}

// Check is a rule implemented in Go that looks at one resource at a time,
// such as schema validation. It must be safe for concurrent use.
type Check struct {
	Rule finding.Rule
	// Run returns the problems of one object (plain values, as parsed).
	Run func(obj map[string]any) []Problem
}

// registry is the catalogue of a run: every rule with its metadata.
type registry struct {
	byID map[string]finding.Rule
}

func newRegistry() *registry { return &registry{byID: map[string]finding.Rule{}} }

// add registers a rule; a second rule with the same ID is an error, because
// suppressions and --disable name rules by ID.
func (r *registry) add(rule finding.Rule, where string) error {
	if rule.ID == "" {
		return fmt.Errorf("%s: rule without an id", where)
	}
	if _, dup := r.byID[rule.ID]; dup {
		return fmt.Errorf("%s: duplicate rule id %s", where, rule.ID)
	}
	if rule.Severity.Rank() == 0 {
		return fmt.Errorf("%s: rule %s: severity %q is not error, warning or info", where, rule.ID, rule.Severity)
	}
	r.byID[rule.ID] = rule
	return nil
}

// sorted returns the catalogue ordered by ID.
func (r *registry) sorted() []finding.Rule {
	out := make([]finding.Rule, 0, len(r.byID))
	for _, id := range sortedKeys(r.byID) {
		out = append(out, r.byID[id])
	}
	return out
}
