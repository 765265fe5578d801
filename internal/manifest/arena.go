package manifest

import "gopkg.in/yaml.v3"

// Arena lends the fast front end the memory of its node trees for a caller
// that reads many files one after another and drops every node of one
// before parsing the next: lint reads a file, converts its documents to
// plain values and needs the nodes no more. Without it each file's nodes
// are new garbage, a quarter of what linting 11,000 resources allocates
// (issue 11); with it the same slabs serve every file a worker reads.
//
// Reset hands the memory back: every node and content slice of the
// parses since the last Reset is zeroed and lent again, so the caller must
// keep none of them (nor any Document of those parses). A caller that
// keeps some calls Drop instead. Parses that fall back to yaml.v3 allocate
// as Parse does. An Arena is not safe for concurrent use.
type Arena struct {
	nodes slabs[yaml.Node]
	refs  slabs[*yaml.Node]
}

// arenaSlab is the size of each slab, in elements; arenaKeep is how many
// slabs Reset keeps for reuse (about 10 MB of nodes). A file that needed
// more (a huge or hostile one) does not leave its worker holding that
// memory for the rest of the run: the slabs beyond are dropped.
const (
	arenaSlab = 4096
	arenaKeep = 16
)

// slabs is a list of equal slabs lent out in order: slab i, up to cur.
type slabs[T any] struct {
	list [][]T
	i    int // the slab being lent
	cur  int // how much of it is lent
}

// take lends n consecutive elements (n > arenaSlab gets a slab of its own,
// which is not kept).
func (s *slabs[T]) take(n int) []T {
	if n > arenaSlab {
		return make([]T, n)
	}
	if len(s.list) == 0 {
		s.list = append(s.list, make([]T, arenaSlab))
	}
	if s.cur+n > arenaSlab {
		s.i++
		s.cur = 0
		if s.i == len(s.list) {
			s.list = append(s.list, make([]T, arenaSlab))
		}
	}
	out := s.list[s.i][s.cur : s.cur+n : s.cur+n]
	s.cur += n
	return out
}

// reset zeroes what was lent, so it holds no pointer into old documents
// and is lent again as new.
func (s *slabs[T]) reset() {
	for j := 0; j < s.i && j < len(s.list); j++ {
		clear(s.list[j])
	}
	if s.i < len(s.list) {
		clear(s.list[s.i][:s.cur])
	}
	if len(s.list) > arenaKeep {
		clear(s.list[arenaKeep:])
		s.list = s.list[:arenaKeep]
	}
	s.i, s.cur = 0, 0
}

func (a *Arena) node() *yaml.Node { return &a.nodes.take(1)[0] }

func (a *Arena) ptrs(n int) []*yaml.Node { return a.refs.take(n) }

// Reset makes everything lent since the last Reset available again.
func (a *Arena) Reset() {
	a.nodes.reset()
	a.refs.reset()
}

// Drop forgets everything lent, leaving it to its keepers and the garbage
// collector; the Arena starts again with new slabs.
func (a *Arena) Drop() { *a = Arena{} }
