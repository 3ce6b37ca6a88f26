// Package baseline writes one migration that reproduces the schema at a
// version of a golang-migrate folder, by concatenating the up files or by
// replaying them on a scratch database and dumping its schema (dump.go), and
// can put it in place of the files it replaces (replace.go).
package baseline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/ferrymigrate/ferry/atlassum"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/folder"
	"github.com/ferrymigrate/ferry/refusal"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// A baseline migration reproduces the schema at a version V in one file, for
// new environments. Generate makes one (a value: nothing is written);
// WriteOut writes it to a file of its own and Replace puts it in the folder
// in place of the files up to V.

// ArchiveDir is the subfolder of the migration folder that Replace moves the
// replaced files to. golang-migrate reads only the top level of the folder.
const ArchiveDir = "archive"

// ErrUnknownVersion is a baseline version the folder has no up file for.
var ErrUnknownVersion = errors.New("no up file for the version")

// Method says how a baseline was made.
type Method string

// Methods.
const (
	// Concatenation: the up files up to V, in order, each behind a comment
	// line naming it.
	Concatenation Method = "concatenation"
	// Dump: the up files replayed on a scratch database, then its schema
	// dumped (pg_dump, mariadb-dump / mysqldump, SQLite's sqlite_master).
	Dump Method = "dump"
)

// Options control Generate.
type Options struct {
	// Version is V: the baseline reproduces the schema after V's up file.
	// V must have an up file.
	Version uint64
	// Dialect of the files; it may be left empty when Dev is set.
	Dialect engine.Dialect
	// Dev, when set, selects Dump: a server on which a scratch database is
	// created (PostgreSQL, MySQL: ferry_scratch_<random>, always dropped
	// again; see internal/scratch) or, for SQLite, an in-memory database.
	// Nil selects Concatenation.
	Dev *compat.DatabaseURL
	// Replace also plans replacing the files up to V in the folder (see
	// Replace).
	Replace bool
	// LookPath finds the dump tools; nil means exec.LookPath.
	LookPath func(file string) (string, error)
}

// Baseline is a generated baseline migration. Content is the whole file:
// a comment header (the versions it replaces and the atlas.sum line of V),
// then the SQL.
type Baseline struct {
	// Dir is the migration folder as given to Generate; Replace works on it.
	Dir         string         `json:"path"`
	Version     uint64         `json:"version"`
	VersionText string         `json:"version_text"` // as written in V's file name
	Dialect     engine.Dialect `json:"dialect"`
	Method      Method         `json:"method"`
	// Tool is the dump command (without connection arguments), for Dump.
	Tool string `json:"tool,omitempty"`
	// Scratch is the scratch database created and dropped again, for Dump
	// on PostgreSQL and MySQL.
	Scratch string `json:"scratch_database,omitempty"`
	// Replaces are the versions up to V, as written, in order.
	Replaces []string `json:"replaces"`
	// Files are their up files, in the order they were concatenated or run.
	Files []string `json:"files"`
	// SumLine is V's line of atlas.sum: "<file> h1:<hash>".
	SumLine string `json:"sum_line"`
	// Statements is the number of statements of Content.
	Statements int    `json:"statements"`
	Content    []byte `json:"-"`
	// Notes are things to know before using the file.
	Notes []string `json:"notes,omitempty"`
	// Replace is the plan for Replace; nil unless Options.Replace.
	Replace *ReplacePlan `json:"replace,omitempty"`

	sumBefore string // the folder's sum total at planning time
}

// ReplacePlan is what Replace does to the folder.
type ReplacePlan struct {
	// Moves are the files up to V, up and down, moved to ArchiveDir; paths
	// are relative to the folder.
	Moves []Move `json:"moves"`
	// File is the name of the baseline in the folder: <V>_baseline.up.sql,
	// with V written as in V's old file name.
	File string `json:"file"`
	// Sum is the folder's atlas.sum afterwards.
	Sum *atlassum.Sum `json:"-"`
	// Git is true when the folder is in a git work tree: tracked files are
	// moved with git mv.
	Git bool `json:"git"`
}

// Move is one file moved by Replace.
type Move struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// ReplayError is a statement that failed on the scratch database.
type ReplayError struct {
	File      string
	Statement int // 1-based
	Total     int // statements of the file
	Line      int
	Err       error
}

func (e *ReplayError) Error() string {
	return fmt.Sprintf("replay %s: statement %d of %d (line %d): %v", e.File, e.Statement, e.Total, e.Line, e.Err)
}

func (e *ReplayError) Unwrap() error { return e.Err }

// ToolError is a dump tool that is not installed.
type ToolError struct {
	Tools   []string // looked for, in order
	Package string   // Debian/Ubuntu package that has it
}

