// Package lint reports destructive and risky changes in migration files:
// dropped schemas, tables and columns, unique indexes and NOT NULL columns
// that may fail on existing rows, renames that break running code, and
// dropped foreign keys.
//
// The codes and their meanings are Atlas's (ariga.io/atlas sql/sqlcheck
// analyzers), so that "-- atlas:nolint" directives written for Atlas keep
// working:
//
//	DS101 error    a schema is dropped (DROP SCHEMA; DROP DATABASE on MySQL and PostgreSQL)
//	DS102 error    a table is dropped
//	DS103 error    a column is dropped
//	MF101 warning  a unique index or constraint is added to an existing table
//	MF103 warning  a NOT NULL column without a DEFAULT is added to an existing table
//	MF104 warning  a column of an existing table is made NOT NULL
//	BC101 warning  a table is renamed
//	BC102 warning  a column is renamed
//	CD101 warning  a foreign key is dropped
//
// A table is existing unless the file being checked created it: one that
// an earlier file created, or one that no file created (it was there before
// the files Check was given). Changes to a table created earlier in the
// same file touch no rows that were there before and are not reported
// (dropping or renaming it, dropping or renaming its columns, adding unique
// indexes or NOT NULL columns to it). The same holds for a column added
// earlier in the same file (dropping or renaming it, a unique index on new
// columns only, making it NOT NULL when it was added with a DEFAULT), for a
// foreign key added earlier in the same file, and for a schema created
// earlier in the same file. Following Atlas, a few patterns that keep old
// code working are not reported either: a column made NOT NULL after an
// UPDATE of the same file set it (a backfill), a table renamed when the
// same file then creates a view under its old name, a column renamed when
// the same file then adds a column under its old name, a foreign key
// dropped together with one of its columns (DS103 reports that).
//
// CD101 needs to know that a constraint is a foreign key: MySQL's DROP
// FOREIGN KEY says so; for DROP CONSTRAINT, the constraint must have been
// created by an earlier file (named, or named by the database:
// PostgreSQL's <table>_<columns>_fkey, MySQL's <table>_ibfk_<n>), or its
// name must look like a foreign key's (_fkey, _ibfk_<n>, fk_..., ..._fk).
//
// Statements are read by internal/ddl (ddl.Actions), ferry's one reader of
// what a statement does, not a full SQL parser: it knows CREATE/DROP
// SCHEMA, DATABASE, TABLE and INDEX, ALTER TABLE (with any number of
// comma-separated actions), MySQL's RENAME TABLE, CREATE VIEW, UPDATE (to
// see backfills) and INSERT ... SELECT (to see table rebuilds). Statements inside function, procedure or
// trigger bodies and dynamic SQL are not read. Names compare as the
// database does, except that MySQL names compare without case, and that
// PostgreSQL's public and SQLite's main schema are the unqualified names'.
//
// Suppression follows Atlas: a "-- ferry:nolint" or "-- atlas:nolint"
// comment (also "#" on MySQL, or "/* ... */") before a statement suppresses
// every finding of that statement; with arguments ("-- ferry:nolint DS103
// MF103", commas allowed) only those codes, or those of an Atlas analyzer
// named (destructive, data_depend, incompatible, condrop). The comments
// before a statement are those between the previous statement's line and
// the statement: a comment on the line where the previous statement ends
// ("DROP TABLE a; -- ferry:nolint") belongs to that statement, not to the
// next one, and suppresses nothing. The same directive in the comment lines
// at the very top of a file, followed by a blank line, applies to the whole
// file.
package lint

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/finding"
	"github.com/ferrymigrate/ferry/internal/ddl"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// Finding codes, Atlas's; see docs/findings.md.
const (
	CodeDropSchema     = "DS101"
	CodeDropTable      = "DS102"
	CodeDropColumn     = "DS103"
	CodeAddUnique      = "MF101"
	CodeAddNotNull     = "MF103"
	CodeSetNotNull     = "MF104"
	CodeRenameTable    = "BC101"
	CodeRenameColumn   = "BC102"
	CodeDropForeignKey = "CD101"
)

// severity returns the severity of a code: errors for data loss (DS1xx),
// warnings for the others.
func severity(code string) finding.Severity {
	if code[:2] == "DS" {
		return finding.Error
	}
	return finding.Warning
}

// File is one migration file.
type File struct {
	Name    string // as reported in findings, relative to the migration folder
	Version string // as written in the file name
	Src     []byte
}

// FileError is a file that Check cannot split into statements.
type FileError struct {
	File, Version string
	Err           error // a *sqlsplit.Error
}

