package lint

import (
	"errors"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/lint/finding"
)

func baselineFindings() []finding.Finding {
	dr := finding.Resource{APIVersion: "networking.istio.io/v1", Kind: "DestinationRule", Namespace: "shop", Name: "cart"}
	return []finding.Finding{
		{Rule: "MF301", Severity: finding.Error, Message: "m1", Resource: dr, File: "a.yaml", Line: 10, Path: "spec.subsets[1].labels"},
		{Rule: "MF301", Severity: finding.Error, Message: "m1", Resource: dr, File: "a.yaml", Line: 12, Path: "spec.subsets[1].labels"},
		{Rule: "ORG1", Severity: finding.Warning, Message: "whole file", File: "b.yaml"},
		{Rule: "MF100", Severity: finding.Error, Message: "bad yaml", File: "c.yaml", Line: 3},
	}
}

// TestBaselineRoundTrip: what is written is read back and hides exactly
// the recorded findings, whatever their lines, messages or apiVersions;
// MF100 is neither recorded nor hidden.
func TestBaselineRoundTrip(t *testing.T) {
	fs := baselineFindings()
	data, err := NewBaseline(fs).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "MF100") || strings.Contains(string(data), `"line"`) {
		t.Errorf("baseline records MF100 or lines:\n%s", data)
	}
	b, err := ParseBaseline("b.json", data)
	if err != nil {
		t.Fatal(err)
	}
	later := baselineFindings()
	later[0].Line, later[1].Line = 40, 44
	later[0].Message = "reworded"
	later[0].Resource.APIVersion = "networking.istio.io/v1beta1"
	kept, hidden, fixed := b.Apply(later)
	if hidden != 3 || fixed != 0 || len(kept) != 1 || kept[0].Rule != "MF100" {
		t.Errorf("kept %v, hidden %d, fixed %d", kept, hidden, fixed)
	}
	// One occurrence fixed, a new path appears: one fixed, one reported.
	next := []finding.Finding{later[0], later[2]}
	next[0].Path = "spec.subsets[0].labels"
	kept, hidden, fixed = b.Apply(next)
	if hidden != 1 || fixed != 2 || len(kept) != 1 || kept[0].Path != "spec.subsets[0].labels" {
		t.Errorf("kept %v, hidden %d, fixed %d", kept, hidden, fixed)
	}
}

func TestParseBaselineErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`[]`, "b.json:1:1: want a baseline"},
		{`{"findings": []}`, "no meshfleetBaseline field"},
		{`{"meshfleetBaseline": 2, "findings": []}`, "b.json:1:23: meshfleetBaseline: want 1"},
		{`{"meshfleetBaseline": 1, "findings": {}}`, "findings: want a list"},
		{`{"meshfleetBaseline": 1, "findings": [{"rule": 3}]}`, "findings[0].rule: want a string"},
		{`{"meshfleetBaseline": 1, "findings": [{"kind": "x"}]}`, "findings[0]: want a rule"},
		{`{"meshfleetBaseline": 1, "extra": 1}`, "extra: unknown field"},
		{"{\"meshfleetBaseline\": 1}\n---\n{}", "want one baseline document"},
		{`{"meshfleetBaseline": 1, "meshfleetBaseline": 1}`, "b.json:1:"},
		{"a: &a [*a]", "b.json:1:"},
	} {
		_, err := ParseBaseline("b.json", []byte(tc.in))
		var me *manifest.Error
		if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.As(err, &me) {
			t.Errorf("ParseBaseline(%q) = %v, want a *manifest.Error with %q", tc.in, err, tc.want)
		}
	}
}

// FuzzParseBaseline: a hostile baseline file gives a baseline or an error,
// never a panic, and a parsed one survives a round trip.
func FuzzParseBaseline(f *testing.F) {
	data, _ := NewBaseline(baselineFindings()).Marshal()
	f.Add(data)
	f.Add([]byte(`{"meshfleetBaseline": 1, "findings": [{"rule": "MF301", "path": "a"}]}`))
	f.Add([]byte("meshfleetBaseline: 1\nfindings: [&x {rule: A}, *x]\n"))
	f.Add([]byte(`{"meshfleetBaseline":01}`)) // no findings: written back as [], not null
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseBaseline("fuzz.json", data)
		if err != nil {
			return
		}
		out, err := b.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseBaseline("again.json", out)
		if err != nil {
			t.Fatalf("round trip: %v\n%s", err, out)
		}
		if len(again.Entries) != len(b.Entries) {
			t.Fatalf("round trip: %d entries for %d", len(again.Entries), len(b.Entries))
		}
	})
}

