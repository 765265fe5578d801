package schemas

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/load"

	"github.com/meshfleet/meshfleet/internal/manifest"
)

type doc struct {
	apiVersion, kind string
	obj              map[string]any
}

// benchMix is 1,000 resources in the proportions a rendered fleet has
// (ServiceAccount, Service, WorkloadGroup, WorkloadEntries, DestinationRule,
// VirtualService, PeerAuthentication, AuthorizationPolicy, ...) plus pods
// and controllers, from the valid golden cases.
func benchMix(tb testing.TB) []doc {
	tb.Helper()
	var pool []doc
	for _, c := range []string{"valid-istio", "valid-core", "valid-fleet"} {
		data, err := os.ReadFile(filepath.Join("testdata", c, "input.yaml"))
		if err != nil {
			tb.Fatal(err)
		}
		docs, err := manifest.Parse(c, data, manifest.DefaultLimits)
		if err != nil {
			tb.Fatal(err)
		}
		for _, d := range docs {
			obj := manifest.Value(d.Node).(map[string]any)
			pool = append(pool, doc{obj["apiVersion"].(string), obj["kind"].(string), obj})
		}
	}
	mix := make([]doc, 1000)
	for i := range mix {
		mix[i] = pool[i%len(pool)]
	}
	return mix
}

// BenchmarkValidate1000 is the cost lint pays: one op validates 1,000
// resources through the exported JSON Schemas (compiled before the timer).
func BenchmarkValidate1000(b *testing.B) {
	mix := benchMix(b)
	for _, d := range mix {
		if ps := Validate(d.apiVersion, d.kind, d.obj); len(ps) > 0 {
			b.Fatalf("%s %s: %v", d.apiVersion, d.kind, ps)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuClock()
	for b.Loop() {
		for _, d := range mix {
			Validate(d.apiVersion, d.kind, d.obj)
		}
	}
	reportCPU(b, start)
}

// BenchmarkCUE1000 validates the same 1,000 resources by unifying each with
// its CUE definition, the alternative DESIGN.md §6 asks to measure first.
func BenchmarkCUE1000(b *testing.B) {
	mix := benchMix(b)
	ctx := cuecontext.New()
	defs := cueDefinitions(b, ctx)
	for _, d := range mix {
		def, ok := defs[d.apiVersion+" "+d.kind]
		if !ok {
			b.Fatalf("no CUE definition for %s %s", d.apiVersion, d.kind)
		}
		if err := def.Unify(ctx.Encode(d.obj)).Validate(); err != nil {
			b.Fatalf("%s %s: %v", d.apiVersion, d.kind, err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, d := range mix {
			_ = defs[d.apiVersion+" "+d.kind].Unify(ctx.Encode(d.obj)).Validate()
		}
	}
}

// cueDefinitions compiles the CUE definition of every kind in the mix.
func cueDefinitions(tb testing.TB, ctx *cue.Context) map[string]cue.Value {
	tb.Helper()
	defs := map[string]cue.Value{}
	fleet := ctx.CompileBytes(FleetCUE())
	defs[FleetAPIVersion+" "+FleetKind] = fleet.LookupPath(cue.ParsePath("#VMFleet"))
	files, err := filepath.Glob("cue/istio/*/*/schema_gen.cue")
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		v := ctx.CompileBytes(src, cue.Filename(f))
		parts := strings.Split(filepath.ToSlash(f), "/")
		apiVersion := parts[2] + "/" + parts[3]
		it, err := v.Fields(cue.Definitions(true))
		if err != nil {
			tb.Fatal(err)
		}
		for it.Next() {
			defs[apiVersion+" "+strings.TrimPrefix(it.Selector().String(), "#")] = it.Value()
		}
	}
	for pkg, apiVersion := range map[string]string{"k8s.io/api/core/v1": "v1", "k8s.io/api/apps/v1": "apps/v1", "k8s.io/api/batch/v1": "batch/v1"} {
		insts := load.Instances([]string{pkg}, &load.Config{Dir: "cue"})
		v := ctx.BuildInstance(insts[0])
		if err := v.Err(); err != nil {
			tb.Fatal(err)
		}
		for _, kind := range []string{"Namespace", "ServiceAccount", "Service", "Pod", "Deployment", "DaemonSet", "ReplicaSet", "StatefulSet", "Job", "CronJob"} {
			if d := v.LookupPath(cue.ParsePath("#" + kind)); d.Exists() {
				defs[apiVersion+" "+kind] = d
			}
		}
	}
	return defs
}

// BenchmarkCompileAll compiles every embedded schema from scratch into one
// store: the most a run pays, once, when it meets every kind.
func BenchmarkCompileAll(b *testing.B) {
	for b.Loop() {
		s := newStore(trustedURL)
		for _, f := range registry {
			if _, err := s.compile(f.name); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestValidateConcurrent validates from several goroutines at once, as
// lint's workers do, including the first use of each kind's regular
// expressions, and explains each resource as a VMFleet (which it is not);
// run with -race it proves the lazy compilation safe.
func TestValidateConcurrent(t *testing.T) {
	mix := benchMix(t)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, d := range mix[:100] {
				if ps := Validate(d.apiVersion, d.kind, d.obj); len(ps) > 0 {
					t.Errorf("%s %s: %v", d.apiVersion, d.kind, ps)
				}
				if d.kind != FleetKind && len(ValidateFleet(d.obj)) == 0 {
					t.Errorf("%s %s: valid as a VMFleet", d.apiVersion, d.kind)
				}
			}
		}()
	}
	wg.Wait()
}
