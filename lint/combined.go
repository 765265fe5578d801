package lint

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/meshfleet/meshfleet/policies"
)

// Rules are evaluated per shard (shards.go). One query call costs about
// 15–20 µs before any rule work, so one query per rule made 47 rules ×
// 1,000 namespaces = 47,000 calls, most of a run over many small
// namespaces (issue 11). A combined query evaluates every enabled rule of
// one compiler in one call, each rule's findings bound to its own
// variable; a shard then costs one call per compiler (two for the
// built-in rules, which compile on one compiler per core; one for user
// policies). Findings are byte-identical: each rule's set is decoded as
// before.
//
// A combined call cannot say which rule failed or ran out of time. When it
// fails, the shard is evaluated again rule by rule: an error names its
// rule as before, and after the evaluation deadline the re-run gets a fresh
// budget of the same size, so the rule that exhausts it is named (the
// worst case costs the deadline twice, still bounded).

// combinedQuery is one compiler's enabled rules as one prepared query;
// binding "r<i>" holds rules[i]'s findings.
type combinedQuery struct {
	query rego.PreparedEvalQuery
	rules []*policy
}

// combinedCache holds the combined queries of an engine by the set of
// rules disabled, which is fixed for a run and rarely differs between runs.
type combinedCache struct {
	mu sync.Mutex
	m  map[string][]combinedQuery
}

// combined returns the combined queries for the enabled rules, preparing
// them on first use.
func (e *Engine) combined(ctx context.Context, disabled map[string]bool) ([]combinedQuery, error) {
	var off []string
	for _, p := range e.policies {
		if disabled[p.rule.ID] {
			off = append(off, p.rule.ID)
		}
	}
	sort.Strings(off)
	key := strings.Join(off, ",")
	e.comb.mu.Lock()
	defer e.comb.mu.Unlock()
	if q, ok := e.comb.m[key]; ok {
		return q, nil
	}
	var order []*ast.Compiler
	byCompiler := map[*ast.Compiler][]*policy{}
	for _, p := range e.policies {
		if disabled[p.rule.ID] || p.compiler == nil {
			continue
		}
		if byCompiler[p.compiler] == nil {
			order = append(order, p.compiler)
		}
		byCompiler[p.compiler] = append(byCompiler[p.compiler], p)
	}
	var out []combinedQuery
	for _, c := range order {
		rules := byCompiler[c]
		parts := make([]string, len(rules))
		for i, p := range rules {
			// A comprehension is defined even when the rule's findings
			// are not, so one rule cannot make the whole query undefined.
			parts[i] = fmt.Sprintf("r%d = {f | f := %s.findings[_]}", i, p.pkg)
		}
		q, err := rego.New(
			rego.Compiler(c),
			rego.Query(strings.Join(parts, "; ")),
			rego.Capabilities(policies.Capabilities()),
			rego.StrictBuiltinErrors(false),
		).PrepareForEval(ctx)
		if err != nil {
			return nil, fmt.Errorf("combining the rules into one query: %w", err)
		}
		out = append(out, combinedQuery{query: q, rules: rules})
	}
	if e.comb.m == nil {
		e.comb.m = map[string][]combinedQuery{}
	}
	e.comb.m[key] = out
	return out, nil
}

// evalCombined evaluates the combined queries on one shard's input.
func evalCombined(ctx context.Context, qs []combinedQuery, input ast.Value, size int) ([]rawFinding, error) {
	var out []rawFinding
	for _, q := range qs {
		rs, err := q.query.Eval(ctx, rego.EvalParsedInput(input))
		if err != nil {
			return nil, err
		}
		if len(rs) != 1 {
			return nil, fmt.Errorf("combined query gave %d results, want 1", len(rs))
		}
		for i, p := range q.rules {
			fs, err := decodeFindingSet(p.rule.ID, rs[0].Bindings[fmt.Sprintf("r%d", i)])
			if err != nil {
				return nil, &PolicyError{err}
			}
			for _, f := range fs {
				if f.ref < 0 || f.ref >= size {
					return nil, &PolicyError{fmt.Errorf("rule %s: finding names resource %d, which does not exist", p.rule.ID, f.ref)}
				}
			}
			out = append(out, fs...)
		}
	}
	return out, nil
}

// nameSlowRule runs after the combined evaluation of a shard hit the
// evaluation deadline (cause): it evaluates the shard again rule by rule
// under a fresh budget of the same size and returns the *DeadlineError
// naming the rule that exhausts it, or an unnamed one if none does.
func (e *Engine) nameSlowRule(cause error, input ast.Value, ix *index, disabled map[string]bool) error {
	var d *evalDeadline
	if !errors.As(cause, &d) {
		return cause
	}
	ctx, stop := evalBudget(context.Background(), d.limit)
	defer stop()
	if _, err := e.evalRules(ctx, input, ix, disabled); err != nil {
		var named *DeadlineError
		if errors.As(err, &named) {
			named.Limit = d.limit
			return named
		}
		return err
	}
	return &DeadlineError{Limit: d.limit}
}
