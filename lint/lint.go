// Package lint checks Kubernetes and Istio manifests offline: it loads files
// with positions, renders VMFleets and kustomizations in-process, builds one
// index of workloads, hosts and policies, evaluates the Rego rules of
// policies/ (compiled once) against it per namespace in parallel, and
// returns sorted, de-duplicated, suppressible findings.
package lint

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/internal/par"
	"github.com/meshfleet/meshfleet/lint/finding"
	"github.com/meshfleet/meshfleet/policies"
	"github.com/meshfleet/meshfleet/render"
)

// DefaultRootNamespace is Istio's mesh config root namespace.
const DefaultRootNamespace = "istio-system"

// DefaultMaxResources is the resources-per-run limit: ten times the
// 110,000-resource benchmark, and far above any real repository.
const DefaultMaxResources = 1_000_000

// maxNotices bounds the notices one run prints; the rest are counted.
const maxNotices = 200

// Engine holds the compiled rules. Build it once per process: compiling is
// the only costly setup, and one Engine lints any number of inputs,
// concurrently if need be.
type Engine struct {
	reg *registry
	// policies and compileErr are set by the compilation NewEngine starts;
	// read them, and reg, only after wait.
	policies   []*policy
	comb       combinedCache // combined.go
	noCombine  bool          // tests: one query per rule, as before combining
	shardSize  int           // tests: resources per shard, not shardResources
	compileErr error
	compiled   chan struct{}
	checks     []Check
	// kinds are the kinds policies read from input.resources; allKinds
	// is set when a policy may read any; objects when one reads
	// input.index.objects.
	kinds    map[string]bool
	allKinds bool
	objects  bool
	// objKinds are the kinds whose resources' whole object a policy may
	// read (input.resources[kind][_].object); allObjects means every kind.
	objKinds   map[string]bool
	allObjects bool
	// Kustomize builds a kustomization directory; nil disables kustomize
	// inputs (they are then reported as unreadable).
	Kustomize func(dir string) ([]byte, error)
}

// EngineOptions configure NewEngine.
type EngineOptions struct {
	// PolicyDirs hold extra Rego rules (--policy), same shape as the
	// built-in ones.
	PolicyDirs []string
	// Checks are rules implemented in Go.
	Checks []Check
}

// NewEngine compiles the built-in rules and those of opts.PolicyDirs. A
// policy that fails to load or compile is a *PolicyError with file:line.
func NewEngine(ctx context.Context, opts EngineOptions) (*Engine, error) {
	reg := newRegistry()
	for _, r := range []finding.Rule{RuleUnreadable, RuleInvalidFleet} {
		if err := reg.add(r, "lint"); err != nil {
			return nil, err
		}
	}
	checks := append(schemaChecks(), opts.Checks...)
	for _, c := range checks {
		if err := reg.add(c.Rule, "go check"); err != nil {
			return nil, err
		}
	}
	mods, order, builtin, err := loadModules(opts.PolicyDirs)
	if err != nil {
		return nil, &PolicyError{err}
	}
	kinds, all, objects, objKinds, allObjects := kindsRead(mods)
	// User policies are not analysed for the objects they read.
	allObjects = allObjects || len(opts.PolicyDirs) > 0
	e := &Engine{
		reg: reg, checks: checks, compiled: make(chan struct{}),
		kinds: kinds, allKinds: all, objects: objects, objKinds: objKinds, allObjects: allObjects,
		Kustomize: defaultKustomize,
	}
	build := func() {
		e.policies, e.compileErr = compile(ctx, mods, order, builtin, reg)
		close(e.compiled)
	}
	if len(opts.PolicyDirs) > 0 {
		// User policies may not compile: say so here, with file:line.
		build()
		if err := e.wait(); err != nil {
			return nil, err
		}
		return e, nil
	}
	// The built-in policies compile (their tests prove it), so they compile
	// while the caller reads and parses its input: a pre-commit run on one
	// file spends about as long on each.
	go build()
	return e, nil
}

// wait blocks until the policies are compiled.
func (e *Engine) wait() error {
	<-e.compiled
	if e.compileErr != nil {
		return &PolicyError{e.compileErr}
	}
	return nil
}

