// Package convert turns golang-migrate's single-version history into
// Atlas-compatible revision rows, one per version, without running any
// migration SQL. Planning returns values; Write applies a plan in one
// transaction under golang-migrate's lock.
package convert

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ferrymigrate/ferry/atlassum"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/database"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/finding"
	"github.com/ferrymigrate/ferry/folder"
	"github.com/ferrymigrate/ferry/internal/gmlock"
	"github.com/ferrymigrate/ferry/internal/shellquote"
	"github.com/ferrymigrate/ferry/rebase"
	"github.com/ferrymigrate/ferry/refusal"
	"github.com/ferrymigrate/ferry/revision"
)

// Disagreements are existing revision rows that differ from the history
// golang-migrate recorded. A refusal over them (*refusal.Refusal) wraps
// them: errors.As finds them under it.
type Disagreements []Disagreement

func (d Disagreements) Error() string {
	return fmt.Sprintf("%d existing revision row(s) disagree with golang-migrate's history", len(d))
}

// Disagreement is an existing revision row that does not match the history
// golang-migrate recorded.
type Disagreement struct {
	Version string `json:"version"`
	Problem string `json:"problem"`
	// hashOnly: a complete row of the same file whose hash differs: the
	// file ran there, as another text.
	hashOnly bool
}

// project is the folder being converted; the planning steps are its
// methods.
type project struct{ *folder.Folder }

// objects returns the objects the up files up to version v leave behind;
// of the file of a dirty version only its applied statements count.
func (p project) objects(d engine.Dialect, v int64, dirty *DirtyPrefix) ([]Object, error) {
	var files []fileStatements
	for _, m := range p.Dir.Migrations {
		if m.Version > uint64(v) {
			break
		}
		if m.Up == nil {
			continue
		}
		stmts, err := p.Statements(d, m.Up)
		if err != nil {
			return nil, err
		}
		if dirty != nil && m.Version == dirty.Version && dirty.Applied >= 0 && dirty.Applied <= len(stmts) {
			stmts = stmts[:dirty.Applied]
		}
		files = append(files, fileStatements{name: m.Up.Name, stmts: stmts})
	}
	return expected(d, files), nil
}

// Options control a conversion.
type Options struct {
	// RevisionsSchema overrides where the revisions table lives.
	RevisionsSchema string
	// BaselineOnly writes one baseline row at the current version instead
	// of the whole history.
	BaselineOnly bool
	// Now is the time recorded as executed_at.
	Now time.Time
	// OperatorVersion is recorded in every row.
	OperatorVersion string
	// Strict refuses when an object the files create is missing from the
	// live schema (otherwise that is a finding).
	Strict bool
	// Dirty accepts golang-migrate's row dirty at Dirty.Version and plans
	// a partial row for that version (see DirtyPrefix). Without it a dirty
	// row is refused; with it, any other row is refused.
	Dirty *DirtyPrefix
}

// Plan is what Write will do to one database.
type Plan struct {
	Database string `json:"database"` // redacted URL
	// Revisions is the revisions table; Create is true when it must be created.
	Revisions string `json:"revisions_table"`
	Create    bool   `json:"create_table"`
	// LegacyTable, LegacyVersion and LegacyDirty are golang-migrate's row.
	LegacyTable   string `json:"legacy_table"`
	LegacyVersion int64  `json:"legacy_version"`
	LegacyDirty   bool   `json:"legacy_dirty,omitempty"`
	// Partial is the partial row planned for a dirty version
	// (Options.Dirty), also when it is already present; nil otherwise.
	Partial *PartialImport `json:"partial,omitempty"`
	// Rows to insert, in numeric version order; Present counts the rows
	// already there that agree.
	Rows    []revision.Row `json:"-"`
	Present int            `json:"present"`
	// Evidence from the live catalog, and the findings it gave.
	Evidence *Evidence         `json:"evidence"`
	Findings []finding.Finding `json:"findings,omitempty"`

	url   *compat.DatabaseURL
	store *revision.Store
	keys  []compat.LockKey
}

// NoOp reports whether the database is already converted.
func (p *Plan) NoOp() bool { return len(p.Rows) == 0 && !p.Create }

