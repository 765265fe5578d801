package cli

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshfleet/meshfleet/lint"
)

// TestReadmeRulesTable keeps the README's rule table generated from the
// registry: a rule added, renamed or re-graded without the README fails here.
// UPDATE_GOLDEN=1 rewrites the table.
func TestReadmeRulesTable(t *testing.T) {
	const begin, end = "<!-- rules:begin -->\n", "<!-- rules:end -->"
	eng, err := lint.NewEngine(context.Background(), lint.EngineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("| ID | severity | title |\n| --- | --- | --- |\n")
	for _, r := range eng.Rules() {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", r.ID, r.Severity, strings.ReplaceAll(r.Title, "|", `\|`))
	}
	want := b.String()

	const path = "../../README.md"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	i, j := strings.Index(readme, begin), strings.Index(readme, end)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the %q … %q markers", strings.TrimSpace(begin), end)
	}
	got := readme[i+len(begin) : j]
	if got == want {
		return
	}
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(path, []byte(readme[:i+len(begin)]+want+readme[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README rule table is stale (-want +got); run UPDATE_GOLDEN=1 go test ./internal/cli:\n%s", cmp.Diff(want, got))
}