// Rules is the catalogue, sorted by ID.
func (e *Engine) Rules() []finding.Rule {
	_ = e.wait() // a failed compilation leaves the Go rules, listed all the same
	return e.reg.sorted()
}

// Rule returns one rule's documentation.
func (e *Engine) Rule(id string) (finding.Rule, bool) {
	_ = e.wait()
	r, ok := e.reg.byID[id]
	return r, ok
}

// Options are one run's inputs and settings.
type Options struct {
	// Paths are files, directories, kustomization directories or "-".
	Paths         []string
	Stdin         io.Reader
	StdinFilename string
	// Config is .meshfleet.yaml; nil means defaults. Flags below add to it
	// (Exclude, Disable) or override it (RootNamespace).
	Config        *Config
	Exclude       []string
	Disable       []string
	RootNamespace string
	// Complete, when set, overrides Config.Complete (--complete): the
	// input is everything deployed, so references to hosts, namespaces,
	// service accounts and workloads it lacks are findings (DESIGN §4).
	Complete *bool
	// Workers bounds parallelism; 0 means GOMAXPROCS.
	Workers int
	// EvalTimeout bounds the CPU time the evaluation of the Rego rules
	// uses, over the whole run (--eval-timeout; by the clock, six times as
	// long, when the machine starves it); 0 means no deadline. Past it Lint
	// returns a *DeadlineError naming the rule that was running.
	EvalTimeout time.Duration
	// MaxResources caps the resources (VMFleets counted as one) one run
	// holds; 0 means DefaultMaxResources. Inputs past it are MF100.
	MaxResources int
	// Context are files and directories read only to resolve references
	// (--context: the rest of the repository for a pre-commit run, a
	// cluster snapshot for a pull request): their resources are indexed,
	// their findings are not reported, and an input holding the same
	// object (or the same file) takes precedence over the context's copy.
	Context []string
	// Verbose also tells, as notices, the documents skipped because they
	// are no Kubernetes objects (no apiVersion and kind).
	Verbose bool
	// Notice receives skipped-input notices (for stderr); may be nil.
	Notice func(string)
	// Sized, when set, is told before any input is read how many bytes
	// the inputs found hold; known is false when some are stdin or
	// kustomize builds, whose size is not known until they are read.
	Sized func(inputBytes int64, known bool)
	// Loaded, when set, receives the size in bytes of every input read,
	// once parsing is done and before the index and evaluation allocate
	// most of the run's memory (the CLI sizes its memory limit from it).
	Loaded func(inputBytes int64)
	// Enable turns on opt-in rules and Only runs just the rules named
	// (IDs or families such as MF6xx), as selection.go describes; they
	// add to the config's lists (Only replaces the config's only).
	Enable, Only []string
}

// Timings split a run's wall time by stage. Parse includes the Go checks
// (MF101-MF103), which run on the parse workers as each file is read;
// Index includes converting the index to OPA values; Eval is building
// the shard inputs and evaluating the Rego rules.
type Timings struct {
	Parse, Render, Index, Eval, Findings time.Duration
}

// Result is a run's outcome. ExitCode turns it into the CLI's exit code.
type Result struct {
	Report finding.Report
	// Unreadable is set when some input could not be read (MF100).
	Unreadable bool
	Timings    Timings
}

// ExitCode is 2 when an input was unreadable, 1 when a finding is at or
// above failOn, else 0.
func (r *Result) ExitCode(failOn finding.Severity) int {
	if r.Unreadable {
		return 2
	}
	for _, f := range r.Report.Findings {
		if f.Severity.Rank() >= failOn.Rank() {
			return 1
		}
	}
	return 0
}

// settings are a run's options with their defaults filled in, shared by
// Lint and LoadModel so both read their inputs alike.
type settings struct {
	cfg       *Config
	notice    func(string)
	workers   int
	ex        excluder
	root      string
	trust     string
	stdinName string
	maxRes    int
}

