package manifest

import (
	"strings"
	"sync"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// The fast front end reads the plain block YAML that Kubernetes and Istio
// manifests are written in and builds the same yaml.Node trees yaml.v3's
// Decoder builds (kind, style, tag, value, line, column, content, and the
// document wrapper), several times cheaper. It accepts only a subset and
// gives up on the whole input at the first thing outside it, so that Parse
// runs yaml.v3 instead: errors, messages, document indexes and limits are
// then yaml.v3's by construction. Inside the subset every input is valid
// YAML; nothing it accepts is refused by yaml.v3 (FuzzFastYAML holds it to
// that).
//
// The subset: documents split by `---` and `...` lines (a marker alone on its
// line or followed by a comment); block mappings and sequences, compact ones
// (`- key: v`, `- - x`) and sequences at their key's indentation; single-line
// plain scalars; literal and folded block scalars (without an indentation
// indicator); single-line single-quoted scalars and double-quoted ones
// with the escapes \\ \" \n \t; single-line flow collections of those;
// empty values; full-line and trailing comments. It gives up on tabs, CR,
// BOM, control characters and Unicode line breaks anywhere, anchors,
// aliases, tags, merge keys, `?` keys, directives, multi-line plain and
// quoted scalars and flow collections, and anything else it does not recognise.
//
// Comments are not kept: HeadComment, LineComment and FootComment stay
// empty. No reader of Parse's nodes looks at them (lint finds its
// suppression comments in the raw bytes); the one place that re-encodes
// parsed nodes, render's in-memory rewrite of a kustomization for
// kustomize, loses only comments kustomize ignores.

// fastMaxDepth bounds the nesting the fast path follows; deeper input goes
// to yaml.v3, which has limits of its own, and then to the MaxDepth check.
const fastMaxDepth = 1000

// fastDocuments parses data into yaml.v3 document nodes. ok is false when
// data is outside the subset, or has more than maxDocs documents when
// maxDocs > 0 (which bounds the work, and leaves the exact error to
// yaml.v3).
func fastDocuments(data []byte, maxDocs int, a *Arena) (docs []*yaml.Node, ok bool) {
	docs, reason := fastParse(data, maxDocs, a)
	return docs, reason == ""
}

// fastParse is fastDocuments saying why it gave up.
func fastParse(data []byte, maxDocs int, a *Arena) (docs []*yaml.Node, reason string) {
	ascii, valid := scanChars(data)
	if !valid {
		return nil, "a tab, CR, BOM, control character, Unicode line break or invalid UTF-8"
	}
	p := &fastParser{src: string(data), ascii: ascii, arena: a}
	p.lines = strings.Count(p.src, "\n")
	p.slabHint = min(3*p.lines+8, 1<<14)
	p.ptrHint = p.slabHint
	p.setLine(0, 1)
	defer func() {
		if r := recover(); r != nil {
			fb, ok := r.(fallback)
			if !ok {
				panic(r)
			}
			docs, reason = nil, fb.reason
		}
	}()
	return p.stream(maxDocs), ""
}

// fallback is panicked from deep in the parser to give up; fastParse
// recovers it and nothing else.
type fallback struct{ reason string }

func giveUp(reason string) { panic(fallback{reason}) }

// scanChars reports whether data holds only characters the subset allows
// (printable ASCII and newline, or non-ASCII characters of the Basic
// Multilingual Plane that yaml.v3 calls printable, other than the BOM and the
// Unicode line and paragraph separators, which it treats as line breaks),
// and whether it is all ASCII.
func scanChars(data []byte) (ascii, ok bool) {
	ascii = true
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\n') || c == 0x7f {
				return false, false
			}
			i++
			continue
		}
		ascii = false
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return false, false
		}
		switch {
		case r < 0xA0, r == 0x2028, r == 0x2029, r == 0xFEFF,
			r >= 0xD800 && r < 0xE000, r == 0xFFFE, r == 0xFFFF,
			r >= 0x10000: // yaml.v3's is_printable excludes these
			return false, false
		}
		i += size
	}
	return ascii, true
}