// Prepare plans the conversion of the database db (opened on u). It reads
// only. It refuses (*Refusal) when golang-migrate has no version, when the
// row is more than one, when the folder has no file for the current
// version, and when existing revision rows disagree with the history. A
// dirty row is refused unless o.Dirty names its version; then the versions
// below it are planned as complete rows and the dirty one as a partial row.
// o.Dirty on a clean row is refused too: the diagnosis no longer applies.
func Prepare(ctx context.Context, on *database.DB, f *folder.Folder, o Options) (*Plan, error) {
	db, u := on.SQL, on.URL
	p := project{f}
	d := u.Dialect
	st, err := compat.ReadLegacy(ctx, db, u)
	if err != nil {
		return nil, fmt.Errorf("read golang-migrate's state: %w", err)
	}
	if err := p.checkLegacy(st, u, o); err != nil {
		return nil, err
	}
	objs, err := p.objects(d, st.Version, o.Dirty)
	if err != nil {
		return nil, err
	}
	ev, err := probe(ctx, db, u.Dialect, objs)
	if err != nil {
		return nil, err
	}
	if o.Strict && len(ev.Missing) > 0 {
		return nil, &refusal.Refusal{Reason: fmt.Sprintf("%d of %d objects the files create up to version %d are missing from the live schema (--strict): %s", len(ev.Missing), ev.Checked, st.Version, describeMissing(ev.Missing)), Next: refusal.Say("compare the schema with the files (").Run("ferry", "status", "--path", p.Path).Say("), or convert without --strict to record the history anyway")}
	}
	store, existing, err := revision.LocateRead(ctx, db, u, o.RevisionsSchema)
	if err != nil {
		return nil, err
	}
	exists, err := store.Exists(ctx, db)
	if err != nil {
		return nil, err
	}
	want, partial, err := p.rows(d, st.Version, o)
	if err != nil {
		return nil, err
	}
	plan := &Plan{Database: u.Redacted(), Revisions: store.String(), Create: !exists, LegacyTable: st.Table.String(), LegacyVersion: st.Version, LegacyDirty: st.Dirty,
		Partial: partial, Evidence: ev, Findings: ev.findings(), url: u, store: store, keys: st.Lock.Keys}
	plan.Findings = append(plan.Findings, p.stringOrder()...)
	want = continueBaseline(want, existing)
	earlier, err := p.earlierLines(existing)
	if err != nil {
		return nil, err
	}
	plan.Rows, plan.Present, err = reconcile(want, existing, st.Version, earlier)
	if err != nil {
		var r *refusal.Refusal
		var bad Disagreements
		if errors.As(err, &r) && r.Next.IsZero() && errors.As(r, &bad) {
			versions := make([]string, len(bad))
			for i, d := range bad {
				versions[i] = "'" + strings.ReplaceAll(d.Version, "'", "''") + "'"
			}
			in := strings.Join(versions, ", ")
			if hashOnly(bad) {
				// The files ran there completely, as other texts: their
				// rows are right; deleting them would lose that.
				r.Next = refusal.Say("the files ran there as other texts than the folder has now: restore them as they ran (").Run("git", "log", "-p", "--", p.Path).Say(fmt.Sprintf(") and put the change in a new migration (SELECT * FROM %s WHERE version IN (%s) shows who ran them and when)", store.Table(), in))
				return nil, err
			}
			r.Next = refusal.Say(fmt.Sprintf("inspect them (SELECT * FROM %s WHERE version IN (%s)); if they were written wrongly, delete them (DELETE FROM %s WHERE version IN (%s)) and run convert again", store.Table(), in, store.Table(), in))
		}
		return nil, err
	}
	return plan, nil
}

func describeMissing(objs []Object) string {
	var parts []string
	for i, o := range objs {
		if i == 5 {
			parts = append(parts, fmt.Sprintf("and %d more", len(objs)-5))
			break
		}
		parts = append(parts, fmt.Sprintf("%s %s (%s line %d)", o.Kind, o.Name, o.File, o.Line))
	}
	return strings.Join(parts, ", ")
}