func (opts Options) settle() (settings, error) {
	st := settings{cfg: opts.Config, notice: opts.Notice, workers: opts.Workers, root: opts.RootNamespace,
		stdinName: opts.StdinFilename, maxRes: opts.MaxResources}
	if st.cfg == nil {
		st.cfg = &Config{}
	}
	if st.notice == nil {
		st.notice = func(string) {}
	}
	if st.workers < 1 {
		st.workers = runtime.GOMAXPROCS(0)
	}
	ex, err := newExcluder(append(append([]string{}, st.cfg.Exclude...), opts.Exclude...))
	if err != nil {
		return st, fmt.Errorf("exclude: %w", err)
	}
	st.ex = ex
	if st.root == "" {
		st.root = st.cfg.RootNamespace
	}
	if st.root == "" {
		st.root = DefaultRootNamespace
	}
	if st.trust = st.cfg.TrustDomain; st.trust == "" {
		st.trust = "cluster.local"
	}
	if st.stdinName == "" {
		st.stdinName = "<stdin>"
	}
	if st.maxRes <= 0 {
		st.maxRes = DefaultMaxResources
	}
	return st, nil
}

// Lint runs every rule over the inputs of opts.
func (e *Engine) Lint(ctx context.Context, opts Options) (*Result, error) {
	st, err := opts.settle()
	if err != nil {
		return nil, err
	}
	cfg, notice, workers, ex, root, trust, stdinName, maxRes := st.cfg, st.notice, st.workers, st.ex, st.root, st.trust, st.stdinName, st.maxRes
	res := &Result{}
	start := time.Now()

	jobs, probs := collect(opts.Paths, stdinName, ex, notice)
	inputs := len(jobs)
	jobs = append(jobs, contextJobs(opts.Context, jobs, ex, notice)...)
	if opts.Sized != nil {
		opts.Sized(sizeOf(jobs))
	}
	// The suppressor needs the files' text; which rules are disabled is
	// known now, so the Go checks can run on the parse workers.
	disabled := newSuppressor(nil, cfg, opts.Disable).disabled
	if err := deselect(disabled, e.goRules(), true, cfg, opts); err != nil {
		return nil, err
	}
	srcs := readAll(jobs, opts.Stdin, workers, e.Kustomize, func(r *resource) { e.settle(r, disabled) })
	var rs []*resource
	var fleetDocs []*manifest.Document
	data := map[string][]byte{}
	notices, skipped := 0, 0
	var ctxFleetDocs []*manifest.Document
	for _, s := range srcs {
		if s.context {
			// What the context cannot give only leaves references
			// unresolved, which the partial default never reports.
			if s.err != nil {
				notice("context: " + s.err.Error())
				continue
			}
			for _, r := range s.items {
				r.context = true
			}
			rs = append(rs, s.items...)
			ctxFleetDocs = append(ctxFleetDocs, s.fleets...)
			continue
		}
		if s.err != nil {
			if s.template && !opts.isComplete(cfg) {
				// Not a manifest until rendered: told, counted, not
				// linted. A complete input must lint every file (MF100).
				skipped++
				if notices++; notices <= maxNotices {
					notice(s.skipTemplateNotice())
				}
				continue
			}
			if s.template {
				s.err.Msg += "; a complete input (--complete) lints every file"
			}
			probs = append(probs, s.err)
			continue
		}
		told := s.notices
		if opts.Verbose {
			told = append(told, s.quiet...)
		}
		for _, n := range told {
			if notices++; notices <= maxNotices {
				notice(n)
			}
		}
		// Sources count in argument order, so which file is refused
		// does not depend on which worker read it first.
		if n := len(rs) + len(fleetDocs) + len(s.items) + len(s.fleets); n > maxRes {
			probs = append(probs, &manifest.Error{File: s.name, Msg: fmt.Sprintf(
				"not linted: the run would hold %d resources, over the resources-per-run limit of %d (--max-resources)", n, maxRes)})
			continue
		}
		data[s.name] = s.data
		rs = append(rs, s.items...)
		fleetDocs = append(fleetDocs, s.fleets...)
	}
	if notices > maxNotices {
		notice(fmt.Sprintf("%d more notices not shown", notices-maxNotices))
	}
	// MeshTest documents are meshfleet test's input (lint/mesh), not
	// resources of the cluster: they sit beside the manifests and are
	// neither counted nor checked here.
	rs = slices.DeleteFunc(rs, func(r *resource) bool {
		return r.kind == render.MeshTestKind && r.group() == "meshfleet.dev"
	})
	var raw []finding.Finding
	for _, p := range probs {
		raw = append(raw, problemFinding(RuleUnreadable, p))
	}
	res.Unreadable = len(probs) > 0
	res.Timings.Parse = time.Since(start)
	if opts.Loaded != nil {
		var n int64
		for _, b := range data {
			n += int64(len(b))
		}
		opts.Loaded(n)
	}

	t := time.Now()
	rendered, fleetProbs := renderFleets(fleetDocs)
	for _, p := range fleetProbs {
		f := problemFinding(RuleInvalidFleet, p.err)
		f.Resource = p.fleet
		raw = append(raw, f)
	}
	if len(ctxFleetDocs) > 0 {
		ctxRendered, _ := renderFleets(ctxFleetDocs)
		for _, r := range ctxRendered {
			r.context = true
		}
		rendered = append(rendered, ctxRendered...)
	}
	forEach(rendered, workers, func(r *resource) { e.settle(r, disabled) })
	rs = precedence(append(rs, rendered...))
	for i, r := range rs {
		r.ref = i
	}
	res.Timings.Render = time.Since(t)

	t = time.Now()
	// A workload that fails its schema is one the API server rejects: no
	// selector, subset or Service finds it (DESIGN §4). Its MF101 stays.
	for _, r := range rs {
		if r.wl != nil && schemaInvalid(r) {
			r.wl = nil
		}
	}
	ix := newIndex(rs, root, trust, cfg.ProductionLabel)
	iv := ix.value(workers)
	iv["complete"] = cfg.Complete
	if opts.Complete != nil {
		iv["complete"] = *opts.Complete
	}
	if e.objects {
		iv["objects"] = ix.convertObjects(rs, workers)
	}
	global := objectParallel(iv, workers)
	// The index has read what it needs: free the objects no policy reads
	// (the Go checks ran while parsing) before evaluation allocates the
	// shard inputs, and the index's build-only parts: evaluation reads
	// only the global value, the extras and the destinations.
	for _, r := range rs {
		if !e.policyReads(r.kind) {
			r.obj = nil
		}
		r.wl = nil
	}
	ix.release(workers)
	res.Timings.Index = time.Since(t)

	t = time.Now()
	if err := e.wait(); err != nil {
		return nil, err
	}
	sup := newSuppressor(data, cfg, opts.Disable)
	if err := deselect(disabled, e.Rules(), false, cfg, opts); err != nil {
		return nil, err
	}
	sup.disabled = disabled
	found, err := e.evaluate(ctx, rs, ix, global, workers, disabled, opts.EvalTimeout)
	if err != nil {
		return nil, err
	}
	res.Timings.Eval = time.Since(t)

	t = time.Now()
	nodes := newNodeCache(data)
	for _, f := range found {
		r := rs[f.ref]
		if r.context || sup.resourceIgnores(r, f.rule) {
			continue
		}
		file, line, col := r.position(f.path, f.atKey, nodes)
		endLine, endCol := r.end(f.path, f.atKey, nodes)
		raw = append(raw, finding.Finding{
			Rule: f.rule, Severity: f.severityOr(e.reg.byID[f.rule].Severity), Message: f.message, Resource: r.id(),
			File: file, Line: line, Column: col, Path: f.path, EndLine: endLine, EndColumn: endCol,
		})
	}
	out := raw[:0]
	for _, f := range raw {
		if sup.drop(f) {
			continue
		}
		if s, ok := cfg.Severity[f.Rule]; ok && f.Rule != RuleUnreadable.ID {
			f.Severity = s
		}
		out = append(out, f)
	}
	res.Report = finding.Report{
		Findings: finding.SortDedup(out),
		Rules:    e.Rules(),
		Summary:  finding.Summary{Files: inputs, Resources: countInputs(rs), Skipped: skipped},
		Files:    sortedKeys(data),
	}
	res.Report.Summary.Count(res.Report.Findings)
	res.Timings.Findings = time.Since(t)
	return res, nil
}

