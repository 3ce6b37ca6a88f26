package baseline

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/refusal"
)

// AtlasCovered reports whether Atlas's sum covers a file name in an
// Atlas-format directory: every *.sql file at the top level.
func AtlasCovered(name string) bool { return strings.HasSuffix(name, ".sql") }

// ComputeSumFunc is ComputeSum over the top-level files of dir for which
// covered returns true, in file name (byte) order. ComputeSum is
// ComputeSumFunc with Covered (golang-migrate's *.up.sql); AtlasCovered gives
// the sum of an Atlas-format directory. Links are refused, as in ComputeSum.
func ComputeSumFunc(fsys fs.FS, dir string, covered func(name string) bool) (*Sum, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read migration folder: %w", err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && covered(e.Name()) {
			if e.Type()&fs.ModeSymlink != 0 {
				return nil, fmt.Errorf("hash %s: it is a link; ferry does not follow links when hashing (they may lead out of the folder): put the file itself in the folder", e.Name())
			}
			names = append(names, e.Name())
		}
	}
	return sumOf(names, func(n string) ([]byte, error) { return fs.ReadFile(fsys, path.Join(dir, n)) })
}

// sumOf hashes the named files, read by read, the way Atlas does (see
// ComputeSum). names need not be sorted.
func sumOf(names []string, read func(name string) ([]byte, error)) (*Sum, error) {
	names = slices.Clone(names)
	slices.Sort(names) // byte order, as Atlas
	h := sha256.New()
	s := &Sum{}
	for _, n := range names {
		b, err := read(n)
		if err != nil {
			return nil, fmt.Errorf("hash %s: %w", n, err)
		}
		h.Write([]byte(n))
		if ignored(b) {
			continue
		}
		h.Write(b)
		s.Files = append(s.Files, SumLine{Name: n, Hash: base64.StdEncoding.EncodeToString(h.Sum(nil))})
	}
	s.Total = total(s.Files)
	return s, nil
}

// ErrOutNotEmpty is an export target that already holds something; the
// export writes nothing then.
var ErrOutNotEmpty = errors.New("the output folder is not empty")

// AtlasExport is the plan of an Atlas-format migration directory made from a
// golang-migrate folder: the files to write, byte for byte, and their sum.
// WriteAtlasDir writes it.
type AtlasExport struct {
	Source string `json:"source"` // the golang-migrate folder, as given
	Out    string `json:"out"`    // the directory to create
	// Width is the number of digits of every version in Out: the widest
	// version, so that file name order is numeric order.
	Width int `json:"width"`
	// Files are the migrations, one per up file, in version order.
	Files []ExportFile `json:"files"`
	// Downs are the down files, copied to Out/down/ under their own names.
	Downs []ExportFile `json:"downs"`
	// Sum is Out/atlas.sum, over Files.
	Sum *Sum `json:"-"`
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

// ExportFile is one file of an export.
type ExportFile struct {
	Name    string `json:"name"`   // path in the output directory, slash-separated
	Source  string `json:"source"` // file name in the golang-migrate folder
	Version string `json:"version"`
	Data    []byte `json:"-"`
}

// ExportAtlasDir plans an Atlas-format migration directory out from the
// golang-migrate folder fsys (for instance os.DirFS(dirPath); dirPath names it
// in messages). Every up file becomes <version>_<title>.sql (<version>.sql for
// an empty title) with its bytes unchanged, the version zero-padded to the
// widest one; down files go to down/ under their own names; atlas.sum covers
// the top-level *.sql files as Atlas computes it.
//
// It returns a *refusal.Refusal when the folder has error findings (duplicates, links
// out of the folder, ...) and one wrapping ErrOutNotEmpty when out exists and
// is not an empty folder. It reads every file into memory, so that the sum
// matches exactly the bytes WriteAtlasDir writes.
func ExportAtlasDir(fsys fs.FS, dirPath, out string) (*AtlasExport, error) {
	dir, err := readCleanDir(fsys, dirPath)
	if err != nil {
		return nil, err
	}
	if err := checkOutEmpty(out); err != nil {
		return nil, err
	}
	x := &AtlasExport{Source: dirPath, Out: out, Files: []ExportFile{}, Downs: []ExportFile{}}
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
			x.Downs = append(x.Downs, ExportFile{Name: "down/" + m.Down.Name, Source: m.Down.Name, Version: m.Down.VersionText, Data: b})
		}
		if m.Up == nil {
			x.Skipped = append(x.Skipped, m.VersionText)
			continue
		}
		b, err := dir.ReadFile(*m.Up)
		if err != nil {
			return nil, err
		}
		name := AtlasFileName(m.Version, m.Up.Title, x.Width)
		data[name] = b
		x.Files = append(x.Files, ExportFile{Name: name, Source: m.Up.Name, Version: padVersion(m.Version, x.Width), Data: b})
		if padVersion(m.Version, x.Width) != m.Up.VersionText {
			x.Padded = append(x.Padded, Rename{From: m.Up.Name, To: name})
		}
	}
	names := make([]string, 0, len(x.Files))
	for _, f := range x.Files {
		names = append(names, f.Name)
	}
	x.Sum, err = sumOf(names, func(n string) ([]byte, error) { return data[n], nil })
	if err != nil {
		return nil, err
	}
	return x, nil
}

// AtlasFileName is the name of version v with title in an Atlas-format
// directory whose versions have width digits: <version>_<title>.sql, or
// <version>.sql when the title is empty.
func AtlasFileName(v uint64, title string, width int) string {
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

// readCleanDir reads a golang-migrate folder and refuses one that
// golang-migrate cannot open or that has error findings.
func readCleanDir(fsys fs.FS, dirPath string) (*compat.Directory, error) {
	dir, err := compat.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("migration folder %s: %w", dirPath, err)
	}
	if problem := dir.Problem(); problem != "" {
		return nil, &refusal.Refusal{Reason: dirPath + ": " + problem, Next: refusal.Run("ferry", "status", "--path", dirPath)}
	}
	return dir, nil
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

// WriteAtlasDir writes an export: every file into a temporary folder next to
// x.Out, synced, then renamed to x.Out in one step, so that x.Out either does
// not exist or is complete. It refuses (ErrOutNotEmpty) when x.Out has come
// to hold something since the plan was made. On failure nothing is left
// behind.
func WriteAtlasDir(x *AtlasExport) (err error) {
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
	files := append(append(slices.Clip(x.Files), x.Downs...), ExportFile{Name: SumFileName, Data: sum})
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
