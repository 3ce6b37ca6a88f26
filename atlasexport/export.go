// Package atlasexport writes a golang-migrate folder as an Atlas-format
// migration directory: each up file under its Atlas name, with the down
// files aside and an atlas.sum of its own. Plan computes it; Write writes it.
package atlasexport

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/ferrymigrate/ferry/atlassum"
	"github.com/ferrymigrate/ferry/folder"
	"github.com/ferrymigrate/ferry/refusal"
)

// ErrOutNotEmpty is an export target that already holds something; the
// export writes nothing then.
var ErrOutNotEmpty = errors.New("the output folder is not empty")

// Export is the plan of an Atlas-format migration directory made from a
// golang-migrate folder: the files to write, byte for byte, and their sum.
// Write writes it.
type Export struct {
	Source string `json:"source"` // the golang-migrate folder, as given
	Out    string `json:"out"`    // the directory to create
	// Width is the number of digits of every version in Out: the widest
	// version, so that file name order is numeric order.
	Width int `json:"width"`
	// Files are the migrations, one per up file, in version order.
	Files []File `json:"files"`
	// Downs are the down files, copied to Out/down/ under their own names.
	Downs []File `json:"downs"`
	// Sum is Out/atlas.sum, over Files.
	Sum *atlassum.Sum `json:"-"`
	// Skipped lists versions that have a down file but no up file: there is
	// nothing to run for them, so Out has no file for them (their down files
	// are still copied).
	Skipped []string `json:"skipped,omitempty"`
	// Padded lists the files whose version Out writes with more digits than
	// the golang-migrate file name does (1_a.up.sql -> 01_a.sql). Their
	// revision rows, which ferry convert writes with the version as the
	// file name writes it, would not match Out's names (Atlas compares
	// versions as text): pad the folder itself first (ferry rebase --pad).
	Padded []Rename `json:"padded,omitempty"`
}

// Rename is a file's name in the golang-migrate folder and in the export.
type Rename struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// File is one file of an export.
type File struct {
	Name    string `json:"name"`   // path in the output directory, slash-separated
	Source  string `json:"source"` // file name in the golang-migrate folder
	Version string `json:"version"`
	Data    []byte `json:"-"`
}

// Plan plans an Atlas-format migration directory out from the
// golang-migrate folder fsys (for instance os.DirFS(dirPath); dirPath names it
// in messages). Every up file becomes <version>_<title>.sql (<version>.sql for
// an empty title) with its bytes unchanged, the version zero-padded to the
// widest one; down files go to down/ under their own names; atlas.sum covers
// the top-level *.sql files as Atlas computes it.
//
// It returns a *folder.Refusal when the folder has error findings (duplicates, links
// out of the folder, ...) and one wrapping ErrOutNotEmpty when out exists and
// is not an empty folder. It reads every file into memory, so that the sum
// matches exactly the bytes Write writes.
func Plan(fsys fs.FS, dirPath, out string) (*Export, error) {
	dir, err := folder.ReadClean(fsys, dirPath)
	if err != nil {
		return nil, err
	}
	if err := checkOutEmpty(out); err != nil {
		return nil, err
	}
	x := &Export{Source: dirPath, Out: out, Files: []File{}, Downs: []File{}}
	for _, m := range dir.Migrations {
		if m.Up != nil {
			x.Width = max(x.Width, len(m.Up.VersionText))
		}
	}
	data := map[string][]byte{}
	for _, m := range dir.Migrations {
		if m.Down != nil {
			b, err := dir.ReadFile(*m.Down)
			if err != nil {
				return nil, err
			}
			x.Downs = append(x.Downs, File{Name: "down/" + m.Down.Name, Source: m.Down.Name, Version: m.Down.VersionText, Data: b})
		}
		if m.Up == nil {
			x.Skipped = append(x.Skipped, m.VersionText)
			continue
		}
		b, err := dir.ReadFile(*m.Up)
		if err != nil {
			return nil, err
		}
		name := FileName(m.Version, m.Up.Title, x.Width)
		data[name] = b
		x.Files = append(x.Files, File{Name: name, Source: m.Up.Name, Version: padVersion(m.Version, x.Width), Data: b})
		if padVersion(m.Version, x.Width) != m.Up.VersionText {
			x.Padded = append(x.Padded, Rename{From: m.Up.Name, To: name})
		}
	}
	names := make([]string, 0, len(x.Files))
	for _, f := range x.Files {
		names = append(names, f.Name)
	}
	x.Sum, err = atlassum.ComputeNames(names, func(n string) ([]byte, error) { return data[n], nil })
	if err != nil {
		return nil, err
	}
	return x, nil
}

