package output

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/meshfleet/meshfleet/lint/finding"
)

func decodeSARIF(t *testing.T, r *finding.Report, opts ...Options) sarifLog {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	var log sarifLog
	dec := json.NewDecoder(strings.NewReader(render(t, "sarif", o, r)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&log); err != nil {
		t.Fatal(err)
	}
	return log
}

// TestSARIFRulesAndResults checks what GitHub code scanning relies on: the
// whole catalogue in the rule table, each result's ruleIndex pointing at its
// rule, lines from 1, relative URIs under %SRCROOT%, and a fingerprint.
func TestSARIFRulesAndResults(t *testing.T) {
	for name, r := range loadCases(t) {
		t.Run(name, func(t *testing.T) {
			log := decodeSARIF(t, r)
			if log.Version != "2.1.0" || log.Schema == "" || len(log.Runs) != 1 {
				t.Fatalf("bad envelope: version %q, schema %q, %d runs", log.Version, log.Schema, len(log.Runs))
			}
			run := log.Runs[0]
			if run.Tool.Driver.Name != "meshfleet" || run.Tool.Driver.InformationURI == "" {
				t.Errorf("driver = %+v", run.Tool.Driver)
			}
			if _, ok := run.OriginalURIBaseIDs[srcRoot]; !ok {
				t.Errorf("originalUriBaseIds lacks %s", srcRoot)
			}
			rules := map[string]sarifRule{}
			for i, rule := range run.Tool.Driver.Rules {
				if _, dup := rules[rule.ID]; dup {
					t.Errorf("rule %s twice", rule.ID)
				}
				if i > 0 && run.Tool.Driver.Rules[i-1].ID >= rule.ID {
					t.Errorf("rules not sorted at %s", rule.ID)
				}
				rules[rule.ID] = rule
				if rule.Name == "" || rule.ShortDescription.Text == "" || rule.FullDescription.Text == "" ||
					rule.Help.Text == "" || rule.Help.Markdown == "" || len(rule.Properties.Tags) == 0 {
					t.Errorf("rule %s incomplete: %+v", rule.ID, rule)
				}
				switch rule.DefaultConfiguration.Level {
				case "error", "warning", "note":
				default:
					t.Errorf("rule %s level %q", rule.ID, rule.DefaultConfiguration.Level)
				}
			}
			for _, want := range r.Rules {
				got, ok := rules[want.ID]
				if !ok {
					t.Errorf("catalogue rule %s missing from the SARIF rule table", want.ID)
					continue
				}
				if got.ShortDescription.Text != want.Title || got.DefaultConfiguration.Level != sarifLevel(want.Severity) {
					t.Errorf("rule %s = %+v, from %+v", want.ID, got, want)
				}
			}
			fs, _ := prepare(r)
			if len(run.Results) != len(fs) {
				t.Fatalf("%d results for %d findings", len(run.Results), len(fs))
			}
			for i, res := range run.Results {
				f := fs[i]
				if res.RuleIndex < 0 || res.RuleIndex >= len(run.Tool.Driver.Rules) || run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID || res.RuleID != f.Rule {
					t.Errorf("result %d: ruleId %s, ruleIndex %d does not point at it", i, res.RuleID, res.RuleIndex)
				}
				if res.Level != sarifLevel(f.Severity) || res.Message.Text != f.Message {
					t.Errorf("result %d: level %q, message %q", i, res.Level, res.Message.Text)
				}
				if res.PartialFingerprints[fingerprintKey] == "" {
					t.Errorf("result %d has no %s fingerprint", i, fingerprintKey)
				}
				loc := res.Locations[0].PhysicalLocation
				if loc.Region.StartLine < 1 || loc.ArtifactLocation.URIBaseID != srcRoot ||
					strings.HasPrefix(loc.ArtifactLocation.URI, "/") || strings.ContainsAny(loc.ArtifactLocation.URI, `\ :,`) {
					t.Errorf("result %d: location %+v %+v", i, loc.ArtifactLocation, loc.Region)
				}
			}
		})
	}
}

// TestSARIFFingerprintIgnoresLines: a line added above a finding must not
// make GitHub close its alert and open a new one.
func TestSARIFFingerprintIgnoresLines(t *testing.T) {
	f := finding.Finding{
		Rule: "MF301", Severity: finding.Error, Message: "m", File: "apps/cart.yaml", Line: 41, Column: 5, Path: "spec.subsets[1].labels",
		Resource: finding.Resource{Kind: "DestinationRule", Namespace: "shop", Name: "cart"},
	}
	moved := f
	moved.Line, moved.Column = 50, 7
	other := f
	other.Path = "spec.subsets[0].labels"
	fp := func(f finding.Finding) string {
		return decodeSARIF(t, &finding.Report{Findings: []finding.Finding{f}}).Runs[0].Results[0].PartialFingerprints[fingerprintKey]
	}
	if fp(f) != fp(moved) {
		t.Error("fingerprint changed when only the line moved")
	}
	if fp(f) == fp(other) {
		t.Error("fingerprint ignores the YAML path")
	}
	// Two identical findings on different lines stay two alerts.
	res := decodeSARIF(t, &finding.Report{Findings: []finding.Finding{f, moved}}).Runs[0].Results
	if a, b := res[0].PartialFingerprints[fingerprintKey], res[1].PartialFingerprints[fingerprintKey]; a == b {
		t.Errorf("identical findings share fingerprint %s", a)
	}
}

func TestSARIFLocations(t *testing.T) {
	for _, tc := range []struct {
		opts            Options
		file, uri, base string
	}{
		{Options{}, "apps/cart.yaml", "apps/cart.yaml", srcRoot},
		{Options{}, "./apps/cart.yaml", "apps/cart.yaml", srcRoot},
		{Options{}, "my app, v2: cart.yaml", "my%20app%2C%20v2%3A%20cart.yaml", srcRoot},
		{Options{}, "/abs/ü.yaml", "file:///abs/%C3%BC.yaml", ""},
		// From a subdirectory, with absolute names, and outside the root.
		{Options{Root: "/repo", Dir: "/repo/apps"}, "cart.yaml", "apps/cart.yaml", srcRoot},
		{Options{Root: "/repo", Dir: "/repo/apps"}, "../base/cart.yaml", "base/cart.yaml", srcRoot},
		{Options{Root: "/repo", Dir: "/repo/apps"}, "/repo/x/ü.yaml", "x/%C3%BC.yaml", srcRoot},
		{Options{Root: "/repo", Dir: "/repo"}, "./cart.yaml", "cart.yaml", srcRoot},
		{Options{Root: "/repo", Dir: "/repo/apps"}, "../../etc/c.yaml", "file:///etc/c.yaml", ""},
		{Options{Root: "/repo", Dir: "/repo"}, "/repository/c.yaml", "file:///repository/c.yaml", ""},
	} {
		file, inside := tc.opts.repoPath(tc.file)
		uri, base := artifactURI(file, inside)
		if uri != tc.uri || base != tc.base {
			t.Errorf("%+v: artifactURI(%q) = %q, %q; want %q, %q", tc.opts, tc.file, uri, base, tc.uri, tc.base)
		}
	}
	res := decodeSARIF(t, &finding.Report{Findings: []finding.Finding{{Rule: "MF100", Severity: finding.Error, Message: "m", File: "a.yaml"}}}).Runs[0].Results[0]
	if reg := res.Locations[0].PhysicalLocation.Region; reg.StartLine != 1 || reg.StartColumn != 0 {
		t.Errorf("line 0 gave region %+v, want startLine 1 and no column", reg)
	}
}

func TestPascalCase(t *testing.T) {
	for in, want := range map[string]string{
		"DestinationRule subset selects no workload":           "DestinationRuleSubsetSelectsNoWorkload",
		"Route weights do not add up to 100 (effective split)": "RouteWeightsDoNotAddUpTo100EffectiveSplit",
		"":                         "",
		"mTLS: STRICT vs. DISABLE": "MTLSSTRICTVsDISABLE",
	} {
		if got := pascalCase(in); got != want {
			t.Errorf("pascalCase(%q) = %q, want %q", in, got, want)
		}
	}
}

func jsonUnmarshal(s string, v any) error {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
