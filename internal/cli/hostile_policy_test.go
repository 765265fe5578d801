//go:build !race

package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// policyRunMiB bounds the peak resident memory of each meshfleet run of
// hostile_policy.txtar; they peak at 40-75 MiB.
const policyRunMiB = 150

// TestHostilePolicyBounds reruns testdata/script/hostile_policy.txtar (the
// single source of the hostile policies) timing each meshfleet run: one
// given --eval-timeout D must end within 3×D, one without a deadline
// within 3 s (the builtin caps, not the clock, must stop it), and none may
// peak over policyRunMiB. Not under -race, which multiplies both.
func TestHostilePolicyBounds(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Files: []string{"testdata/script/hostile_policy.txtar"},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": boundedExitcode,
		},
		Setup: func(e *testscript.Env) error {
			e.Setenv("NO_COLOR", "1")
			e.Setenv(usageEnv, filepath.Join(e.WorkDir, ".usage"))
			return nil
		},
	})
}

// boundedExitcode is exitcode followed by the time and memory check.
func boundedExitcode(ts *testscript.TestScript, neg bool, args []string) {
	exitcode(ts, neg, args)
	limit := time.Second
	for i, a := range args {
		if a == "--eval-timeout" && i+1 < len(args) {
			if d, err := time.ParseDuration(args[i+1]); err == nil && d > 0 {
				limit = d
			}
		}
	}
	file := ts.Getenv(usageEnv)
	b, err := os.ReadFile(file)
	if err != nil {
		ts.Fatalf("no usage recorded by the last run: %v", err)
	}
	os.Remove(file)
	var ms, kib int64
	if _, err := fmt.Sscan(string(b), &ms, &kib); err != nil {
		ts.Fatalf("usage: %v", err)
	}
	ts.Logf("run took %d ms, peaked at %d MiB", ms, kib>>10)
	if took := time.Duration(ms) * time.Millisecond; took > 3*limit {
		ts.Fatalf("the run took %v, over 3 × %v", took, limit)
	}
	if kib>>10 > policyRunMiB {
		ts.Fatalf("the run peaked at %d MiB, over %d MiB", kib>>10, policyRunMiB)
	}
}