type fastParser struct {
	src   string
	ascii bool
	// The current line: src[ls:le], numbered lineNo from 1.
	ls, le, lineNo int
	depth          int
	// flowEnd is the offset just past the flow collection flow last read.
	flowEnd int
	// lines is the number of line breaks in src.
	lines int

	slabHint, ptrHint int
	// colLine, colOff and colRunes remember the last column counted.
	colLine, colOff, colRunes int

	nodes   []yaml.Node
	ptrs    []*yaml.Node
	scratch []*yaml.Node
	// arena, when not nil, lends the nodes and content slices.
	arena *Arena
}

func (p *fastParser) setLine(start, no int) {
	p.ls, p.lineNo = start, no
	if i := strings.IndexByte(p.src[start:], '\n'); i >= 0 {
		p.le = start + i
	} else {
		p.le = len(p.src)
	}
}

// eof reports whether the current line starts past the end of the input.
func (p *fastParser) eof() bool { return p.ls >= len(p.src) }

func (p *fastParser) nextLine() {
	if p.le >= len(p.src) {
		p.ls, p.le = len(p.src)+1, len(p.src)+1
		p.lineNo++
		return
	}
	p.setLine(p.le+1, p.lineNo+1)
}

// col is the 1-based column of byte offset off of the current line, counted
// in characters as yaml.v3 counts them.
func (p *fastParser) col(off int) int {
	if p.ascii {
		return off - p.ls + 1
	}
	// Count on from the last column asked on this line, so a long line
	// of many nodes costs linear time, not quadratic.
	if p.colLine != p.ls || p.colOff > off {
		p.colLine, p.colOff, p.colRunes = p.ls, p.ls, 0
	}
	p.colRunes += utf8.RuneCountInString(p.src[p.colOff:off])
	p.colOff = off
	return p.colRunes + 1
}

// node hands out nodes from slabs, one allocation for many: the first
// slab is sized by the line count (real manifests have about three nodes a
// line), later ones are small so a wrong guess wastes little.
func (p *fastParser) node() *yaml.Node {
	if p.arena != nil {
		return p.arena.node()
	}
	if len(p.nodes) == 0 {
		n := 64
		if p.slabHint > 0 {
			n, p.slabHint = p.slabHint, 0
		}
		p.nodes = make([]yaml.Node, n)
	}
	n := &p.nodes[0]
	p.nodes = p.nodes[1:]
	return n
}

// content moves the children collected on the scratch stack from mark on
// into a slice of their own, capped so an append by a caller reallocates.
func (p *fastParser) content(mark int) []*yaml.Node {
	kids := p.scratch[mark:]
	n := len(kids)
	if n == 0 {
		return nil
	}
	if p.arena != nil {
		out := p.arena.ptrs(n)
		copy(out, kids)
		clear(kids)
		p.scratch = p.scratch[:mark]
		return out
	}
	if len(p.ptrs) < n {
		size := max(64, n)
		if p.ptrHint > n {
			size, p.ptrHint = p.ptrHint, 0
		}
		p.ptrs = make([]*yaml.Node, size)
	}
	out := p.ptrs[:n:n]
	p.ptrs = p.ptrs[n:]
	copy(out, kids)
	clear(kids)
	p.scratch = p.scratch[:mark]
	return out
}

// Line kinds.
const (
	lineContent = iota
	lineDocStart
	lineDocEnd
	lineEOF
)

// peek skips blank and comment lines and classifies the line it stops at;
// for content it returns the offset of the first non-space byte.
func (p *fastParser) peek() (kind, off int) {
	for !p.eof() {
		i := p.ls
		for i < p.le && p.src[i] == ' ' {
			i++
		}
		if i == p.le || p.src[i] == '#' {
			p.nextLine()
			continue
		}
		if i == p.ls && p.le-i >= 3 {
			m := p.src[i : i+3]
			if (m == "---" || m == "...") && (p.le == i+3 || p.src[i+3] == ' ') {
				if !p.restEmpty(i + 3) {
					giveUp("content after a document marker")
				}
				if m == "---" {
					return lineDocStart, i
				}
				return lineDocEnd, i
			}
		}
		return lineContent, i
	}
	return lineEOF, 0
}

// restEmpty reports whether src[off:le] is blank or spaces and a comment.
func (p *fastParser) restEmpty(off int) bool {
	if off == p.le {
		return true
	}
	if p.src[off] != ' ' {
		return false
	}
	for off < p.le && p.src[off] == ' ' {
		off++
	}
	return off == p.le || p.src[off] == '#'
}

