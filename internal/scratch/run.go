package scratch

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/inspect"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// Mimic makes the scratch database what golang-migrate finds before it runs
// the first migration against the database that like names, and makes Run
// run files as golang-migrate runs them there:
//
//   - golang-migrate's table exists, with like's x-migrations-table (or the
//     schema and table of x-migrations-table-quoted; that schema is created
//     when missing) and the columns and key golang-migrate's driver gives it
//     (compat.CreateLegacyTable). Files that alter or read it therefore
//     replay as they ran.
//   - like's options choose the transaction semantics (see Run).
//
// Call it once, right after New and before the first Run. like is only
// read for its options; the scratch database is never connected to it.
func (s *DB) Mimic(ctx context.Context, like *compat.DatabaseURL) error {
	t, err := s.migrationsTable(ctx, like)
	if err != nil {
		return err
	}
	if err := compat.CreateLegacyTable(ctx, s.DB, s.Dialect, t); err != nil {
		return fmt.Errorf("scratch database %s: golang-migrate's table: %w", s.Name, err)
	}
	s.like, s.table = like, t
	return nil
}

// migrationsTable places golang-migrate's table in the scratch database as
// golang-migrate would for like: in the current schema (PostgreSQL), the
// database (MySQL) or main (SQLite), unless x-migrations-table-quoted names
// a schema.
func (s *DB) migrationsTable(ctx context.Context, like *compat.DatabaseURL) (compat.TableRef, error) {
	t := compat.TableRef{Name: like.MigrationsTable}
	if like.TableQuoted && like.QuotedTable != "" {
		t.Name = like.QuotedTable
	}
	query := s.Dialect.CurrentSchemaQuery()
	switch {
	case query != "" && like.TableQuoted && like.QuotedSchema != "":
		t.Schema = like.QuotedSchema
		if _, err := s.DB.ExecContext(ctx, s.Dialect.Revisions().CreateSchema(t.Schema)); err != nil {
			return t, fmt.Errorf("scratch database %s: create schema %s for golang-migrate's table: %w", s.Name, t.Schema, err)
		}
	case query != "":
		var schema sql.NullString
		if err := s.DB.QueryRowContext(ctx, query).Scan(&schema); err != nil {
			return t, fmt.Errorf("scratch database %s: read current schema: %w", s.Name, err)
		}
		if !schema.Valid {
			return t, fmt.Errorf("scratch database %s: no current schema for golang-migrate's table (check the dev URL's search_path)", s.Name)
		}
		t.Schema = schema.String
	case s.Dialect.Catalog().Schemas:
		t.Schema = s.Name // MySQL: the database
	}
	return t, nil
}

// File is one migration file to run as golang-migrate runs it.
type File struct {
	// Name names the file in errors.
	Name string
	// Version is what golang-migrate's row says while the file runs: the
	// file's version for an up file, the version below it (or
	// compat.NilVersion) for a down file.
	Version int64
	// Statements are the file's statements, as sqlsplit splits them.
	Statements []sqlsplit.Statement
}

// Run runs the statements of f in order, with the transaction semantics
// golang-migrate gives a file on the scratch database's engine and Mimic's
// URL options, and with golang-migrate's row around it: (Version, dirty)
// before the first statement, (Version, clean) after the last.
//
//   - PostgreSQL sends the whole file as one query, which the server runs as
//     one implicit transaction: Run opens a transaction for the file. A
//     BEGIN of the file's own keeps that transaction (the server turns the
//     implicit block into an explicit one); its COMMIT or ROLLBACK ends it
//     and the statements after it run in a new one. With x-multi-statement
//     each statement runs on its own, and only the file's own BEGIN opens a
//     transaction.
//   - SQLite wraps the file in a transaction (a BEGIN of the file's own then
//     fails, as it does there); with x-no-tx-wrap statements run on their
//     own and the file's BEGIN and COMMIT are honoured.
//   - MySQL and MariaDB run each statement on its own (DDL commits by
//     itself); the file's own BEGIN or START TRANSACTION opens a
//     transaction until its COMMIT or ROLLBACK.
//
// A PostgreSQL statement that cannot run inside a transaction (CREATE INDEX
// CONCURRENTLY, VACUUM, ...) runs on its own between the transactions:
// golang-migrate cannot run such a file, so ferry apply or Atlas applied
// it, and that is how they run it.
//
// Statements run one at a time so that a failure names its statement (a
// *ReplayError); a file that fails inside a transaction leaves that
// transaction rolled back and the row dirty, as golang-migrate does.
//
// after, when not nil, is called after each statement k (1-based, file
// order, transaction control included) with the statement applied; it may
// call Describe, which sees the open transaction. An error from after stops
// the run (the transaction is rolled back) and is returned as it is.
//
// Run without Mimic runs the statements as before golang-migrate's table
// existed: no row is written and the semantics are those of a URL without
// options.
func (s *DB) Run(ctx context.Context, f File, after func(k int) error) error {
	if s.like != nil {
		if err := compat.WriteLegacy(ctx, s.DB, s.Dialect, s.table, f.Version, true); err != nil {
			return fmt.Errorf("scratch database %s: %w", s.Name, err)
		}
	}
	if err := s.run(ctx, f, after); err != nil {
		if s.tx != nil {
			_ = s.tx.Rollback()
			s.tx = nil
		}
		return err
	}
	if s.like != nil {
		if err := compat.WriteLegacy(ctx, s.DB, s.Dialect, s.table, f.Version, false); err != nil {
			return fmt.Errorf("scratch database %s: %w", s.Name, err)
		}
	}
	return nil
}