// settle runs the Go checks on r as soon as it is parsed or rendered, on
// the worker that made it, and then drops its object unless the index or a
// policy reads it: most objects (Deployments, WorkloadEntries,
// ServiceAccounts) need not stay alive until evaluation.
func (e *Engine) settle(r *resource, disabled map[string]bool) {
	for _, c := range e.checks {
		if disabled[c.Rule.ID] {
			continue
		}
		for _, p := range c.Run(r.obj) {
			r.problems = append(r.problems, rawFinding{rule: c.Rule.ID, path: p.Path, message: p.Message, atKey: p.AtKey})
		}
	}
	if !e.keepObject(r) {
		r.obj = nil
	}
}

// keepObject reports whether r must keep its object past parsing: policies
// read the kinds they name, and the index workloads and the kinds it reads
// fields of.
func (e *Engine) keepObject(r *resource) bool {
	return e.policyReads(r.kind) || indexKinds[r.kind] || r.wl != nil || e.objects && objectKinds[r.kind]
}

// policyReads reports whether a policy reads the objects of kind.
func (e *Engine) policyReads(kind string) bool {
	return (e.allKinds || e.kinds[kind]) && (e.allObjects || e.objKinds[kind])
}

// forEach runs f on every resource on up to workers goroutines.
func forEach(rs []*resource, workers int, f func(*resource)) {
	par.For(workers, len(rs), func(i int) { f(rs[i]) })
}