// streamEnd is where yaml.v3 places the end of the stream: the start of the
// line after the last one.
func (p *fastParser) streamEnd() (line, col int) {
	if len(p.src) > 0 && p.src[len(p.src)-1] == '\n' {
		return p.lines + 1, 1
	}
	return p.lines + 2, 1
}

func (p *fastParser) stream(maxDocs int) []*yaml.Node {
	var docs []*yaml.Node
	// ended: the last document was closed by `...`, so only markers may
	// follow (content there is an error to yaml.v3).
	ended := false
	for {
		if maxDocs > 0 && len(docs) > maxDocs {
			// Parse refuses the input here, but where yaml.v3 says so
			// depends on how far it reads ahead: leave it to yaml.v3.
			giveUp("more documents than the limit")
		}
		kind, off := p.peek()
		var doc *yaml.Node
		switch kind {
		case lineEOF:
			return docs
		case lineDocEnd:
			if !ended {
				giveUp("`...` before any document")
			}
			p.nextLine()
			continue
		case lineContent:
			if ended {
				giveUp("content after `...`")
			}
			doc = p.node()
			doc.Line, doc.Column = p.lineNo, p.col(off)
		case lineDocStart:
			doc = p.node()
			doc.Line, doc.Column = p.lineNo, 1
			p.nextLine()
			kind, off = p.peek()
			if kind != lineContent {
				// An empty document: yaml.v3 gives it a null placed
				// where the next marker or the end of the stream is.
				var null *yaml.Node
				if kind == lineEOF {
					null = p.null(p.streamEnd())
				} else {
					null = p.null(p.lineNo, 1)
				}
				doc.Kind, doc.Content = yaml.DocumentNode, []*yaml.Node{null}
				docs = append(docs, doc)
				ended = kind == lineDocEnd
				if ended {
					p.nextLine()
				}
				continue
			}
		}
		doc.Kind, doc.Content = yaml.DocumentNode, []*yaml.Node{p.block(off, -1)}
		docs = append(docs, doc)
		switch kind, _ := p.peek(); kind {
		case lineContent:
			giveUp("more than one root node, or a continuation line")
		case lineDocEnd:
			p.nextLine()
			ended = true
		default:
			ended = false
		}
	}
}

// block parses the block node starting at offset off of the current line:
// at the start of a line, or after "- " as a compact node. parent is the
// indentation of the collection it belongs to (-1 at the root).
func (p *fastParser) block(off, parent int) *yaml.Node {
	c := p.src[off]
	if c == '-' && p.blankAt(off+1) {
		return p.blockSeq(off, false)
	}
	if c == '|' || c == '>' {
		return p.blockScalar(off, parent)
	}
	if c == '[' || c == '{' {
		n := p.flow(off, 0)
		p.endLine(p.flowEnd)
		return n
	}
	n, end, after, isKey := p.key(off)
	if isKey {
		return p.blockMap(off, n, after)
	}
	p.endLine(end)
	return n
}

// blankAt reports whether off is the end of the line or a space.
func (p *fastParser) blankAt(off int) bool { return off >= p.le || p.src[off] == ' ' }

// endLine checks that nothing but a comment follows off and moves on.
func (p *fastParser) endLine(off int) {
	if !p.restEmpty(off) {
		giveUp("text after a node")
	}
	p.nextLine()
}

func (p *fastParser) enter() {
	p.depth++
	if p.depth > fastMaxDepth {
		giveUp("too deeply nested")
	}
}

// blockSeq parses a block sequence whose first "-" is at off. indentless is
// set for a sequence at the indentation of the mapping key it is the value
// of; it ends at the next line of that indentation without "-".
func (p *fastParser) blockSeq(off int, indentless bool) *yaml.Node {
	p.enter()
	n := p.node()
	n.Kind, n.Tag = yaml.SequenceNode, "!!seq"
	n.Line, n.Column = p.lineNo, p.col(off)
	indent := off - p.ls
	mark := len(p.scratch)
	for {
		// p.src[off] is the "-" of an item.
		item := off + 1
		for item < p.le && p.src[item] == ' ' {
			item++
		}
		if p.restEmpty(off + 1) {
			dashLine, dashCol := p.lineNo, p.col(off)+1
			p.nextLine()
			kind, next := p.peek()
			if kind == lineContent && next-p.ls > indent {
				p.scratch = append(p.scratch, p.block(next, indent))
			} else {
				p.scratch = append(p.scratch, p.null(dashLine, dashCol))
			}
		} else {
			p.scratch = append(p.scratch, p.block(item, indent))
		}
		next, more := p.sibling(indent)
		if !more {
			break
		}
		if p.src[next] != '-' || !p.blankAt(next+1) {
			if indentless {
				break
			}
			giveUp("a line without - in a sequence")
		}
		off = next
	}
	n.Content = p.content(mark)
	p.depth--
	return n
}

