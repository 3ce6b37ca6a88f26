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
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/database"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/inspect"
	"github.com/ferrymigrate/ferry/internal/ddl"
	"github.com/ferrymigrate/ferry/internal/shellquote"
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
type semantics = engine.FileRun

const (
	wholeFile    = engine.RunWholeFile    // one transaction: all or nothing
	commitBlocks = engine.RunCommitBlocks // PostgreSQL with its own BEGIN/COMMIT: what the last COMMIT covered
	perStatement = engine.RunPerStatement // every statement on its own: any prefix
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
func DoctorCommand(u *compat.DatabaseURL, o Options) string {
	words := append([]string{"ferry", "doctor"}, o.targetArgs(u)...)
	if o.Error != "" {
		words = append(words, "--error", o.Error)
	}
	return shellquote.Command(words...)
}

// Diagnosis is what Diagnose found.
type Diagnosis struct {
	Database string `json:"database"` // redacted URL
	Table    string `json:"legacy_table"`
	// Version and Dirty are golang-migrate's row (Version -1: no version).
	Version int64 `json:"version"`
	Dirty   bool  `json:"dirty"`
	// Candidates are the runs that can have left the row: the up of
	// Version and the down of the next version, where the files exist.
	Candidates []*Candidate `json:"candidates"`
	Verdict    Verdict      `json:"verdict"`
	// Replay is what the replay on the dev database showed; nil without
	// --dev-url.
	Replay *Replay `json:"replay,omitempty"`
	// Revision is the revision row ferry or Atlas wrote for a run of the
	// dirty version that stopped part-way; nil when there is none.
	Revision *RevisionEvidence `json:"revision,omitempty"`
	// Drift lists objects the earlier files create (or drop) that the live
	// schema does not agree with.
	Drift []string `json:"drift,omitempty"`
	Plans []*Plan  `json:"plans"`
	// Fingerprint identifies what the diagnosis saw (row, schema, files);
	// recover --expect refuses when it changed.
	Fingerprint string   `json:"fingerprint"`
	Notes       []string `json:"notes,omitempty"`

	dialect engine.Dialect
	url     *compat.DatabaseURL
	legacy  *compat.LegacyState
	dir     *compat.Directory
	cat     *catalog
	live    *inspect.Schema
	opts    Options
	dbPrint string
	ups     map[uint64]*upFile // up files read and split, by version
	// assumed is the state recover --assume named; the plans' commands
	// carry it.
	assumed *Alternative
}

// upFile is an up file of the folder, split and analysed once per
// diagnosis (history, implicit objects, later files and the replay all
// need it).
type upFile struct {
	stmts   []sqlsplit.Statement
	changes []ddl.Change
	err     error
}

// up reads, splits and analyses the up file of m, once.
func (dg *Diagnosis) up(m compat.Migration) *upFile {
	if f, ok := dg.ups[m.Version]; ok {
		return f
	}
	f := &upFile{}
	body, err := dg.dir.ReadFile(*m.Up)
	if err == nil {
		f.stmts, err = sqlsplit.Split(dg.dialect, body)
		if err != nil {
			err = fmt.Errorf("%s: %w", m.Up.Name, err)
		}
	}
	f.err = err
	for _, st := range f.stmts {
		f.changes = append(f.changes, ddl.Analyse(dg.dialect, st.Text))
	}
	if dg.ups == nil {
		dg.ups = map[uint64]*upFile{}
	}
	dg.ups[m.Version] = f
	return f
}

// Candidate is one run that can have left the row dirty.
type Candidate struct {
	Case    Case   `json:"case"`
	Version uint64 `json:"version"` // the file's version
	File    string `json:"file"`
	// Target is the version golang-migrate was moving to: the dirty one.
	Target int64 `json:"target"`
	// Semantics says how the engine ran the file, and Possible the applied
	// prefixes it can have left; Consistent those that agree with the
	// evidence.
	Semantics  string `json:"semantics"`
	Possible   []int  `json:"possible_prefixes"`
	Consistent []int  `json:"consistent_prefixes"`
	// Likely are the consistent prefixes that also agree when the objects
	// the file creates are assumed absent before it (no earlier file
	// created them, and nobody by hand).
	Likely     []int               `json:"likely_prefixes,omitempty"`
	Statements []StatementEvidence `json:"statements"`
	// Ruled out says why each possible prefix that disagrees was ruled out.
	RuledOut map[int][]string `json:"ruled_out,omitempty"`

	sem        semantics
	errorRuled map[int]bool
	hist       *sim           // what the files before the run leave behind
	badFK      map[int]string // statements declaring a foreign key the live schema cannot back
	history    []string       // how the live schema disagrees with hist
	body       []byte
	stmts      []sqlsplit.Statement
	changes    []ddl.Change
}

// Total is the number of statements of the file.
func (c *Candidate) Total() int { return len(c.stmts) }

// StatementEvidence is one statement of a candidate file and what the
// evidence says of it.
type StatementEvidence struct {
	Index    int      `json:"index"`
	Line     int      `json:"line"`
	Text     string   `json:"text"` // first line, shortened
	Does     string   `json:"does,omitempty"`
	Status   Status   `json:"status"`
	Evidence []string `json:"evidence,omitempty"`
}

// Verdict is the conclusion.
type Verdict struct {
	Case      Case      `json:"case,omitempty"`
	Version   uint64    `json:"file_version,omitempty"`
	File      string    `json:"file,omitempty"`
	Applied   int       `json:"applied"`
	Total     int       `json:"total"`
	Certainty Certainty `json:"certainty"`
	// Alternatives are the other (case, prefix) pairs that agree with the
	// evidence when the verdict is not proven.
	Alternatives []Alternative `json:"alternatives,omitempty"`
	Summary      string        `json:"summary"`
	// Clean is true when the row is not dirty: nothing to diagnose.
	Clean bool `json:"clean,omitempty"`
	// ReplayCanHelp is true when the verdict is not proven, no replay was
	// made, and one (--dev-url) could separate the states that agree: they
	// differ in a statement that changes the schema.
	ReplayCanHelp bool `json:"replay_can_help,omitempty"`
}

// Alternative is a (case, applied prefix) pair.
type Alternative struct {
	Case    Case   `json:"case"`
	File    string `json:"file"`
	Applied int    `json:"applied"`
	Total   int    `json:"total"`
}

// Refusal is a diagnosis that cannot start. Next is the command to run.
type Refusal struct {
	Reason string
	Next   string
}

func (r *Refusal) Error() string {
	if r.Next == "" {
		return r.Reason
	}
	return r.Reason + "; next: " + r.Next
}

// Diagnose reads golang-migrate's row, the migration folder (fsys, as
// golang-migrate reads it) and the live schema of db (opened on u), and
// weighs what can have left the row dirty. It only reads db; with
// o.DevURL it creates, uses and drops a scratch database there.
func Diagnose(ctx context.Context, on *database.DB, fsys fs.FS, o Options) (*Diagnosis, error) {
	db, u := on.SQL, on.URL
	dir, err := compat.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read the migration folder %s: %w", o.Path, err)
	}
	if err := dir.Err(); err != nil {
		return nil, &Refusal{Reason: fmt.Sprintf("golang-migrate cannot read the migration folder %s: %v", o.Path, err), Next: shellquote.Command("ferry", "status", "--path", o.Path)}
	}
	st, err := compat.ReadLegacy(ctx, db, u)
	if err != nil {
		return nil, err
	}
	dg := &Diagnosis{Database: u.Redacted(), Table: st.Table.String(), Version: st.Version, Dirty: st.Dirty,
		dialect: u.Dialect, url: u, legacy: st, dir: dir, opts: o}
	switch {
	case !st.TableExists || st.Rows == 0:
		dg.Verdict = Verdict{Clean: true, Certainty: Proven, Summary: "golang-migrate has no version here: nothing to recover"}
		return dg, nil
	case st.Rows > 1:
		return nil, &Refusal{Reason: fmt.Sprintf("%s holds %d rows; golang-migrate reads whichever comes first", st.Table, st.Rows), Next: shellquote.Command(append([]string{"ferry", "status", "--path", o.Path}, u.DatabaseArgs()...)...)}
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
func (dg *Diagnosis) loadCandidates(fsys fs.FS) error {
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
		return &Refusal{Reason: fmt.Sprintf("%s is dirty at version %d, but the folder %s has neither its up file nor a down file of the next version: restore the files that ran", dg.Table, v, dg.opts.Path), Next: "git log --stat -- " + dg.opts.Path}
	}
	return nil
}

func (dg *Diagnosis) candidate(fsys fs.FS, cs Case, m compat.Migration, f *compat.File, target int64) (*Candidate, error) {
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
func (dg *Diagnosis) semantics(stmts []sqlsplit.Statement) (semantics, string) {
	control := slices.ContainsFunc(stmts, func(st sqlsplit.Statement) bool { return st.Kind.Has(sqlsplit.KindTxControl) })
	return dg.dialect.GolangMigrateRun(dg.url.Options, control)
}

// readLive describes the live schema.
func (dg *Diagnosis) readLive(ctx context.Context, db *sql.DB) error {
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

// implied adds to the changes of the up files, in the order golang-migrate
// runs them, and of the candidates what the server does on its own (see
// ddl.Engine): the up of a candidate version follows the files before it,
// the down of the next version follows its up.
func (dg *Diagnosis) implied() {
	e := ddl.NewEngine(dg.dialect)
	apply := func(e *ddl.Engine, changes []ddl.Change) {
		for i, ch := range changes {
			changes[i] = e.Apply(ch)
		}
	}
	for _, m := range dg.dir.Migrations {
		if m.Up == nil {
			continue
		}
		for _, c := range dg.Candidates {
			if c.Case == Up && c.Version == m.Version {
				apply(e.Clone(), c.changes)
			}
		}
		f := dg.up(m)
		if f.err != nil {
			continue
		}
		apply(e, f.changes)
		for _, c := range dg.Candidates {
			if c.Case == Down && c.Version == m.Version {
				apply(e.Clone(), c.changes)
			}
		}
	}
}

// findImplicit records the child objects the files name but never create
// (a server-named constraint dropped by name, say): after the CREATE TABLE
// of their table they may exist or not.
func (dg *Diagnosis) findImplicit() {
	s := newSim(dg.cat)
	named := map[ddl.Ref]bool{}
	made := map[ddl.Ref]bool{}
	note := func(ch ddl.Change) {
		for _, group := range [][]ddl.Fact{ch.Requires, ch.Effects} {
			for _, f := range group {
				if f.Ref.Kind.Child() && f.Ref.Kind != ddl.Column {
					named[s.norm(f.Ref)] = true
				}
			}
		}
		for _, f := range ch.Effects {
			if f.Exists && !f.Maybe {
				made[s.norm(f.Ref)] = true
			}
		}
	}
	for _, m := range dg.dir.Migrations {
		if m.Up == nil {
			continue
		}
		f := dg.up(m)
		if f.err != nil {
			continue
		}
		for _, ch := range f.changes {
			note(ch)
		}
	}
	for _, c := range dg.Candidates {
		for _, ch := range c.changes {
			note(ch)
		}
	}
	for k := range named {
		if !made[k] {
			dg.cat.implicit[k] = true
		}
	}
}

// foreignKeys finds the statements of c that declare a foreign key to a
// table that has no key the engine accepts for it: they cannot have
// succeeded, unless the key was there then and is gone now, which ferry
// only rules out where the file does not touch the referenced table.
func (dg *Diagnosis) foreignKeys(c *Candidate) {
	c.badFK = map[int]string{}
	s := newSim(dg.cat)
	touched := map[ddl.Ref]bool{}
	for _, ch := range c.changes {
		for _, f := range ch.Effects {
			t := f.Ref
			if f.Ref.Kind.Child() {
				t = ddl.Ref{Kind: ddl.Table, Schema: f.Ref.Schema, Name: f.Ref.Table}
			}
			if t.Kind == ddl.Table && t.Name != "" {
				touched[s.norm(t)] = true
			}
		}
	}
	for i, ch := range c.changes {
		for _, fk := range ch.ForeignKeys {
			if touched[s.norm(fk.Table)] {
				continue
			}
			if ok, known := dg.cat.canBeReferenced(fk.Table, fk.Columns); known && !ok {
				what := "its primary key"
				if len(fk.Columns) > 0 {
					what = "(" + strings.Join(fk.Columns, ", ") + ")"
				}
				need := "no primary key, unique constraint or unique index on exactly those columns"
				if dg.dialect.Catalog().References == engine.ReferenceIndexPrefix {
					need = "no index that starts with those columns"
				}
				c.badFK[i] = fmt.Sprintf("cannot have succeeded: its foreign key references %s %s, and that table has %s (and the file does not change it)", fk.Table, what, need)
			}
		}
	}
}

// probe tests every possible prefix of c against the catalog.
func (dg *Diagnosis) probe(c *Candidate) {
	if later := dg.laterObjects(c); len(later) > 0 {
		for _, k := range c.Possible {
			c.RuledOut[k] = later
		}
		return
	}
	strict := evaluateAll(dg.cat, c, c.Possible, false)
	likely := evaluateAll(dg.cat, c, c.Possible, true)
	for _, k := range c.Possible {
		if pc := strict[k]; !pc.ok {
			c.RuledOut[k] = pc.contradictions
			continue
		}
		c.Consistent = append(c.Consistent, k)
		if likely[k].ok {
			c.Likely = append(c.Likely, k)
		}
	}
}

// laterObjects lists objects of the live schema that only files after c
// create: if they exist, those files ran, and c cannot be the run that
// failed (golang-migrate runs files in order and stops at a dirty one).
func (dg *Diagnosis) laterObjects(c *Candidate) []string {
	s := newSim(dg.cat)
	mentioned := map[ddl.Ref]bool{}
	var out []string
	for _, m := range dg.dir.Migrations {
		if m.Up == nil {
			continue
		}
		var changes []ddl.Change
		if m.Version == c.Version && c.Case == Up {
			changes = c.changes
		} else {
			f := dg.up(m)
			if f.err != nil {
				return nil
			}
			changes = f.changes
		}
		for _, ch := range changes {
			if m.Version > c.Version {
				for _, f := range ch.Requires {
					key := s.norm(f.Ref)
					if f.Exists || mentioned[key] || !dg.cat.observable(f.Ref) || !dg.cat.exists(f.Ref) {
						continue
					}
					// A strict CREATE of an object no earlier file names.
					for _, e := range ch.Effects {
						if s.norm(e.Ref) == key && e.Exists {
							out = append(out, fmt.Sprintf("the database has %s, which only %s (a later version) creates: that file ran, so %s is not the run that failed", f.Ref, m.Up.Name, c.File))
						}
					}
				}
			}
			for _, group := range [][]ddl.Fact{ch.Requires, ch.Effects} {
				for _, f := range group {
					mentioned[s.norm(f.Ref)] = true
				}
			}
		}
		if c.Case == Down && m.Version == c.Version {
			for _, ch := range c.changes {
				for _, group := range [][]ddl.Fact{ch.Requires, ch.Effects} {
					for _, f := range group {
						mentioned[s.norm(f.Ref)] = true
					}
				}
			}
		}
	}
	return out
}

// checkHistory replays (without a database) the files that ran before each
// candidate, keeps the result as the candidate's starting point, and
// compares it with the live schema for the objects the candidate does not
// touch: a difference rules the candidate out (those files ran, so their
// objects must be there) and is reported as possible drift.
func (dg *Diagnosis) checkHistory() {
	seen := map[string]bool{}
	for _, c := range dg.Candidates {
		s := newSim(dg.cat)
		touched := map[ddl.Ref]bool{}
		for _, ch := range c.changes {
			for _, f := range append(slices.Clone(ch.Requires), ch.Effects...) {
				touched[s.norm(f.Ref)] = true
			}
		}
		var order []ddl.Ref
		// opaque are the names statements ferry cannot read mention (a DO
		// block, a procedure call): what they did to those objects is
		// unknown, so the history claims nothing of them.
		opaque := map[string]bool{}
		for _, m := range dg.dir.Migrations {
			if m.Version > c.Version || m.Version == c.Version && c.Case == Up {
				break
			}
			if m.Up == nil {
				continue
			}
			f := dg.up(m)
			if f.err != nil {
				continue
			}
			for i, ch := range f.changes {
				s.apply(ch)
				for _, e := range ch.Effects {
					order = append(order, e.Ref)
				}
				if !ch.Understood && !ch.DML && !ch.TxControl && i < len(f.stmts) {
					mentionedBy(f.stmts[i].Text, opaque)
				}
			}
		}
		c.hist = s
		var problems []string
		for _, r := range order {
			k := s.norm(r)
			if touched[k] || !dg.cat.observable(r) || opaque[strings.ToLower(r.Name)] {
				continue
			}
			if r.Kind.Child() && touched[s.norm(ddl.Ref{Kind: ddl.Table, Schema: r.Schema, Name: r.Table})] {
				continue // its table is created, dropped or renamed by the candidate
			}
			v := s.get(r)
			if v != present && v != absent {
				continue
			}
			live := dg.cat.exists(r)
			if (v == present) == live {
				continue
			}
			msg := fmt.Sprintf("the files before %s leave %s, but the database has none", c.File, r)
			if v == absent {
				msg = fmt.Sprintf("the files before %s drop %s, but the database has it", c.File, r)
			}
			if !slices.Contains(problems, msg) {
				problems = append(problems, msg)
			}
		}
		if len(problems) == 0 {
			continue
		}
		for _, k := range c.Possible {
			c.RuledOut[k] = append(c.RuledOut[k], problems...)
		}
		c.Consistent, c.Likely = nil, nil
		c.history = problems
	}
	// When no candidate explains the earlier files' objects, the schema
	// was changed by hand.
	for _, c := range dg.Candidates {
		if len(c.history) == 0 {
			return
		}
	}
	for _, c := range dg.Candidates {
		for _, msg := range c.history {
			if !seen[msg] {
				seen[msg] = true
				dg.Drift = append(dg.Drift, msg)
			}
		}
	}
}

// matchError rules out states that do not fit the error golang-migrate
// printed: when a statement of some candidate mentions an object the
// error names, the run failed at such a statement, so a candidate none of
// whose statements mention it is ruled out, and so is a prefix whose
// failing statement does not (where the engine tells which one failed), or
// that claims the file ran to the end.
func (dg *Diagnosis) matchError() {
	names := errorNames(dg.opts.Error)
	if len(names) == 0 {
		return
	}
	mentions := func(c *Candidate, i int) bool {
		for _, m := range c.changes[i].Mentions {
			for _, n := range names {
				if strings.EqualFold(m, n) {
					return true
				}
			}
		}
		return false
	}
	// "X already exists" (or MySQL's "Duplicate ... 'X'"): the failing
	// statement creates X.
	existing := existsName(dg.opts.Error)
	creates := func(c *Candidate, i int) bool {
		for _, f := range c.changes[i].Effects {
			if f.Exists && !f.Maybe && strings.EqualFold(f.Ref.Name, existing) {
				return true
			}
		}
		return false
	}
	anyCreates := false
	named := map[*Candidate]bool{}
	for _, c := range dg.Candidates {
		for i := range c.changes {
			if mentions(c, i) {
				named[c] = true
			}
			if existing != "" && creates(c, i) {
				anyCreates = true
			}
		}
	}
	if len(named) == 0 {
		dg.Notes = append(dg.Notes, fmt.Sprintf("no statement of the candidate files mentions %s, named in the error: the error was not used", strings.Join(names, ", ")))
		return
	}
	for _, c := range dg.Candidates {
		var keep []int
		for _, k := range c.Possible {
			why := ""
			switch {
			case !named[c]:
				why = fmt.Sprintf("the error names %s, which no statement of %s mentions", strings.Join(names, ", "), c.File)
			case k == c.Total() && c.Total() > 0:
				why = "a statement failed with the error given, so the file did not run to the end"
			case c.sem == perStatement && !mentions(c, k):
				why = fmt.Sprintf("the error names %s, which statement %d (the one that would have failed) does not mention", strings.Join(names, ", "), k+1)
			case c.sem == perStatement && anyCreates && !creates(c, k):
				why = fmt.Sprintf("the error says %s already exists, and statement %d (the one that would have failed) does not create it", existing, k+1)
			}
			if why != "" {
				c.errorRuled[k] = true
				c.RuledOut[k] = append(c.RuledOut[k], why)
				continue
			}
			if slices.Contains(c.Consistent, k) {
				keep = append(keep, k)
			}
		}
		c.Consistent = keep
		var likely []int
		for _, k := range c.Likely {
			if slices.Contains(keep, k) {
				likely = append(likely, k)
			}
		}
		c.Likely = likely
	}
}

// existsName returns the object an "already exists" error names (PostgreSQL
// relation/column/constraint "X" ... already exists, MySQL Table 'X'
// already exists / Duplicate column name 'X' / Duplicate key name 'X',
// SQLite table X already exists / duplicate column name: X), or "".
func existsName(text string) string {
	if i := strings.Index(text, " in line "); i >= 0 {
		if j := strings.LastIndex(text, "(details: "); j > i {
			text = text[:i] + " " + text[j:]
		} else {
			text = text[:i]
		}
	}
	lower := strings.ToLower(text)
	if !strings.Contains(lower, "already exists") && !strings.Contains(lower, "duplicate column name") && !strings.Contains(lower, "duplicate key name") {
		return ""
	}
	names := errorNames(text)
	if len(names) == 0 {
		return ""
	}
	name := names[0]
	if k := strings.LastIndexByte(name, '.'); k >= 0 {
		name = name[k+1:]
	}
	return name
}

// sqliteNames find the unquoted names in SQLite's error messages.
var sqliteNames = regexp.MustCompile(`(?:no such (?:table|column|index|view|trigger)|duplicate column name): ([\w.]+)|(?:table|index|view|trigger) ([\w.]+) already exists`)

// errorNames extracts the object names of an error message. golang-migrate
// echoes the whole file in its error ("... in line N: SQL (details:
// ...)"); only the message and the details are read.
func errorNames(text string) []string {
	if i := strings.Index(text, " in line "); i >= 0 {
		details := ""
		if j := strings.LastIndex(text, "(details: "); j > i {
			details = text[j:]
		}
		text = text[:i] + " " + details
	}
	var out []string
	var add func(string)
	add = func(name string) {
		if name == "" || strings.ContainsAny(name, " ,;()") || slices.Contains(out, name) {
			return
		}
		out = append(out, name)
		if k := strings.LastIndexByte(name, '.'); k >= 0 {
			add(name[k+1:])
		}
	}
	for i := 0; i < len(text); i++ {
		q := text[i]
		if q != '"' && q != '`' && q != '\'' {
			continue
		}
		j := strings.IndexByte(text[i+1:], q)
		if j <= 0 {
			continue
		}
		add(text[i+1 : i+1+j])
		i += j + 1
	}
	for _, m := range sqliteNames.FindAllStringSubmatch(text, -1) {
		add(m[1])
		add(m[2])
	}
	return out
}

// identifier finds the words of a statement that could name an object.
var identifier = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_$]*`)

// mentionedBy adds the words of text, in lower case, to names.
func mentionedBy(text string, names map[string]bool) {
	for _, w := range identifier.FindAllString(text, -1) {
		names[strings.ToLower(w)] = true
	}
}

// survivor is a (candidate, prefix) pair that agrees with the evidence.
type survivor struct {
	c *Candidate
	k int
}

// decide turns the consistent prefixes into a verdict and per-statement
// statuses.
func (dg *Diagnosis) decide() {
	var strict, likely []survivor
	for _, c := range dg.Candidates {
		ks, ls := c.Consistent, c.Likely
		if dg.Replay != nil && dg.Replay.usable(c) {
			ks = dg.Replay.matches(c)
			ls = ks
		}
		for _, k := range ks {
			strict = append(strict, survivor{c, k})
		}
		for _, k := range ls {
			likely = append(likely, survivor{c, k})
		}
	}
	statuses := func(set []survivor) {
		for _, c := range dg.Candidates {
			var ks []int
			for _, s := range set {
				if s.c == c {
					ks = append(ks, s.k)
				}
			}
			c.Statements = dg.statuses(c, ks)
		}
	}
	statuses(strict)
	strict, likely = dg.merge(strict), dg.merge(likely)
	var pick *survivor
	cert := Unknown
	switch {
	case len(strict) == 1:
		pick, cert = &strict[0], Proven
	case len(likely) == 1:
		pick, cert = &likely[0], Consistent
		statuses(likely)
	}
	// A replay that built exactly the live schema outweighs probes whose
	// reading of the earlier files cannot explain it: the files, run as
	// golang-migrate runs them, do explain it.
	replayed := pick != nil && cert == Proven && dg.Replay != nil && dg.Replay.usable(pick.c)
	if pick != nil && !replayed && (len(dg.Drift) > 0 || dg.Replay != nil && dg.Replay.Nearest != nil) {
		cert = Consistent
	}
	if replayed && len(pick.c.RuledOut[pick.k]) > 0 {
		// The probes' reasons against the state the replay proved are
		// their own misreading: say so once, not as "ruled out".
		why := pick.c.RuledOut[pick.k]
		delete(pick.c.RuledOut, pick.k)
		dg.Notes = append(dg.Notes, fmt.Sprintf("the catalog probes ruled out %d of %d applied (%s), but the replay on the dev database built exactly the live schema with them applied: the replay decides", pick.k, pick.c.Total(), strings.Join(why, "; ")))
	}
	if replayed && len(dg.Drift) > 0 {
		dg.Notes = append(dg.Notes, "the catalog probes see differences their reading of the files does not explain (listed under drift), but the replay of the files on the dev database built exactly the live schema: the replay decides")
	}
	handMade := cert == Proven && len(likely) == 0 && (dg.Replay == nil || !dg.Replay.usable(pick.c))
	if handMade {
		// One state fits the catalog, but only if an object the file
		// creates existed before it: made by hand, or by something else
		// than the migrations.
		cert = Consistent
	}
	noUp := dg.Version >= 0 && !slices.ContainsFunc(dg.Candidates, func(c *Candidate) bool { return c.Case == Up })
	if noUp {
		// The failed up of the dirty version cannot be weighed without its
		// file: it may be the run that failed, whatever the down says.
		cert, pick = Unknown, nil
	}
	switch {
	case pick != nil:
		s := *pick
		dg.Verdict = Verdict{Case: s.c.Case, Version: s.c.Version, File: s.c.File, Applied: s.k, Total: s.c.Total(), Certainty: cert}
		dg.Verdict.Summary = summary(s.c, s.k, dg.Version)
		if cert == Consistent {
			if handMade {
				dg.Verdict.Summary += " (not proven: it needs an object the file creates to have existed before the file ran; was it made by hand?)"
			} else if len(dg.Drift) > 0 {
				dg.Verdict.Summary += " (not proven: the schema shows changes the files do not explain)"
			} else {
				dg.Verdict.Summary += " (not proven: it assumes the objects the file creates did not exist before it)"
			}
			for _, o := range strict {
				dg.Verdict.Alternatives = append(dg.Verdict.Alternatives, Alternative{Case: o.c.Case, File: o.c.File, Applied: o.k, Total: o.c.Total()})
			}
		}
	case len(strict) == 0 && dg.Replay != nil && len(dg.Replay.Contradicted) > 0:
		c := dg.Replay.Contradicted[0]
		dg.Verdict = Verdict{Certainty: Unknown, Summary: fmt.Sprintf("the live schema equals the replay of %s with %d of %d statements applied, but the error given rules that state out: is the error from this run? Without --error, or with the right one, doctor can decide", c.File, c.Applied, c.Total)}
		dg.Verdict.Alternatives = append(dg.Verdict.Alternatives, dg.Replay.Contradicted...)
	case len(strict) == 0:
		dg.Verdict = Verdict{Certainty: Unknown, Summary: "no applied prefix of the candidate files agrees with the live schema: it was changed by hand (drift), or the files changed since they ran"}
		if dg.Replay != nil && dg.Replay.Nearest != nil {
			n := dg.Replay.Nearest
			dg.Verdict.Case, dg.Verdict.File, dg.Verdict.Applied, dg.Verdict.Total = n.Case, n.File, n.Applied, n.Total
			for _, c := range dg.Candidates {
				if c.File == n.File {
					dg.Verdict.Version = c.Version
				}
			}
			dg.Verdict.Summary = fmt.Sprintf("the live schema matches no state of the replay; nearest: %s with %d of %d statements applied, %d line(s) apart (drift)", n.File, n.Applied, n.Total, n.Distance)
		}
	default:
		s := strict[0]
		dg.Verdict = Verdict{Case: s.c.Case, Version: s.c.Version, File: s.c.File, Applied: s.k, Total: s.c.Total(), Certainty: Unknown}
		var alts []string
		for _, o := range strict {
			dg.Verdict.Alternatives = append(dg.Verdict.Alternatives, Alternative{Case: o.c.Case, File: o.c.File, Applied: o.k, Total: o.c.Total()})
			alts = append(alts, fmt.Sprintf("%s of %s with %d of %d applied", o.c.Case, o.c.File, o.k, o.c.Total()))
		}
		dg.Verdict.Summary = "the evidence agrees with more than one state: " + strings.Join(alts, "; ")
		if noUp {
			dg.Verdict.Summary = fmt.Sprintf("the folder has no up file for version %d, so a failed up of it cannot be weighed; of the rest, the evidence agrees with: %s", dg.Version, strings.Join(alts, "; "))
		}
	}
	dg.Verdict.ReplayCanHelp = dg.Verdict.Certainty != Proven && dg.replayCanHelp(strict, handMade, noUp)
}

// replayCanHelp reports whether a replay could decide between the states
// that agree (strict): it compares schemas, so it separates states only
// where a statement between them changes the schema.
func (dg *Diagnosis) replayCanHelp(strict []survivor, handMade, noUp bool) bool {
	if dg.Replay != nil || handMade || noUp || len(dg.Drift) > 0 || len(strict) < 2 {
		return false
	}
	byFile := map[*Candidate][]int{}
	for _, s := range strict {
		byFile[s.c] = append(byFile[s.c], s.k)
	}
	if len(byFile) > 1 {
		return true
	}
	for c, ks := range byFile {
		for i := slices.Min(ks); i < slices.Max(ks); i++ {
			if len(c.changes[i].Effects) > 0 || !c.changes[i].Understood {
				return true
			}
		}
	}
	return false
}

// merge treats the end of the up of V and the end of the down of the next
// version as one state: both leave the schema at V.
func (dg *Diagnosis) merge(all []survivor) []survivor {
	upDone := slices.ContainsFunc(all, func(s survivor) bool { return s.c.Case == Up && s.k == s.c.Total() })
	if !upDone {
		return all
	}
	var out []survivor
	for _, s := range all {
		if s.c.Case == Down && s.k == s.c.Total() {
			note := fmt.Sprintf("a finished down of %s would leave the same schema as a finished up of the version before: either way the schema is at version %d", s.c.File, dg.Version)
			if !slices.Contains(dg.Notes, note) {
				dg.Notes = append(dg.Notes, note)
			}
			continue
		}
		out = append(out, s)
	}
	return out
}

func summary(c *Candidate, k int, version int64) string {
	switch {
	case c.Case == Up && k == c.Total():
		return fmt.Sprintf("the up of %s ran to the end (%d of %d statements) but the row was never cleaned: the schema is at version %d", c.File, k, c.Total(), version)
	case c.Case == Up:
		return fmt.Sprintf("the up of %s failed after %d of %d statements", c.File, k, c.Total())
	case k == c.Total():
		return fmt.Sprintf("the down of %s ran to the end (%d of %d statements) but the row was never cleaned: the schema is at version %d", c.File, k, c.Total(), version)
	default:
		return fmt.Sprintf("the down of %s failed after %d of %d statements", c.File, k, c.Total())
	}
}

// statuses says, for every statement of c, whether it ran, given the
// prefixes ks that agree with the evidence.
func (dg *Diagnosis) statuses(c *Candidate, ks []int) []StatementEvidence {
	var out []StatementEvidence
	for i, st := range c.stmts {
		e := StatementEvidence{Index: i + 1, Line: st.Line, Text: shorten(st.Text), Does: ddl.Describe(c.changes[i])}
		switch {
		case len(ks) == 0:
			e.Status = Undecided
		case slices.Min(ks) > i:
			e.Status = Applied
		case slices.Max(ks) <= i:
			e.Status = NotApplied
		default:
			e.Status = Undecided
		}
		e.Evidence = dg.evidence(c, i)
		out = append(out, e)
	}
	return out
}

// evidence lists the live facts about what statement i creates or drops,
// and whether the statement could have succeeded at all.
func (dg *Diagnosis) evidence(c *Candidate, i int) []string {
	ch := c.changes[i]
	var out []string
	for _, f := range ch.Effects {
		if f.Maybe || f.Implicit || !dg.cat.observable(f.Ref) {
			continue // (what the server does on its own weighs in the probes, but is not what the statement says)
		}
		live := dg.cat.exists(f.Ref)
		switch {
		case live && f.Exists:
			out = append(out, fmt.Sprintf("%s exists", f.Ref))
		case !live && f.Exists:
			out = append(out, fmt.Sprintf("%s does not exist", f.Ref))
		case live:
			out = append(out, fmt.Sprintf("%s still exists", f.Ref))
		default:
			out = append(out, fmt.Sprintf("%s is gone", f.Ref))
		}
	}
	// Impossibility: needs an object the live schema lacks and no earlier
	// statement creates.
	for _, f := range ch.Requires {
		if !f.Exists || !dg.cat.observable(f.Ref) || dg.cat.exists(f.Ref) {
			continue
		}
		created := false
		s := newSim(dg.cat)
		for j := 0; j < i; j++ {
			for _, e := range c.changes[j].Effects {
				if s.norm(e.Ref) == s.norm(f.Ref) && e.Exists {
					created = true
				}
			}
		}
		if !created {
			out = append(out, fmt.Sprintf("cannot have succeeded: it needs %s, which does not exist and no earlier statement creates", f.Ref))
		}
	}
	if why, ok := c.badFK[i]; ok {
		out = append(out, why)
	}
	if r := dg.Replay; r != nil && r.Failed != nil && r.Failed.File == c.File && r.Failed.Statement == i+1 {
		out = append(out, "fails on a fresh replay too: "+r.Failed.Error)
	}
	if len(ch.Effects) == 0 && !ch.TxControl {
		switch {
		case ch.DML:
			out = append(out, "changes rows only: the catalog cannot show whether it ran")
		case !ch.Understood:
			out = append(out, "not a statement ferry can probe")
		}
	}
	return out
}

func shorten(text string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	if len(line) > 72 {
		line = line[:69] + "..."
	}
	return line
}

// fingerprint identifies what the diagnosis rests on: golang-migrate's
// row and the live schema, and, for a verdict, its case, the applied
// prefix and the text of the statements it says ran. Fixing the failed
// statement of a file afterwards leaves the fingerprint unchanged;
// changing the database or the statements that ran changes it.
func (dg *Diagnosis) fingerprint() {
	h := sha256.New()
	fmt.Fprintf(h, "row %d %v %d\n", dg.legacy.Version, dg.legacy.Dirty, dg.legacy.Rows)
	h.Write([]byte(dg.live.String()))
	dg.dbPrint = hex.EncodeToString(h.Sum(nil))
	v := dg.Verdict
	if v.Case == "" || v.Certainty == Unknown {
		dg.Fingerprint = "db:" + dg.dbPrint[:16]
		return
	}
	for _, c := range dg.Candidates {
		if c.File == v.File {
			dg.Fingerprint = c.token(dg.dbPrint, v.Applied, v.Certainty)
		}
	}
}

// token is the fingerprint of a verdict: CASE:K:CERTAINTY:HASH.
func (c *Candidate) token(dbPrint string, k int, cert Certainty) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s %s %d %s\n", dbPrint, c.Case, c.File, k, cert)
	if k > 0 && k <= len(c.stmts) {
		h.Write([]byte(sqlsplit.Hashes(c.stmts[:k])[k-1]))
	}
	return fmt.Sprintf("%s:%d:%s:%s", c.Case, k, cert, hex.EncodeToString(h.Sum(nil))[:16])
}

// version renders a version for commands and messages.
func versionText(v int64) string {
	if v < 0 {
		return "none"
	}
	return strconv.FormatInt(v, 10)
}