func TestMatchSelector(t *testing.T) {
	for _, tc := range []struct {
		sel, id string
		want    bool
	}{
		{"MF301", "MF301", true}, {"mf301", "MF301", true}, {"MF6xx", "MF601", true}, {"MF6XX", "MF699", true},
		{"MF6xx", "MF501", false}, {"MF6xx", "MF6010", false}, {"MFxxx", "MF100", true}, {"MF6x", "MF601", false},
		{"ORG0xx", "ORG001", true}, {"MF301", "MF3011", false}, {"x", "A", false},
	} {
		if got := matchSelector(tc.sel, tc.id); got != tc.want {
			t.Errorf("matchSelector(%q, %q) = %v", tc.sel, tc.id, got)
		}
	}
}

func TestDeselect(t *testing.T) {
	cat := []finding.Rule{{ID: "MF100"}, {ID: "MF301"}, {ID: "MF601"}, {ID: "MF602", OptIn: true}, {ID: "ORG1", OptIn: true}}
	run := func(cfg *Config, opts Options) (string, error) {
		d := map[string]bool{}
		err := deselect(d, cat, false, cfg, opts)
		var on []string
		for _, r := range cat {
			if !d[r.ID] {
				on = append(on, r.ID)
			}
		}
		return strings.Join(on, ","), err
	}
	for _, tc := range []struct {
		cfg  Config
		opts Options
		want string
	}{
		{Config{}, Options{}, "MF100,MF301,MF601"},
		{Config{}, Options{Enable: []string{"org1"}}, "MF100,MF301,MF601,ORG1"},
		{Config{Enable: []string{"MF6xx"}}, Options{}, "MF100,MF301,MF601,MF602"},
		{Config{}, Options{Only: []string{"MF6xx"}}, "MF100,MF601,MF602"},
		{Config{Only: []string{"MF3xx"}}, Options{}, "MF100,MF301"},
		{Config{Only: []string{"MF3xx"}}, Options{Only: []string{"MF601"}}, "MF100,MF601"},
		{Config{}, Options{Only: []string{"MF301,ORG1"}}, "MF100,MF301,ORG1"},
	} {
		got, err := run(&tc.cfg, tc.opts)
		if err != nil || got != tc.want {
			t.Errorf("%+v %+v: %s, %v; want %s", tc.cfg, tc.opts, got, err, tc.want)
		}
	}
	if _, err := run(&Config{}, Options{Only: []string{"MF9xx"}}); err == nil || !strings.Contains(err.Error(), "names no rule") {
		t.Errorf("unknown family: %v", err)
	}
	if err := deselect(map[string]bool{}, cat[:2], true, &Config{}, Options{Only: []string{"MF9xx"}}); err != nil {
		t.Errorf("partial catalogue: %v", err)
	}
}

func TestConfigAdoptionKeys(t *testing.T) {
	c, err := ParseConfig("c.yaml", []byte("outputThreshold: warning\nenable: [MF6xx]\nonly: [MF301, 'MF4xx,MF5xx']\nbaseline: b.json\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.OutputThreshold != finding.Warning || strings.Join(c.Enable, ",") != "MF6xx" || len(c.Only) != 2 || c.Baseline != "b.json" {
		t.Errorf("config = %+v", c)
	}
	for in, want := range map[string]string{
		"outputThreshold: loud\n": "c.yaml:1:18: outputThreshold: unknown severity",
		"enable: MF601\n":         "c.yaml:1:9: enable: want a list of strings",
		"only: ['a b/c']\n":       `only[0]: "B/C" is not a rule ID`,
		"baseline: ''\n":          "baseline: want a file name",
	} {
		if _, err := ParseConfig("c.yaml", []byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}

// TestNodeEnd: ends only where the YAML says them exactly. manifest.Find
// gives the key of a collection value (where findings point), so those
// end with their key.
func TestNodeEnd(t *testing.T) {
	src := "a: plain value\nb: \"quoted\"\nc:\n  d: x\n  e: [1, 2]\n  f:\n    - üñï\nm: |\n  multi\n"
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	root := doc.Content[0]
	for path, want := range map[string][2]int{
		"a": {1, 14}, "b": {0, 0}, "c": {3, 1}, "c.d": {4, 6}, "c.e": {5, 3}, "c.f": {6, 3}, "c.f[0]": {7, 9}, "m": {0, 0},
	} {
		n, _ := manifest.Find(root, path)
		l, c := nodeEnd(n, 0)
		if [2]int{l, c} != want {
			t.Errorf("%s: end %d:%d, want %d:%d", path, l, c, want[0], want[1])
		}
	}
	if l, c := nodeEnd(root.Content[5], 0); l != 7 || c != 9 {
		t.Errorf("block mapping c ends %d:%d, want 7:9", l, c)
	}
	if l, c := nodeEnd(root.Content[5].Content[3], 0); l != 0 || c != 0 {
		t.Errorf("flow sequence c.e ends %d:%d, want unknown", l, c)
	}
	k, _ := manifest.FindKey(root, "c.d")
	if l, c := nodeEnd(k, 0); l != 4 || c != 3 {
		t.Errorf("key c.d ends %d:%d", l, c)
	}
}