// sibling looks at the next line of a block collection at indent: the
// offset of its content and true when it continues the collection, false
// when the collection ends there (end of document, or less indentation).
// Deeper indentation is not ours to read.
func (p *fastParser) sibling(indent int) (next int, more bool) {
	kind, next := p.peek()
	if kind != lineContent || next-p.ls < indent {
		return next, false
	}
	if next-p.ls > indent {
		giveUp("a continuation line or bad indentation")
	}
	return next, true
}

func (p *fastParser) null(line, col int) *yaml.Node {
	n := p.node()
	n.Kind, n.Tag, n.Line, n.Column = yaml.ScalarNode, "!!null", line, col
	return n
}

// blockMap parses a block mapping whose first key k starts at off; after is
// the offset just past that key's ":".
func (p *fastParser) blockMap(off int, k *yaml.Node, after int) *yaml.Node {
	p.enter()
	n := p.node()
	n.Kind, n.Tag = yaml.MappingNode, "!!map"
	n.Line, n.Column = p.lineNo, p.col(off)
	indent := off - p.ls
	mark := len(p.scratch)
	for {
		p.scratch = append(p.scratch, k)
		v := after
		for v < p.le && p.src[v] == ' ' {
			v++
		}
		if p.restEmpty(after) {
			colonLine, colonCol := p.lineNo, p.col(after)
			p.nextLine()
			kind, next := p.peek()
			switch {
			case kind == lineContent && next-p.ls > indent:
				p.scratch = append(p.scratch, p.block(next, indent))
			case kind == lineContent && next-p.ls == indent && p.src[next] == '-' && p.blankAt(next+1):
				p.scratch = append(p.scratch, p.blockSeq(next, true))
			default:
				p.scratch = append(p.scratch, p.null(colonLine, colonCol))
			}
		} else {
			c := p.src[v]
			switch {
			case c == '-' && p.blankAt(v+1):
				giveUp("a block sequence cannot start after \"key: \"")
			case c == '[' || c == '{':
				p.scratch = append(p.scratch, p.flow(v, 0))
				p.endLine(p.flowEnd)
			case c == '|' || c == '>':
				p.scratch = append(p.scratch, p.blockScalar(v, indent))
			default:
				s, end, _, isKey := p.key(v)
				if isKey {
					giveUp("\"a: b: c\"")
				}
				p.scratch = append(p.scratch, s)
				p.endLine(end)
			}
		}
		next, more := p.sibling(indent)
		if !more {
			break
		}
		var isKey bool
		if k, _, after, isKey = p.key(next); !isKey {
			giveUp("a line that is no key in a mapping")
		}
	}
	n.Content = p.content(mark)
	p.depth--
	return n
}

