package lint

import (
	"math"
	"strconv"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
)

// refMap is an object keyed by resource ref; it becomes a Rego object with
// number keys, so rules look workloads up as index.workloads[ref].
type refMap map[int]any

// toAST converts plain values to OPA values directly. Feeding OPA ast.Values
// avoids the JSON round trip rego.EvalInput does on Go maps (DESIGN.md §6).
func toAST(v any) ast.Value {
	switch x := v.(type) {
	case nil:
		return ast.NullValue
	case string:
		return ast.String(x)
	case bool:
		return ast.Boolean(x)
	case int:
		return ast.Number(strconv.Itoa(x))
	case int64:
		return ast.Number(strconv.FormatInt(x, 10))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return ast.String(strconv.FormatFloat(x, 'g', -1, 64))
		}
		return ast.Number(strconv.FormatFloat(x, 'g', -1, 64))
	case map[string]any:
		items := make([][2]*ast.Term, 0, len(x))
		for k, e := range x {
			items = append(items, [2]*ast.Term{ast.StringTerm(k), ast.NewTerm(toAST(e))})
		}
		return ast.NewObject(items...)
	case map[string]string:
		items := make([][2]*ast.Term, 0, len(x))
		for k, e := range x {
			items = append(items, [2]*ast.Term{ast.StringTerm(k), ast.StringTerm(e)})
		}
		return ast.NewObject(items...)
	case refMap:
		items := make([][2]*ast.Term, 0, len(x))
		for k, e := range x {
			items = append(items, [2]*ast.Term{ast.IntNumberTerm(k), ast.NewTerm(toAST(e))})
		}
		return ast.NewObject(items...)
	case []any:
		terms := make([]*ast.Term, len(x))
		for i, e := range x {
			terms[i] = ast.NewTerm(toAST(e))
		}
		return ast.NewArray(terms...)
	case []int:
		terms := make([]*ast.Term, len(x))
		for i, e := range x {
			terms[i] = ast.IntNumberTerm(e)
		}
		return ast.NewArray(terms...)
	case []string:
		terms := make([]*ast.Term, len(x))
		for i, e := range x {
			terms[i] = ast.StringTerm(e)
		}
		return ast.NewArray(terms...)
	case ast.Value:
		return x
	}
	return ast.NullValue
}

// objectParallel converts the values of m on up to workers goroutines: the
// index's big maps (workloads, hosts) are independent of each other.
func objectParallel(m map[string]any, workers int) ast.Value {
	keys := sortedKeys(m)
	items := make([][2]*ast.Term, len(keys))
	sem := make(chan struct{}, max(workers, 1))
	var wg sync.WaitGroup
	for i, k := range keys {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			items[i] = [2]*ast.Term{ast.StringTerm(k), ast.NewTerm(toAST(m[k]))}
			<-sem
		}()
	}
	wg.Wait()
	return ast.NewObject(items...)
}
