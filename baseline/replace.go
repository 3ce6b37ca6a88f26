package baseline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/ferrymigrate/ferry/atlassum"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/internal/gitx"
	"github.com/ferrymigrate/ferry/refusal"
)

// WriteOut writes the baseline to path atomically (a temporary file in the
// same folder, synced, then renamed). It refuses to write a migration file
// name into the migration folder itself, where golang-migrate would see two
// files for one version: Replace does that properly.
func WriteOut(path string, b *Baseline) error {
	if _, status := compat.ParseName(filepath.Base(path)); status != compat.NotMigration && sameDir(filepath.Dir(path), b.Dir) {
		return &refusal.Refusal{Reason: fmt.Sprintf("%s would be a second migration file in %s, which golang-migrate runs as a migration of its own", path, b.Dir), Next: refusal.Say("write it elsewhere, or use --replace to put the baseline in place of the files it replaces")}
	}
	return writeAtomic(path, b.Content)
}

func sameDir(a, b string) bool {
	ia, err1 := os.Stat(a)
	ib, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(ia, ib)
}

func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// ---- replacing the files in the folder ----

// BaselineFileName is the name of the baseline of version versionText in the
// folder after Replace.
func BaselineFileName(versionText string) string { return versionText + "_baseline.up.sql" }

func planReplace(ctx context.Context, fsys fs.FS, dirPath string, dir *compat.Directory, b *Baseline) (*ReplacePlan, error) {
	if info, err := fs.Stat(fsys, ArchiveDir); err == nil && !info.IsDir() {
		return nil, &refusal.Refusal{Reason: fmt.Sprintf("%s is a file; the replaced migrations go to the folder %s", filepath.Join(dirPath, ArchiveDir), ArchiveDir)}
	}
	p := &ReplacePlan{File: BaselineFileName(b.VersionText), Moves: []Move{}}
	moved := map[string]bool{}
	for _, m := range dir.Migrations {
		if m.Version > b.Version {
			break
		}
		for _, f := range []*compat.File{m.Up, m.Down} {
			if f == nil {
				continue
			}
			to := ArchiveDir + "/" + f.Name
			if _, err := fs.Stat(fsys, to); err == nil {
				return nil, &refusal.Refusal{Reason: fmt.Sprintf("%s already exists; ferry will not overwrite an archived migration", filepath.Join(dirPath, filepath.FromSlash(to)))}
			}
			p.Moves = append(p.Moves, Move{From: f.Name, To: to})
			moved[f.Name] = true
		}
	}
	if _, err := fs.Stat(fsys, p.File); err == nil && !moved[p.File] {
		return nil, &refusal.Refusal{Reason: fmt.Sprintf("%s already exists", filepath.Join(dirPath, p.File))}
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read migration folder: %w", err)
	}
	names := []string{p.File}
	for _, e := range entries {
		if !e.IsDir() && atlassum.Covered(e.Name()) && !moved[e.Name()] && e.Name() != p.File {
			names = append(names, e.Name())
		}
	}
	p.Sum, err = atlassum.ComputeNames(names, func(n string) ([]byte, error) {
		if n == p.File {
			return b.Content, nil
		}
		return fs.ReadFile(fsys, n)
	})
	if err != nil {
		return nil, err
	}
	p.Git = gitx.InWorkTree(ctx, dirPath)
	return p, nil
}

