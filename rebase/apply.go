package rebase

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/ferrymigrate/ferry/atlassum"
	"github.com/ferrymigrate/ferry/internal/gitx"
)

// Result is what Apply did.
type Result struct {
	// Renamed counts the files renamed.
	Renamed int `json:"renamed"`
	// Git is true when the renames went through git mv (staged renames).
	Git bool `json:"git"`
	// SumWritten is true when atlas.sum was written (it changed).
	SumWritten bool `json:"sum_written"`
}

// ErrStale is a folder that changed since its plan was made.
var ErrStale = errors.New("the migration folder changed since the plan was made")

// Apply carries out p in the folder dirPath: every rename (with git mv for
// files git tracks, os.Rename otherwise), then atlas.sum, written atomically.
// It is all or nothing: when a rename or the sum fails, the renames done are
// undone before the error returns. It refuses (ErrStale) when a file to
// rename is gone, a new name has appeared, or the renamed folder does not
// hash to the plan's sum.
func Apply(ctx context.Context, dirPath string, p *Plan) (*Result, error) {
	res := &Result{}
	renames := p.Renames()
	for _, r := range renames {
		if _, err := os.Lstat(filepath.Join(dirPath, r.From)); err != nil {
			return nil, fmt.Errorf("rename %s: %w (%v)", r.From, ErrStale, err)
		}
		if _, err := os.Lstat(filepath.Join(dirPath, r.To)); err == nil {
			return nil, fmt.Errorf("rename %s to %s: %w (%s exists)", r.From, r.To, ErrStale, r.To)
		}
	}
	_, gitErr := gitx.Root(ctx, dirPath)
	inGit := gitErr == nil && len(renames) > 0
	var done []func(context.Context) error
	undo := func(cause error) error {
		ctx := context.WithoutCancel(ctx)
		var failed []error
		for _, back := range slices.Backward(done) {
			if err := back(ctx); err != nil {
				failed = append(failed, err)
			}
		}
		if len(failed) > 0 {
			return fmt.Errorf("%w; undoing the renames failed too, fix the folder by hand: %w", cause, errors.Join(failed...))
		}
		return fmt.Errorf("%w (the renames done were undone)", cause)
	}
	for _, r := range renames {
		if inGit && gitx.Tracked(ctx, dirPath, r.From) {
			if err := gitx.Move(ctx, dirPath, r.From, r.To); err != nil {
				return nil, undo(fmt.Errorf("rename %s to %s: %w", r.From, r.To, err))
			}
			res.Git = true
			done = append(done, func(ctx context.Context) error { return gitx.Move(ctx, dirPath, r.To, r.From) })
		} else {
			from, to := filepath.Join(dirPath, r.From), filepath.Join(dirPath, r.To)
			if err := os.Rename(from, to); err != nil {
				return nil, undo(fmt.Errorf("rename %s to %s: %w", r.From, r.To, err))
			}
			done = append(done, func(context.Context) error { return os.Rename(to, from) })
		}
		res.Renamed++
	}
	if p.Sum == nil {
		return res, nil
	}
	now, err := atlassum.Compute(os.DirFS(dirPath), ".")
	if err != nil {
		return nil, undo(err)
	}
	want, _ := p.Sum.MarshalText()
	got, _ := now.MarshalText()
	if !bytes.Equal(want, got) {
		return nil, undo(fmt.Errorf("%s: %w (the renamed files do not hash to the planned sum); run ferry rebase again", atlassum.FileName, ErrStale))
	}
	if res.SumWritten, err = atlassum.WriteFile(dirPath, p.Sum); err != nil {
		return nil, undo(err)
	}
	return res, nil
}

// renamedFS shows a folder as it will be after renames (old name -> new
// name): enough of fs.FS for compat.ReadDir and atlassum.Compute.
type renamedFS struct {
	fsys  fs.FS
	toOld map[string]string // new name -> old name
	moved map[string]string // old name -> new name
}

func invert(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[v] = k
	}
	return out
}

func (r renamedFS) name(name string) (string, error) {
	if old, ok := r.toOld[name]; ok {
		return old, nil
	}
	if _, ok := r.moved[name]; ok {
		return "", &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return name, nil
}

func (r renamedFS) Open(name string) (fs.File, error) {
	old, err := r.name(name)
	if err != nil {
		return nil, err
	}
	return r.fsys.Open(old)
}

func (r renamedFS) ReadFile(name string) ([]byte, error) {
	old, err := r.name(name)
	if err != nil {
		return nil, err
	}
	return fs.ReadFile(r.fsys, old)
}

func (r renamedFS) Stat(name string) (fs.FileInfo, error) {
	old, err := r.name(name)
	if err != nil {
		return nil, err
	}
	return fs.Stat(r.fsys, old)
}

func (r renamedFS) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(r.fsys, name)
	if err != nil || name != "." {
		return entries, err
	}
	out := make([]fs.DirEntry, len(entries))
	for i, e := range entries {
		if to, ok := r.moved[e.Name()]; ok && !e.IsDir() {
			e = renamedEntry{e, to}
		}
		out[i] = e
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int {
		switch {
		case a.Name() < b.Name():
			return -1
		case a.Name() > b.Name():
			return 1
		}
		return 0
	})
	return out, nil
}

type renamedEntry struct {
	fs.DirEntry
	name string
}

func (e renamedEntry) Name() string { return e.name }