func (e *FileError) Error() string { return fmt.Sprintf("lint %s: %v", e.File, e.Err) }

func (e *FileError) Unwrap() error { return e.Err }

// Check reports the destructive and risky changes in files, in the given
// order: files first, then statements in file order, then the changes of a
// statement from left to right (finding.Sort orders them by code).
//
// prior are the files applied before files, oldest first (the migration
// folder's earlier up files); Check reads them only to learn which tables,
// columns and foreign keys exist, and reports nothing about them. files are
// read in order too, so a table that one of them creates is existing for the
// ones after it.
//
// Each finding carries the file's Name and Version, the line of the
// statement, and the statement's 1-based index in its message.
//
// A file that cannot be split is skipped: Check goes on with the others and
// returns, with the findings of those, an error joining one *FileError per
// such file (prior ones included). Check does not keep f.Src, and is safe
// to call from several goroutines at once.
func Check(d engine.Dialect, prior, files []File) ([]finding.Finding, error) {
	if !d.Known() {
		return nil, fmt.Errorf("lint: unknown dialect %q: use postgres, mysql or sqlite", d)
	}
	c := &checker{d: d, tables: map[string]*table{}, schemas: map[string]int{}}
	var (
		out  []finding.Finding
		errs []error
	)
	for i, f := range prior {
		if _, err := c.file(i, f); err != nil {
			errs = append(errs, err)
		}
	}
	for i, f := range files {
		fs, err := c.file(len(prior)+i, f)
		if err != nil {
			errs = append(errs, err)
		}
		out = append(out, fs...)
	}
	return out, errors.Join(errs...)
}

// checker holds what the files read so far have built, and what it knows of
// the file and statement being read.
type checker struct {
	d       engine.Dialect
	tables  map[string]*table // by tableKey
	schemas map[string]int    // schemas created, by key: the file's seq

	// The file being read.
	seq     int             // its position among all files read: prior, then files
	filled  map[string]bool // columns an UPDATE of the file has set, by colKey
	copied  map[string]bool // tables an INSERT ... SELECT of the file copied rows from, by tableKey
	cancels map[string]int  // cancel keys set by statements of the file: the statement's index
	diags   []diag

	// The statement being read.
	stmt int // its 1-based index
}

// diag is a finding in the making.
type diag struct {
	stmt   int // index of the statement
	line   int
	code   string
	msg    string
	cancel string // a later statement of the file that sets this key withdraws the diag
}

// file reads one file and returns its findings.
func (c *checker) file(seq int, f File) ([]finding.Finding, error) {
	stmts, err := sqlsplit.Split(c.d, f.Src)
	if err != nil {
		return nil, &FileError{File: f.Name, Version: f.Version, Err: err}
	}
	c.seq, c.filled, c.copied, c.cancels, c.diags = seq, map[string]bool{}, map[string]bool{}, map[string]int{}, nil
	src := string(f.Src)
	var fileNolint nolint
	for _, cm := range fileComments(c.d, src) {
		fileNolint.add(cm)
	}
	stmtNolint := make([]nolint, len(stmts)+1)
	prev := 0
	for _, st := range stmts {
		for _, cm := range leadingComments(c.d, src[prev:st.Start], prev > 0) {
			stmtNolint[st.Index].add(cm)
		}
		prev = st.End
		c.stmt = st.Index
		n := len(c.diags)
		c.statement(ddl.Actions(c.d, st.Text))
		for i := n; i < len(c.diags); i++ {
			c.diags[i].stmt, c.diags[i].line = st.Index, st.Line
		}
	}
	var out []finding.Finding
	for _, dg := range c.diags {
		if at, ok := c.cancels[dg.cancel]; dg.cancel != "" && ok && (at > dg.stmt || at == dg.stmt && strings.HasPrefix(dg.cancel, "fk:")) {
			continue
		}
		if fileNolint.suppresses(dg.code) || stmtNolint[dg.stmt].suppresses(dg.code) {
			continue
		}
		out = append(out, finding.Finding{
			Code:     dg.code,
			Severity: severity(dg.code),
			Message:  fmt.Sprintf("statement %d of %d %s", dg.stmt, len(stmts), dg.msg),
			File:     f.Name,
			Line:     dg.line,
			Version:  f.Version,
		})
	}
	return out, nil
}

// report records a diag of the statement being read.
func (c *checker) report(code, cancel, format string, args ...any) {
	c.diags = append(c.diags, diag{code: code, cancel: cancel, msg: fmt.Sprintf(format, args...)})
}
