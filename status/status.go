// Package status reports on a golang-migrate project: its migration folder
// and, given a database, golang-migrate's row for it, what `migrate up` would
// do next, and findings. It reads only; it never writes or locks.
package status

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/ferrymigrate/ferry/atlassum"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/doctor"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/finding"
	"github.com/ferrymigrate/ferry/internal/cachefs"
	"github.com/ferrymigrate/ferry/internal/dbconn"
	"github.com/ferrymigrate/ferry/internal/gitx"
	"github.com/ferrymigrate/ferry/internal/shellquote"
	"github.com/ferrymigrate/ferry/rebase"
	"github.com/ferrymigrate/ferry/revision"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// Finding codes for database state; see docs/findings.md.
const (
	CodeDirty          = "FM201"
	CodeNoFileForRow   = "FM202"
	CodeOtherTable     = "FM203"
	CodeManyRows       = "FM204"
	CodeLockHeld       = "FM205"
	CodeNoDatabaseFile = "FM206"
	CodeNegativeRow    = "FM207"
	CodeAhead          = "FM209"
)

// Options say what to report on.
type Options struct {
	// Dir is the migration folder; DirPath is how to show it.
	Dir     fs.FS
	DirPath string
	// Database is optional; without it the report covers the folder alone.
	Database *compat.DatabaseURL
	// Dialect, when set, makes status split every file and report statement
	// findings (FM4xx). It defaults to nothing; the CLI passes the
	// database's dialect or --dialect.
	Dialect engine.Dialect
	// GitBase, when set, is the commit the branch is compared with
	// ("origin/main"): with only golang-migrate's row, the files new since
	// it at or below the row's version are the ones golang-migrate will
	// never run (FM302). A database with revision rows needs no git base.
	GitBase string
	// Open opens a database handle; nil means dbconn.Open.
	Open func(context.Context, *compat.DatabaseURL, dbconn.Mode) (*sql.DB, error)
}

// Report is the result of Run. Its JSON form is ferry status --json.
type Report struct {
	Source     Source           `json:"source"`
	Migrations []Migration      `json:"migrations"`
	Database   string           `json:"database,omitempty"` // redacted URL
	Sum        *atlassum.Report `json:"sum"`
	// Revisions summarises the revisions table; null when there is none.
	Revisions *Revisions `json:"revisions"`
	Legacy    *Legacy    `json:"legacy"`
	Next      *uint64    `json:"next"`
	// NextVersion is Next as written in the file name (exact where JSON
	// numbers lose precision, above 2^53).
	NextVersion *string           `json:"next_version"`
	Action      *Action           `json:"action"`
	Pending     []Pending         `json:"pending"`
	Findings    []finding.Finding `json:"findings"`
}

// Source describes the migration folder.
type Source struct {
	Path    string         `json:"path"`
	Scheme  compat.Scheme  `json:"scheme"`
	Width   int            `json:"width,omitempty"`   // digits of a zero-padded scheme
	Dialect engine.Dialect `json:"dialect,omitempty"` // statements were checked with this dialect
}

// Migration is one version of the folder.
type Migration struct {
	Version string  `json:"version"` // as written
	Number  uint64  `json:"number"`
	Title   string  `json:"title"`
	Up      *string `json:"up"`
	Down    *string `json:"down"`
}

// Legacy is golang-migrate's bookkeeping in the database.
type Legacy struct {
	Table       string           `json:"table"`
	TableExists bool             `json:"table_exists"`
	Version     *int64           `json:"version"`
	Dirty       bool             `json:"dirty"`
	FileExists  *bool            `json:"file_exists"` // null when there is no version
	Rows        int              `json:"rows"`
	Lock        compat.LockState `json:"lock"`
	OtherTables []OtherTable     `json:"other_tables,omitempty"`
}

// OtherTable is another table shaped like schema_migrations.
type OtherTable struct {
	Table   string `json:"table"`
	Rows    int    `json:"rows"`
	Version *int64 `json:"version"` // null when it holds no version
	Dirty   bool   `json:"dirty"`
}

// ActionKind is what `migrate up` would do.
type ActionKind string

