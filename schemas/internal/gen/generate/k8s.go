package generate

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/ast/astutil"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/parser"
)

// CueGetGo regenerates dir/cue/cue.mod/gen from k8s.io/api's Go types with
// `cue get go` at CUEVersion, then repairs embedded structs. It needs the
// module proxy (or a warm module cache) and builds the cue command, so it
// is not part of All.
func CueGetGo(dir string) error {
	cueDir := filepath.Join(dir, "cue")
	if err := os.RemoveAll(filepath.Join(cueDir, "cue.mod", "gen")); err != nil {
		return err
	}
	seen := map[string]bool{}
	args := []string{"run", "cuelang.org/go/cmd/cue@" + CUEVersion, "get", "go"}
	for _, k := range CoreKinds {
		if !seen[k.Package] {
			seen[k.Package] = true
			args = append(args, k.Package)
		}
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = cueDir
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("cue get go: %w", err)
	}
	return filepath.WalkDir(filepath.Join(cueDir, "cue.mod", "gen"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".cue") {
			return err
		}
		return fixEmbeds(p)
	})
}

// fixEmbeds turns the fields `cue get go` writes for Go embedded structs
// into CUE embeddings. k8s.io/api tags embedded structs `json:""` rather than
// `json:",inline"`; encoding/json inlines both, but cue get go recognises only
// the inline flag and emits a field named after the Go type (TypeMeta:
// metav1.#TypeMeta), which would demand a "TypeMeta" key in every object.
// No Kubernetes JSON field name starts with an upper-case letter, so a
// field so named whose value is the definition of the same name is always
// such an embedding.
func fixEmbeds(file string) error {
	src, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	f, err := parser.ParseFile(file, src, parser.ParseComments)
	if err != nil {
		return err
	}
	changed := false
	astutil.Apply(f, func(c astutil.Cursor) bool {
		field, ok := c.Node().(*ast.Field)
		if !ok {
			return true
		}
		id, ok := field.Label.(*ast.Ident)
		if !ok || id.Name == "" || id.Name[0] < 'A' || id.Name[0] > 'Z' {
			return true
		}
		var ref string
		switch v := field.Value.(type) {
		case *ast.Ident:
			ref = v.Name
		case *ast.SelectorExpr:
			if sel, ok := v.Sel.(*ast.Ident); ok {
				ref = sel.Name
			}
		}
		if ref != "#"+id.Name {
			return true
		}
		emb := &ast.EmbedDecl{Expr: field.Value}
		ast.SetComments(emb, ast.Comments(field))
		c.Replace(emb)
		changed = true
		return false
	}, nil)
	if !changed {
		return nil
	}
	out, err := format.Node(f)
	if err != nil {
		return err
	}
	return os.WriteFile(file, out, 0o644)
}