// blockScalar parses a literal (|) or folded (>) block scalar whose header
// is at off, in a collection indented by parent, line by line the way
// yaml.v3's scanner does (yaml_parser_scan_block_scalar): the content
// indentation is that of the first non-empty line (at least parent+1),
// folding joins lines that neither start with a space nor are separated by
// empty lines, and chomping (- strip, + keep, default clip) decides the
// final line breaks. Only the explicit indentation indicator is left to
// yaml.v3.
func (p *fastParser) blockScalar(off, parent int) *yaml.Node {
	literal := p.src[off] == '|'
	n := p.node()
	n.Kind, n.Tag = yaml.ScalarNode, "!!str"
	n.Style = yaml.FoldedStyle
	if literal {
		n.Style = yaml.LiteralStyle
	}
	n.Line, n.Column = p.lineNo, p.col(off)
	i := off + 1
	chomp := 0
	if i < p.le && (p.src[i] == '+' || p.src[i] == '-') {
		chomp = 1
		if p.src[i] == '-' {
			chomp = -1
		}
		i++
	}
	if i < p.le && p.src[i] >= '0' && p.src[i] <= '9' {
		giveUp("a block scalar indentation indicator")
	}
	if !p.restEmpty(i) {
		giveUp("text after a block scalar header")
	}
	p.nextLine()
	indent := 0
	var s []byte
	leadingBreak, leadingBlank := false, false
	trailing := 0
	col, atZ := p.scalarBreaks(&indent, &trailing, parent)
	for col == indent && !atZ {
		pos := p.ls + col
		trailingBlank := p.src[pos] == ' '
		if !literal && !leadingBlank && !trailingBlank && leadingBreak {
			if trailing == 0 {
				s = append(s, ' ')
			}
		} else if leadingBreak {
			s = append(s, '\n')
		}
		for ; trailing > 0; trailing-- {
			s = append(s, '\n')
		}
		leadingBlank = trailingBlank
		s = append(s, p.src[pos:p.le]...)
		leadingBreak = p.le < len(p.src)
		p.nextLine()
		col, atZ = p.scalarBreaks(&indent, &trailing, parent)
	}
	if chomp != -1 && leadingBreak {
		s = append(s, '\n')
	}
	if chomp == 1 {
		for ; trailing > 0; trailing-- {
			s = append(s, '\n')
		}
	}
	n.Value = string(s)
	return n
}

// scalarBreaks skips the empty lines of a block scalar, counting them in
// trailing, and settles the content indentation when it is still 0. It
// returns the column reached on the first non-empty line (spaces are eaten
// up to the indentation only) and whether that is the end of the input.
func (p *fastParser) scalarBreaks(indent, trailing *int, parent int) (col int, atZ bool) {
	maxIndent := 0
	for {
		if p.eof() {
			col, atZ = 0, true
			break
		}
		col = 0
		for p.ls+col < p.le && p.src[p.ls+col] == ' ' && (*indent == 0 || col < *indent) {
			col++
		}
		maxIndent = max(maxIndent, col)
		if p.ls+col < p.le {
			atZ = false
			break
		}
		if p.le >= len(p.src) {
			atZ = true // spaces, then the end of the input
			break
		}
		*trailing++
		p.nextLine()
	}
	if *indent == 0 {
		*indent = max(maxIndent, parent+1, 1)
	}
	return col, atZ
}

// key reads the scalar at off and whether it is an implicit key: followed
// by ":" and a space or the end of the line. end is the offset just past
// the scalar, after just past the ":".
func (p *fastParser) key(off int) (n *yaml.Node, end, after int, ok bool) {
	n, end = p.scalar(off, false)
	i := end
	for i < p.le && p.src[i] == ' ' {
		i++
	}
	if i >= p.le || p.src[i] != ':' || !p.blankAt(i+1) {
		return n, end, 0, false
	}
	if i-off > 1000 {
		giveUp("yaml.v3 limits implicit keys to 1024 characters")
	}
	return n, end, i + 1, true
}

// plainStart reports whether a plain scalar may start at off: not at an
// indicator, except "-", ":" or "?" followed by a non-space (in flow
// context only "-", and not followed by a flow indicator).
func (p *fastParser) plainStart(off int, flow bool) bool {
	switch p.src[off] {
	case '-', ':', '?':
		if off+1 >= p.le || p.src[off+1] == ' ' {
			return false
		}
		if flow {
			return p.src[off] == '-' && strings.IndexByte(",[]{}", p.src[off+1]) < 0
		}
		return true
	case ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', ' ':
		return false
	}
	return true
}

// scalar reads a single-line scalar at off and returns it and the offset
// just past it.
func (p *fastParser) scalar(off int, flow bool) (*yaml.Node, int) {
	switch p.src[off] {
	case '\'':
		return p.singleQuoted(off)
	case '"':
		return p.doubleQuoted(off)
	}
	if !p.plainStart(off, flow) {
		giveUp("an anchor, alias, tag, ? key, directive or other indicator")
	}
	end := p.plainEnd(off, flow)
	v := p.src[off:end]
	if v == "<<" {
		giveUp("a merge key")
	}
	n := p.node()
	n.Kind, n.Value = yaml.ScalarNode, v
	n.Line, n.Column = p.lineNo, p.col(off)
	n.Tag = resolveTag(v)
	return n, end
}