// FileName is the name of version v with title in an Atlas-format
// directory whose versions have width digits: <version>_<title>.sql, or
// <version>.sql when the title is empty.
func FileName(v uint64, title string, width int) string {
	s := padVersion(v, width)
	if title == "" {
		return s + ".sql"
	}
	return s + "_" + title + ".sql"
}

func padVersion(v uint64, width int) string {
	s := strconv.FormatUint(v, 10)
	if len(s) < width {
		s = strings.Repeat("0", width-len(s)) + s
	}
	return s
}

// checkOutEmpty refuses an output path that exists and is not an empty folder.
func checkOutEmpty(out string) error {
	info, err := os.Stat(out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("output folder %s: %w", out, err)
	case !info.IsDir():
		return &refusal.Refusal{Reason: fmt.Sprintf("%s is a file; the Atlas directory must be a new or empty folder", out), Err: ErrOutNotEmpty}
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		return fmt.Errorf("output folder %s: %w", out, err)
	}
	if len(entries) > 0 {
		return &refusal.Refusal{Reason: fmt.Sprintf("%s is not empty (it holds %s); ferry writes the Atlas directory only into a new or empty folder", out, entries[0].Name()), Next: refusal.Say("choose another --to-dir, or remove " + out), Err: ErrOutNotEmpty}
	}
	return nil
}

// Write writes an export: every file into a temporary folder next to
// x.Out, synced, then renamed to x.Out in one step, so that x.Out either does
// not exist or is complete. It refuses (ErrOutNotEmpty) when x.Out has come
// to hold something since the plan was made. On failure nothing is left
// behind.
func Write(x *Export) (err error) {
	if err := checkOutEmpty(x.Out); err != nil {
		return err
	}
	out := filepath.Clean(x.Out)
	parent := filepath.Dir(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".ferry-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	if len(x.Downs) > 0 {
		if err := os.Mkdir(filepath.Join(tmp, "down"), 0o755); err != nil {
			return fmt.Errorf("write %s: %w", out, err)
		}
	}
	sum, err := x.Sum.MarshalText()
	if err != nil {
		return err
	}
	files := append(append(slices.Clip(x.Files), x.Downs...), File{Name: atlassum.FileName, Data: sum})
	for _, f := range files {
		if err := writeSynced(filepath.Join(tmp, filepath.FromSlash(f.Name)), f.Data); err != nil {
			return fmt.Errorf("write %s: %w", path.Join(out, f.Name), err)
		}
	}
	if len(x.Downs) > 0 {
		if err := syncDir(filepath.Join(tmp, "down")); err != nil {
			return fmt.Errorf("write %s: %w", out, err)
		}
	}
	if err := syncDir(tmp); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	if err := os.Rename(tmp, out); err != nil {
		// An empty folder that was there: rename(2) replaces it on most
		// systems; elsewhere remove it (only if still empty) and try again.
		if rmErr := os.Remove(out); rmErr != nil {
			if cerr := checkOutEmpty(out); cerr != nil {
				return cerr
			}
			return fmt.Errorf("write %s: %w", out, err)
		}
		if err := os.Rename(tmp, out); err != nil {
			return fmt.Errorf("write %s: %w", out, err)
		}
	}
	return syncDir(parent)
}

// writeSynced creates name with data and syncs it.
func writeSynced(name string, data []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes a folder's entries durable, as far as the system allows
// (some cannot sync a folder: that is not an error).
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	_ = d.Sync()
	return d.Close()
}