func problemFinding(rule finding.Rule, p *manifest.Error) finding.Finding {
	return finding.Finding{
		Rule: rule.ID, Severity: rule.Severity, Message: p.Msg,
		File: p.File, Line: p.Line, Column: p.Column, Path: p.Path,
	}
}

// DeadlineError is a run whose Rego evaluation outlived Options.EvalTimeout.
// Rule is the rule that was running, Where its file:line; both are empty
// when the deadline fell between two rules.
type DeadlineError struct {
	Rule, Where string
	Limit       time.Duration
}

func (e *DeadlineError) Error() string {
	if e.Rule == "" {
		return fmt.Sprintf("evaluation exceeded the %s deadline (--eval-timeout)", e.Limit)
	}
	return fmt.Sprintf("rule %s (%s) exceeded the %s evaluation deadline (--eval-timeout)", e.Rule, e.Where, e.Limit)
}

// evalBudget bounds the evaluation by the CPU time it uses, not by the
// clock: the limit is on what the input makes meshfleet compute, so a CI
// runner that is merely busy (a loaded machine stretches wall time many
// times over) does not turn a legitimate repository into exit 2. The
// process's CPU time since the evaluation started is checked every few
// milliseconds; a wall-clock backstop at wallBackstop times the limit
// still ends a run starved of CPU altogether. Without a CPU clock (not
// unix) the limit is wall-clock time.
func evalBudget(ctx context.Context, limit time.Duration) (context.Context, func()) {
	start, ok := processCPU()
	if !ok {
		return context.WithTimeoutCause(ctx, limit, &evalDeadline{limit})
	}
	ctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(min(limit/20, 50*time.Millisecond) + time.Millisecond)
		defer tick.Stop()
		backstop := time.NewTimer(wallBackstop * limit)
		defer backstop.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-backstop.C:
				cancel(&evalDeadline{limit})
				return
			case <-tick.C:
				if now, _ := processCPU(); now-start > limit {
					cancel(&evalDeadline{limit})
					return
				}
			}
		}
	}()
	return ctx, func() {
		close(done)
		cancel(nil)
	}
}

// wallBackstop is how many times the CPU budget the evaluation may take
// by the clock.
const wallBackstop = 6

// evalDeadline is the cause of a context cancelled by the evaluation
// deadline, errAborted that of one cancelled because another shard failed.
type evalDeadline struct{ limit time.Duration }

func (d *evalDeadline) Error() string { return (&DeadlineError{Limit: d.limit}).Error() }

var errAborted = errors.New("evaluation aborted: another shard failed")