func (s *DB) run(ctx context.Context, f File, after func(k int) error) error {
	wrapped := s.wrapsFiles()
	begin := func() error {
		tx, err := s.DB.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("scratch database %s: begin the transaction of %s: %w", s.Name, f.Name, err)
		}
		s.tx = tx
		return nil
	}
	end := func(commit bool) error {
		tx := s.tx
		s.tx = nil
		if !commit {
			return tx.Rollback()
		}
		return tx.Commit()
	}
	if wrapped {
		if err := begin(); err != nil {
			return err
		}
	}
	for i, st := range f.Statements {
		index := st.Index
		if index == 0 {
			index = i + 1
		}
		var err error
		switch control := txControl(st); {
		case control == txBegin && s.Dialect.ImplicitBlocks() && s.tx != nil:
			// The file's BEGIN inside the implicit block: the block
			// becomes explicit, nothing else changes.
		case control == txBegin && s.tx == nil:
			err = begin()
		case (control == txCommit || control == txRollback) && s.tx != nil:
			err = end(control == txCommit)
			if err == nil && wrapped && s.Dialect.ImplicitBlocks() {
				err = begin() // the rest of the query runs in a new implicit block
			}
		case s.Dialect.NoTxRunsAlone() && s.tx != nil && st.Kind.Has(sqlsplit.KindNoTx):
			// golang-migrate cannot run such a file (the server refuses
			// the statement inside the file's transaction: FM402), so
			// ferry apply or Atlas ran it, the statement on its own.
			if err = end(true); err == nil {
				if _, err = s.DB.ExecContext(ctx, st.Text); err == nil && wrapped {
					err = begin()
				}
			}
		default:
			_, err = s.exec(ctx, st.Text)
		}
		if err != nil {
			return &ReplayError{File: f.Name, Statement: index, Line: st.Line, Err: err}
		}
		if after != nil {
			if err := after(i + 1); err != nil {
				return err
			}
		}
	}
	if s.tx != nil {
		if err := end(true); err != nil {
			return fmt.Errorf("scratch database %s: commit %s: %w", s.Name, f.Name, err)
		}
	}
	return nil
}

// wrapsFiles reports whether golang-migrate runs a whole file in one
// transaction on this engine with Mimic's options.
func (s *DB) wrapsFiles() bool {
	var options map[string]string
	if s.like != nil {
		options = s.like.Options
	}
	run, _ := s.Dialect.GolangMigrateRun(options, false)
	return run != engine.RunPerStatement
}

func (s *DB) exec(ctx context.Context, query string) (sql.Result, error) {
	if s.tx != nil {
		return s.tx.ExecContext(ctx, query)
	}
	return s.DB.ExecContext(ctx, query)
}

// Describe describes the scratch database's schema as it stands, inside the
// transaction of a file Run is running when there is one.
func (s *DB) Describe(ctx context.Context, o inspect.Options) (*inspect.Schema, error) {
	var (
		schema *inspect.Schema
		err    error
	)
	if s.tx != nil {
		schema, err = inspect.InspectTx(ctx, s.tx, s.Dialect, o)
	} else {
		schema, err = inspect.Inspect(ctx, s.DB, s.Dialect, o)
	}
	if err != nil {
		return nil, fmt.Errorf("describe scratch database %s: %w", s.Name, err)
	}
	return schema, nil
}

type control int

const (
	txNone control = iota
	txBegin
	txCommit
	txRollback
)

// txControl tells whether a statement begins, commits or rolls back a
// transaction. Savepoints, ROLLBACK TO, SET TRANSACTION, XA and two-phase
// commands are run as statements.
func txControl(st sqlsplit.Statement) control {
	if !st.Kind.Has(sqlsplit.KindTxControl) {
		return txNone
	}
	words := strings.Fields(strings.ToUpper(strings.TrimRight(st.Text, "; \t\r\n")))
	if len(words) == 0 {
		return txNone
	}
	next := ""
	if len(words) > 1 {
		next = words[1]
	}
	switch words[0] {
	case "BEGIN":
		return txBegin
	case "START":
		if next == "TRANSACTION" {
			return txBegin
		}
	case "COMMIT", "END":
		if next != "PREPARED" {
			return txCommit
		}
	case "ROLLBACK", "ABORT":
		if next != "TO" && next != "PREPARED" {
			return txRollback
		}
	}
	return txNone
}

// MigrationsTable is where Mimic created golang-migrate's table (the zero
// TableRef before Mimic).
func (s *DB) MigrationsTable() compat.TableRef { return s.table }
