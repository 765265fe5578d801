package main

import (
	"os/exec"
	"strings"
	"testing"
)

// notInBinary are modules the tests may use but the binary must not link:
// santhosh-tekuri/jsonschema compiles five metaschemas in its package
// initialiser, start-up every meshfleet command would pay. Schemas are
// checked and explained by the build-time table (schemas/fast_gen.go);
// jsonschema is the tests' reference for it.
var notInBinary = []string{"github.com/santhosh-tekuri/jsonschema"}

// TestBinaryDependencies asks the go command for every package the binary
// links (test files excluded) and fails on one of notInBinary.
func TestBinaryDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list -deps: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	linked := false
	for _, p := range deps {
		if p == "github.com/meshfleet/meshfleet/schemas" {
			linked = true // the list is the binary's: it validates schemas
		}
		for _, bad := range notInBinary {
			if p == bad || strings.HasPrefix(p, bad+"/") {
				t.Errorf("the binary links %s", p)
			}
		}
	}
	if !linked {
		t.Fatalf("go list -deps does not list the schemas package; got %d packages", len(deps))
	}
}