// evaluate runs every policy and Go check not disabled per namespace shard
// on workers goroutines sharing the prepared queries. timeout, when not 0,
// bounds the whole evaluation; the first shard to fail (or to run out of
// time) stops the others.
func (e *Engine) evaluate(ctx context.Context, rs []*resource, ix *index, global ast.Value, workers int, disabled map[string]bool, timeout time.Duration) ([]rawFinding, error) {
	if timeout > 0 {
		var stop func()
		ctx, stop = evalBudget(ctx, timeout)
		defer stop()
	}
	ctx, abort := context.WithCancelCause(ctx)
	defer abort(nil)
	shards := e.shards(rs, disabled)
	results := make([][]rawFinding, len(shards))
	errs := make([]error, len(shards))
	done := make([]bool, len(shards))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i], errs[i] = e.evalShard(ctx, shards[i], ix, global)
				done[i] = true
				if errs[i] != nil {
					abort(errAborted)
				}
			}
		}()
	}
feed:
	for i := range shards {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	// The shard that failed first in shard order speaks; the others only
	// stopped because of it.
	for i := range shards {
		if errs[i] != nil && !errors.Is(errs[i], errAborted) {
			return nil, errs[i]
		}
	}
	var out []rawFinding
	for i := range shards {
		if !done[i] || errs[i] != nil {
			return nil, stopped(ctx, "", "")
		}
		out = append(out, results[i]...)
	}
	return out, nil
}

// stopped says why ctx ended evaluation while rule (at where) ran: a
// *DeadlineError for the evaluation deadline, else the context's cause.
func stopped(ctx context.Context, rule, where string) error {
	cause := context.Cause(ctx)
	var d *evalDeadline
	if errors.As(cause, &d) {
		return &DeadlineError{Rule: rule, Where: where, Limit: d.limit}
	}
	return cause
}

func (e *Engine) evalShard(ctx context.Context, sh shard, ix *index, global ast.Value) ([]rawFinding, error) {
	var out []rawFinding
	if sh.problems {
		for _, r := range sh.rs {
			for _, f := range r.problems {
				f.ref = r.ref
				out = append(out, f)
			}
		}
	}
	if !sh.rules {
		return out, nil
	}
	input := e.shardInput(sh, ix, global)
	// One query per compiler for every shard (combined.go); if the rules
	// cannot be combined, they run one query each as before.
	if !e.noCombine {
		if qs, err := e.combined(ctx, sh.off); err == nil {
			fs, err := evalCombined(ctx, qs, input, ix.size)
			switch {
			case err == nil:
				return append(out, fs...), nil
			case ctx.Err() != nil:
				cause := context.Cause(ctx)
				if errors.Is(cause, errAborted) {
					return nil, errAborted
				}
				return nil, e.nameSlowRule(cause, input, ix, sh.off)
			}
		}
		// Any other failure: rule by rule, so the error names its rule.
	}
	fs, err := e.evalRules(ctx, input, ix, sh.off)
	if err != nil {
		return nil, err
	}
	return append(out, fs...), nil
}

// evalRules evaluates the enabled rules one query each on a shard's input:
// what evalShard falls back to when the combined query fails, so that the
// error, or the deadline, names the rule.
func (e *Engine) evalRules(ctx context.Context, input ast.Value, ix *index, disabled map[string]bool) ([]rawFinding, error) {
	var out []rawFinding
	for _, p := range e.policies {
		if disabled[p.rule.ID] {
			continue
		}
		if ctx.Err() != nil {
			// Stopped between rules: no rule to blame here.
			return nil, errAborted
		}
		q, err := p.prepared(ctx)
		if err != nil {
			return nil, fmt.Errorf("rule %s (%s): %w", p.rule.ID, p.where, err)
		}
		rs, err := q.Eval(ctx, rego.EvalParsedInput(input))
		if err != nil {
			var limit *policies.LimitError
			switch {
			case errors.As(err, &limit):
				return nil, &PolicyError{fmt.Errorf("rule %s (%s): %w", p.rule.ID, p.where, limit)}
			case ctx.Err() != nil:
				return nil, stopped(ctx, p.rule.ID, p.where)
			}
			return nil, fmt.Errorf("rule %s: %w", p.rule.ID, err)
		}
		fs, err := decodeFindings(p.rule.ID, rs)
		if err != nil {
			return nil, &PolicyError{err}
		}
		for _, f := range fs {
			if f.ref < 0 || f.ref >= ix.size {
				return nil, &PolicyError{fmt.Errorf("rule %s: finding names resource %d, which does not exist", p.rule.ID, f.ref)}
			}
		}
		out = append(out, fs...)
	}
	return out, nil
}

