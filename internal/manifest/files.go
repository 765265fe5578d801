package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Skipped is returned by ReadFile for a file a run must not read but that
// is no error of the input: a symbolic link leading out of the tree being
// read, or a device, FIFO or socket met while walking it. Callers report it
// as a notice and go on.
type Skipped struct {
	File   string
	Reason string
}

func (s *Skipped) Error() string { return s.File + ": skipped: " + s.Reason }

// ReadFile is the one way meshfleet reads a file of repository content.
// It reads only regular files, never more than lim.MaxBytes, and when root
// is set (the directory a walk started from) never through a symbolic link
// that resolves outside root: a committed link to /etc/passwd, a secret
// elsewhere on the CI runner or /dev/zero is not followed. A FIFO or device
// is refused before it is opened, so it cannot block or stream forever.
//
// Paths the operator names on the command line are read with root "": the
// operator may point at a link, but it must still end at a regular file.
// Errors are *Error (unreadable input) or *Skipped (see there).
func ReadFile(root, path string, lim Limits) ([]byte, error) {
	real, err := Confine(root, path)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(real)
	if err != nil {
		return nil, &Error{File: path, Msg: pathErrText(err)}
	}
	if !st.Mode().IsRegular() {
		return nil, notRegular(root, path, st.Mode())
	}
	f, err := os.Open(real)
	if err != nil {
		return nil, &Error{File: path, Msg: pathErrText(err)}
	}
	defer f.Close()
	// The file may have been swapped between Stat and Open: check what
	// was opened.
	st, err = f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return nil, &Error{File: path, Msg: "not a regular file"}
	}
	return readAll(path, f, lim, st.Size())
}

// Confine returns the path to open for path: path itself when it is no
// symbolic link, else its target, which must lie within root when root is
// set.
func Confine(root, path string) (string, error) {
	st, err := os.Lstat(path)
	if err != nil {
		return "", &Error{File: path, Msg: pathErrText(err)}
	}
	if st.Mode()&fs.ModeSymlink == 0 {
		return path, nil
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		if root != "" {
			// Dangling, or through /proc (/dev/stdin): nothing to read.
			return "", &Skipped{File: path, Reason: "a symbolic link that leads to no file is not followed"}
		}
		return "", &Error{File: path, Msg: pathErrText(err)}
	}
	if root == "" {
		return target, nil
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", &Error{File: path, Msg: pathErrText(err)}
	}
	if !Within(realRoot, target) {
		return "", &Skipped{File: path, Reason: fmt.Sprintf("a symbolic link leading out of %s is not followed", root)}
	}
	return target, nil
}

func notRegular(root, path string, mode fs.FileMode) error {
	what := "not a regular file"
	switch {
	case mode.IsDir():
		what = "a directory"
	case mode&fs.ModeNamedPipe != 0:
		what = "a FIFO"
	case mode&fs.ModeSocket != 0:
		what = "a socket"
	case mode&fs.ModeDevice != 0:
		what = "a device"
	}
	if root != "" {
		return &Skipped{File: path, Reason: what + " is never read"}
	}
	return &Error{File: path, Msg: what + ", not a regular file: meshfleet reads only regular files"}
}

// Within reports whether path is dir or lies below it. Both must be clean
// and of the same kind (absolute or relative, symbolic links resolved).
func Within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	if err != nil {
		return false
	}
	return rel == "." || rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// RepoRoot returns the nearest directory at or above dir holding .git (a
// directory, or a file as in worktrees and submodules), found without
// running git; "" when there is none.
func RepoRoot(dir string) string {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func pathErrText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Boundary is the tree a build from dir may read: the repository holding
// dir (the nearest folder upward with .git); outside any repository, the
// repository Argo CD streamed to a config management plugin (the working
// directory less $ARGOCD_APP_SOURCE_PATH, which the host sets: the sidecar
// gets the repository without .git), else the working directory when dir
// lies within it, else dir itself. Symbolic links are resolved, so Within
// compares like with like.
func Boundary(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	b := RepoRoot(abs)
	if b == "" {
		b = abs
		if wd, err := os.Getwd(); err == nil {
			if src := filepath.Clean(os.Getenv("ARGOCD_APP_SOURCE_PATH")); src != "." && !filepath.IsAbs(src) && !strings.HasPrefix(src, "..") && strings.HasSuffix(wd, string(filepath.Separator)+src) {
				wd = strings.TrimSuffix(wd, string(filepath.Separator)+src)
			}
			if Within(wd, abs) {
				b = wd
			}
		}
	}
	return filepath.EvalSymlinks(b)
}

// ReadFileIn reads path as ReadFile does, and also refuses it unless the
// whole path, every symbolic link of every element resolved, lies within
// boundary (a result of Boundary). It is for paths that repository content
// names (a kustomization's resources and bases), which may climb out with
// "..", a link to a directory or an absolute path; a directory walk, which
// follows no directory link, needs only ReadFile's check of the file.
func ReadFileIn(boundary, path string, lim Limits) ([]byte, error) {
	if err := CheckWithin(boundary, path); err != nil {
		return nil, err
	}
	return ReadFile("", path, lim)
}

// CheckWithin returns an *Error unless path resolves within boundary.
func CheckWithin(boundary, path string) error {
	real, err := filepath.Abs(path)
	if err == nil {
		real, err = filepath.EvalSymlinks(real)
	}
	if err != nil {
		return &Error{File: path, Msg: pathErrText(err)}
	}
	if !Within(boundary, real) {
		return &Error{File: path, Msg: fmt.Sprintf("outside %s, the tree meshfleet reads: not read", boundary)}
	}
	return nil
}
