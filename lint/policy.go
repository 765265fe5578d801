package lint

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/lint/finding"
	"github.com/meshfleet/meshfleet/policies"
)

// rulesPackage is the package prefix under which a module with METADATA
// custom.id is a rule.
const rulesPackage = "data.meshfleet.rules."

// policy is one compiled rule: its metadata and the prepared query for its
// findings, shared by every evaluating goroutine.
type policy struct {
	rule finding.Rule
	// where is the rule's file:line (its package clause), for errors met
	// while evaluating it.
	where string
	// query is the rule's own prepared query, prepared on first use: the
	// rules run as one combined query (combined.go) and fall back to
	// their own only to name a rule that failed or ran out of time, so a
	// run need not spend start-up time preparing 45 queries it never runs.
	queryOnce sync.Once
	query     rego.PreparedEvalQuery
	queryErr  error
	// compiler and pkg let evaluate combine the rules of one compiler into
	// one query (combined.go).
	compiler *ast.Compiler
	pkg      string
	// builtin: one of meshfleet's rules, which run on shards of several
	// namespaces (shards.go); a user's rules run one namespace at a time.
	builtin bool
}

// prepared returns the rule's own prepared query.
func (p *policy) prepared(ctx context.Context) (rego.PreparedEvalQuery, error) {
	p.queryOnce.Do(func() {
		p.query, p.queryErr = rego.New(
			rego.Compiler(p.compiler),
			rego.Query(p.pkg+".findings"),
			rego.Capabilities(policies.Capabilities()),
			// A builtin failing on an odd value in some input (sprintf of an
			// unexpected type) makes that expression undefined rather than
			// aborting the whole lint: input is arbitrary YAML.
			rego.StrictBuiltinErrors(false),
		).PrepareForEval(context.WithoutCancel(ctx))
	})
	return p.query, p.queryErr
}

// PolicyError is a policy that failed to load or compile; the CLI exits 2.
type PolicyError struct{ Err error }

func (e *PolicyError) Error() string { return e.Err.Error() }
func (e *PolicyError) Unwrap() error { return e.Err }

// loadModules parses the built-in rules and every *.rego (not *_test.rego)
// under dirs, each with its file name so errors say file:line. order lists
// the files built-in first, so a clash names the user's file; the first
// builtin of them are meshfleet's own.
func loadModules(dirs []string) (mods map[string]*ast.Module, order []string, builtin int, err error) {
	mods = map[string]*ast.Module{}
	popts := policies.ParserOptions()
	err = fs.WalkDir(policies.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isPolicyFile(p) {
			return err
		}
		order = append(order, "policies/"+p)
		return nil
	})
	if err != nil {
		return nil, nil, 0, err
	}
	// The built-in modules parse on every core: parsing them (METADATA
	// included) is a fifth of a small run's start-up.
	builtin = len(order)
	parsed := make([]*ast.Module, len(order))
	errs := make([]error, len(order))
	var wg sync.WaitGroup
	next := make(chan int)
	for range max(runtime.GOMAXPROCS(0), 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				src, err := fs.ReadFile(policies.FS, strings.TrimPrefix(order[i], "policies/"))
				if err == nil {
					parsed[i], err = ast.ParseModuleWithOpts(order[i], string(src), popts)
				}
				errs[i] = err
			}
		}()
	}
	for i := range order {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, f := range order {
		if errs[i] != nil {
			return nil, nil, 0, errs[i]
		}
		mods[f] = parsed[i]
	}
	for _, dir := range dirs {
		found := false
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !isPolicyFile(p) {
				return nil
			}
			// A policy directory may sit in the repository: read it as
			// repository content (regular files only, no link out of
			// dir, bounded size), and say what was not read.
			src, err := manifest.ReadFile(dir, p, manifest.DefaultLimits)
			if err != nil {
				var skip *manifest.Skipped
				if errors.As(err, &skip) {
					return fmt.Errorf("%s: not read: %s", p, skip.Reason)
				}
				return err
			}
			m, err := ast.ParseModuleWithOpts(p, string(src), popts)
			if err != nil {
				return err
			}
			mods[p] = m
			order = append(order, p)
			found = true
			return nil
		})
		if err != nil {
			return nil, nil, 0, err
		}
		if !found {
			return nil, nil, 0, fmt.Errorf("%s: no policies found (want *.rego files)", dir)
		}
	}
	return mods, order, builtin, nil
}

func isPolicyFile(p string) bool {
	return strings.HasSuffix(p, ".rego") && !strings.HasSuffix(p, "_test.rego")
}