// shardInput is the input document of one shard (policies/README.md).
// Kinds no policy reads are left out.
func (e *Engine) shardInput(sh shard, ix *index, global ast.Value) ast.Value {
	byKind := map[string][]*ast.Term{}
	for _, r := range sh.rs {
		if !e.allKinds && !e.kinds[r.kind] {
			continue
		}
		entry := [][2]*ast.Term{
			{stringTerm("ref"), ast.IntNumberTerm(r.ref)},
			{stringTerm("apiVersion"), ast.StringTerm(r.apiVersion)},
			{stringTerm("kind"), ast.StringTerm(r.kind)},
			{stringTerm("namespace"), ast.StringTerm(r.namespace)},
			{stringTerm("name"), ast.StringTerm(r.name)},
		}
		if e.policyReads(r.kind) {
			entry = append(entry, [2]*ast.Term{stringTerm("object"), ast.NewTerm(ix.object(r))})
		}
		for _, k := range sortedKeys(ix.extras[r.ref]) {
			entry = append(entry, [2]*ast.Term{stringTerm(k), ast.NewTerm(toAST(ix.extras[r.ref][k]))})
		}
		byKind[r.kind] = append(byKind[r.kind], ast.ObjectTerm(entry...))
	}
	kinds := make([][2]*ast.Term, 0, len(byKind))
	for k, l := range byKind {
		kinds = append(kinds, [2]*ast.Term{ast.StringTerm(k), ast.ArrayTerm(l...)})
	}
	names := make([]*ast.Term, len(sh.namespaces))
	var dests []any
	for i, ns := range sh.namespaces {
		names[i] = ast.StringTerm(ns)
		dests = append(dests, ix.dests[ns]...)
	}
	fields := [][2]*ast.Term{
		{stringTerm("namespaces"), ast.ArrayTerm(names...)},
		{ast.StringTerm("resources"), ast.ObjectTerm(kinds...)},
		{ast.StringTerm("destinations"), ast.NewTerm(toAST(orEmpty(dests)))},
		{ast.StringTerm("index"), ast.NewTerm(global)},
	}
	if sh.user {
		fields = append(fields, [2]*ast.Term{stringTerm("namespace"), ast.StringTerm(sh.namespaces[0])})
	}
	return ast.NewObject(fields...)
}

// contextJobs collects the --context paths, less any file an input names
// already: pre-commit passes changed files with the repository as context,
// and a file read twice would conflict with itself.
func contextJobs(paths []string, inputs []job, ex excluder, notice func(string)) []job {
	if len(paths) == 0 {
		return nil
	}
	named := map[string]bool{}
	for _, j := range inputs {
		if abs, err := filepath.Abs(j.path); err == nil && j.path != "" {
			named[abs] = true
		}
	}
	jobs, probs := collect(paths, "", ex, func(string) {})
	for _, p := range probs {
		notice("context: " + p.Error())
	}
	out := jobs[:0]
	for _, j := range jobs {
		if j.stdin {
			continue
		}
		if abs, err := filepath.Abs(j.path); err == nil && named[abs] {
			continue
		}
		j.context = true
		out = append(out, j)
	}
	return out
}

// precedence drops the copies of an object that another copy supersedes:
// a rendered file (labelled managed-by meshfleet) whose VMFleet is linted
// too, so a finding is reported once, at the fleet; and a context object
// that an input holds, so the input's version is the one checked.
func precedence(rs []*resource) []*resource {
	fromFleet := map[string]bool{}
	input := map[string]bool{}
	for _, r := range rs {
		if r.context {
			continue
		}
		if r.rendered != nil {
			fromFleet[r.key()] = true
		}
		input[r.key()] = true
	}
	out := rs[:0]
	for _, r := range rs {
		k := r.key()
		switch {
		case r.context && input[k]:
		case !r.context && r.rendered == nil && r.managed && fromFleet[k]:
		default:
			out = append(out, r)
		}
	}
	return out
}

func countInputs(rs []*resource) int {
	n := 0
	for _, r := range rs {
		if !r.context {
			n++
		}
	}
	return n
}
