package render

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const managedDoc = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  labels:\n    app.kubernetes.io/managed-by: meshfleet\n  name: old\n  namespace: shop\n"

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestLayoutRefusesNamesThatLeaveDir(t *testing.T) {
	obj := func(kind, ns, name string) *Resource {
		return &Resource{Object: map[string]any{"kind": kind, "metadata": map[string]any{"name": name, "namespace": ns}}}
	}
	for _, r := range []*Resource{
		obj("Service", "shop", "../../etc/passwd"),
		obj("Service", "shop", "a/b"),
		obj("Service", "shop", ".."),
		obj("Service", "shop", ""),
		obj("Service", "../shop", "cart"),
		obj("Service", "/abs", "cart"),
		obj("Ser/vice", "shop", "cart"),
		obj("", "shop", "cart"),
		obj("Service", "shop", strings.Repeat("a", 254)),
	} {
		files, errs := Layout([]*Resource{r})
		if len(errs) != 1 || files != nil {
			t.Errorf("Layout(%v) = %v, %v; want one error and no files", r.Object, files, errs)
			continue
		}
		if errs[0].Resource != r || errs[0].Path == "" {
			t.Errorf("Layout(%v): error %+v does not name the resource and field", r.Object, errs[0])
		}
	}
}

func TestWriteDirAtomicAndIdempotent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	files := []OutFile{
		{Path: "shop/service-cart.yaml", Data: []byte("kind: Service\n")},
		{Path: "shop/workloadgroup-cart.yaml", Data: []byte("kind: WorkloadGroup\n")},
	}
	written, removed, err := WriteDir(dir, files, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != 2 || len(removed) != 0 {
		t.Fatalf("written %v removed %v, want both files written", written, removed)
	}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if got := readFile(t, p); got != string(f.Data) {
			t.Errorf("%s = %q, want %q", f.Path, got, f.Data)
		}
		st, _ := os.Stat(p)
		if st.Mode().Perm() != 0o644 {
			t.Errorf("%s mode %v, want 0644", f.Path, st.Mode().Perm())
		}
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "shop"))
	if len(entries) != 2 {
		t.Errorf("shop/ holds %d entries, want 2 (a temporary file left behind?)", len(entries))
	}

	// Unchanged bytes are not rewritten: the modification time survives.
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	p := filepath.Join(dir, "shop", "service-cart.yaml")
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	files[1].Data = []byte("kind: WorkloadGroup\nchanged: true\n")
	written, _, err = WriteDir(dir, files, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != 1 || written[0] != "shop/workloadgroup-cart.yaml" {
		t.Errorf("written %v, want only the changed file", written)
	}
	if st, _ := os.Stat(p); !st.ModTime().Equal(old) {
		t.Errorf("unchanged file rewritten: mtime %v, want %v", st.ModTime(), old)
	}
}

func TestWriteDirRefusesEscape(t *testing.T) {
	base := t.TempDir()
	dir, outside := filepath.Join(base, "out"), filepath.Join(base, "outside")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"../outside/x.yaml", "/etc/x.yaml", "shop/../../outside/x.yaml", "", "."} {
		if _, _, err := WriteDir(dir, []OutFile{{Path: p, Data: []byte("x")}}, false); err == nil {
			t.Errorf("WriteDir(%q) succeeded, want a refusal", p)
		}
	}
	// A symbolic link planted in DIR does not carry a write outside it.
	if err := os.Symlink(outside, filepath.Join(dir, "shop")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := WriteDir(dir, []OutFile{{Path: "shop/service-cart.yaml", Data: []byte("x")}}, false); err == nil {
		t.Error("WriteDir through a symlink out of DIR succeeded, want a refusal")
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("files written outside DIR: %v", entries)
	}
}