// Action kinds.
const (
	ActionApply        ActionKind = "apply"         // runs Pending, starting with Next
	ActionNoChange     ActionKind = "no-change"     // "no change"
	ActionDirty        ActionKind = "dirty"         // refuses: dirty database
	ActionMissingFile  ActionKind = "missing-file"  // fails: no migration for the current version
	ActionNoMigrations ActionKind = "no-migrations" // fails: the folder has no migrations
	ActionBrokenFolder ActionKind = "broken-folder" // fails: golang-migrate refuses the folder
	ActionBrokenTable  ActionKind = "broken-table"  // the table cannot be trusted
	ActionRerun        ActionKind = "rerun"         // would run files that another tool already applied
)

// Action is what `migrate up` would do now, in words.
type Action struct {
	Kind    ActionKind `json:"kind"`
	Message string     `json:"message"`
}

// Pending is a migration `migrate up` would apply.
type Pending struct {
	Version string `json:"version"`
	Number  uint64 `json:"number"`
	File    string `json:"file"` // the up file; empty when there is none (golang-migrate records the version without running anything)
}

// Run builds the report. It returns an error when the folder cannot be read
// or the database cannot be reached or read; folder and database problems
// that golang-migrate would stumble over are findings, not errors.
func Run(ctx context.Context, opts Options) (*Report, error) {
	opts.Dir = cachefs.New(opts.Dir) // the reader, the sum and the splitter each read every file
	dir, err := compat.ReadDir(opts.Dir, ".")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("migration folder %s does not exist; check --path: %w", opts.DirPath, fs.ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("migration folder %s: %w", opts.DirPath, err)
	}
	r := &Report{
		Source:     Source{Path: opts.DirPath, Scheme: dir.Scheme},
		Migrations: make([]Migration, 0, len(dir.Migrations)),
		Findings:   append([]finding.Finding{}, dir.Findings...),
	}
	if dir.Scheme == compat.SchemePadded {
		r.Source.Width = compat.PaddedWidth([]string{dir.Migrations[0].VersionText})
	}
	if r.Sum, err = atlassum.Validate(opts.Dir, ".", opts.DirPath); err != nil {
		return nil, fmt.Errorf("migration folder %s: %w", opts.DirPath, err)
	}
	r.Findings = append(r.Findings, r.Sum.Findings...)
	r.Findings = append(r.Findings, rebase.StringOrder(dir)...) // FM304: Atlas orders these versions differently
	multi := false
	if opts.Database != nil {
		multi, _ = strconv.ParseBool(opts.Database.Options["x-multi-statement"])
	}
	if opts.Dialect != "" {
		r.Source.Dialect = opts.Dialect
		r.Findings = append(r.Findings, StatementFindings(dir, opts.Dialect, multi)...)
	}
	for _, m := range dir.Migrations {
		mm := Migration{Version: m.VersionText, Number: m.Version, Title: m.Title}
		if m.Up != nil {
			mm.Up = &m.Up.Name
		}
		if m.Down != nil {
			mm.Down = &m.Down.Name
		}
		r.Migrations = append(r.Migrations, mm)
	}
	if opts.Database == nil {
		finding.Sort(r.Findings)
		return r, nil
	}
	r.Database = opts.Database.Redacted()
	r.Pending = []Pending{}
	open := opts.Open
	if open == nil {
		open = dbconn.Open
	}
	st, revs, err := readLegacy(ctx, open, opts.Database, dir)
	var missing *dbconn.MissingFileError
	switch {
	case errors.As(err, &missing):
		r.add(finding.Warning, CodeNoDatabaseFile, "", missing.Error()+"; check the path in the URL")
		st = &compat.LegacyState{Table: compat.TableRef{Name: opts.Database.MigrationsTable}, Version: compat.NilVersion}
	case err != nil:
		return nil, err
	}
	r.Legacy = legacyOf(st, dir)
	r.Revisions = revs
	r.decide(st, dir)
	if u := revs; u != nil && u.Unfinished != nil && st.Dirty && !st.Lock.Held {
		f := u.Unfinished
		r.Action = &Action{ActionDirty, fmt.Sprintf("ferry apply stopped part-way through version %s: %d of %d statements are applied and recorded (%s). Fix statement %d (%s), then run ferry apply again: it resumes at statement %d. Do not force the row", f.Version, f.Applied, f.Total, f.Error, f.Applied+1, mustStay(f.Applied), f.Applied+1)}
	}
	r.stateFindings(st, dir)
	late, err := skipped(ctx, opts, dir, st, revs)
	if err != nil {
		return nil, err
	}
	r.Findings = append(r.Findings, late...)
	r.ahead(st, opts)
	finding.Sort(r.Findings)
	return r, nil
}