func (e *ToolError) Error() string {
	return fmt.Sprintf("%s not found on PATH: install it (Debian/Ubuntu: apt-get install %s), or leave out --from-dev to concatenate the files", strings.Join(e.Tools, " or "), e.Package)
}

// DumpError is a dump tool that failed.
type DumpError struct {
	Tool   string
	Stderr string
	Err    error
}

func (e *DumpError) Error() string {
	return fmt.Sprintf("%s failed: %v: %s", e.Tool, e.Err, e.Stderr)
}

func (e *DumpError) Unwrap() error { return e.Err }

// source is one up file up to V.
type source struct {
	name    string
	version uint64
	data    []byte
	stmts   []sqlsplit.Statement
}

// Generate makes the baseline of version o.Version of the golang-migrate
// folder fsys (os.DirFS(dirPath); dirPath names it in messages and is the
// folder Replace changes). The folder must open in golang-migrate without
// error findings and its atlas.sum must match the files (or be missing); a
// *refusal.Refusal says otherwise. With o.Dev it replays the files statement by
// statement on a scratch database that it always drops again, and returns a
// *ReplayError for a failing statement, a *ToolError when the dump tool is
// missing and a *DumpError when it fails.
func Generate(ctx context.Context, fsys fs.FS, dirPath string, o Options) (*Baseline, error) {
	d := o.Dialect
	if o.Dev != nil {
		dd := o.Dev.Dialect
		if d != "" && d != dd {
			return nil, fmt.Errorf("dialect %s does not match the %s dev database", d, dd)
		}
		d = dd
	}
	if d == "" {
		return nil, errors.New("no dialect: the files must be split into statements (postgres, mysql or sqlite)")
	}
	dir, err := folder.ReadClean(fsys, dirPath)
	if err != nil {
		return nil, err
	}
	rep, err := atlassum.Validate(fsys, ".", dirPath)
	if err != nil {
		return nil, err
	}
	if rep.State != atlassum.Valid && rep.State != atlassum.Missing {
		msgs := make([]string, len(rep.Findings))
		for i, f := range rep.Findings {
			msgs[i] = f.Message
		}
		return nil, &refusal.Refusal{Reason: fmt.Sprintf("atlas.sum of %s does not match the files (%s): %s", dirPath, rep.State, strings.Join(msgs, "; ")), Next: refusal.Run("ferry", "hash", "--path", dirPath, "--check")}
	}
	m, ok := dir.Lookup(o.Version)
	if !ok || m.Up == nil {
		return nil, &refusal.Refusal{Reason: fmt.Sprintf("%s has no up file for version %d (%s)", dirPath, o.Version, nearby(dir, o.Version)), Next: refusal.Run("ferry", "status", "--path", dirPath), Err: ErrUnknownVersion}
	}
	b := &Baseline{Dir: dirPath, Version: m.Version, VersionText: m.VersionText, Dialect: d, Method: Concatenation, sumBefore: rep.Computed.Total}
	if h, ok := rep.Computed.Hash(m.Up.Name); ok {
		b.SumLine = m.Up.Name + " h1:" + h
	} else {
		b.SumLine = m.Up.Name + " (atlas:sum ignore: no line)"
	}
	var files []source
	for _, mm := range dir.Migrations {
		if mm.Version > o.Version {
			break
		}
		b.Replaces = append(b.Replaces, mm.VersionText)
		if mm.Up == nil {
			continue
		}
		data, err := dir.ReadFile(*mm.Up)
		if err != nil {
			return nil, err
		}
		stmts, err := sqlsplit.Split(d, data)
		if err != nil {
			return nil, &refusal.Refusal{Reason: fmt.Sprintf("%s:%v: ferry cannot split it into statements", mm.Up.Name, err), Next: refusal.Run("ferry", "statements", "--dialect", string(d), filepath.Join(dirPath, mm.Up.Name))}
		}
		files = append(files, source{name: mm.Up.Name, version: mm.Version, data: data, stmts: stmts})
		b.Files = append(b.Files, mm.Up.Name)
	}

	var body []byte
	if o.Dev == nil {
		body, err = concatenate(d, files)
		b.Notes = append(b.Notes, concatNotes(d, files)...)
	} else {
		b.Method = Dump
		body, err = dump(ctx, b, o, files)
		b.Notes = append(b.Notes, dataNotes(d, files)...)
	}
	if err != nil {
		return nil, err
	}
	b.Content = append(header(b), body...)
	stmts, err := sqlsplit.Split(d, b.Content)
	if err != nil {
		return nil, fmt.Errorf("the baseline does not split into statements: %w", err)
	}
	b.Statements = len(stmts)
	if o.Replace {
		if b.Replace, err = planReplace(ctx, fsys, dirPath, dir, b); err != nil {
			return nil, err
		}
		b.Notes = append(b.Notes, fmt.Sprintf("databases below version %s must reach it (migrate up) before the folder is replaced: golang-migrate cannot find their version afterwards", b.VersionText))
	}
	return b, nil
}

