// Package drift compares the schema of a live database with the schema its
// migration files produce: it replays the up files up to the version the
// database records on a scratch database of a dev server (internal/scratch),
// describes both schemas with package inspect and diffs the descriptions.
// It reads the live database only; it writes nothing there and takes no
// lock.
package drift

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"strconv"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/inspect"
	"github.com/ferrymigrate/ferry/internal/cachefs"
	"github.com/ferrymigrate/ferry/internal/dbconn"
	"github.com/ferrymigrate/ferry/internal/scratch"
	"github.com/ferrymigrate/ferry/revision"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// Options say what to compare.
type Options struct {
	// Dir is the golang-migrate migration folder; DirPath is how to show it
	// (and the --path of the commands errors suggest).
	Dir     fs.FS
	DirPath string
	// Database is the live database.
	Database *compat.DatabaseURL
	// Dev is the server the files are replayed on, of the same engine as
	// Database (see scratch.New; sqlite://:memory: for SQLite).
	Dev *compat.DatabaseURL
}

// Report is the result of Run. Its JSON form is ferry drift --json.
type Report struct {
	Path     string         `json:"path"`
	Database string         `json:"database"` // redacted URL
	Dev      string         `json:"dev"`      // redacted URL
	Dialect  engine.Dialect `json:"dialect"`
	// Version is the version the database records; nil when it records
	// none, and the files are then compared as the empty schema.
	Version *uint64 `json:"version"`
	// VersionText is Version as written in its file name.
	VersionText string `json:"version_text,omitempty"`
	// VersionFrom is the table Version was read from: golang-migrate's
	// (schema_migrations, or x-migrations-table) or, when that does not
	// exist, the revisions table; empty when neither exists.
	VersionFrom string `json:"version_from,omitempty"`
	// Files is the number of up files replayed, Statements their
	// statements (transaction control included, as sqlsplit counts them).
	Files      int `json:"files"`
	Statements int `json:"statements"`
	// Scratch is the name of the scratch database, created and dropped
	// again (on SQLite it lived in memory).
	Scratch string `json:"scratch_database,omitempty"`
	// Drifted is true when the descriptions differ; Diff is then their
	// unified diff from the expected schema (lines starting with "-": only
	// in the files' schema) to the live one ("+": only in the database).
	Drifted bool   `json:"drifted"`
	Diff    string `json:"diff"`
	// ExpectedObjects and LiveObjects count the objects described (tables,
	// views, sequences, functions, types, ...).
	ExpectedObjects int `json:"expected_objects"`
	LiveObjects     int `json:"live_objects"`
	// Notes are things that qualify the comparison.
	Notes []string `json:"notes,omitempty"`
}

// FolderError is a migration folder that golang-migrate refuses or that has
// error findings; drift compares nothing then.
type FolderError struct {
	Path    string
	Problem string
}

func (e *FolderError) Error() string {
	return fmt.Sprintf("migration folder %s: %s; see ferry status --path %s", e.Path, e.Problem, e.Path)
}

// DirtyError is a database whose golang-migrate row is dirty: a migration
// failed part-way, so no version says what its schema should be.
type DirtyError struct {
	Database string // redacted URL
	Table    string
	Version  int64
	Path     string
}

func (e *DirtyError) Error() string {
	return fmt.Sprintf("%s of %s is dirty at version %d: run ferry doctor --path %s --database '%s'", e.Table, e.Database, e.Version, e.Path, e.Database)
}

// UnknownVersionError is a recorded version the folder has no migration for:
// the database is ahead of the folder, or the file was removed.
type UnknownVersionError struct {
	Version uint64
	From    string // the table that records it
	Path    string
}

func (e *UnknownVersionError) Error() string {
	return fmt.Sprintf("%s records version %d, but %s has no migration %d: check out the migrations the database was built from (see ferry status --path %s)", e.From, e.Version, e.Path, e.Version, e.Path)
}

// recorded is the version a database records.
type recorded struct {
	version *uint64
	from    string
	notes   []string
}

