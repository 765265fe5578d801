package output

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/meshfleet/meshfleet/lint/finding"
)

// jsonWriter prints the contract other tools parse (DESIGN.md §4): the
// field names and order come from finding.JSONReport alone, findings are
// always an array, and the document ends with a newline.
type jsonWriter struct{}

func (jsonWriter) Name() string { return "json" }

func (jsonWriter) Write(w io.Writer, r *finding.Report) error {
	fs, s := prepare(r)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// Messages quote YAML and hosts; "<" as \u003c only hurts people
	// reading the output, parsers see the same string either way.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(finding.JSONReport{Findings: fs, Summary: s}); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	return nil
}
