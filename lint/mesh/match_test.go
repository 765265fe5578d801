package mesh

import "testing"

// TestPathMatches pins Istio's AuthorizationPolicy path forms: exact,
// prefix, suffix, "*", and the {*} / {**} templates on whole segments.
func TestPathMatches(t *testing.T) {
	md := &Model{regexps: map[string]compiled{}}
	for _, c := range []struct {
		pattern, path string
		want          bool
	}{
		{"/api", "/api", true},
		{"/api", "/api/", false},
		{"/api/*", "/api/v1/x", true},
		{"*.css", "/a/b.css", true},
		{"*", "/anything", true},
		{"/api/{*}/items", "/api/v1/items", true},
		{"/api/{*}/items", "/api//items", false},
		{"/api/{*}/items", "/api/v1/v2/items", false},
		{"/files/{**}", "/files/a/b/c", true},
		{"/files/{**}/raw", "/files/a/b/raw", true},
		{"/a.b/{*}", "/aXb/c", false},
	} {
		if got := md.pathMatches(c.pattern, c.path); got != c.want {
			t.Errorf("pathMatches(%q, %q) = %v, want %v", c.pattern, c.path, got, c.want)
		}
	}
}

// TestStringMatch pins VirtualService StringMatch: exact, prefix, RE2
// regex as a full match, presence for an empty match, absent never.
func TestStringMatch(t *testing.T) {
	md := &Model{regexps: map[string]compiled{}}
	for _, c := range []struct {
		sm      map[string]any
		v       string
		present bool
		want    bool
	}{
		{map[string]any{"exact": "a"}, "a", true, true},
		{map[string]any{"exact": "a"}, "A", true, false},
		{map[string]any{"prefix": "/a"}, "/ab", true, true},
		{map[string]any{"regex": "v[0-9]"}, "v1", true, true},
		{map[string]any{"regex": "v[0-9]"}, "xv1", true, false},
		{map[string]any{"regex": "("}, "(", true, false},
		{map[string]any{}, "", true, true},
		{map[string]any{}, "", false, false},
	} {
		if got, _ := md.stringMatch(c.sm, c.v, c.present, false); got != c.want {
			t.Errorf("stringMatch(%v, %q, %v) = %v, want %v", c.sm, c.v, c.present, got, c.want)
		}
	}
}

// TestTri pins the three-valued logic authorization combines rules with.
func TestTri(t *testing.T) {
	if and(yes, unknown) != unknown || and(no, unknown) != no || or(no, unknown) != unknown || or(yes, unknown) != yes {
		t.Error("three-valued and/or")
	}
}
