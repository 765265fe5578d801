package output

import (
	"strings"
	"testing"
	"time"

	"github.com/meshfleet/meshfleet/lint/finding"
)

func TestTextColour(t *testing.T) {
	r := loadCases(t)["mixed"]
	if plain := render(t, "text", Options{}, r); strings.Contains(plain, "\x1b") {
		t.Errorf("Color false wrote an escape sequence:\n%q", plain)
	}
	coloured := render(t, "text", Options{Color: true}, r)
	for _, want := range []string{"\x1b[1;31merror\x1b[0m MF301", "\x1b[33mwarning\x1b[0m MF304", "\x1b[36minfo\x1b[0m MF402"} {
		if !strings.Contains(coloured, want) {
			t.Errorf("Color true: no %q in\n%s", want, coloured)
		}
	}
	// Only the severity word is coloured: stripping the codes gives the
	// plain output back.
	strip := strings.NewReplacer("\x1b[1;31m", "", "\x1b[33m", "", "\x1b[36m", "", "\x1b[0m", "")
	if got, want := strip.Replace(coloured), render(t, "text", Options{}, r); got != want {
		t.Errorf("coloured output is not the plain one plus colour:\n%s\nvs\n%s", got, want)
	}
}

// TestTextEscapesControlCharacters: a message from a user policy must not
// add lines or send escape sequences even with colour off.
func TestTextEscapesControlCharacters(t *testing.T) {
	r := &finding.Report{Findings: []finding.Finding{{
		Rule: "X1", Severity: finding.Info, Message: "a\nb\r\x1b[2Jc\td\u0085", File: "f\ng.yaml", Line: 1, Column: 2,
	}}}
	got := render(t, "text", Options{}, r)
	want := `f\ng.yaml:1:2: info X1 a\nb\r\x1b[2Jc` + "\t" + `d\u0085` + "\n" + "1 finding (1 info) in 0 files, 0 resources\n"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestTextPosition(t *testing.T) {
	for _, tc := range []struct {
		f    finding.Finding
		want string
	}{
		{finding.Finding{File: "a.yaml", Line: 4, Column: 2}, "a.yaml:4:2"},
		{finding.Finding{File: "a.yaml", Line: 4}, "a.yaml:4"},
		{finding.Finding{File: "a.yaml"}, "a.yaml"},
		{finding.Finding{File: "a.yaml", Column: 3}, "a.yaml"},
		{finding.Finding{Line: 4, Column: 2}, ""},
	} {
		if got := textPosition(tc.f); got != tc.want {
			t.Errorf("textPosition(%+v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}

// TestTextElapsed: the duration is said only when the CLI passes one (a
// person at a terminal), so piped and golden output stays the same.
func TestTextElapsed(t *testing.T) {
	r := &finding.Report{Summary: finding.Summary{Files: 1, Resources: 2}}
	if got := render(t, "text", Options{}, r); got != "no findings in 1 file, 2 resources\n" {
		t.Errorf("without Elapsed: %q", got)
	}
	for d, want := range map[time.Duration]string{
		1234567890 * time.Nanosecond: "no findings in 1 file, 2 resources (took 1.23s)\n",
		38123 * time.Microsecond:     "no findings in 1 file, 2 resources (took 38ms)\n",
		95 * time.Second:             "no findings in 1 file, 2 resources (took 1m35s)\n",
	} {
		if got := render(t, "text", Options{Elapsed: d}, r); got != want {
			t.Errorf("Elapsed %v: %q, want %q", d, got, want)
		}
	}
}