func (p project) checkLegacy(st *compat.LegacyState, u *compat.DatabaseURL, o Options) error {
	if st.Rows > 1 {
		return &refusal.Refusal{Reason: fmt.Sprintf("%s holds %d rows; golang-migrate keeps exactly one", st.Table, st.Rows), Next: refusal.Say("delete the stale rows, keeping the one golang-migrate wrote last")}
	}
	if err := p.checkDirty(st, u, o); err != nil {
		return err
	}
	switch {
	case !st.TableExists || st.Version == compat.NilVersion:
		return &refusal.Refusal{Reason: fmt.Sprintf("golang-migrate has recorded no version in %s: there is no history to convert", st.Table), Next: refusal.Say("nothing to convert; new databases start with ferry apply")}
	case st.Version < 0:
		return &refusal.Refusal{Reason: fmt.Sprintf("%s records version %d, which golang-migrate never writes", st.Table, st.Version), Next: refusal.Run("ferry", "status", "--path", p.Path)}
	}
	if _, ok := p.Dir.Lookup(uint64(st.Version)); !ok {
		return &refusal.Refusal{Reason: fmt.Sprintf("%s records version %d, but %s has no file for it", st.Table, st.Version, p.Path), Next: refusal.Say("restore the file (").Run("git", "log", "--all", "--", "*"+strconv.FormatInt(st.Version, 10)+"_*").Say(") or point --path at the folder this database was migrated from")}
	}
	return nil
}

// rows returns the history up to and including version v; with o.Dirty,
// the row of v is partial and described by the PartialImport.
func (p project) rows(d engine.Dialect, v int64, o Options) ([]revision.Row, *PartialImport, error) {
	var out []revision.Row
	var partial *revision.Row
	var imp *PartialImport
	for _, m := range p.Dir.Migrations {
		if m.Version > uint64(v) {
			break
		}
		if o.Dirty != nil && m.Version == o.Dirty.Version {
			r, pi, err := p.partialRow(d, m, o)
			if err != nil {
				return nil, nil, err
			}
			partial, imp = &r, pi
			continue
		}
		r := revision.Row{Version: m.VersionText, Description: m.Title, Type: revision.TypeResolved, ExecutedAt: o.Now.UTC(), OperatorVersion: o.OperatorVersion}
		if m.Up != nil {
			stmts, err := p.Statements(d, m.Up)
			if err != nil {
				return nil, nil, err
			}
			n := len(stmts)
			h, ok := p.Hash(m.Up.Name)
			if !ok {
				reason, next := p.NotHashed(*m.Up)
				return nil, nil, &refusal.Refusal{Reason: reason, Next: next}
			}
			r.Applied, r.Total, r.Hash = n, n, h
		}
		out = append(out, r)
	}
	if o.BaselineOnly && len(out) > 0 {
		last := out[len(out)-1]
		last.Type = revision.TypeBaseline
		out = []revision.Row{last}
	}
	if partial != nil {
		out = append(out, *partial)
	}
	return out, imp, nil
}

// reconcile compares the planned rows with the rows already present: rows
// that agree are kept, missing ones are planned, and any disagreement
// refuses the whole conversion.
//
// A row's hash is the file's line in atlas.sum, a running digest over every
// file whose name sorts before it; a file added since (version 10 next to 9)
// changes the lines of files that did not change. earlier holds, per
// version, the line computed over the folder as it was when the newest
// existing row was written (the up files up to that version); a hash that
// matches it agrees.
func reconcile(want, existing []revision.Row, legacy int64, earlier map[string]string) ([]revision.Row, int, error) {
	have := map[string]revision.Row{}
	for _, r := range existing {
		have[r.Version] = r
	}
	planned := map[string]bool{}
	var todo []revision.Row
	var bad []Disagreement
	present := 0
	for _, w := range want {
		planned[w.Version] = true
		h, ok := have[w.Version]
		switch {
		case !ok:
			todo = append(todo, w)
		case revision.Same(h, w), samePartial(h, w):
			present++
		case h.Hash == earlier[w.Version] && revision.Same(h, withHash(w, h.Hash)):
			present++
		case executedByFerry(h, w, earlier[w.Version]):
			present++ // ferry apply ran it: the same history, with execution details
		default:
			hashOnly := h.Hash != w.Hash && w.PartialHashes == nil && h.PartialHashes == nil && h.Applied == h.Total && h.Total == w.Total &&
				h.Error == "" && h.Description == w.Description
			bad = append(bad, Disagreement{Version: w.Version, Problem: describe(h, w), hashOnly: hashOnly})
		}
	}
	for _, h := range existing {
		if planned[h.Version] {
			continue
		}
		n, err := strconv.ParseUint(h.Version, 10, 64)
		switch {
		case err != nil:
			bad = append(bad, Disagreement{Version: h.Version, Problem: "not a golang-migrate version"})
		case int64(n) > legacy || legacy < 0:
			bad = append(bad, Disagreement{Version: h.Version, Problem: fmt.Sprintf("recorded as applied, but golang-migrate is at %d", legacy)})
		default:
			bad = append(bad, Disagreement{Version: h.Version, Problem: "has no file in the folder"})
		}
	}
	if len(bad) > 0 {
		return nil, 0, &refusal.Refusal{Reason: fmt.Sprintf("%d existing revision row(s) disagree with golang-migrate's history; nothing was written", len(bad)), Err: Disagreements(bad)}
	}
	return todo, present, nil
}