// ahead reports revisions ahead of golang-migrate's row (FM209): another
// tool (Atlas, or ferry without legacy sync) applied files without moving
// the row, or golang-migrate stepped down since; the live schema tells
// which. migrate up would run the files again in the first case.
func (r *Report) ahead(st *compat.LegacyState, opts Options) {
	a := r.Revisions.aheadOf()
	if a == nil {
		return
	}
	args := " " + shellquote.Command(append([]string{"--path", opts.DirPath}, opts.Database.DatabaseArgs()...)...)
	at := fmt.Sprintf("%s is at version %d", st.Table, st.Version)
	if st.Version < 0 {
		at = fmt.Sprintf("%s records no version", st.Table)
	}
	what := fmt.Sprintf("the revisions record %s as applied (%s) but %s", plural(len(a.Files), "file"), strings.Join(a.Files, ", "), at)
	switch a.Evidence.State {
	case doctor.FileApplied:
		r.add(finding.Warning, CodeAhead, versionText(st.Version), fmt.Sprintf("%s; %s: they were applied without golang-migrate (Atlas, or ferry without legacy sync), and migrate up would run them again; next: ferry apply%s (moves golang-migrate's row to %s under its lock, then applies what is pending)", what, a.Evidence.Summary(), args, a.Last))
		if r.Action != nil && (r.Action.Kind == ActionApply || r.Action.Kind == ActionNoChange) {
			r.Action = &Action{ActionRerun, fmt.Sprintf("do not run migrate up: it would run %s again, which already ran (%s); run ferry apply%s instead: it moves golang-migrate's row to %s under its lock, then applies what is pending", strings.Join(a.Names, ", "), a.Evidence.Summary(), args, a.Last)}
		}
	case doctor.FileUndone:
		r.add(finding.Error, CodeAhead, versionText(st.Version), fmt.Sprintf("%s; %s: golang-migrate stepped down since (migrate down), so those revision rows no longer match the schema; next: confirm with ferry drift%s --dev-url DEV_URL", what, a.Evidence.Summary(), args))
	default:
		r.add(finding.Warning, CodeAhead, versionText(st.Version), fmt.Sprintf("%s; %s: another tool may have applied them, or migrate down may have undone them; next: ferry drift%s --dev-url DEV_URL to compare; until then do not run migrate up (it would run them again if they ran) and do not delete their revision rows", what, a.Evidence.Summary(), args))
		if r.Action != nil && r.Action.Kind == ActionApply {
			r.Action.Message += fmt.Sprintf("; but the revisions record %s as applied: see finding %s before running it", strings.Join(a.Names, ", "), CodeAhead)
		}
	}
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// skipped reports the files golang-migrate will never run on the database
// (FM302, worded as ferry check words them): below its newest revision
// without a row, or, with only golang-migrate's row and a git base, new
// since the base and not above the row's version.
func skipped(ctx context.Context, opts Options, dir *compat.Directory, st *compat.LegacyState, revs *Revisions) ([]finding.Finding, error) {
	name := opts.Database.Redacted()
	if revs != nil && len(revs.rows) > 0 {
		return rebase.Findings(rebase.AgainstRevisions(dir, revs.rows, name)), nil
	}
	if opts.GitBase == "" || st.Version < 0 {
		return nil, nil
	}
	names, err := gitx.FilesAt(ctx, opts.DirPath, opts.GitBase)
	if err != nil {
		return nil, err
	}
	added := rebase.Added(dir, rebase.Base{Ref: opts.GitBase, Names: names})
	return rebase.Findings(rebase.AgainstLegacy(dir, added, st.Version, name)), nil
}

// StatementFindings splits every accepted file of dir in dialect d and
// collects FM4xx findings; multi is golang-migrate's x-multi-statement.
// Files ferry refuses to read (links out of the folder) are already findings.
func StatementFindings(dir *compat.Directory, d engine.Dialect, multi bool) []finding.Finding {
	var out []finding.Finding
	for _, f := range dir.Files {
		b, err := dir.ReadFile(f)
		if err != nil {
			continue
		}
		_, fs := sqlsplit.Findings(d, b, sqlsplit.FileOptions{Name: f.Name, Version: f.VersionText, MultiStatement: multi})
		out = append(out, fs...)
	}
	return out
}

func readLegacy(ctx context.Context, open func(context.Context, *compat.DatabaseURL, dbconn.Mode) (*sql.DB, error), u *compat.DatabaseURL, dir *compat.Directory) (*compat.LegacyState, *Revisions, error) {
	db, err := open(ctx, u, dbconn.ReadOnly)
	if err != nil {
		return nil, nil, err
	}
	defer db.Close()
	st, err := compat.ReadLegacy(ctx, db, u)
	if err != nil {
		return nil, nil, fmt.Errorf("read golang-migrate state of %s: %w", u.Redacted(), err)
	}
	revs, err := readRevisions(ctx, db, u, dir, st)
	if err != nil {
		return nil, nil, fmt.Errorf("read the revisions of %s: %w", u.Redacted(), err)
	}
	if a := revs.aheadOf(); a != nil {
		if a.Evidence, err = doctor.Ahead(ctx, db, u, dir, st.Version, a.number); err != nil {
			return nil, nil, err
		}
	}
	return st, revs, nil
}

// Revisions summarises the revisions table, when there is one.
type Revisions struct {
	Table string `json:"table"`
	Rows  int    `json:"rows"`
	Last  string `json:"last"` // the newest version recorded
	// Unfinished is the file ferry apply left part-way, if any.
	Unfinished *Unfinished `json:"unfinished,omitempty"`
	// Ahead is set when the complete revisions go beyond golang-migrate's
	// clean row (FM209).
	Ahead *Ahead `json:"ahead,omitempty"`

	rows []revision.Row // for the files the revisions show skipped
}

// Ahead is the revisions above golang-migrate's clean row, and what the
// live schema shows of their files.
type Ahead struct {
	Last     string                `json:"last"`  // the newest complete revision
	Files    []string              `json:"files"` // file (who wrote the row, when)
	Names    []string              `json:"-"`
	Evidence *doctor.AheadEvidence `json:"evidence"`
	number   uint64
}

func (r *Revisions) aheadOf() *Ahead {
	if r == nil {
		return nil
	}
	return r.Ahead
}

// Unfinished is a revision row whose file ran in part.
type Unfinished struct {
	Version   string `json:"version"`
	Applied   int    `json:"applied"`
	Total     int    `json:"total"`
	Error     string `json:"error"`
	Statement string `json:"statement"`
}

func readRevisions(ctx context.Context, db *sql.DB, u *compat.DatabaseURL, dir *compat.Directory, st *compat.LegacyState) (*Revisions, error) {
	tx, err := db.BeginTx(ctx, u.Dialect.ReadOnlyTxOptions())
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	store, rows, err := revision.LocateRead(ctx, tx, u, "")
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	r := &Revisions{Table: store.String(), Rows: len(rows), rows: rows}
	var last uint64
	for _, row := range rows {
		if n, err := strconv.ParseUint(row.Version, 10, 64); err == nil && n >= last {
			last, r.Last = n, row.Version
		}
		if row.Partial() || row.Error != "" || row.PartialHashes != nil {
			r.Unfinished = &Unfinished{Version: row.Version, Applied: row.Applied, Total: row.Total, Error: row.Error, Statement: row.ErrorStmt}
		}
	}
	if !st.TableExists || st.Dirty || st.Rows > 1 || st.Version < compat.NilVersion {
		return r, nil
	}
	a := &Ahead{}
	for _, row := range rows {
		n, err := strconv.ParseUint(row.Version, 10, 64)
		if err != nil || int64(n) <= st.Version || row.Partial() || row.Error != "" {
			continue
		}
		if n >= a.number {
			a.number, a.Last = n, row.Version
		}
		name := row.Version
		if m, ok := dir.Lookup(n); ok {
			name = fileOf(m)
		}
		a.Names = append(a.Names, name)
		a.Files = append(a.Files, fmt.Sprintf("%s: %s, %s", name, operatorOf(row), row.ExecutedAt.UTC().Format(time.RFC3339)))
	}
	if len(a.Files) > 0 {
		r.Ahead = a
	}
	return r, nil
}

// operatorOf names the tool that wrote a revision row: ferry writes "ferry
// vX" (history it imported: type 4), Atlas its own version string.
func operatorOf(r revision.Row) string {
	op := strings.TrimSpace(r.OperatorVersion)
	if op == "" {
		op = "an unnamed tool"
	}
	if r.Type&revision.TypeExecute == 0 && r.Type&revision.TypeResolved != 0 {
		return "imported by " + op
	}
	return "applied by " + op
}

func legacyOf(st *compat.LegacyState, dir *compat.Directory) *Legacy {
	l := &Legacy{Table: st.Table.String(), TableExists: st.TableExists, Dirty: st.Dirty, Rows: st.Rows, Lock: st.Lock}
	for _, o := range st.OtherTables {
		ot := OtherTable{Table: o.Table.String(), Rows: o.Rows, Dirty: o.Dirty}
		if o.Version != compat.NilVersion {
			v := o.Version
			ot.Version = &v
		}
		l.OtherTables = append(l.OtherTables, ot)
	}
	if st.Version != compat.NilVersion {
		v := st.Version
		l.Version = &v
		_, exists := lookup(dir, st.Version)
		l.FileExists = &exists
	}
	return l
}

func lookup(dir *compat.Directory, v int64) (compat.Migration, bool) {
	if v < 0 {
		return compat.Migration{}, false
	}
	return dir.Lookup(uint64(v))
}

// decide works out what `migrate up` does, following golang-migrate's Up:
// refuse when dirty, check that the current version has a file, then apply
// every version above it in numeric order.
func (r *Report) decide(st *compat.LegacyState, dir *compat.Directory) {
	var pending []compat.Migration
	switch {
	case dir.Err() != nil:
		r.Action = &Action{ActionBrokenFolder, "golang-migrate refuses to open the folder (" + dir.Err().Error() + "); renumber one of the files"}
		return
	case st.Rows > 1:
		r.Action = &Action{ActionBrokenTable, fmt.Sprintf("%s holds %d rows; golang-migrate reads whichever the database returns first", st.Table, st.Rows)}
		return
	case st.Dirty && st.Lock.Held:
		r.Action = &Action{ActionDirty, fmt.Sprintf("a golang-migrate run holds its lock right now (%s), so the dirty row may belong to a migration still running: wait for it to finish, then run ferry status again; do not force anything meanwhile (a lock-table row left by a killed run stays until deleted)", st.Lock.Holder)}
		return
	case st.Dirty:
		r.Action = &Action{ActionDirty, dirtyMessage(st, dir)}
		return
	case st.Version < compat.NilVersion:
		r.Action = &Action{ActionBrokenTable, fmt.Sprintf("%s records version %d; golang-migrate versions are -1 (none) or above", st.Table, st.Version)}
		return
	case st.Version == compat.NilVersion:
		if len(dir.Migrations) == 0 {
			r.Action = &Action{ActionNoMigrations, "migrate up fails: there is no migration to apply (\"first .: file does not exist\")"}
			return
		}
		pending = dir.Migrations
	default:
		if _, ok := lookup(dir, st.Version); !ok {
			r.Action = &Action{ActionMissingFile, fmt.Sprintf("migrate up fails with \"no migration found for version %d\": the database is at version %d but the folder has no file for it; restore the file (git log --all -- '*%d_*') or point --path at the folder this database was migrated from", st.Version, st.Version, st.Version)}
			return
		}
		pending = dir.After(uint64(st.Version))
	}
	for _, m := range pending {
		p := Pending{Version: m.VersionText, Number: m.Version}
		if m.Up != nil {
			p.File = m.Up.Name
		}
		r.Pending = append(r.Pending, p)
	}
	if len(pending) == 0 {
		r.Action = &Action{ActionNoChange, "migrate up has nothing to do (\"no change\")"}
		return
	}
	next, nextText := pending[0].Version, pending[0].VersionText
	r.Next, r.NextVersion = &next, &nextText
	what := pending[0].VersionText
	if pending[0].Up != nil {
		what = pending[0].Up.Name
	}
	r.Action = &Action{ActionApply, fmt.Sprintf("migrate up would apply %d migration(s), starting with %s", len(pending), what)}
}

func dirtyMessage(st *compat.LegacyState, dir *compat.Directory) string {
	const next = "run ferry doctor (same --path and --database; add --dev-url URL to replay the files on a scratch database) to see which statements took effect, then the ferry recover command it prints; do not force the row blind"
	v := st.Version
	if v == compat.NilVersion {
		first := "the first migration"
		if len(dir.Migrations) > 0 {
			first = downFileOf(dir.Migrations[0])
		}
		return fmt.Sprintf("migrate up refuses to run (\"Dirty database version -1. Fix and force version.\"): the down migration of %s failed part-way, so some of its statements may have run: %s", first, next)
	}
	file := fmt.Sprintf("version %d", v)
	downCase := ""
	if m, ok := lookup(dir, v); ok {
		file = fileOf(m)
		if after := dir.After(m.Version); len(after) > 0 && after[0].Down != nil {
			downCase = fmt.Sprintf(", or the down migration of %s did (the row cannot tell which)", downFileOf(after[0]))
		}
	}
	return fmt.Sprintf("migrate up refuses to run (\"Dirty database version %d. Fix and force version.\"). The up migration of %s failed part-way%s: %s", v, file, downCase, next)
}

func fileOf(m compat.Migration) string {
	if m.Up != nil {
		return m.Up.Name
	}
	return "version " + m.VersionText
}

func downFileOf(m compat.Migration) string {
	if m.Down != nil {
		return m.Down.Name
	}
	return "version " + m.VersionText
}

func (r *Report) stateFindings(st *compat.LegacyState, dir *compat.Directory) {
	switch {
	case st.Dirty && st.Lock.Held:
		r.add(finding.Error, CodeDirty, versionText(st.Version), fmt.Sprintf("%s is dirty at version %d while a golang-migrate run holds its lock: probably a migration in progress; if no run is going on, the lock is stale", st.Table, st.Version))
	case st.Dirty:
		r.add(finding.Error, CodeDirty, versionText(st.Version), fmt.Sprintf("%s is dirty at version %d: a migration failed part-way and golang-migrate refuses to run until the row is forced", st.Table, st.Version))
	}
	if st.Version >= 0 {
		if _, ok := lookup(dir, st.Version); !ok {
			r.add(finding.Error, CodeNoFileForRow, versionText(st.Version), fmt.Sprintf("%s records version %d, but the folder has no up or down file for it; golang-migrate's up, down and steps fail (\"no migration found for version %d\")", st.Table, st.Version, st.Version))
		}
	}
	if st.Version < compat.NilVersion {
		r.add(finding.Error, CodeNegativeRow, versionText(st.Version), fmt.Sprintf("%s records version %d, which golang-migrate never writes", st.Table, st.Version))
	}
	if st.Rows > 1 {
		r.add(finding.Error, CodeManyRows, "", fmt.Sprintf("%s holds more than one row; golang-migrate keeps exactly one and reads an arbitrary one: delete the stale rows", st.Table))
	}
	for _, o := range st.OtherTables {
		state := "no version"
		if o.Version != compat.NilVersion {
			state = fmt.Sprintf("version %d", o.Version)
			if o.Dirty {
				state += ", dirty"
			}
		}
		r.add(finding.Warning, CodeOtherTable, "", fmt.Sprintf("%s looks like a golang-migrate table too (%s) but is not the one this URL uses (%s); check search_path / x-migrations-table, or drop it if it is a leftover", o.Table, state, st.Table))
	}
	if st.Lock.Held {
		r.add(finding.Warning, CodeLockHeld, "", fmt.Sprintf("a golang-migrate run holds its lock on this database right now (%s); wait for it to finish before changing anything", st.Lock.Holder))
	}
}

func versionText(v int64) string { return strconv.FormatInt(v, 10) }

func (r *Report) add(sev finding.Severity, code, version, msg string) {
	r.Findings = append(r.Findings, finding.Finding{Code: code, Severity: sev, Message: msg, Version: version})
}

// mustStay names the statements of a partial file that must not change.
func mustStay(applied int) string {
	switch applied {
	case 0:
		return "no statement of it is applied"
	case 1:
		return "statement 1 must stay as it is"
	}
	return fmt.Sprintf("statements 1 to %d must stay as they are", applied)
}