// plainEnd finds the end of a plain scalar starting at off the way
// yaml.v3's scanner does on one line: it stops at ": " (or ":" at the end
// of the line), at " #", at the end of the line, and in flow context at
// ",[]{}?"; trailing spaces are not part of it.
func (p *fastParser) plainEnd(off int, flow bool) int {
	end := off
	i := off
	for {
		for i < p.le && p.src[i] != ' ' {
			c := p.src[i]
			if c == ':' && p.blankAt(i+1) {
				return end
			}
			if flow && (c == ',' || c == '?' || c == '[' || c == ']' || c == '{' || c == '}') {
				return end
			}
			i++
			end = i
		}
		for i < p.le && p.src[i] == ' ' {
			i++
		}
		if i >= p.le || p.src[i] == '#' {
			return end
		}
	}
}

func (p *fastParser) singleQuoted(off int) (*yaml.Node, int) {
	var b []byte
	start := off + 1
	i := start
	for {
		j := strings.IndexByte(p.src[i:p.le], '\'')
		if j < 0 {
			giveUp("a multi-line quoted scalar")
		}
		i += j
		if i+1 < p.le && p.src[i+1] == '\'' {
			b = append(b, p.src[start:i+1]...)
			i += 2
			start = i
			continue
		}
		break
	}
	return p.quoted(off, yaml.SingleQuotedStyle, b, p.src[start:i]), i + 1
}

func (p *fastParser) doubleQuoted(off int) (*yaml.Node, int) {
	var b []byte
	start := off + 1
	i := start
	for {
		j := strings.IndexAny(p.src[i:p.le], "\"\\")
		if j < 0 {
			giveUp("a multi-line quoted scalar")
		}
		i += j
		if p.src[i] == '"' {
			break
		}
		if i+1 >= p.le {
			giveUp("an escaped line break")
		}
		var r byte
		switch p.src[i+1] {
		case '\\':
			r = '\\'
		case '"':
			r = '"'
		case 'n':
			r = '\n'
		case 't':
			r = '\t'
		default:
			giveUp("an unsupported escape")
		}
		b = append(b, p.src[start:i]...)
		b = append(b, r)
		i += 2
		start = i
	}
	return p.quoted(off, yaml.DoubleQuotedStyle, b, p.src[start:i]), i + 1
}

// quoted is the string node of a quoted scalar at off: the unescaped text
// so far in b (nil when there was no escape) followed by rest.
func (p *fastParser) quoted(off int, style yaml.Style, b []byte, rest string) *yaml.Node {
	n := p.node()
	n.Kind, n.Tag, n.Style = yaml.ScalarNode, "!!str", style
	if b == nil {
		n.Value = rest
	} else {
		n.Value = string(append(b, rest...))
	}
	n.Line, n.Column = p.lineNo, p.col(off)
	return n
}

func (p *fastParser) skipSpaces(i int) int {
	for i < p.le && p.src[i] == ' ' {
		i++
	}
	return i
}

