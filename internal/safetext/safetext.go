// Package safetext makes repository-controlled strings (file names, resource
// names, messages of user policies, bytes of hostile files) safe to print
// for a person or a CI log: no terminal escape sequences, no line breaks
// that would start a forged log line (a GitHub Actions "::warning::"
// workflow command), and no bidirectional overrides that reorder what a
// reviewer reads. Every human-facing writer passes such strings through
// Escape.
package safetext

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape returns s with every unsafe rune written as a Go-style escape:
// \n, \r, \x1b, \u202e. Tabs are kept: harmless and common in messages.
// Invalid UTF-8 bytes become \xNN, so the output is always valid UTF-8.
// A string with nothing to escape is returned as is, without allocating.
func Escape(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteString(hex2(s[i]))
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case !unsafe(r):
			b.WriteString(s[i : i+size])
		case r < 0x80:
			b.WriteString(`\x`)
			b.WriteString(hex2(byte(r)))
		default:
			q := strconv.QuoteRuneToASCII(r) // '\u202e'
			b.WriteString(q[1 : len(q)-1])
		}
		i += size
	}
	return b.String()
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&0xf]})
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\t' || c == 0x7f {
			return true
		}
		if c >= 0x80 {
			// Rare in manifests: decide rune by rune.
			for _, r := range s[i:] {
				if r == utf8.RuneError || unsafe(r) {
					return true
				}
			}
			return false
		}
	}
	return false
}

// unsafe reports the runes Escape rewrites: C0 and C1 controls but the tab,
// DEL, and the Unicode controls of text direction and line structure
// (bidi embeddings, overrides and isolates, the line and paragraph
// separators), which can make a terminal or a review page show other text
// than the bytes hold.
func unsafe(r rune) bool {
	switch {
	case r == '\t':
		return false
	case unicode.IsControl(r):
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069,
		r == 0x200e, r == 0x200f, r == 0x061c, r == 0x2028, r == 0x2029:
		return true
	}
	return false
}
