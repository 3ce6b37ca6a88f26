// Package gitx runs the git command for ferry: always with argument lists,
// never through a shell, and with paths passed after "--".
package gitx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// ErrNotRepo is a folder outside any git work tree.
var ErrNotRepo = errors.New("not inside a git work tree")

// run runs git in dir and returns its standard output. Paths are literal
// (--literal-pathspecs): a folder named "db[1]" is not a pattern.
func run(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"--literal-pathspecs"}, args...)...)
	cmd.Dir = dir
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errOut.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", fmt.Errorf("git %s: %s", strings.Join(args, " "), msg)
	}
	return out.String(), nil
}

// Root returns the top of the work tree that contains dir.
func Root(ctx context.Context, dir string) (string, error) {
	out, err := run(ctx, dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return "", fmt.Errorf("%s: %w", dir, ErrNotRepo)
	}
	return strings.TrimSpace(out), nil
}

// FilesAt lists the names of the files directly inside dir (a folder of the
// work tree, its top included, given relative or absolute) as they are at
// ref, e.g. "origin/main". The names are base names.
func FilesAt(ctx context.Context, dir, ref string) ([]string, error) {
	root, err := Root(ctx, dir)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	rootReal, _ := filepath.EvalSymlinks(root)
	absReal, _ := filepath.EvalSymlinks(abs)
	rel, err := filepath.Rel(rootReal, absReal)
	if err != nil {
		return nil, err
	}
	if _, err := run(ctx, root, "rev-parse", "--verify", "--quiet", ref+"^{commit}"); err != nil {
		return nil, fmt.Errorf("git base %q is not a commit here (fetch it first, e.g. git fetch origin main)", ref)
	}
	args := []string{"ls-tree", "-z", "--name-only", ref}
	prefix := filepath.ToSlash(rel)
	if prefix == "." {
		prefix = "" // the top of the work tree: ls-tree lists it without a path (an empty path is an error)
	} else {
		prefix += "/" // the trailing slash lists the folder's entries, not the folder
		args = append(args, "--", prefix)
	}
	out, err := run(ctx, root, args...)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, p := range strings.Split(out, "\x00") {
		if p == "" {
			continue
		}
		name := strings.TrimPrefix(p, prefix)
		if !strings.Contains(name, "/") {
			names = append(names, name)
		}
	}
	return names, nil
}

// Move renames a file inside the work tree with git mv.
func Move(ctx context.Context, dir, from, to string) error {
	_, err := run(ctx, dir, "mv", "--", from, to)
	return err
}

// Tracked reports whether a file in dir is tracked by git.
func Tracked(ctx context.Context, dir, name string) bool {
	_, err := run(ctx, dir, "ls-files", "--error-unmatch", "--", name)
	return err == nil
}

// TrackedFiles returns which of the named files in dir git tracks.
func TrackedFiles(ctx context.Context, dir string, names []string) (map[string]bool, error) {
	out, err := run(ctx, dir, append([]string{"ls-files", "-z", "--"}, names...)...)
	if err != nil {
		return nil, err
	}
	tracked := map[string]bool{}
	for _, n := range strings.Split(out, "\x00") {
		if n != "" {
			tracked[n] = true
		}
	}
	return tracked, nil
}

// MoveInto moves files of the work tree into the folder dest with one git mv
// (dest "." is dir itself). Names and dest are relative to dir.
func MoveInto(ctx context.Context, dir, dest string, names ...string) error {
	_, err := run(ctx, dir, append(append([]string{"mv", "--"}, names...), dest)...)
	return err
}

// InWorkTree reports whether dir is inside a git work tree (false when git
// is not installed).
func InWorkTree(ctx context.Context, dir string) bool {
	_, err := Root(ctx, dir)
	return err == nil
}