// flow parses a single-line flow collection at off ("[" or "{"), leaving
// the offset past its closing bracket in p.flowEnd.
func (p *fastParser) flow(off, level int) *yaml.Node {
	if level > 100 {
		giveUp("flow collections nested too deep")
	}
	p.enter()
	defer func() { p.depth-- }()
	n := p.node()
	n.Line, n.Column = p.lineNo, p.col(off)
	n.Style = yaml.FlowStyle
	mark := len(p.scratch)
	isMap := p.src[off] == '{'
	closing := byte(']')
	if isMap {
		n.Kind, n.Tag, closing = yaml.MappingNode, "!!map", '}'
	} else {
		n.Kind, n.Tag = yaml.SequenceNode, "!!seq"
	}
	i := p.skipSpaces(off + 1)
	if i < p.le && p.src[i] == closing {
		p.flowEnd = i + 1
		return n
	}
	for {
		if i >= p.le {
			giveUp("a multi-line flow collection")
		}
		if isMap {
			c := p.src[i]
			if c == '[' || c == '{' {
				giveUp("a collection as a key")
			}
			k, end := p.scalar(i, true)
			p.scratch = append(p.scratch, k)
			i = p.skipSpaces(end)
			if i >= p.le || p.src[i] != ':' {
				giveUp("a flow mapping key without a value")
			}
			// After a quoted key the ":" needs no space (JSON); after a
			// plain one it would have been part of the scalar.
			if k.Style == 0 && (i+1 >= p.le || p.src[i+1] != ' ') {
				giveUp("a flow mapping key without a value")
			}
			i = p.skipSpaces(i + 1)
			if i >= p.le {
				giveUp("a multi-line flow collection")
			}
		}
		var v *yaml.Node
		switch c := p.src[i]; c {
		case '[', '{':
			v = p.flow(i, level+1)
			i = p.flowEnd
		case ',', ']', '}':
			giveUp("an empty entry")
		default:
			v, i = p.scalar(i, true)
		}
		p.scratch = append(p.scratch, v)
		i = p.skipSpaces(i)
		if i >= p.le {
			giveUp("a multi-line flow collection")
		}
		if p.src[i] == closing {
			p.flowEnd = i + 1
			break
		}
		if p.src[i] != ',' {
			giveUp("an unexpected character in a flow collection")
		}
		i = p.skipSpaces(i + 1)
		if i < p.le && (p.src[i] == ']' || p.src[i] == '}') {
			giveUp("a trailing comma")
		}
	}
	n.Content = p.content(mark)
	return n
}

// resolveTag is the tag yaml.v3 gives a plain scalar (resolve.go): the
// common cases are decided here, anything that might be a number or a
// timestamp is asked of yaml.v3 itself, so the answer cannot differ.
func resolveTag(v string) string {
	if t, ok := specialPlain[v]; ok {
		return t
	}
	switch c := v[0]; {
	case c == '+' || c == '-' || c == '.' || c >= '0' && c <= '9':
	default:
		// yaml.v3 looks at no more than the first character and the
		// table above: anything else is a string.
		return "!!str"
	}
	dots := 0
	digits := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			dots++
		case strings.IndexByte("abcdefABCDEFxXoO_+-:tTzZ ", c) >= 0:
		default:
			// Not a character of any int, float or timestamp form
			// yaml.v3 reads.
			return "!!str"
		}
	}
	if digits == len(v) && len(v) <= 18 && (len(v) == 1 || v[0] != '0') {
		return "!!int"
	}
	if dots >= 2 && !(len(v) > 4 && v[4] == '-' && digits >= 4) {
		// Two dots: neither an int nor a float, and a timestamp starts
		// with a year and a dash.
		return "!!str"
	}
	return oracleTag(v)
}

// specialPlain are the plain scalars yaml.v3 resolves by table.
var specialPlain = map[string]string{
	"true": "!!bool", "True": "!!bool", "TRUE": "!!bool",
	"false": "!!bool", "False": "!!bool", "FALSE": "!!bool",
	"~": "!!null", "null": "!!null", "Null": "!!null", "NULL": "!!null",
	".nan": "!!float", ".NaN": "!!float", ".NAN": "!!float",
	".inf": "!!float", ".Inf": "!!float", ".INF": "!!float",
	"+.inf": "!!float", "+.Inf": "!!float", "+.INF": "!!float",
	"-.inf": "!!float", "-.Inf": "!!float", "-.INF": "!!float",
}

// oracle caches yaml.v3's answers for short scalars; it stops growing at
// oracleMax entries, so hostile input cannot grow it without bound.
var oracle struct {
	sync.RWMutex
	tags map[string]string
}

const oracleMax = 8192

func oracleTag(v string) string {
	oracle.RLock()
	t, ok := oracle.tags[v]
	oracle.RUnlock()
	if ok {
		return t
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(v), &doc); err != nil || doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		giveUp("a plain scalar yaml.v3 reads otherwise on its own")
	}
	n := doc.Content[0]
	if n.Kind != yaml.ScalarNode || n.Style != 0 || n.Value != v {
		giveUp("a plain scalar yaml.v3 reads otherwise on its own")
	}
	t = n.Tag
	oracle.Lock()
	if oracle.tags == nil {
		oracle.tags = map[string]string{}
	}
	if len(oracle.tags) < oracleMax && len(v) <= 64 {
		oracle.tags[strings.Clone(v)] = t
	}
	oracle.Unlock()
	return t
}