// Run compares the live schema of o.Database with the schema the up files
// of o.Dir produce up to the version the database records. o.Database and
// o.Dev must be set.
//
// The version comes from golang-migrate's table when it exists (a dirty row
// is a *DirtyError); otherwise from the revisions table (the newest version
// applied completely); otherwise there is none and the live schema is
// compared with the empty one. A folder golang-migrate refuses is a
// *FolderError, a version without a migration an *UnknownVersionError, a
// file that fails on the dev server a *scratch.ReplayError (wrapped). A
// scratch database that could not be dropped is a note, not an error.
func Run(ctx context.Context, o Options) (*Report, error) {
	if o.Dev.Dialect != o.Database.Dialect {
		return nil, fmt.Errorf("the dev server %s is %s but the database is %s: the files must replay on the same engine", o.Dev.Redacted(), o.Dev.Dialect, o.Database.Dialect)
	}
	dialect := o.Database.Dialect
	dir, err := compat.ReadDir(cachefs.New(o.Dir), ".")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("migration folder %s does not exist; check --path: %w", o.DirPath, err)
	}
	if err != nil {
		return nil, fmt.Errorf("migration folder %s: %w", o.DirPath, err)
	}
	if problem := dir.Problem(); problem != "" {
		return nil, &FolderError{Path: o.DirPath, Problem: problem}
	}
	r := &Report{Path: o.DirPath, Database: o.Database.Redacted(), Dev: o.Dev.Redacted(), Dialect: o.Database.Dialect}

	live, err := dbconn.Open(ctx, o.Database, dbconn.ReadOnly)
	if err != nil {
		return nil, err
	}
	defer live.Close()
	rec, err := readVersion(ctx, live, o)
	if err != nil {
		return nil, err
	}
	r.Version, r.VersionFrom, r.Notes = rec.version, rec.from, rec.notes
	files, err := upFiles(dir, dialect, rec, o.DirPath)
	if err != nil {
		return nil, err
	}
	if rec.version != nil {
		m, _ := dir.Lookup(*rec.version)
		r.VersionText = m.VersionText
	}
	r.Files = len(files)
	for _, f := range files {
		r.Statements += len(f.Statements)
	}

	opts := inspect.OptionsFor(o.Database)
	expected, err := replay(ctx, o.Dev, o.Database, files, opts, r)
	if err != nil {
		return nil, err
	}
	actual, err := inspect.Inspect(ctx, live, o.Database.Dialect, opts)
	if err != nil {
		return nil, fmt.Errorf("describe the schema of %s: %w", r.Database, err)
	}
	r.ExpectedObjects, r.LiveObjects = len(expected.Objects), len(actual.Objects)
	at := " with no version applied"
	if r.Version != nil {
		at = " at version " + r.VersionText
	}
	r.Diff = inspect.Diff(expected, actual, o.DirPath+at+" (expected)", r.Database+" (live)")
	r.Drifted = r.Diff != ""
	return r, nil
}

// readVersion finds the version the database records.
func readVersion(ctx context.Context, db *sql.DB, o Options) (*recorded, error) {
	st, err := compat.ReadLegacy(ctx, db, o.Database)
	if err != nil {
		return nil, fmt.Errorf("read golang-migrate state of %s: %w", o.Database.Redacted(), err)
	}
	rec := &recorded{}
	if st.Lock.Held {
		rec.notes = append(rec.notes, fmt.Sprintf("a golang-migrate run holds its lock (%s): the schema may be changing while drift reads it", st.Lock.Holder))
	}
	if st.TableExists {
		rec.from = st.Table.String()
		switch {
		case st.Dirty:
			return nil, &DirtyError{Database: o.Database.Redacted(), Table: rec.from, Version: st.Version, Path: o.DirPath}
		case st.Version < compat.NilVersion:
			return nil, fmt.Errorf("%s of %s records version %d; golang-migrate versions are -1 (none) or above", rec.from, o.Database.Redacted(), st.Version)
		case st.Version >= 0:
			v := uint64(st.Version)
			rec.version = &v
		}
		if st.Rows > 1 {
			rec.notes = append(rec.notes, fmt.Sprintf("%s holds %d rows; golang-migrate, like drift, reads whichever the database returns first", rec.from, st.Rows))
		}
	}
	revs, err := readRevisions(ctx, db, o)
	if err != nil {
		return nil, err
	}
	if st.TableExists {
		// Atlas (or ferry without legacy sync) applies files without moving
		// golang-migrate's row: the newest complete revision is then the
		// version the schema is at.
		if revs.version != nil && (rec.version == nil || *revs.version > *rec.version) {
			was := "no version"
			if rec.version != nil {
				was = fmt.Sprintf("version %d", *rec.version)
			}
			rec.notes = append(rec.notes, fmt.Sprintf("replayed to version %d, the newest complete revision in %s, not to %s of %s: files above it were applied without moving golang-migrate's row (ferry apply moves it forward)", *revs.version, revs.from, was, rec.from))
			rec.version, rec.from = revs.version, revs.from
			rec.notes = append(rec.notes, revs.notes...)
		}
		return rec, nil
	}
	revs.notes = append(rec.notes, revs.notes...)
	return revs, nil
}

