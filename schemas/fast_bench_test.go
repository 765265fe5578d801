package schemas

import (
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/meshfleet/meshfleet/internal/corpus"
	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/schemas/internal/fastcheck"
)

// cpuClock reports the process's CPU time (user + system) in nanoseconds:
// on a shared machine it is steadier than wall time. It includes the
// garbage collector's work, which is part of what an allocation costs.
func cpuClock() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// reportCPU adds a cpu-ns/op metric from a cpuClock reading taken after
// the setup.
func reportCPU(b *testing.B, start int64) {
	b.ReportMetric(float64(cpuClock()-start)/float64(b.N), "cpu-ns/op")
}

// BenchmarkValidate1000JSONSchema is BenchmarkValidate1000 through
// jsonschema alone, as Validate worked before the fast checker: the
// baseline of the same run.
func BenchmarkValidate1000JSONSchema(b *testing.B) {
	mix := benchMix(b)
	for _, d := range mix {
		f := registry[gvk{d.apiVersion, d.kind}]
		if refSchema(b, f).Validate(d.obj) != nil {
			b.Fatalf("%s %s is invalid", d.apiVersion, d.kind)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuClock()
	for b.Loop() {
		for _, d := range mix {
			_ = refSchema(b, registry[gvk{d.apiVersion, d.kind}]).Validate(d.obj)
		}
	}
	reportCPU(b, start)
}

// BenchmarkFirstUse is what a process pays the first time it meets a kind.
// "generated": the fast checker's table is static data, so its only
// first-use cost is compiling regular expressions; this compiles every
// pattern the kind can reach (more than a run meets, which compiles only
// those it matches). "fastjson": building the same checker from the
// embedded JSON at run time, the alternative go generate avoids.
// "jsonschema": compiling the kind as Validate did before.
func BenchmarkFirstUse(b *testing.B) {
	for _, k := range []string{"v1 Service", "apps/v1 Deployment", "networking.istio.io/v1 VirtualService",
		"networking.istio.io/v1 DestinationRule", "security.istio.io/v1 AuthorizationPolicy", "meshfleet.dev/v1alpha1 VMFleet"} {
		apiVersion, kind, _ := strings.Cut(k, " ")
		f := registry[gvk{apiVersion, kind}]
		b.Run("generated/"+kind, func(b *testing.B) {
			b.ReportAllocs()
			start := cpuClock()
			for b.Loop() {
				for _, p := range reachablePatterns(fastTable, f.fast) {
					regexp.MustCompile(p)
				}
			}
			reportCPU(b, start)
		})
		b.Run("fastjson/"+kind, func(b *testing.B) {
			b.ReportAllocs()
			start := cpuClock()
			for b.Loop() {
				if _, refused := fastcheck.Build(files.ReadFile, []string{f.name}); len(refused) > 0 {
					b.Fatal(refused)
				}
			}
			reportCPU(b, start)
		})
		b.Run("jsonschema/"+kind, func(b *testing.B) {
			b.ReportAllocs()
			start := cpuClock()
			for b.Loop() {
				if _, err := newStore(trustedURL).compile(f.name); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, start)
		})
	}
}

// reachablePatterns lists the patterns the schema at root can use.
func reachablePatterns(t *fastcheck.Table, root int32) []string {
	seen := map[int32]bool{}
	pats := map[int32]bool{}
	var walk func(i int32)
	walk = func(i int32) {
		if i == 0 || seen[i] {
			return
		}
		seen[i] = true
		n := &t.Nodes[i]
		if n.Pattern != 0 {
			pats[n.Pattern-1] = true
		}
		for _, pp := range n.PatProps {
			pats[pp.Pattern] = true
			walk(pp.Node)
		}
		for _, p := range n.Props {
			walk(p.Node)
		}
		for _, l := range [][]int32{n.Prefix, n.AllOf, n.AnyOf, n.OneOf, {n.Ref, n.Addl, n.Rest, n.Not}} {
			for _, s := range l {
				walk(s)
			}
		}
	}
	walk(root)
	var out []string
	for p := range pats {
		out = append(out, t.Patterns[p])
	}
	return out
}

// BenchmarkFirstFile is a pre-commit run's schema work on one file of two
// fleets (22 documents, 9 kinds): every kind met for the first time, then
// each document validated. "generated" validates with a copy of the
// generated table whose regular expressions are not compiled yet (all
// documents are valid, so jsonschema is never compiled); "fastjson" builds
// the checkers from the embedded JSON first; "jsonschema" compiles and
// validates as Validate did before.
func BenchmarkFirstFile(b *testing.B) {
	data := append(append(corpus.Fleet(0, "team-000"), "\n---\n"...), corpus.Fleet(1, "team-000")...)
	ds, err := manifest.Parse("fleet.yaml", data, manifest.DefaultLimits)
	if err != nil {
		b.Fatal(err)
	}
	type item struct {
		f   *schemaFile
		obj map[string]any
	}
	var items []item
	kinds := map[string]bool{}
	for _, d := range ds {
		obj := manifest.Value(d.Node).(map[string]any)
		apiVersion, _ := obj["apiVersion"].(string)
		kind, _ := obj["kind"].(string)
		if f := registry[gvk{apiVersion, kind}]; f != nil {
			items = append(items, item{f, obj})
			kinds[f.name] = true
		}
	}
	b.Logf("%d documents of %d kinds", len(items), len(kinds))
	b.Run("generated", func(b *testing.B) {
		b.ReportAllocs()
		start := cpuClock()
		for b.Loop() {
			cold := &fastcheck.Table{Nodes: fastTable.Nodes, Patterns: fastTable.Patterns, Roots: fastTable.Roots}
			for _, it := range items {
				if !cold.Valid(it.f.fast, it.obj) {
					b.Fatalf("%s: invalid", it.f.name)
				}
			}
		}
		reportCPU(b, start)
	})
	b.Run("fastjson", func(b *testing.B) {
		b.ReportAllocs()
		start := cpuClock()
		for b.Loop() {
			var names []string
			for n := range kinds {
				names = append(names, n)
			}
			tab, refused := fastcheck.Build(files.ReadFile, names)
			if len(refused) > 0 {
				b.Fatal(refused)
			}
			for _, it := range items {
				if !tab.Valid(tab.Root(it.f.name), it.obj) {
					b.Fatalf("%s: invalid", it.f.name)
				}
			}
		}
		reportCPU(b, start)
	})
	b.Run("jsonschema", func(b *testing.B) {
		b.ReportAllocs()
		start := cpuClock()
		for b.Loop() {
			s := newStore(trustedURL)
			for _, it := range items {
				sch, err := s.compile(it.f.name)
				if err != nil {
					b.Fatal(err)
				}
				if sch.Validate(it.obj) != nil {
					b.Fatalf("%s: invalid", it.f.name)
				}
			}
		}
		reportCPU(b, start)
	})
}
