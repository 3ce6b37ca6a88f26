// Package convert turns golang-migrate's single-version history into
// Atlas-compatible revision rows, one per version, without running any
// migration SQL. Planning returns values; Write applies a plan in one
// transaction under golang-migrate's lock.
package convert

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ferrymigrate/ferry/baseline"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/finding"
	"github.com/ferrymigrate/ferry/internal/cachefs"
	"github.com/ferrymigrate/ferry/internal/gmlock"
	"github.com/ferrymigrate/ferry/internal/shellquote"
	"github.com/ferrymigrate/ferry/rebase"
	"github.com/ferrymigrate/ferry/refusal"
	"github.com/ferrymigrate/ferry/revision"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// Disagreements are existing revision rows that differ from the history
// golang-migrate recorded. A refusal over them (*refusal.Refusal) wraps
// them: errors.As finds them under it.
type Disagreements []Disagreement

func (d Disagreements) Error() string {
	return fmt.Sprintf("%d existing revision row(s) disagree with golang-migrate's history", len(d))
}

// sumMismatch is a folder whose files no longer match atlas.sum: the facts
// under a refusal over atlas.sum, so that ExplainEdits can weigh the edited
// files against a database's revision rows.
type sumMismatch struct {
	prefix   string       // "atlas.sum of DIR does not match the files (changed)"
	messages []string     // one per finding, in order
	edited   []editedFile // the edited up files among them
	dirPath  string
}

func (s *sumMismatch) Error() string { return s.prefix + ": " + strings.Join(s.messages, "; ") }

// editedFile is an up file whose bytes changed since atlas.sum was written.
type editedFile struct {
	finding int    // index of its message in sumMismatch.messages
	name    string // file name
	version string // version as written in the name
	line    int    // its line in atlas.sum
	hash    string // its sum line computed from the file as it is now
}

// HasEdits reports a refusal over up files edited since atlas.sum was
// written, which ExplainEdits can tailor to a database.
func HasEdits(err error) bool {
	var sr *sumMismatch
	return errors.As(err, &sr) && len(sr.edited) > 0
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

// Project is a migration folder prepared for converting any number of
// databases: parsed, its sum checked, its files split per dialect on demand.
// It is safe for concurrent use.
type Project struct {
	Dir     *compat.Directory
	Sum     *baseline.Sum
	DirPath string

	mu     sync.Mutex
	split  map[engine.Dialect]map[string][]sqlsplit.Statement // file -> statements
	hashes map[string]string                                  // file -> its line in Sum
}

// LoadProject reads and checks the folder: it must parse as golang-migrate
// reads it without errors, and atlas.sum must exist and match the files.
func LoadProject(fsys fs.FS, dirPath string) (*Project, error) {
	fsys = cachefs.New(fsys) // the reader, the sum and the splitter each read every file
	dir, err := compat.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("migration folder %s: %w", dirPath, err)
	}
	if problem := dir.Problem(); problem != "" {
		return nil, &refusal.Refusal{Reason: dirPath + ": " + problem, Next: refusal.Run("ferry", "status", "--path", dirPath)}
	}
	rep, err := baseline.Validate(fsys, ".", dirPath)
	if err != nil {
		return nil, fmt.Errorf("migration folder %s: %w", dirPath, err)
	}
	switch rep.State {
	case baseline.SumValid:
	case baseline.SumMissing:
		return nil, &refusal.Refusal{Reason: fmt.Sprintf("%s has no atlas.sum; the revision hashes come from it", dirPath), Next: refusal.Run("ferry", "hash", "--path", dirPath).Say(" (or convert --write-sum)")}
	default:
		msgs := make([]string, len(rep.Findings))
		sr := &sumMismatch{prefix: fmt.Sprintf("atlas.sum of %s does not match the files (%s)", dirPath, rep.State), dirPath: dirPath}
		for i, f := range rep.Findings {
			msgs[i] = f.Message
			if f.Code != baseline.CodeSumEdited || rep.Computed == nil {
				continue
			}
			for _, m := range dir.Migrations {
				if m.Up != nil && m.Up.Name == f.File {
					hash, _ := rep.Computed.Hash(f.File)
					sr.edited = append(sr.edited, editedFile{finding: i, name: f.File, version: m.VersionText, line: editedLine(rep.Changes, f.File), hash: hash})
				}
			}
		}
		sr.messages = msgs
		return nil, &refusal.Refusal{Reason: sr.prefix + ": " + strings.Join(msgs, "; "), Next: refusal.Run("ferry", "hash", "--path", dirPath, "--check"), Err: sr}
	}
	hashes := make(map[string]string, len(rep.Computed.Files))
	for _, f := range rep.Computed.Files {
		hashes[f.Name] = f.Hash
	}
	return &Project{Dir: dir, Sum: rep.Computed, DirPath: dirPath, split: map[engine.Dialect]map[string][]sqlsplit.Statement{}, hashes: hashes}, nil
}

