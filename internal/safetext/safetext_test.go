package safetext

import (
	"testing"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"plain name.yaml":       "plain name.yaml",
		"tab\tkept":             "tab\tkept",
		"a\nb\r\n":              `a\nb\r\n`,
		"\x1b[31mred\x1b[0m":    `\x1b[31mred\x1b[0m`,
		"bell\a":                `bell\x07`,
		"osc\x1b]0;title\a":     `osc\x1b]0;title\x07`,
		"del\x7f":               `del\x7f`,
		"c1\u009b2J":            `c1\u009b2J`,
		"x\n::warning::forged":  `x\n::warning::forged`,
		"bidi \u202eevil\u202c": `bidi \u202eevil\u202c`,
		"isolate \u2066x\u2069": `isolate \u2066x\u2069`,
		"café ünïcode ✓":        "café ünïcode ✓",
		"bad utf8 \xff\xfe":     `bad utf8 \xff\xfe`,
		"line\u2028sep":         `line\u2028sep`,
		"":                      "",
	} {
		got := Escape(in)
		if got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("Escape(%q) is not valid UTF-8", in)
		}
	}
}

// FuzzEscape holds the promise every writer relies on: whatever the bytes,
// the result is one line of valid UTF-8 with no control character but tabs.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "a\nb", "\x1b[2J", "\u202e", "\xff", "::error::x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Escape(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Escape(%q) = %q: invalid UTF-8", s, got)
		}
		for _, r := range got {
			if unsafe(r) {
				t.Fatalf("Escape(%q) = %q keeps %U", s, got, r)
			}
		}
		if Escape(got) != got && needsEscape(got) {
			t.Fatalf("Escape(%q) = %q is not stable", s, got)
		}
	})
}