// executedByFerry reports a complete row that ferry apply wrote for the
// planned file: executed (type 2 or 6), every statement applied, no error.
func executedByFerry(h, w revision.Row, earlierHash string) bool {
	return w.PartialHashes == nil && h.Type&revision.TypeExecute != 0 && h.Applied == h.Total && h.Total == w.Total && h.Error == "" &&
		h.PartialHashes == nil && h.Description == w.Description && (h.Hash == w.Hash || h.Hash == earlierHash)
}

func withHash(r revision.Row, hash string) revision.Row {
	r.Hash = hash
	return r
}

// continueBaseline keeps a conversion going after --baseline-only: when the
// revisions start with a baseline row at B, the history below B is not
// planned and B is expected as a baseline.
func continueBaseline(want, existing []revision.Row) []revision.Row {
	var base *revision.Row
	for i := range existing {
		if existing[i].Type&revision.TypeBaseline != 0 {
			base = &existing[i]
		}
	}
	if base == nil {
		return want
	}
	b, err := strconv.ParseUint(base.Version, 10, 64)
	if err != nil {
		return want
	}
	var out []revision.Row
	for _, w := range want {
		n, err := strconv.ParseUint(w.Version, 10, 64)
		switch {
		case err != nil || n > b:
			out = append(out, w)
		case n == b && w.PartialHashes == nil:
			w.Type = revision.TypeBaseline
			out = append(out, w)
		case n == b:
			out = append(out, w) // a partial row at the baseline: disagrees
		}
	}
	return out
}

// earlierLines returns the sum lines of the up files as they were when the
// newest existing row was written: computed over the up files whose version
// is at most that row's. It returns nil when that is today's folder.
func (p project) earlierLines(existing []revision.Row) (map[string]string, error) {
	var newest uint64
	for _, r := range existing {
		if n, err := strconv.ParseUint(r.Version, 10, 64); err == nil && n > newest {
			newest = n
		}
	}
	if len(existing) == 0 || len(p.Dir.Migrations) == 0 || p.Dir.Migrations[len(p.Dir.Migrations)-1].Version <= newest {
		return nil, nil
	}
	files := map[string]compat.File{} // name -> up file
	var names []string
	for _, m := range p.Dir.Migrations {
		if m.Version <= newest && m.Up != nil {
			files[m.Up.Name] = *m.Up
			names = append(names, m.Up.Name)
		}
	}
	sum, err := atlassum.ComputeNames(names, func(n string) ([]byte, error) { return p.Dir.ReadFile(files[n]) })
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(sum.Files))
	for _, l := range sum.Files {
		out[files[l.Name].VersionText] = l.Hash
	}
	return out, nil
}

