package lint

import (
	"bytes"
	"strings"

	"github.com/meshfleet/meshfleet/lint/finding"
)

// ignoreMarker starts a suppression comment: `# meshfleet:ignore MF301 why`
// on a finding's line or the line above.
const ignoreMarker = "meshfleet:ignore"

// suppressor decides which findings are dropped: disabled rules (flag and
// config), resource annotations, and comments in the files.
type suppressor struct {
	data     map[string][]byte
	disabled map[string]bool
	// comments caches each file's ignore comments: line → rule IDs.
	comments map[string]map[int][]string
}

func newSuppressor(data map[string][]byte, cfg *Config, disable []string) *suppressor {
	s := &suppressor{data: data, disabled: map[string]bool{}, comments: map[string]map[int][]string{}}
	for _, l := range [][]string{cfg.Disable, disable} {
		for _, id := range l {
			for _, x := range splitIDs(id) {
				s.disabled[x] = true
			}
		}
	}
	return s
}

func (s *suppressor) resourceIgnores(r *resource, rule string) bool {
	for _, id := range r.ignore {
		if id == rule {
			return true
		}
	}
	return false
}

// drop reports whether f is suppressed. MF100 never is: an unreadable
// input means the lint is incomplete, and hiding that would hide findings.
func (s *suppressor) drop(f finding.Finding) bool {
	if f.Rule == RuleUnreadable.ID {
		return false
	}
	if s.disabled[f.Rule] {
		return true
	}
	if f.Line == 0 {
		return false
	}
	c := s.fileComments(f.File)
	for _, line := range []int{f.Line, f.Line - 1} {
		for _, id := range c[line] {
			if id == f.Rule {
				return true
			}
		}
	}
	return false
}

func (s *suppressor) fileComments(file string) map[int][]string {
	if c, ok := s.comments[file]; ok {
		return c
	}
	c := parseIgnoreComments(s.data[file])
	s.comments[file] = c
	return c
}

// parseIgnoreComments finds `meshfleet:ignore ID[,ID...] [reason]` comments.
// IDs may also be separated by ", "; the reason is free text.
func parseIgnoreComments(data []byte) map[int][]string {
	if !bytes.Contains(data, []byte(ignoreMarker)) {
		return nil
	}
	out := map[int][]string{}
	for i, line := range bytes.Split(data, []byte("\n")) {
		j := bytes.Index(line, []byte(ignoreMarker))
		if j < 0 || !bytes.Contains(line[:j], []byte("#")) {
			continue
		}
		var ids []string
		for _, field := range strings.Fields(string(line[j+len(ignoreMarker):])) {
			ids = append(ids, splitIDs(field)...)
			if !strings.HasSuffix(field, ",") {
				break
			}
		}
		out[i+1] = ids
	}
	return out
}
