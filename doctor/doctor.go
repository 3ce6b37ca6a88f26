// Package doctor diagnoses a database that golang-migrate left dirty and
// recovers it with evidence instead of a blind force.
//
// A dirty row at version V means that golang-migrate's run of the up file
// of V failed, or that its run of the down file of the next version did:
// the row cannot tell. Diagnose weighs both cases. For each it lists the
// prefixes of the file the engine can have left applied (PostgreSQL runs a
// file as one transaction unless it has its own COMMIT; MySQL and MariaDB
// keep every statement before the failure; SQLite rolls back unless
// x-no-tx-wrap), and tests each against the evidence: catalog probes
// derived from the statements (what they create, drop, rename and need),
// the error golang-migrate printed when given, and, with a dev database,
// a replay of the files compared schema to schema after every statement.
// The verdict is the case, the applied prefix k of n, and how sure it is;
// the plans say exactly what Recover would run.
package doctor

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/inspect"
	"github.com/ferrymigrate/ferry/internal/ddl"
	"github.com/ferrymigrate/ferry/refusal"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// Case is which golang-migrate run left the row dirty.
type Case string

const (
	// Up is a failed (or interrupted) up of the dirty version.
	Up Case = "up"
	// Down is a failed (or interrupted) down of the next version, whose
	// target was the dirty version.
	Down Case = "down"
)

// Certainty is how sure a verdict is.
type Certainty string

const (
	// Proven: exactly one state (case and applied prefix) agrees with the
	// evidence, every other one the engine allows contradicts it, nothing
	// else in the schema shows a change by hand, and the state does not
	// need an object of the file to have existed before it.
	Proven Certainty = "proven"
	// Consistent: one state agrees, but only under an assumption: that the
	// objects the file creates did not exist before it (several states
	// agree otherwise), or despite drift, or although it needs such an
	// object to have existed (made by hand?).
	Consistent Certainty = "consistent"
	// Unknown: several prefixes agree, or none does.
	Unknown Certainty = "unknown"
)

// Status is what the evidence says of one statement.
type Status string

const (
	Applied    Status = "applied"
	NotApplied Status = "not applied"
	Undecided  Status = "unknown"
)

// semantics is how an engine runs a golang-migrate file.
type semantics int

const (
	wholeFile    semantics = iota // one transaction: all or nothing
	commitBlocks                  // PostgreSQL with its own BEGIN/COMMIT: what the last COMMIT covered
	perStatement                  // every statement on its own: any prefix
)

// Options tune a diagnosis.
type Options struct {
	// Path is the migration folder as the user named it, for the commands
	// the diagnosis prints.
	Path string
	// DevURL names a server where a scratch database may be created to
	// replay the files (SQLite: memory). Nil skips the replay.
	DevURL *compat.DatabaseURL
	// Error is the error golang-migrate printed, if known; object names
	// quoted in it point at the failing statement.
	Error string
}

// targetArgs are the words that name the folder, the database and the dev
// server in the commands a diagnosis prints, with the user's own values
// (the URLs redacted; no --database when it came from $DATABASE_URL).
func (o Options) targetArgs(u *compat.DatabaseURL) []string {
	words := append([]string{"--path", o.Path}, u.DatabaseArgs()...)
	if o.DevURL != nil {
		words = append(words, "--dev-url", o.DevURL.Redacted())
	}
	return words
}

// DoctorCommand is the ferry doctor command that diagnoses u again with the
// options o (folder, dev server and golang-migrate's error as given).
func DoctorCommand(u *compat.DatabaseURL, o Options) refusal.Command {
	words := append([]string{"ferry", "doctor"}, o.targetArgs(u)...)
	if o.Error != "" {
		words = append(words, "--error", o.Error)
	}
	return words
}

// Diagnose reads golang-migrate's row, the migration folder (fsys, as
// golang-migrate reads it) and the live schema of db (opened on u), and
// weighs what can have left the row dirty. It only reads db; with
// o.DevURL it creates, uses and drops a scratch database there.
func Diagnose(ctx context.Context, db *sql.DB, u *compat.DatabaseURL, fsys fs.FS, o Options) (*Diagnosis, error) {
	dg, err := diagnose(ctx, db, u, fsys, o)
	if err != nil {
		return nil, err
	}
	return dg.Diagnosis, nil
}