// compile compiles every module once, in the sandbox, registering the
// rules with reg (when not nil) in order; the first builtin files of order
// are meshfleet's own. A module in package meshfleet.rules.* must carry
// METADATA with custom.id; other packages are helpers.
//
// Compiling is most of a small run's start-up (issue 11: about 30 ms of
// CPU for the built-in rules, on the critical path of a pre-commit run).
// When only the built-in rules are loaded and there is more than one core,
// they compile as compileGroups groups of rules on concurrent compilers,
// each with every helper module; each group is one combined query.
// User policies compile with everything on one compiler, since they may
// refer to any built-in package.
func compile(ctx context.Context, mods map[string]*ast.Module, order []string, builtin int, reg *registry) ([]*policy, error) {
	groups := 1
	if builtin == len(order) {
		groups = min(compileGroups, runtime.GOMAXPROCS(0))
	}
	var helpers []string
	var rules [][]string
	for _, f := range order {
		if !strings.HasPrefix(mods[f].Package.Path.String(), rulesPackage) {
			helpers = append(helpers, f)
		}
	}
	rules = make([][]string, max(groups, 1))
	n := 0
	for _, f := range order {
		if strings.HasPrefix(mods[f].Package.Path.String(), rulesPackage) {
			rules[n%len(rules)] = append(rules[n%len(rules)], f)
			n++
		}
	}
	compilers := make([]*ast.Compiler, len(rules))
	errs := make([]error, len(rules))
	var wg sync.WaitGroup
	for i := range rules {
		group := mods
		if len(rules) > 1 {
			group = map[string]*ast.Module{}
			for _, f := range append(slices.Clone(helpers), rules[i]...) {
				group[f] = mods[f]
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := ast.NewCompiler().WithCapabilities(policies.Capabilities())
			if builtin == len(order) {
				c.WithSkipStages(checkOnlyStages...)
			}
			c.Compile(group)
			if c.Failed() {
				errs[i] = c.Errors
			}
			compilers[i] = c
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	compilerOf := map[string]*ast.Compiler{}
	for i, fs := range rules {
		for _, f := range fs {
			compilerOf[f] = compilers[i]
		}
	}
	var out []*policy
	for i, f := range order {
		m := mods[f]
		pkg := m.Package.Path.String()
		if !strings.HasPrefix(pkg, rulesPackage) {
			continue
		}
		rule, err := ruleMetadata(f, m)
		if err != nil {
			return nil, err
		}
		where := fmt.Sprintf("%s:%d", f, m.Package.Location.Row)
		if reg != nil {
			if err := reg.add(rule, where); err != nil {
				return nil, err
			}
		}
		out = append(out, &policy{rule: rule, where: where, compiler: compilerOf[f], pkg: pkg, builtin: i < builtin})
	}
	return out, nil
}

// checkOnlyStages are the compiler stages that only look for mistakes in
// a policy: they change nothing evaluation reads (the type checker's
// environment matters to "with" on functions, which no built-in rule
// uses). The built-in rules are fixed at build time and
// TestBuiltinRulesPassEveryStage compiles them with every stage, so a run
// that loads only them skips these: the type checker alone is a sixth of
// compiling them, on the critical path of a pre-commit run. A user's
// policies always compile with every stage.
var checkOnlyStages = []ast.StageID{
	ast.StageCheckUnusedImports, ast.StageCheckKeywordOverrides, ast.StageCheckDuplicateImports,
	ast.StageCheckVoidCalls, ast.StageCheckRuleConflicts, ast.StageCheckUndefinedFuncs,
	ast.StageCheckSafetyRuleHeads, ast.StageCheckRecursion, ast.StageCheckTypes,
	ast.StageCheckUnsafeBuiltins, ast.StageCheckDeprecatedBuiltins, ast.StageBuildRequiredCapabilities,
}

// compileGroups is how many compilers the built-in rules are split across
// (compile), at most one per core.
var compileGroups = 2

// kindsRead returns the kinds the policies read from input.resources, or
// all=true when some policy reads it other than by a literal kind (input as
// a whole, input.resources[k]), and whether some policy reads
// input.index.objects. Only what is read is converted to OPA values:
// conversion, not evaluation, is the bulk of a run's Rego cost.
//
// objKinds are the kinds whose resources' "object" (the whole manifest)
// some policy may read, allObjects set when that is every kind: a module
// that names the key "object" anywhere reads the objects of the kinds it
// takes from input.resources, or of every kind if it names none (a helper
// package that may be handed any resource) or reads them dynamically.
// Other modules see each resource's index facts only. User policies are
// not analysed: they may read objects in ways a key search misses (walk,
// json.marshal), so the engine gives them every object.
func kindsRead(mods map[string]*ast.Module) (kinds map[string]bool, all, objects bool, objKinds map[string]bool, allObjects bool) {
	kinds, objKinds = map[string]bool{}, map[string]bool{}
	index, objs, object := ast.StringTerm("index"), ast.StringTerm("objects"), ast.StringTerm("object")
	for _, m := range mods {
		modKinds := map[string]bool{}
		modAll := false
		ast.WalkRefs(m, func(r ast.Ref) bool {
			if !r[0].Equal(ast.InputRootDocument) {
				return false
			}
			switch {
			case len(r) < 2:
				modAll = true
			case r[1].Equal(index):
				if len(r) < 3 || r[2].Equal(objs) {
					objects = true
				} else if _, ok := r[2].Value.(ast.String); !ok {
					objects = true
				}
			case !r[1].Equal(ast.StringTerm("resources")):
				if _, ok := r[1].Value.(ast.String); !ok {
					modAll = true
				}
			case len(r) < 3:
				modAll = true
			default:
				if k, ok := r[2].Value.(ast.String); ok {
					modKinds[string(k)] = true
				} else {
					modAll = true
				}
			}
			return false
		})
		for k := range modKinds {
			kinds[k] = true
		}
		all = all || modAll
		namesObject := false
		ast.WalkTerms(m, func(t *ast.Term) bool {
			if t.Equal(object) {
				namesObject = true
			}
			return namesObject
		})
		if namesObject {
			if modAll || len(modKinds) == 0 {
				allObjects = true
			}
			for k := range modKinds {
				objKinds[k] = true
			}
		}
	}
	return kinds, all, objects || all, objKinds, allObjects || all
}

// ruleMetadata reads a rule's documentation from its package METADATA.
func ruleMetadata(file string, m *ast.Module) (finding.Rule, error) {
	where := fmt.Sprintf("%s:%d", file, m.Package.Location.Row)
	var a *ast.Annotations
	for _, x := range m.Annotations {
		if x.Scope == "package" {
			a = x
			break
		}
	}
	if a == nil {
		return finding.Rule{}, fmt.Errorf("%s: package %s: no METADATA block (want title, description and custom id, severity, remediation)", where, m.Package.Path)
	}
	get := func(k string) string {
		s, _ := a.Custom[k].(string)
		return strings.TrimSpace(s)
	}
	rule := finding.Rule{
		ID:          strings.ToUpper(get("id")),
		Title:       strings.TrimSpace(a.Title),
		Description: strings.TrimSpace(a.Description),
		Remediation: get("remediation"),
		Bad:         strings.TrimLeft(str(a.Custom["bad"]), "\n"),
		Good:        strings.TrimLeft(str(a.Custom["good"]), "\n"),
	}
	rule.OptIn, _ = a.Custom["optIn"].(bool)
	if rule.ID == "" {
		return rule, fmt.Errorf("%s: package %s: METADATA lacks custom.id", where, m.Package.Path)
	}
	if rule.Title == "" {
		return rule, fmt.Errorf("%s: rule %s: METADATA lacks title", where, rule.ID)
	}
	sev := get("severity")
	if sev == "" {
		sev = string(finding.Warning)
	}
	s, err := finding.ParseSeverity(sev)
	if err != nil {
		return rule, fmt.Errorf("%s: rule %s: %w", where, rule.ID, err)
	}
	rule.Severity = s
	return rule, nil
}

// rawFinding is one element of a rule's findings set, before positions.
type rawFinding struct {
	rule    string
	ref     int
	path    string
	message string
	// severity, when a rule sets it on a finding, replaces the rule's
	// default (one rule, two degrees of one mistake); "" keeps it.
	severity finding.Severity
	// atKey positions the finding at the key of the field at path rather
	// than at its value: an unknown field is reported where it is named.
	atKey bool
}

func (f rawFinding) severityOr(def finding.Severity) finding.Severity {
	if f.severity != "" {
		return f.severity
	}
	return def
}

// decodeFindings reads a findings set: objects with ref, path and message.
// A malformed element is an error naming the rule, since a user policy with
// the wrong shape must not pass silently.
func decodeFindings(rule string, rs rego.ResultSet) ([]rawFinding, error) {
	var out []rawFinding
	for _, r := range rs {
		for _, e := range r.Expressions {
			fs, err := decodeFindingSet(rule, e.Value)
			if err != nil {
				return nil, err
			}
			out = append(out, fs...)
		}
	}
	return out, nil
}

// decodeFindingSet reads one rule's findings: a set of objects with ref,
// path, message and optionally severity.
func decodeFindingSet(rule string, v any) ([]rawFinding, error) {
	items, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("rule %s: findings is %T, want a set of objects", rule, v)
	}
	out := make([]rawFinding, 0, len(items))
	for _, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("rule %s: finding %v is not an object", rule, it)
		}
		ref, err := refNumber(m["ref"])
		if err != nil {
			return nil, fmt.Errorf("rule %s: finding %v: %w", rule, it, err)
		}
		var sev finding.Severity
		if v, ok := m["severity"]; ok {
			if sev, err = finding.ParseSeverity(str(v)); err != nil {
				return nil, fmt.Errorf("rule %s: finding %v: %w", rule, it, err)
			}
		}
		out = append(out, rawFinding{rule: rule, ref: ref, path: str(m["path"]), message: str(m["message"]), severity: sev})
	}
	return out, nil
}

func refNumber(v any) (int, error) {
	switch x := v.(type) {
	case interface{ Int64() (int64, error) }:
		n, err := x.Int64()
		return int(n), err
	case float64:
		return int(x), nil
	case int:
		return x, nil
	case int64:
		return int(x), nil
	}
	return 0, errors.New("ref is not a resource number")
}
