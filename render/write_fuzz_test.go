package render

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLayout gives -o hostile kinds, names and namespaces (as a
// kustomization's objects may carry) and holds WriteDir to its promise:
// either Layout refuses the object, or every file lands inside the output
// directory, under the name Layout chose, and nothing else is created.
func FuzzLayout(f *testing.F) {
	for _, s := range [][3]string{
		{"Service", "cart", "shop"},
		{"Service", "../../etc/passwd", "shop"},
		{"Service", "a", ".."},
		{"../x", "a", "b"},
		{"Service", strings.Repeat("a", 260), "shop"},
		{"Service", "a/b", "c\\d"},
		{"Service", "con", "nul"},
		{"Service", "a\x00b", "shop"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, kind, name, ns string) {
		obj := map[string]any{"apiVersion": "v1", "kind": kind, "metadata": map[string]any{"name": name, "namespace": ns}}
		files, errs := Layout([]*Resource{{Object: obj}})
		if len(errs) > 0 {
			return
		}
		parent := t.TempDir()
		out := filepath.Join(parent, "out")
		written, _, err := WriteDir(out, files, true)
		if err != nil {
			// Refused before writing: nothing may exist.
			if _, serr := os.Stat(out); serr == nil {
				entries, _ := os.ReadDir(out)
				if len(entries) > 0 {
					t.Fatalf("WriteDir failed (%v) after writing %d entries", err, len(entries))
				}
			}
			return
		}
		if len(written) != 1 || written[0] != files[0].Path {
			t.Fatalf("written %v, want %s", written, files[0].Path)
		}
		var found []string
		filepath.WalkDir(parent, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				found = append(found, p)
			}
			return nil
		})
		if len(found) != 1 || found[0] != filepath.Join(out, filepath.FromSlash(files[0].Path)) {
			t.Fatalf("files on disk %v, want only %s under %s", found, files[0].Path, out)
		}
	})
}
