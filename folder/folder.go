// Package folder is a golang-migrate migration folder as ferry works on it:
// its parsed file names, its atlas.sum, the statements of its up files per
// engine, and the path people know it by. Load reads a folder once and
// checks it; convert, apply and the commands that act on databases then
// share the result.
package folder

import (
	"fmt"
	"io/fs"
	"strings"
	"sync"

	"github.com/ferrymigrate/ferry/atlassum"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/internal/cachefs"
	"github.com/ferrymigrate/ferry/refusal"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// Folder is a migration folder read, with its sum checked, and its up files
// split into statements per engine on demand. It is safe for concurrent
// use: converting or applying to many databases shares one Folder.
type Folder struct {
	// Dir is the folder as golang-migrate reads it.
	Dir *compat.Directory
	// Sum is atlas.sum computed from the files (Load checked that the
	// file on disk says the same).
	Sum *atlassum.Sum
	// Path names the folder in messages and in the commands they suggest.
	Path string

	mu     sync.Mutex
	split  map[engine.Dialect]map[string][]sqlsplit.Statement // file -> statements
	hashes map[string]string                                  // file -> its line in Sum
}

// Load reads and checks the folder path of fsys: it must parse as
// golang-migrate reads it without errors (ReadClean), and atlas.sum must
// exist and match the files. A precondition that does not hold is a
// *refusal.Refusal; a refusal over up files edited since atlas.sum was written
// carries them (HasEdits).
func Load(fsys fs.FS, path string) (*Folder, error) {
	fsys = cachefs.New(fsys) // the reader, the sum and the splitter each read every file
	dir, err := ReadClean(fsys, path)
	if err != nil {
		return nil, err
	}
	rep, err := atlassum.Validate(fsys, ".", path)
	if err != nil {
		return nil, fmt.Errorf("migration folder %s: %w", path, err)
	}
	switch rep.State {
	case atlassum.Valid:
	case atlassum.Missing:
		return nil, &refusal.Refusal{Reason: fmt.Sprintf("%s has no atlas.sum; the revision hashes come from it", path), Next: refusal.Run("ferry", "hash", "--path", path).Say(" (or convert --write-sum)")}
	default:
		return nil, sumRefusal(dir, rep, path)
	}
	hashes := make(map[string]string, len(rep.Computed.Files))
	for _, f := range rep.Computed.Files {
		hashes[f.Name] = f.Hash
	}
	return &Folder{Dir: dir, Sum: rep.Computed, Path: path, split: map[engine.Dialect]map[string][]sqlsplit.Statement{}, hashes: hashes}, nil
}

// ReadClean reads the folder at the top of fsys (named path in messages) as
// golang-migrate does and refuses (*refusal.Refusal) one that golang-migrate cannot
// open or that has error findings (duplicate versions, links out of the
// folder, ...).
func ReadClean(fsys fs.FS, path string) (*compat.Directory, error) {
	dir, err := compat.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("migration folder %s: %w", path, err)
	}
	if problem := dir.Problem(); problem != "" {
		return nil, &refusal.Refusal{Reason: path + ": " + problem, Next: refusal.Run("ferry", "status", "--path", path)}
	}
	return dir, nil
}

// sumRefusal is the refusal of a folder whose files no longer match its
// atlas.sum; it lists the up files edited since.
func sumRefusal(dir *compat.Directory, rep *atlassum.Report, path string) *refusal.Refusal {
	msgs := make([]string, len(rep.Findings))
	sm := &SumMismatch{Prefix: fmt.Sprintf("atlas.sum of %s does not match the files (%s)", path, rep.State), Path: path}
	for i, f := range rep.Findings {
		msgs[i] = f.Message
		if f.Code != atlassum.CodeEdited || rep.Computed == nil {
			continue
		}
		for _, m := range dir.Migrations {
			if m.Up != nil && m.Up.Name == f.File {
				hash, _ := rep.Computed.Hash(f.File)
				sm.Edited = append(sm.Edited, EditedFile{Finding: i, Name: f.File, Version: m.VersionText, Line: editedLine(rep.Changes, f.File), Hash: hash})
			}
		}
	}
	sm.Messages = msgs
	return &refusal.Refusal{Reason: sm.Prefix + ": " + strings.Join(msgs, "; "), Next: refusal.Run("ferry", "hash", "--path", path, "--check"), Err: sm}
}

// editedLine returns the line of atlas.sum that lists an edited file.
func editedLine(changes []atlassum.Change, name string) int {
	for _, c := range changes {
		if c.Kind == atlassum.Edited && c.File == name {
			return c.Line
		}
	}
	return 0
}

// Statements returns the statements of an up file in dialect d, splitting
// each file once per dialect. A file that does not split is a *refusal.Refusal
// naming the command that shows where.
func (f *Folder) Statements(d engine.Dialect, file *compat.File) ([]sqlsplit.Statement, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := f.split[d]
	if m == nil {
		m = map[string][]sqlsplit.Statement{}
		f.split[d] = m
	}
	if st, ok := m[file.Name]; ok {
		return st, nil
	}
	b, err := f.Dir.ReadFile(*file)
	if err != nil {
		return nil, err
	}
	stmts, err := sqlsplit.Split(d, b)
	if err != nil {
		return nil, &refusal.Refusal{Reason: fmt.Sprintf("%s:%v: ferry cannot split it into statements", file.Name, err), Next: refusal.Run("ferry", "statements", "--dialect", string(d), f.Path+"/"+file.Name)}
	}
	m[file.Name] = stmts
	return stmts, nil
}

// Hash returns an up file's line in atlas.sum, without "h1:".
func (f *Folder) Hash(name string) (string, bool) {
	h, ok := f.hashes[name] // Sum.Hash searches linearly: quadratic over the history
	return h, ok
}

// NotHashed explains why an up file golang-migrate runs has no line in
// atlas.sum (Hash says false), and gives the command that fixes it: a name
// Atlas does not read as an up file (rename it, keeping its version, with
// ferry rebase --fix-names), or Atlas's "atlas:sum ignore" directive on its
// first line.
func (f *Folder) NotHashed(file compat.File) (reason string, next refusal.Next) {
	if !file.AtlasReadsUp() {
		return fmt.Sprintf("%s is not in atlas.sum: golang-migrate runs it as the up migration of version %d, but Atlas reads only *.up.sql files as up migrations (its extension is %q), so atlas.sum leaves it out and Atlas would never run it", file.Name, file.Version, file.Ext),
			refusal.Run("ferry", "rebase", "--path", f.Path, "--fix-names").Say(" (renames it to " + file.SQLName() + ", the same version for golang-migrate, and rewrites atlas.sum)")
	}
	return fmt.Sprintf("%s is not in atlas.sum (its first line carries atlas:sum ignore)", file.Name), refusal.Say("remove the directive and run ").Run("ferry", "hash", "--path", f.Path)
}