// diagnose is Diagnose, keeping the working state for Recover.
func diagnose(ctx context.Context, db *sql.DB, u *compat.DatabaseURL, fsys fs.FS, o Options) (*diagnosis, error) {
	dir, err := compat.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read the migration folder %s: %w", o.Path, err)
	}
	if err := dir.Err(); err != nil {
		return nil, &refusal.Refusal{Reason: fmt.Sprintf("golang-migrate cannot read the migration folder %s: %v", o.Path, err), Next: refusal.Run("ferry", "status", "--path", o.Path)}
	}
	st, err := compat.ReadLegacy(ctx, db, u)
	if err != nil {
		return nil, err
	}
	dg := &diagnosis{Diagnosis: &Diagnosis{Database: u.Redacted(), Table: st.Table.String(), Version: st.Version, Dirty: st.Dirty},
		dialect: u.Dialect, url: u, legacy: st, dir: dir, opts: o}
	switch {
	case !st.TableExists || st.Rows == 0:
		dg.Verdict = Verdict{Clean: true, Certainty: Proven, Summary: "golang-migrate has no version here: nothing to recover"}
		return dg, nil
	case st.Rows > 1:
		return nil, &refusal.Refusal{Reason: fmt.Sprintf("%s holds %d rows; golang-migrate reads whichever comes first", st.Table, st.Rows), Next: refusal.Run(append([]string{"ferry", "status", "--path", o.Path}, u.DatabaseArgs()...)...)}
	case !st.Dirty:
		dg.Verdict = Verdict{Clean: true, Certainty: Proven, Summary: fmt.Sprintf("version %d is clean: nothing to recover", st.Version)}
		return dg, nil
	}
	if err := dg.loadCandidates(fsys); err != nil {
		return nil, err
	}
	dg.implied()
	if err := dg.readLive(ctx, db); err != nil {
		return nil, err
	}
	dg.findImplicit()
	for _, c := range dg.Candidates {
		dg.foreignKeys(c)
	}
	dg.checkHistory()
	for _, c := range dg.Candidates {
		if len(c.history) == 0 {
			dg.probe(c)
		}
	}
	dg.matchError()
	if err := dg.revisionEvidence(ctx, db); err != nil {
		return nil, fmt.Errorf("read the revisions of %s: %w", dg.Database, err)
	}
	if o.DevURL != nil && len(dg.Candidates) > 0 {
		dg.Replay = dg.replay(ctx, o.DevURL)
	}
	dg.decide()
	dg.fingerprint()
	dg.Plans = dg.plans()
	return dg, nil
}

// loadCandidates finds the files that can have left the row.
func (dg *diagnosis) loadCandidates(fsys fs.FS) error {
	v := dg.Version
	if v >= 0 {
		if m, ok := dg.dir.Lookup(uint64(v)); ok && m.Up != nil {
			c, err := dg.candidate(fsys, Up, m, m.Up, v)
			if err != nil {
				return err
			}
			dg.Candidates = append(dg.Candidates, c)
		} else {
			dg.Notes = append(dg.Notes, fmt.Sprintf("the folder has no up file for version %d: a failed up of it cannot be weighed", v))
		}
	}
	var next []compat.Migration
	if v < 0 {
		next = dg.dir.Migrations
	} else {
		next = dg.dir.After(uint64(v))
	}
	if len(next) > 0 && next[0].Down != nil {
		c, err := dg.candidate(fsys, Down, next[0], next[0].Down, v)
		if err != nil {
			return err
		}
		dg.Candidates = append(dg.Candidates, c)
	}
	if len(dg.Candidates) == 0 {
		return &refusal.Refusal{Reason: fmt.Sprintf("%s is dirty at version %d, but the folder %s has neither its up file nor a down file of the next version: restore the files that ran", dg.Table, v, dg.opts.Path), Next: refusal.Run("git", "log", "--stat", "--", dg.opts.Path)}
	}
	return nil
}

func (dg *diagnosis) candidate(fsys fs.FS, cs Case, m compat.Migration, f *compat.File, target int64) (*Candidate, error) {
	body, err := dg.dir.ReadFile(*f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", f.Name, err)
	}
	stmts, err := sqlsplit.Split(dg.dialect, body)
	if err != nil {
		return nil, fmt.Errorf("%s cannot be split into statements (%v): ferry cannot tell which of them ran; check it with ferry statements --path %s", f.Name, err, dg.opts.Path)
	}
	c := &Candidate{Case: cs, Version: m.Version, File: f.Name, Target: target, body: body, stmts: stmts, RuledOut: map[int][]string{}, errorRuled: map[int]bool{}}
	for _, st := range stmts {
		c.changes = append(c.changes, ddl.Analyse(dg.dialect, st.Text))
	}
	c.sem, c.Semantics = dg.semantics(stmts)
	c.Possible = allowedPrefixes(c.sem, stmts)
	return c, nil
}

// semantics says how golang-migrate's driver for the URL runs a file.
func (dg *diagnosis) semantics(stmts []sqlsplit.Statement) (semantics, string) {
	switch dg.dialect {
	case engine.Postgres:
		if dg.url.Options["x-multi-statement"] == "true" {
			return perStatement, "PostgreSQL with x-multi-statement: each statement commits on its own, so any prefix can have run"
		}
		for _, st := range stmts {
			if st.Kind.Has(sqlsplit.KindTxControl) {
				return commitBlocks, "PostgreSQL runs the file as one query; its own BEGIN/COMMIT make what each COMMIT covered permanent, the rest rolls back"
			}
		}
		return wholeFile, "PostgreSQL runs the file as one query in one implicit transaction: all of it or nothing"
	case engine.MySQL:
		return perStatement, "MySQL/MariaDB run the statements one by one and commit DDL on its own: the statements before a failure stay applied"
	default:
		if dg.url.Options["x-no-tx-wrap"] == "true" {
			return perStatement, "SQLite with x-no-tx-wrap: the statements before a failure stay applied"
		}
		return wholeFile, "golang-migrate wraps the file in a transaction on SQLite: all of it or nothing"
	}
}

// readLive describes the live schema.
func (dg *diagnosis) readLive(ctx context.Context, db *sql.DB) error {
	live, err := inspect.Inspect(ctx, db, dg.url.Dialect, inspect.OptionsFor(dg.url))
	if err != nil {
		return fmt.Errorf("describe the schema of %s: %w", dg.Database, err)
	}
	schemas, err := schemaNames(ctx, db, dg.dialect)
	if err != nil {
		return err
	}
	caseTables, err := caseSensitiveTables(ctx, db, dg.dialect)
	if err != nil {
		return err
	}
	dg.live = live
	dg.cat = newCatalog(dg.dialect, live, schemas, caseTables)
	return nil
}