// nearby names the versions around v, for a message.
func nearby(dir *compat.Directory, v uint64) string {
	var parts []string
	if m, ok := dir.Before(v); ok {
		parts = append(parts, "the one before is "+m.VersionText)
	}
	if after := dir.After(v); len(after) > 0 {
		parts = append(parts, "the one after is "+after[0].VersionText)
	}
	if len(parts) == 0 {
		return "the folder has no versions"
	}
	return strings.Join(parts, ", ")
}

// header is the comment block at the top of the file.
func header(b *Baseline) []byte {
	var h bytes.Buffer
	fmt.Fprintf(&h, "-- ferry baseline: the schema at version %s, for new environments.\n", b.VersionText)
	fmt.Fprintf(&h, "-- Databases already at version %s or later never run it.\n", b.VersionText)
	line := fmt.Sprintf("-- It replaces %d version(s):", len(b.Replaces))
	h.WriteString(line)
	col := len(line)
	for _, v := range b.Replaces {
		if col+1+len(v) > 100 {
			h.WriteString("\n--  ")
			col = 4
		}
		h.WriteString(" " + v)
		col += 1 + len(v)
	}
	h.WriteString("\n")
	fmt.Fprintf(&h, "-- atlas.sum line of version %s: %s\n", b.VersionText, b.SumLine)
	if b.Method == Dump {
		fmt.Fprintf(&h, "-- Made by running them on a scratch database and dumping its schema (%s).\n", b.Tool)
	} else {
		h.WriteString("-- Made by concatenating their up files, each behind a \"-- source:\" line.\n")
	}
	return h.Bytes()
}

// concatenate joins the files, each behind a "-- source: FILE" line, and
// proves that the result splits into exactly the statements of the files in
// order. A file whose last statement has no delimiter gets one.
func concatenate(d engine.Dialect, files []source) ([]byte, error) {
	type origin struct {
		file  string
		index int
	}
	var out bytes.Buffer
	var want []string
	var from []origin
	for _, f := range files {
		out.WriteString("\n-- source: " + f.name + "\n")
		data := f.data
		for _, st := range f.stmts {
			want = append(want, st.Text)
			from = append(from, origin{f.name, st.Index})
		}
		if n := len(f.stmts); n > 0 && f.stmts[n-1].Delimiter == "" {
			last := f.stmts[n-1]
			sep := ";"
			if lines := strings.Split(last.Text, "\n"); strings.ContainsAny(lines[len(lines)-1], "-#/") {
				sep = "\n;" // the last line may end in a comment
			}
			data = append(append(append([]byte{}, data[:last.End]...), sep...), data[last.End:]...)
			want[len(want)-1] += sep
		}
		out.Write(data)
		if len(data) > 0 && data[len(data)-1] != '\n' {
			out.WriteByte('\n')
		}
	}
	got, err := sqlsplit.Split(d, out.Bytes())
	if err != nil {
		return nil, fmt.Errorf("the concatenated files do not split into statements: %w", err)
	}
	for i := range max(len(got), len(want)) {
		if i < len(got) && i < len(want) && got[i].Text == want[i] {
			continue
		}
		where := "after the last file"
		if i < len(from) {
			where = fmt.Sprintf("%s statement %d", from[i].file, from[i].index)
		}
		return nil, &refusal.Refusal{Reason: fmt.Sprintf("the files cannot be concatenated safely: from %s on, the statements of the joined file differ from the files' (a DELIMITER or atlas:delimiter setting that does not carry over?)", where), Next: refusal.Run("ferry", "baseline", "--from-dev", "URL").Say(" (replays the files one by one on a scratch database)")}
	}
	return out.Bytes(), nil
}

// concatNotes warns about statements that run in golang-migrate only as a
// file of their own.
func concatNotes(d engine.Dialect, files []source) []string {
	if !d.ImplicitBlocks() {
		return nil
	}
	var notes []string
	for _, f := range files {
		for _, st := range f.stmts {
			if st.Kind.Has(sqlsplit.KindNoTx) {
				notes = append(notes, fmt.Sprintf("%s statement %d (line %d) cannot run in a transaction block, and golang-migrate sends the baseline as one implicit transaction: use --from-dev, or move the statement to a migration after the baseline", f.name, st.Index, st.Line))
			}
		}
	}
	return notes
}

// ---- scratch database and dump ----
