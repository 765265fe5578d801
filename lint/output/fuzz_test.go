package output

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/meshfleet/meshfleet/lint/finding"
)

// FuzzWriters feeds hostile bytes into every field a repository controls
// (file name, message, resource names, path) and holds the promise the
// human-facing writers make: one line per finding, valid UTF-8, no control
// character but tabs, and for GitHub no line that starts a workflow command
// of its own.
func FuzzWriters(f *testing.F) {
	for _, s := range []string{"plain", "a\nb", "\x1b]0;t\x07", "%0A::warning::x", "\u202e", "\xff\xfe", "a,b:c", "\r\n::error::"} {
		f.Add(s, s, s)
	}
	f.Fuzz(func(t *testing.T, file, msg, name string) {
		r := &finding.Report{Findings: []finding.Finding{{
			Rule: "MF900", Severity: finding.Warning, Message: msg, File: file, Line: 3, Column: 1, Path: name,
			Resource: finding.Resource{APIVersion: "v1", Kind: "Service", Namespace: name, Name: name},
		}}}
		r.Summary.Count(r.Findings)
		for _, format := range []string{"text", "github"} {
			w, err := New(format, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := w.Write(&buf, r); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if !utf8.ValidString(out) {
				t.Fatalf("%s: invalid UTF-8: %q", format, out)
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if len(lines) != 2 {
				t.Fatalf("%s: want one finding line and a summary, got %q", format, out)
			}
			for _, c := range out {
				if c != '\n' && c != '\t' && (c < 0x20 || c == 0x7f || c >= 0x80 && c < 0xa0 || c == 0x202e) {
					t.Fatalf("%s: control character %U in %q", format, c, out)
				}
			}
			if format == "github" && !strings.HasPrefix(lines[0], "::warning ") {
				t.Fatalf("github: finding line is not one warning command: %q", lines[0])
			}
		}
	})
}