// statements returns the statements of an up file in dialect d, splitting
// each file once per dialect.
func (p *Project) statements(d engine.Dialect, f *compat.File) ([]sqlsplit.Statement, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.split[d]
	if m == nil {
		m = map[string][]sqlsplit.Statement{}
		p.split[d] = m
	}
	if st, ok := m[f.Name]; ok {
		return st, nil
	}
	b, err := p.Dir.ReadFile(*f)
	if err != nil {
		return nil, err
	}
	stmts, err := sqlsplit.Split(d, b)
	if err != nil {
		return nil, &refusal.Refusal{Reason: fmt.Sprintf("%s:%v: ferry cannot split it into statements", f.Name, err), Next: refusal.Run("ferry", "statements", "--dialect", string(d), p.DirPath+"/"+f.Name)}
	}
	m[f.Name] = stmts
	return stmts, nil
}

// objects returns the objects the up files up to version v leave behind;
// of the file of a dirty version only its applied statements count.
func (p *Project) objects(d engine.Dialect, v int64, dirty *DirtyPrefix) ([]Object, error) {
	var files []fileStatements
	for _, m := range p.Dir.Migrations {
		if m.Version > uint64(v) {
			break
		}
		if m.Up == nil {
			continue
		}
		stmts, err := p.statements(d, m.Up)
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
func (p *Project) Prepare(ctx context.Context, db *sql.DB, u *compat.DatabaseURL, o Options) (*Plan, error) {
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
		return nil, &refusal.Refusal{Reason: fmt.Sprintf("%d of %d objects the files create up to version %d are missing from the live schema (--strict): %s", len(ev.Missing), ev.Checked, st.Version, describeMissing(ev.Missing)), Next: refusal.Say("compare the schema with the files (").Run("ferry", "status", "--path", p.DirPath).Say("), or convert without --strict to record the history anyway")}
	}
	store, err := revision.Locate(ctx, db, u, o.RevisionsSchema)
	if err != nil {
		return nil, err
	}
	existing, err := store.Read(ctx, db)
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
				r.Next = refusal.Say("the files ran there as other texts than the folder has now: restore them as they ran (").Run("git", "log", "-p", "--", p.DirPath).Say(fmt.Sprintf(") and put the change in a new migration (SELECT * FROM %s WHERE version IN (%s) shows who ran them and when)", store.Table(), in))
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

func (p *Project) checkLegacy(st *compat.LegacyState, u *compat.DatabaseURL, o Options) error {
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
		return &refusal.Refusal{Reason: fmt.Sprintf("%s records version %d, which golang-migrate never writes", st.Table, st.Version), Next: refusal.Run("ferry", "status", "--path", p.DirPath)}
	}
	if _, ok := p.Dir.Lookup(uint64(st.Version)); !ok {
		return &refusal.Refusal{Reason: fmt.Sprintf("%s records version %d, but %s has no file for it", st.Table, st.Version, p.DirPath), Next: refusal.Say("restore the file (").Run("git", "log", "--all", "--", "*"+strconv.FormatInt(st.Version, 10)+"_*").Say(") or point --path at the folder this database was migrated from")}
	}
	return nil
}

// rows returns the history up to and including version v; with o.Dirty,
// the row of v is partial and described by the PartialImport.
func (p *Project) rows(d engine.Dialect, v int64, o Options) ([]revision.Row, *PartialImport, error) {
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
			stmts, err := p.statements(d, m.Up)
			if err != nil {
				return nil, nil, err
			}
			n := len(stmts)
			h, ok := p.hashes[m.Up.Name] // Sum.Hash searches linearly: quadratic over the history
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
func (p *Project) earlierLines(existing []revision.Row) (map[string]string, error) {
	var newest uint64
	for _, r := range existing {
		if n, err := strconv.ParseUint(r.Version, 10, 64); err == nil && n > newest {
			newest = n
		}
	}
	if len(existing) == 0 || len(p.Dir.Migrations) == 0 || p.Dir.Migrations[len(p.Dir.Migrations)-1].Version <= newest {
		return nil, nil
	}
	var files []compat.File
	for _, m := range p.Dir.Migrations {
		if m.Version <= newest && m.Up != nil {
			files = append(files, *m.Up)
		}
	}
	slices.SortFunc(files, func(a, b compat.File) int { return strings.Compare(a.Name, b.Name) })
	out := map[string]string{}
	h := sha256.New()
	for _, f := range files {
		b, err := p.Dir.ReadFile(f)
		if err != nil {
			return nil, err
		}
		h.Write([]byte(f.Name))
		if baseline.Ignored(b) {
			continue
		}
		h.Write(b)
		out[f.VersionText] = base64.StdEncoding.EncodeToString(h.Sum(nil))
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
func Write(ctx context.Context, db *sql.DB, p *Plan, lockTimeout time.Duration) (err error) {
	if p.NoOp() {
		return nil
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	d := p.url.Dialect
	defer func() {
		if rerr := gmlock.Release(context.WithoutCancel(ctx), conn, d, p.keys); rerr != nil && err == nil {
			err = fmt.Errorf("release golang-migrate's lock: %w", rerr)
		}
	}()
	if d == engine.MySQL {
		// GET_LOCK belongs to the session: take it before the CREATE TABLE,
		// which commits on its own, so that nothing is written while
		// golang-migrate holds its lock.
		if err := lockSession(ctx, conn, d, p.keys, lockTimeout); err != nil {
			return err
		}
		if p.Create {
			if err := p.store.Create(ctx, conn); err != nil {
				return err
			}
		}
	}
	// READ COMMITTED, so that the re-check below sees what committed while
	// ferry waited for the lock, whatever the database's default isolation.
	txOpts := &sql.TxOptions{}
	if d != engine.SQLite {
		txOpts.Isolation = sql.LevelReadCommitted
	}
	tx, err := conn.BeginTx(ctx, txOpts)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if d != engine.MySQL {
		if err := gmlock.AcquireTx(ctx, tx, d, p.keys, lockTimeout); err != nil {
			return err
		}
	}
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
	if p.Create && d != engine.MySQL {
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

// lockSession takes golang-migrate's MySQL lock for the session of conn, in
// a transaction of its own that ends at once (GET_LOCK outlives it). The
// caller releases it with gmlock.Release.
func lockSession(ctx context.Context, conn *sql.Conn, d engine.Dialect, keys []compat.LockKey, timeout time.Duration) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	return gmlock.AcquireTx(ctx, tx, d, keys, timeout)
}

// Statements returns the statements of an up file in dialect d (split once
// per dialect; safe for concurrent use).
func (p *Project) Statements(d engine.Dialect, f *compat.File) ([]sqlsplit.Statement, error) {
	return p.statements(d, f)
}

// stringOrder is FM304 (rebase.StringOrder) as a conversion must say it:
// the rows it writes name the versions as the files do, and Atlas compares
// them as text.
func (p *Project) stringOrder() []finding.Finding {
	later, earlier, ok := rebase.FirstStringDisorder(p.Dir)
	if !ok {
		return nil
	}
	return []finding.Finding{{Code: rebase.CodeStringOrder, Severity: finding.Warning, Version: later,
		Message: fmt.Sprintf("versions sort differently as text and as numbers (%s after %s): the revision rows name them as the files do, and Atlas compares them as text, so Atlas would not run this database's files in golang-migrate's order; before converting databases that Atlas will run, pad the folder: ferry rebase --path %s --pad (convert --dry-run shows this first)", later, earlier, shellquote.Quote(p.DirPath))}}
}

// NotHashed explains why an up file golang-migrate runs has no line in
// atlas.sum (Hash says false), and gives the command that fixes it: a name
// Atlas does not read as an up file (rename it, keeping its version, with
// ferry rebase --fix-names), or Atlas's "atlas:sum ignore" directive on its
// first line.
func (p *Project) NotHashed(f compat.File) (reason string, next refusal.Next) {
	if !f.AtlasReadsUp() {
		return fmt.Sprintf("%s is not in atlas.sum: golang-migrate runs it as the up migration of version %d, but Atlas reads only *.up.sql files as up migrations (its extension is %q), so atlas.sum leaves it out and Atlas would never run it", f.Name, f.Version, f.Ext),
			refusal.Run("ferry", "rebase", "--path", p.DirPath, "--fix-names").Say(" (renames it to " + f.SQLName() + ", the same version for golang-migrate, and rewrites atlas.sum)")
	}
	return fmt.Sprintf("%s is not in atlas.sum (its first line carries atlas:sum ignore)", f.Name), refusal.Say("remove the directive and run ").Run("ferry", "hash", "--path", p.DirPath)
}

// Hash returns an up file's line in atlas.sum, without "h1:".
func (p *Project) Hash(name string) (string, bool) {
	h, ok := p.hashes[name]
	return h, ok
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
