package render

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// The emitter as it was before it was made faster (commit 28aa006), kept
// as the reference the differential tests and FuzzEmitter compare
// marshal's bytes with: the output is a contract (goldens, --check of
// folders written by earlier versions), so a faster emitter must write
// the very same bytes.

func refMarshal(rs []*Resource) []byte {
	// Large outputs are written in chunks on GOMAXPROCS workers and joined
	// in order: the bytes are the same as from one writer.
	workers := min(runtime.GOMAXPROCS(0), len(rs)/256)
	if workers < 2 {
		return refEmitAll(rs, 0)
	}
	parts := make([][]byte, workers)
	chunk := (len(rs) + workers - 1) / workers
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*chunk, min((w+1)*chunk, len(rs))
		if lo >= hi {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			parts[w] = refEmitAll(rs[lo:hi], lo)
		}()
	}
	wg.Wait()
	size := 0
	for _, p := range parts {
		size += len(p)
	}
	out := make([]byte, 0, size)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// emitAll writes rs, which start at index first of the whole stream: every
// document but the stream's first is preceded by "---".
func refEmitAll(rs []*Resource, first int) []byte {
	e := &refEmitter{b: make([]byte, 0, 1024*len(rs))}
	for i, r := range rs {
		if first+i > 0 {
			e.b = append(e.b, "---\n"...)
		}
		e.mapping(r.Object, 0, false)
	}
	return e.b
}

type refEmitter struct{ b []byte }

func (e *refEmitter) pad(n int) {
	for range n {
		e.b = append(e.b, ' ')
	}
}

// mapping writes m at indent; with inline set the first key continues the
// current line (after "- ").
func (e *refEmitter) mapping(m map[string]any, indent int, inline bool) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		if i > 0 || !inline {
			e.pad(indent)
		}
		if len(k) > 1000 {
			// YAML limits implicit keys to 1024 characters.
			e.b = append(e.b, "? "...)
			e.scalar(k)
			e.b = append(e.b, '\n')
			e.pad(indent)
		} else {
			e.scalar(k)
		}
		e.b = append(e.b, ':')
		e.value(m[k], indent)
	}
}

// value writes what follows "key:".
func (e *refEmitter) value(v any, indent int) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			e.b = append(e.b, " {}\n"...)
			return
		}
		e.b = append(e.b, '\n')
		e.mapping(x, indent+2, false)
	case []any:
		if len(x) == 0 {
			e.b = append(e.b, " []\n"...)
			return
		}
		e.b = append(e.b, '\n')
		e.sequence(x, indent+2, false)
	default:
		e.b = append(e.b, ' ')
		e.scalar(v)
		e.b = append(e.b, '\n')
	}
}

func (e *refEmitter) sequence(l []any, indent int, inline bool) {
	for i, item := range l {
		if i > 0 || !inline {
			e.pad(indent)
		}
		e.b = append(e.b, "- "...)
		switch x := item.(type) {
		case map[string]any:
			if len(x) == 0 {
				e.b = append(e.b, "{}\n"...)
				continue
			}
			e.mapping(x, indent+2, true)
		case []any:
			if len(x) == 0 {
				e.b = append(e.b, "[]\n"...)
				continue
			}
			e.sequence(x, indent+2, true)
		default:
			e.scalar(item)
			e.b = append(e.b, '\n')
		}
	}
}

func (e *refEmitter) scalar(v any) {
	switch x := v.(type) {
	case string:
		if refPlainSafe(x) {
			e.b = append(e.b, x...)
		} else {
			e.b = refAppendQuoted(e.b, x)
		}
	case int64:
		e.b = strconv.AppendInt(e.b, x, 10)
	case int:
		e.b = strconv.AppendInt(e.b, int64(x), 10)
	case int32:
		e.b = strconv.AppendInt(e.b, int64(x), 10)
	case bool:
		e.b = strconv.AppendBool(e.b, x)
	case float64:
		switch {
		case math.IsInf(x, 1):
			e.b = append(e.b, ".inf"...)
		case math.IsInf(x, -1):
			e.b = append(e.b, "-.inf"...)
		case math.IsNaN(x):
			e.b = append(e.b, ".nan"...)
		default:
			s := strconv.FormatFloat(x, 'g', -1, 64)
			if !strings.ContainsAny(s, ".eE") {
				s += ".0"
			}
			e.b = append(e.b, s...)
		}
	case nil:
		e.b = append(e.b, "null"...)
	default:
		panic(fmt.Sprintf("render: cannot encode %T", v))
	}
}

// plainSafe reports whether s can be written unquoted and read back as the
// same string by YAML 1.1 and 1.2 readers: printable ASCII, no indicator
// first, no comment or mapping marker inside, and not a boolean, null,
// number or timestamp in either version.
func refPlainSafe(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' || s[len(s)-1] == ':' {
		return false
	}
	// Indicators, plus '<' ("<<" is a YAML 1.1 merge key), '=' (the 1.1
	// value key) and "..." (the document end marker).
	if strings.IndexByte("-?:,[]{}#&*!|>'\"%@`~<=", s[0]) >= 0 || strings.HasPrefix(s, "...") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e {
			return false
		}
		if c == ':' && i+1 < len(s) && s[i+1] == ' ' || c == '#' && s[i-1] == ' ' {
			return false
		}
	}
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "y", "n", "null", ".inf", ".nan", "+.inf", "-.inf":
		return false
	}
	c := s[0]
	if c >= '0' && c <= '9' || c == '+' || c == '.' {
		return !refLooksNumeric(s)
	}
	return true
}

var (
	refTimestampRE   = regexp.MustCompile(`^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}`)
	refSexagesimalRE = regexp.MustCompile(`^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$`)
)

// looksNumeric reports whether a reader might take s for an integer, float,
// timestamp or YAML 1.1 base-60 number.
func refLooksNumeric(s string) bool {
	clean := strings.ReplaceAll(s, "_", "")
	if _, err := strconv.ParseInt(clean, 0, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		return true
	}
	if _, err := strconv.ParseFloat(clean, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		return true
	}
	return refTimestampRE.MatchString(s) || refSexagesimalRE.MatchString(s)
}

// appendQuoted writes s as a YAML double-quoted scalar.
func refAppendQuoted(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"':
			b = append(b, '\\', '"')
		case r == '\\':
			b = append(b, '\\', '\\')
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\t':
			b = append(b, '\\', 't')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r < 0x20 || r == 0x7f:
			b = append(b, '\\', 'x', hex[r>>4], hex[r&0xf])
		case r == utf8.RuneError, r == 0x85, r == 0xa0, r == 0x2028, r == 0x2029, r == 0xfeff,
			r >= 0x80 && r < 0xa0, !unicode.IsPrint(r) && r != ' ':
			b = append(b, '\\', 'u')
			b = append(b, hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
			if r > 0xffff {
				b = b[:len(b)-6]
				b = append(b, '\\', 'U')
				for shift := 28; shift >= 0; shift -= 4 {
					b = append(b, hex[r>>uint(shift)&0xf])
				}
			}
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}