// readRevisions finds the newest version the revisions table records as
// complete; rows of unfinished files become notes.
func readRevisions(ctx context.Context, db *sql.DB, o Options) (*recorded, error) {
	rec := &recorded{}
	store, err := revision.Locate(ctx, db, o.Database, "")
	if err != nil {
		return nil, fmt.Errorf("locate the revisions table of %s: %w", o.Database.Redacted(), err)
	}
	rows, err := store.Read(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("read the revisions of %s: %w", o.Database.Redacted(), err)
	}
	for _, row := range rows {
		v, err := strconv.ParseUint(row.Version, 10, 64)
		switch {
		case err != nil:
			rec.notes = append(rec.notes, fmt.Sprintf("%s: version %q is not a golang-migrate version; left out", store, row.Version))
		case row.Partial() || row.Error != "":
			rec.notes = append(rec.notes, fmt.Sprintf("%s: version %s ran %d of %d statements; the live schema has those, the expected one does not", store, row.Version, row.Applied, row.Total))
		case rec.version == nil || v > *rec.version:
			rec.version = &v
		}
	}
	if len(rows) > 0 {
		rec.from = store.String()
	}
	return rec, nil
}

// upFiles reads and splits the up files of the versions up to rec.version,
// in order: what golang-migrate ran to get there.
func upFiles(dir *compat.Directory, d engine.Dialect, rec *recorded, dirPath string) ([]scratch.File, error) {
	if rec.version == nil {
		return nil, nil
	}
	v := *rec.version
	if _, ok := dir.Lookup(v); !ok {
		return nil, &UnknownVersionError{Version: v, From: rec.from, Path: dirPath}
	}
	var files []scratch.File
	for _, m := range dir.Migrations {
		if m.Version > v {
			break
		}
		if m.Up == nil {
			continue // golang-migrate records the version without running anything
		}
		data, err := dir.ReadFile(*m.Up)
		if err != nil {
			return nil, fmt.Errorf("migration folder %s: %w", dirPath, err)
		}
		stmts, err := sqlsplit.Split(d, data)
		if err != nil {
			return nil, fmt.Errorf("%s:%w: ferry cannot split it into statements (see ferry statements --dialect %s %s/%s)", m.Up.Name, err, d, dirPath, m.Up.Name)
		}
		files = append(files, scratch.File{Name: m.Up.Name, Version: int64(m.Version), Statements: stmts})
	}
	return files, nil
}

// replay runs the files on a scratch database of dev as golang-migrate runs
// them on the database of live (its table first, its transaction semantics;
// see scratch.DB.Mimic) and describes its schema. The scratch database is
// dropped before it returns; when that fails, a note says so.
func replay(ctx context.Context, dev, live *compat.DatabaseURL, files []scratch.File, opts inspect.Options, r *Report) (*inspect.Schema, error) {
	s, err := scratch.New(ctx, dev)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := s.Close(ctx); err != nil {
			r.Notes = append(r.Notes, err.Error())
		}
	}()
	r.Scratch = s.Name
	if err := s.Mimic(ctx, live); err != nil {
		return nil, err
	}
	for _, f := range files {
		if err := s.Run(ctx, f, nil); err != nil {
			return nil, fmt.Errorf("the files do not replay on scratch database %s of %s: %w", s.Name, dev.Redacted(), err)
		}
	}
	expected, err := s.Describe(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("%w (dev server %s)", err, dev.Redacted())
	}
	return expected, nil
}
