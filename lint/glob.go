package lint

import (
	"path"
	"regexp"
	"strings"
)

// globRE compiles an --exclude pattern: '*' and '?' stay within one path
// segment, '**' spans segments, so "charts/**" and "**/legacy/*.yaml" work
// as users expect from .gitignore-like tools.
func globRE(pattern string) (*regexp.Regexp, error) {
	pattern = strings.TrimPrefix(path.Clean(strings.ReplaceAll(pattern, "\\", "/")), "./")
	// "dir/**" is "dir" and everything below it, which the suffix below adds.
	if p, ok := strings.CutSuffix(pattern, "/**"); ok && p != "" {
		pattern = p
	}
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '*' && i+1 < len(pattern) && pattern[i+1] == '*':
			i++
			if i+1 < len(pattern) && pattern[i+1] == '/' {
				i++
				b.WriteString("(?:.*/)?")
			} else {
				b.WriteString(".*")
			}
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	// A pattern naming a directory excludes everything below it.
	b.WriteString("(?:/.*)?$")
	return regexp.Compile(b.String())
}

type excluder []*regexp.Regexp

func newExcluder(patterns []string) (excluder, error) {
	var ex excluder
	for _, p := range patterns {
		re, err := globRE(p)
		if err != nil {
			return nil, err
		}
		ex = append(ex, re)
	}
	return ex, nil
}

// match reports whether the slash path p is excluded.
func (ex excluder) match(p string) bool {
	p = strings.TrimPrefix(path.Clean(strings.ReplaceAll(p, "\\", "/")), "./")
	for _, re := range ex {
		if re.MatchString(p) {
			return true
		}
	}
	return false
}