// Replace puts a baseline made with Options.Replace in place in the folder
// b.Dir: the files of the versions up to V, up and down, move to ArchiveDir
// (with git mv when they are tracked in a git work tree), the baseline
// becomes V's up file (ReplacePlan.File) and atlas.sum is rewritten.
// Databases at V or later keep working with golang-migrate: V is still
// there. It refuses (*refusal.Refusal) when the folder changed since the plan. When
// moving fails, the files moved so far are moved back.
func Replace(ctx context.Context, b *Baseline) (err error) {
	p := b.Replace
	if p == nil {
		return errors.New("the baseline was made without Options.Replace")
	}
	fsys := os.DirFS(b.Dir)
	now, err := atlassum.Compute(fsys, ".")
	if err != nil {
		return err
	}
	if now.Total != b.sumBefore {
		return &refusal.Refusal{Reason: fmt.Sprintf("the up files of %s changed since the baseline was made", b.Dir), Next: refusal.Say("run ferry baseline again")}
	}
	for _, mv := range p.Moves {
		if _, err := os.Lstat(filepath.Join(b.Dir, mv.From)); err != nil {
			return &refusal.Refusal{Reason: fmt.Sprintf("%s is gone since the baseline was made", mv.From), Next: refusal.Say("run ferry baseline again")}
		}
		if _, err := os.Lstat(filepath.Join(b.Dir, filepath.FromSlash(mv.To))); err == nil {
			return &refusal.Refusal{Reason: fmt.Sprintf("%s already exists; ferry will not overwrite an archived migration", filepath.Join(b.Dir, filepath.FromSlash(mv.To)))}
		}
	}
	tmp, err := os.CreateTemp(b.Dir, ".ferry-baseline-*")
	if err != nil {
		return fmt.Errorf("write the baseline: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	_, err = tmp.Write(b.Content)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err != nil {
		return fmt.Errorf("write the baseline: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(b.Dir, ArchiveDir), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Join(b.Dir, ArchiveDir), err)
	}
	undo, err := moveAll(ctx, b.Dir, p.Moves, p.Git)
	if err == nil {
		target := filepath.Join(b.Dir, p.File)
		if _, statErr := os.Lstat(target); statErr == nil {
			err = fmt.Errorf("%s appeared while replacing", target)
		} else {
			err = os.Rename(tmp.Name(), target)
		}
	}
	if err != nil {
		if uerr := undo(); uerr != nil {
			return fmt.Errorf("replace the files of %s: %w; moving them back failed too: %v (see %s)", b.Dir, err, uerr, filepath.Join(b.Dir, ArchiveDir))
		}
		return fmt.Errorf("replace the files of %s (moved back): %w", b.Dir, err)
	}
	sum, err := atlassum.Compute(fsys, ".")
	if err == nil {
		_, err = atlassum.WriteFile(b.Dir, sum)
	}
	if err != nil {
		return fmt.Errorf("the files are replaced, but %s is stale (run ferry hash --path %s): %w", atlassum.FileName, b.Dir, err)
	}
	return nil
}

// moveAll moves files within dir, tracked ones with one git mv when git is
// set, and returns a function that moves them back.
func moveAll(ctx context.Context, dir string, moves []Move, git bool) (undo func() error, err error) {
	var tracked map[string]bool
	if git {
		from := make([]string, len(moves))
		for i, mv := range moves {
			from[i] = mv.From
		}
		if tracked, err = gitx.TrackedFiles(ctx, dir, from); err != nil {
			return func() error { return nil }, err
		}
	}
	var gitDone []Move
	var plainDone []Move
	undo = func() error {
		var errs []error
		for i := len(plainDone) - 1; i >= 0; i-- {
			mv := plainDone[i]
			errs = append(errs, os.Rename(filepath.Join(dir, filepath.FromSlash(mv.To)), filepath.Join(dir, mv.From)))
		}
		if len(gitDone) > 0 {
			var to []string
			for _, mv := range gitDone {
				to = append(to, mv.To)
			}
			errs = append(errs, gitx.MoveInto(context.WithoutCancel(ctx), dir, ".", to...))
		}
		return errors.Join(errs...)
	}
	var viaGit []Move
	for _, mv := range moves {
		if tracked[mv.From] {
			viaGit = append(viaGit, mv)
			continue
		}
		if err := os.Rename(filepath.Join(dir, mv.From), filepath.Join(dir, filepath.FromSlash(mv.To))); err != nil {
			return undo, err
		}
		plainDone = append(plainDone, mv)
	}
	if len(viaGit) > 0 {
		// Every move goes into ArchiveDir: one git mv for all of them.
		var from []string
		for _, mv := range viaGit {
			from = append(from, mv.From)
		}
		if err := gitx.MoveInto(ctx, dir, ArchiveDir+"/", from...); err != nil {
			return undo, err
		}
		gitDone = viaGit
	}
	return undo, nil
}
