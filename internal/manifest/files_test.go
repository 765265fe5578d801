package manifest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadFileLimit: ReadFile returns a file whole up to the byte limit,
// and names the limit past it, whatever the file's size against the
// buffer it starts with.
func TestReadFileLimit(t *testing.T) {
	dir := t.TempDir()
	lim := Limits{MaxBytes: 4096, MaxDepth: 10, MaxAliasNodes: 10}
	for _, n := range []int{0, 1, 511, 512, 513, 4095, 4096, 4097, 10000} {
		data := bytes.Repeat([]byte("x"), n)
		p := filepath.Join(dir, "f.yaml")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := ReadFile(dir, p, lim)
		if n > lim.MaxBytes {
			if err == nil || !strings.Contains(err.Error(), "input larger than 4096 bytes") {
				t.Errorf("%d bytes: err = %v, want the limit named", n, err)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("%d bytes: got %d bytes, err %v", n, len(got), err)
		}
	}
}