func describe(have, want revision.Row) string {
	var diffs []string
	if have.Type != want.Type {
		diffs = append(diffs, fmt.Sprintf("type %d, expected %d", have.Type, want.Type))
	}
	if have.Hash != want.Hash {
		diffs = append(diffs, "hash differs from atlas.sum (the file, or a file whose name sorts before it, changed since the row was written)")
	}
	if have.Applied != want.Applied || have.Total != want.Total {
		diffs = append(diffs, fmt.Sprintf("statements %d/%d, expected %d/%d", have.Applied, have.Total, want.Applied, want.Total))
	}
	if have.Description != want.Description {
		diffs = append(diffs, fmt.Sprintf("description %q, expected %q", have.Description, want.Description))
	}
	if have.Error != "" || have.ErrorStmt != "" || len(have.PartialHashes) > 0 {
		diffs = append(diffs, "recorded as failed or partial")
	}
	return strings.Join(diffs, "; ")
}

// ErrChanged is a database whose golang-migrate row or revisions changed
// between planning and writing.
var ErrChanged = errors.New("the database changed since the plan was made")

// Write carries out a plan in one transaction, holding golang-migrate's lock
// (waiting up to lockTimeout) and checking, under the lock, that the legacy
// row (its version and dirty flag: a dirty import is written only while the
// row is still dirty at that version) and the revisions are still as
// planned; otherwise it returns ErrChanged and writes nothing. It never touches
// schema_migrations and runs no migration SQL. On MySQL the CREATE TABLE
// commits on its own before the transaction (after the lock is taken); a
// conversion that dies after it leaves an empty table, never a partial
// history.
func Write(ctx context.Context, on *database.DB, p *Plan, lockTimeout time.Duration) (err error) {
	db := on.SQL
	if p.NoOp() {
		return nil
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	d := p.url.Dialect
	// Where locks belong to the session (MySQL), take them before the
	// CREATE TABLE, which commits on its own there, so that nothing is
	// written while golang-migrate holds its lock.
	createFirst := func(ctx context.Context) error {
		if p.Create && d.DDLCommits() {
			return p.store.Create(ctx, conn)
		}
		return nil
	}
	tx, release, err := gmlock.BeginLocked(ctx, conn, d, p.keys, lockTimeout, createFirst)
	if err != nil {
		return err
	}
	defer gmlock.End(ctx, &tx, release, &err)
	st, err := compat.ReadLegacyTx(ctx, tx, p.url)
	if err != nil {
		return fmt.Errorf("read golang-migrate's state again: %w", err)
	}
	if st.Version != p.LegacyVersion || st.Dirty != p.LegacyDirty || st.Rows != 1 {
		return fmt.Errorf("%w: %s is now at version %d (dirty %v), planned at %d (dirty %v); run convert again", ErrChanged, st.Table, st.Version, st.Dirty, p.LegacyVersion, p.LegacyDirty)
	}
	existing, err := p.store.Read(ctx, tx)
	if err != nil {
		return err
	}
	if len(existing) != p.Present {
		return fmt.Errorf("%w: %s now holds %d rows, planned with %d; run convert again", ErrChanged, p.store, len(existing), p.Present)
	}
	if p.Create && !d.DDLCommits() {
		if err := p.store.Create(ctx, tx); err != nil {
			return err
		}
	}
	if err := p.store.Insert(ctx, tx, p.Rows); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// stringOrder is FM304 (rebase.StringOrder) as a conversion must say it:
// the rows it writes name the versions as the files do, and Atlas compares
// them as text.
func (p project) stringOrder() []finding.Finding {
	later, earlier, ok := rebase.FirstStringDisorder(p.Dir)
	if !ok {
		return nil
	}
	return []finding.Finding{{Code: rebase.CodeStringOrder, Severity: finding.Warning, Version: later,
		Message: fmt.Sprintf("versions sort differently as text and as numbers (%s after %s): the revision rows name them as the files do, and Atlas compares them as text, so Atlas would not run this database's files in golang-migrate's order; before converting databases that Atlas will run, pad the folder: ferry rebase --path %s --pad (convert --dry-run shows this first)", later, earlier, shellquote.Quote(p.Path))}}
}

// hashOnly reports disagreements that are all complete rows whose files
// ran as other texts.
func hashOnly(ds []Disagreement) bool {
	for _, d := range ds {
		if !d.hashOnly {
			return false
		}
	}
	return len(ds) > 0
}
