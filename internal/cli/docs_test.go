package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshfleet/meshfleet/lint/finding"
)

// TestRulesDocUpToDate: docs/rules.md is what `meshfleet rules --format
// markdown` prints; UPDATE_GOLDEN=1 regenerates it.
func TestRulesDocUpToDate(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Main([]string{"rules", "--format", "markdown"}, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	path := filepath.Join("..", "..", "docs", "rules.md")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), out.String()); diff != "" {
		t.Errorf("docs/rules.md is stale (UPDATE_GOLDEN=1 go test ./internal/cli -run TestRulesDocUpToDate rewrites it):\n%s", diff)
	}
}

// TestRulesJSON: the catalogue as data holds every rule the text table
// lists, with its documentation, and the page a section for each.
func TestRulesJSON(t *testing.T) {
	var out, md, text bytes.Buffer
	if code := Main([]string{"rules", "--format", "json"}, nil, &out, os.Stderr); code != 0 {
		t.Fatal(code)
	}
	Main([]string{"rules", "--format", "markdown"}, nil, &md, os.Stderr)
	Main([]string{"rules"}, nil, &text, os.Stderr)
	var doc struct {
		Rules []finding.Rule `json:"rules"`
	}
	dec := json.NewDecoder(&out)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if got, want := len(doc.Rules), strings.Count(text.String(), "\n")-1; got != want || got < 30 {
		t.Fatalf("%d rules in JSON, %d in the table", got, want)
	}
	for _, r := range doc.Rules {
		if r.ID == "" || r.Title == "" || r.Description == "" || r.Severity.Rank() == 0 {
			t.Errorf("rule %+v incomplete", r)
		}
		if !strings.Contains(md.String(), "\n## "+r.ID+"\n") || !strings.Contains(md.String(), "["+r.ID+"](#"+strings.ToLower(r.ID)+")") {
			t.Errorf("markdown lacks %s", r.ID)
		}
	}
	var one bytes.Buffer
	Main([]string{"rules", "--format", "json", "mf301"}, nil, &one, os.Stderr)
	var r finding.Rule
	if err := json.Unmarshal(one.Bytes(), &r); err != nil || r.ID != "MF301" || r.Bad == "" {
		t.Errorf("rules --format json MF301 = %+v, %v", r, err)
	}
}