func TestWriteDirPrune(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "out")
	writeFiles(t, base, map[string]string{
		"outside.yaml": managedDoc,
	})
	writeFiles(t, dir, map[string]string{
		"shop/service-cart.yaml":           "kind: Service\n",
		"shop/serviceaccount-old.yaml":     managedDoc,
		"gone/serviceaccount-old.yml":      managedDoc,
		"shop/foreign.yaml":                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: foreign}\n",
		"shop/mixed.yaml":                  managedDoc + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: mine}\n",
		"shop/other-manager.yaml":          strings.Replace(managedDoc, "managed-by: meshfleet", "managed-by: helm", 1),
		"shop/broken.yaml":                 "kind: [unclosed\n",
		"shop/notes.txt":                   managedDoc,
		".git/objects/serviceaccount.yaml": managedDoc,
		"shop/.hidden.yaml":                managedDoc,
	})
	if err := os.Symlink(filepath.Join(base, "outside.yaml"), filepath.Join(dir, "shop", "link.yaml")); err != nil {
		t.Fatal(err)
	}
	files := []OutFile{{Path: "shop/service-cart.yaml", Data: []byte("kind: Service\n")}}

	// Without prune, nothing but the listed files is touched.
	if _, removed, err := WriteDir(dir, files, false); err != nil || len(removed) != 0 {
		t.Fatalf("WriteDir without prune removed %v (err %v)", removed, err)
	}
	d, err := DiffDir(dir, files)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--- a/gone/serviceaccount-old.yml", "--- a/shop/serviceaccount-old.yaml"} {
		if !bytes.Contains(d, []byte(want)) {
			t.Errorf("DiffDir misses the extra managed file %s:\n%s", want, d)
		}
	}
	for _, not := range []string{"foreign", "mixed", "other-manager", "broken", "notes", ".git", "hidden", "link", "service-cart"} {
		if bytes.Contains(d, []byte(not)) {
			t.Errorf("DiffDir reports %s, which is not a stale managed file:\n%s", not, d)
		}
	}

	_, removed, err := WriteDir(dir, files, true)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"gone/serviceaccount-old.yml", "shop/serviceaccount-old.yaml"}
	if strings.Join(removed, ",") != strings.Join(want, ",") {
		t.Errorf("removed %v, want %v", removed, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "gone")); !os.IsNotExist(err) {
		t.Errorf("emptied directory gone/ kept (err %v)", err)
	}
	for _, keep := range []string{"shop/foreign.yaml", "shop/mixed.yaml", "shop/other-manager.yaml", "shop/broken.yaml", "shop/notes.txt", ".git/objects/serviceaccount.yaml", "shop/.hidden.yaml", "shop/link.yaml", "../outside.yaml"} {
		if _, err := os.Lstat(filepath.Join(dir, keep)); err != nil {
			t.Errorf("prune touched %s: %v", keep, err)
		}
	}
	if d, err := DiffDir(dir, files); err != nil || d != nil {
		t.Errorf("DiffDir after prune = %q, %v; want up to date", d, err)
	}
}

func TestDiffDir(t *testing.T) {
	dir := t.TempDir()
	files := []OutFile{
		{Path: "shop/a.yaml", Data: []byte("a: 1\n")},
		{Path: "shop/b.yaml", Data: []byte("b: 1\n")},
	}
	if _, _, err := WriteDir(dir, files, false); err != nil {
		t.Fatal(err)
	}
	if d, err := DiffDir(dir, files); err != nil || d != nil {
		t.Fatalf("DiffDir on a fresh write = %q, %v; want nil", d, err)
	}
	writeFiles(t, dir, map[string]string{"shop/a.yaml": "a: 2\n"})
	if err := os.Remove(filepath.Join(dir, "shop", "b.yaml")); err != nil {
		t.Fatal(err)
	}
	d, err := DiffDir(dir, files)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--- a/shop/a.yaml\n+++ b/shop/a.yaml\n", "-a: 2\n+a: 1\n", "+++ b/shop/b.yaml\n", "+b: 1\n"} {
		if !bytes.Contains(d, []byte(want)) {
			t.Errorf("diff lacks %q:\n%s", want, d)
		}
	}
	if i, j := bytes.Index(d, []byte("shop/a.yaml")), bytes.Index(d, []byte("shop/b.yaml")); i > j {
		t.Errorf("diff not in path order:\n%s", d)
	}
	// Nothing was written by the check.
	if _, err := os.Stat(filepath.Join(dir, "shop", "b.yaml")); !os.IsNotExist(err) {
		t.Errorf("DiffDir wrote shop/b.yaml")
	}
}

// TestOutNameMatchesRegexp holds the hand-written name checks of Layout to
// the regular expressions they replace, on every string up to six bytes
// over the bytes that decide them.
func TestOutNameMatchesRegexp(t *testing.T) {
	nameRE := regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	kindRE := regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*$`)
	const alphabet = "az09-.A_\n/"
	var walk func(b []byte)
	walk = func(b []byte) {
		s := string(b)
		if got, want := outName(s), nameRE.MatchString(s); got != want {
			t.Fatalf("outName(%q) = %v, the expression says %v", s, got, want)
		}
		if got, want := outKind(s), kindRE.MatchString(s); got != want {
			t.Fatalf("outKind(%q) = %v, the expression says %v", s, got, want)
		}
		if len(b) == 6 {
			return
		}
		for i := 0; i < len(alphabet); i++ {
			walk(append(b, alphabet[i]))
		}
	}
	walk(nil)
	for _, s := range []string{"cart", "a.b-c.d", "-a", "a-", "a..b", ".a", "a.", "a.-b", "a-.b", "Ab", "a_b", "x\x00", "é"} {
		if outName(s) != nameRE.MatchString(s) || outKind(s) != kindRE.MatchString(s) {
			t.Errorf("%q: hand-written checks differ from the expressions", s)
		}
	}
}
