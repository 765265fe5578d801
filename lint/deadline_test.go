package lint

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/meshfleet/meshfleet/policies"
)

const slowPolicy = `# METADATA
# title: Slow
# custom:
#   id: ORG902
package meshfleet.rules.org902

findings contains f if {
	some d in input.resources.Deployment
	n := count({x | some i in numbers.range(1, 3000); some j in numbers.range(1, 3000); x := (i * j) % 7})
	n > 100
	f := {"ref": d.ref, "path": "metadata.name", "message": "never"}
}
`

// hostileRun lints deployments in namespaces shards, with the rule of
// policy and the evaluation deadline timeout, on two workers.
func hostileRun(t *testing.T, policy string, shards int, timeout time.Duration) (time.Duration, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "pol"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pol", "p.rego"), []byte(policy), 0o644); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i := 0; i < shards; i++ {
		fmt.Fprintf(&b, "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: ns%d}\n", i)
	}
	in := filepath.Join(dir, "in.yaml")
	if err := os.WriteFile(in, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	e, err := NewEngine(ctx, EngineOptions{PolicyDirs: []string{filepath.Join(dir, "pol")}})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = e.Lint(ctx, Options{Paths: []string{in}, Workers: 2, EvalTimeout: timeout})
	return time.Since(start), err
}

// TestEvalDeadline proves the deadline interrupts a long comprehension in
// every shard at once (four namespaces on two workers stop together, not
// one after another) and names the rule.
func TestEvalDeadline(t *testing.T) {
	took, err := hostileRun(t, slowPolicy, 4, 300*time.Millisecond)
	var d *DeadlineError
	if !errors.As(err, &d) {
		t.Fatalf("got %v, want a *DeadlineError", err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "rule ORG902 (") || !strings.HasSuffix(msg, "p.rego:5) exceeded the 300ms evaluation deadline (--eval-timeout)") {
		t.Errorf("error %q names neither the rule nor the limit", msg)
	}
	if took > 2*time.Second {
		t.Errorf("the run took %v after a 300ms deadline", took)
	}
}

// TestEvalLimit proves a capped builtin's refusal stops the run, not just
// the expression, and names the rule, the call and the limit.
func TestEvalLimit(t *testing.T) {
	policy := strings.Replace(slowPolicy, "count({x | some i in numbers.range(1, 3000); some j in numbers.range(1, 3000); x := (i * j) % 7})", "count(numbers.range(1, 1e8))", 1)
	_, err := hostileRun(t, policy, 3, 0)
	var pe *PolicyError
	var le *policies.LimitError
	if !errors.As(err, &pe) || !errors.As(err, &le) {
		t.Fatalf("got %v, want a *PolicyError wrapping a *policies.LimitError", err)
	}
	if !strings.Contains(err.Error(), "rule ORG902 (") || !strings.Contains(err.Error(), "p.rego:9: numbers.range: ") || !strings.Contains(err.Error(), "policies.MaxRange") {
		t.Errorf("error %q names neither the rule, the call nor the limit", err)
	}
}

// TestEvalBudgetCountsCPU holds the budget to CPU time: a goroutine that
// waits uses none and is stopped only by the wall-clock backstop, one that
// computes is stopped once it has used the budget.
func TestEvalBudgetCountsCPU(t *testing.T) {
	if _, ok := processCPU(); !ok {
		t.Skip("no CPU clock here: the budget is wall-clock time")
	}
	// Large enough that the process's own background work (the collector
	// finishing an earlier test's garbage) cannot use it up while idle.
	const limit = 150 * time.Millisecond
	runtime.GC()
	ctx, stop := evalBudget(context.Background(), limit)
	start := time.Now()
	<-ctx.Done()
	waited := time.Since(start)
	stop()
	if waited < limit*(wallBackstop-1) {
		t.Errorf("an idle evaluation was stopped after %s, before the wall backstop (%s)", waited, wallBackstop*limit)
	}
	var d *evalDeadline
	if !errors.As(context.Cause(ctx), &d) {
		t.Errorf("cause %v, want the evaluation deadline", context.Cause(ctx))
	}

	ctx, stop = evalBudget(context.Background(), limit)
	defer stop()
	used, _ := processCPU()
	for ctx.Err() == nil {
		for i := 0; i < 1e5; i++ {
			_ = i * i
		}
	}
	now, _ := processCPU()
	if now-used < limit {
		t.Errorf("a busy evaluation was stopped after %s of CPU, before its budget of %s", now-used, limit)
	}
	if !errors.As(context.Cause(ctx), &d) {
		t.Errorf("cause %v, want the evaluation deadline", context.Cause(ctx))
	}
}
