package render

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/meshfleet/meshfleet/internal/par"
)

// marshal writes block-style YAML itself instead of going through yaml.v3's
// encoder, which costs most of a 1,000-fleet render: the values are only
// maps with string keys, lists, strings, integers, booleans and null, and
// the layout is yaml.v3's with a two-space indent (sequences indented under
// their key). Keys are sorted bytewise, so the bytes depend on nothing but
// the values. Strings are written plain only when every YAML 1.1 and 1.2
// reader reads them back as the same string; otherwise double-quoted.
func marshal(rs []*Resource) []byte {
	parts := marshalParts(rs)
	if len(parts) == 1 {
		return parts[0]
	}
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

// marshalChunk is how many resources one worker writes at a time.
const marshalChunk = 256

// marshalParts writes the stream marshal returns as pieces, in order, each
// of up to marshalChunk resources written on one of GOMAXPROCS workers: the
// pieces joined are the bytes of one writer.
func marshalParts(rs []*Resource) [][]byte {
	parts := make([][]byte, max(1, (len(rs)+marshalChunk-1)/marshalChunk))
	par.For(0, len(parts), func(i int) {
		lo := i * marshalChunk
		parts[i] = emitAll(rs[lo:min(lo+marshalChunk, len(rs))], lo)
	})
	return parts
}

// marshalEach writes every resource as a stream of its own (render -o's
// files), on GOMAXPROCS workers: each is marshal([]*Resource{r}).
func marshalEach(rs []*Resource) [][]byte {
	out := make([][]byte, len(rs))
	par.For(0, (len(rs)+marshalChunk-1)/marshalChunk, func(c int) {
		lo, hi := c*marshalChunk, min((c+1)*marshalChunk, len(rs))
		e := &emitter{b: make([]byte, 0, 512*(hi-lo))}
		ends := make([]int, hi-lo)
		for i, r := range rs[lo:hi] {
			e.mapping(r.Object, "", 0, false)
			ends[i] = len(e.b)
		}
		// Sliced once the buffer has stopped growing; each piece's
		// capacity ends with it, so appending to one cannot touch the next.
		start := 0
		for i, end := range ends {
			out[lo+i] = e.b[start:end:end]
			start = end
		}
	})
	return out
}

// document writes obj as a document of its own, marshal([]*Resource{obj})'s
// bytes, into the emitter's current block: blocks of docBlock bytes are
// shared by many documents, each capped at its end, instead of a buffer
// per document.
func (e *emitter) document(obj map[string]any) []byte {
	if cap(e.b)-len(e.b) < docBlock/8 {
		e.b = make([]byte, 0, docBlock)
	}
	start := len(e.b)
	e.mapping(obj, "", 0, false)
	return e.b[start:len(e.b):len(e.b)]
}

const docBlock = 64 << 10

// emitAll writes rs, which start at index first of the whole stream: every
// document but the stream's first is preceded by "---".
func emitAll(rs []*Resource, first int) []byte {
	// Rendered resources take about 500 bytes each.
	e := &emitter{b: make([]byte, 0, 512*len(rs))}
	for i, r := range rs {
		if first+i > 0 {
			e.b = append(e.b, "---\n"...)
		}
		e.mapping(r.Object, "", 0, false)
	}
	return e.b
}

type emitter struct {
	b []byte
	// pairs holds one reusable buffer of key/value pairs per nesting
	// depth, so sorting a mapping's keys allocates nothing once warm.
	pairs [][]pair
	depth int
	// shapes remembers the sorted keys of the last mapping written under
	// each key with each size. Rendered objects repeat a few shapes
	// thousands of times, and finding every remembered key in a map of
	// that size proves it holds exactly those keys: looking them up is
	// cheaper than ranging over the map and sorting. A wrong guess only
	// falls back to that; the bytes never depend on what is remembered.
	shapes map[shape][]string
}

type shape struct {
	under string // the key the mapping is the value of ("" at the root or in a list)
	size  int
}

// maxShapes bounds what an emitter remembers; mappings with more keys than
// maxShapeKeys are not remembered either.
const (
	maxShapes    = 512
	maxShapeKeys = 16
)

// pair is one entry of a mapping being written.
type pair struct {
	k string
	v any
}

const spaces = "                                                                "

func (e *emitter) pad(n int) {
	for n > len(spaces) {
		e.b = append(e.b, spaces...)
		n -= len(spaces)
	}
	e.b = append(e.b, spaces[:n]...)
}

// mapping writes m at indent; with inline set the first key continues the
// current line (after "- ").
func (e *emitter) mapping(m map[string]any, under string, indent int, inline bool) {
	if e.depth == len(e.pairs) {
		e.pairs = append(e.pairs, make([]pair, 0, 8))
	}
	ps := e.pairs[e.depth][:0]
	sh := shape{under, len(m)}
	known := false
	if keys, ok := e.shapes[sh]; ok {
		known = true
		for _, k := range keys {
			v, ok := m[k]
			if !ok {
				known = false
				break
			}
			ps = append(ps, pair{k, v})
		}
	}
	if !known {
		// Keys and values are read in one pass over the map and sorted
		// together: no second lookup per key.
		ps = ps[:0]
		for k, v := range m {
			ps = append(ps, pair{k, v})
		}
		sortPairs(ps)
		e.remember(sh, ps)
	}
	e.depth++
	for i := range ps {
		k := ps[i].k
		if i > 0 || !inline {
			e.pad(indent)
		}
		if len(k) > 1000 {
			// YAML limits implicit keys to 1024 characters.
			e.b = append(e.b, "? "...)
			e.str(k)
			e.b = append(e.b, '\n')
			e.pad(indent)
		} else {
			e.str(k)
		}
		e.b = append(e.b, ':')
		e.value(k, ps[i].v, indent)
	}
	e.depth--
	clear(ps) // drop the references: the buffer outlives this mapping
	e.pairs[e.depth] = ps[:0]
}

// remember records the sorted keys of a mapping of shape sh.
func (e *emitter) remember(sh shape, ps []pair) {
	if len(ps) > maxShapeKeys {
		return
	}
	keys, ok := e.shapes[sh]
	if !ok && len(e.shapes) >= maxShapes {
		return
	}
	if e.shapes == nil {
		e.shapes = make(map[shape][]string)
	}
	keys = keys[:0]
	for _, p := range ps {
		keys = append(keys, p.k)
	}
	e.shapes[sh] = keys
}

// sortPairs sorts by key, bytewise; the mappings written are mostly small,
// where insertion sort beats the general one.
func sortPairs(ps []pair) {
	if len(ps) > 12 {
		slices.SortFunc(ps, func(a, b pair) int { return strings.Compare(a.k, b.k) })
		return
	}
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && ps[j].k < ps[j-1].k; j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

// value writes what follows "key:".
func (e *emitter) value(key string, v any, indent int) {
	switch x := v.(type) {
	case string:
		e.b = append(e.b, ' ')
		e.str(x)
		e.b = append(e.b, '\n')
	case map[string]any:
		if len(x) == 0 {
			e.b = append(e.b, " {}\n"...)
			return
		}
		e.b = append(e.b, '\n')
		e.mapping(x, key, indent+2, false)
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

func (e *emitter) sequence(l []any, indent int, inline bool) {
	for i, item := range l {
		if i > 0 || !inline {
			e.pad(indent)
		}
		e.b = append(e.b, "- "...)
		switch x := item.(type) {
		case string:
			e.str(x)
			e.b = append(e.b, '\n')
		case map[string]any:
			if len(x) == 0 {
				e.b = append(e.b, "{}\n"...)
				continue
			}
			e.mapping(x, "", indent+2, true)
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

// str writes a string scalar: plain when that reads back as the same
// string, else double-quoted.
func (e *emitter) str(s string) {
	if plainSafe(s) {
		e.b = append(e.b, s...)
	} else {
		e.b = appendQuoted(e.b, s)
	}
}

func (e *emitter) scalar(v any) {
	switch x := v.(type) {
	case string:
		e.str(x)
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
func plainSafe(s string) bool {
	n := len(s)
	if n == 0 || s[0] == ' ' || s[n-1] == ' ' || s[n-1] == ':' {
		return false
	}
	// Indicators, plus '<' ("<<" is a YAML 1.1 merge key), '=' (the 1.1
	// value key) and "..." (the document end marker).
	c := s[0]
	if notPlainFirst[c] || c == '.' && strings.HasPrefix(s, "...") {
		return false
	}
	for i := 0; i < n; i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e {
			return false
		}
		if c == ':' && i+1 < n && s[i+1] == ' ' || c == '#' && s[i-1] == ' ' {
			return false
		}
	}
	if n <= 5 && reservedWord(s) {
		return false
	}
	if c >= '0' && c <= '9' || c == '+' || c == '.' {
		return !looksNumeric(s)
	}
	return true
}

// notPlainFirst marks the bytes a plain scalar may not start with (see
// plainSafe).
var notPlainFirst = func() (t [256]bool) {
	for _, c := range []byte("-?:,[]{}#&*!|>'\"%@`~<=") {
		t[c] = true
	}
	return t
}()

// reservedWord reports whether s, printable ASCII, is one of the booleans,
// nulls and special floats of YAML 1.1 or 1.2, in any letter case.
func reservedWord(s string) bool {
	var buf [5]byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	switch string(buf[:len(s)]) {
	case "true", "false", "yes", "no", "on", "off", "y", "n", "null", ".inf", ".nan", "+.inf", "-.inf":
		return true
	}
	return false
}

var (
	timestampRE   = regexp.MustCompile(`^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}`)
	sexagesimalRE = regexp.MustCompile(`^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$`)
)

// looksNumeric reports whether a reader might take s for an integer, float,
// timestamp or YAML 1.1 base-60 number.
func looksNumeric(s string) bool {
	if timestampRE.MatchString(s) {
		return true
	}
	// Most strings that start with a digit are addresses, durations or
	// versions: a byte no number has, or two dots, settles it without the
	// parsers (whose errors allocate).
	dots := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			dots++
		}
		if !numberByte[c] || dots > 1 {
			return false
		}
	}
	clean := strings.ReplaceAll(s, "_", "")
	if _, err := strconv.ParseInt(clean, 0, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		return true
	}
	if _, err := strconv.ParseFloat(clean, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		return true
	}
	return sexagesimalRE.MatchString(s)
}

// numberByte marks the bytes an integer, float or base-60 number may hold
// when it starts with a digit, '+' or '.': digits, signs, '.', '_', ':',
// the base prefixes and hex digits, exponents, and the letters of "inf",
// "infinity" and "nan".
var numberByte = func() (t [256]bool) {
	for _, c := range []byte("0123456789+-._:abcdefABCDEFxXoOpPiInNtTyY") {
		t[c] = true
	}
	return t
}()

// appendQuoted writes s as a YAML double-quoted scalar.
func appendQuoted(b []byte, s string) []byte {
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
