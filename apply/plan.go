// Package apply runs pending migrations statement by statement, records
// each file in Atlas's revisions table (with the statements applied so far,
// so that a failed or killed run resumes exactly), and keeps golang-migrate's
// schema_migrations row in step, holding golang-migrate's lock throughout.
package apply

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/doctor"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/folder"
	"github.com/ferrymigrate/ferry/refusal"
	"github.com/ferrymigrate/ferry/revision"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// TxMode says how statements are grouped in transactions.
type TxMode string

// Transaction modes.
const (
	TxFile TxMode = "file" // one transaction per file (PostgreSQL, SQLite)
	TxAll  TxMode = "all"  // one transaction for the whole run (PostgreSQL, SQLite)
	TxNone TxMode = "none" // every statement commits with its progress
)

// ParseTxMode checks a --tx-mode value.
func ParseTxMode(s string) (TxMode, error) {
	switch TxMode(s) {
	case TxFile, TxAll, TxNone:
		return TxMode(s), nil
	}
	return "", fmt.Errorf("unknown transaction mode %q: use file, all or none", s)
}

// LegacySync says whether golang-migrate's row is kept in step.
type LegacySync int

// Legacy sync settings.
const (
	LegacyAuto LegacySync = iota // on when schema_migrations exists, or on a fresh database
	LegacyOn
	LegacyOff
)

// Step is one file to run.
type Step struct {
	Version     string // as written
	Number      uint64
	Description string
	File        string // up file name; empty for a version with only a down file
	Statements  []sqlsplit.Statement
	Hashes      []string // cumulative statement hashes
	FileHash    string   // the file's atlas.sum line
	// Resume is the number of statements already applied (a partial row).
	Resume int
	// Mode is the effective transaction mode, and Note why it differs from
	// the one asked for.
	Mode TxMode
	Note string
	// Existing is the row being resumed or replaced, if any.
	Existing *revision.Row
}

// Plan is what Apply will do to one database.
type Plan struct {
	Database   string
	Dialect    engine.Dialect
	Fresh      bool // no history yet: tables are created
	LegacySync bool
	Legacy     *compat.LegacyState
	Revisions  *revision.Store
	Steps      []Step
	// CatchUp, when set, moves golang-migrate's row forward before the
	// steps run: files above it were applied by another tool (Atlas, or
	// ferry without legacy sync), and the schema shows them applied.
	CatchUp *CatchUp
	// newest is the highest version recorded before the run: golang-migrate's
	// row never goes below it (an out-of-order file is older).
	newest uint64
}

// CatchUp is golang-migrate's row moving forward to the newest complete
// revision, under golang-migrate's lock, because the revisions above it
// record files the schema shows applied: without it, `migrate up` would
// run them again.
type CatchUp struct {
	From int64  // golang-migrate's version before (-1: none)
	To   uint64 // the newest complete revision
	// ToText is To as written in the file name.
	ToText string
	// Files are the revisions above From: file, who wrote the row and when.
	Files []string
	// Evidence says what in the live schema shows them applied.
	Evidence *doctor.AheadEvidence
}

// plan reads the database through q and works out the steps.
func plan(ctx context.Context, q doctor.Conn, st *compat.LegacyState, p *folder.Folder, u *compat.DatabaseURL, o Options) (*Plan, error) {
	d := u.Dialect
	store, rows, err := revision.LocateRead(ctx, q, u, o.RevisionsSchema)
	if err != nil {
		return nil, err
	}
	pl := &Plan{Database: u.Redacted(), Dialect: u.Dialect, Legacy: st, Revisions: store}
	legacyHasVersion := st.TableExists && (st.Version != compat.NilVersion || st.Dirty)
	switch o.LegacySync {
	case LegacyOn:
		pl.LegacySync = true
	case LegacyAuto:
		pl.LegacySync = st.TableExists || len(rows) == 0 && !legacyHasVersion
	}
	if len(rows) == 0 {
		if legacyHasVersion {
			return nil, &refusal.Refusal{Reason: fmt.Sprintf("golang-migrate has recorded version %d in %s but there are no revisions: convert the history first, or ferry would run everything again", st.Version, st.Table), Next: refusal.Run(command(p, u, o.RevisionsSchema, "convert")...)}
		}
		pl.Fresh = true
	}
	if st.Rows > 1 {
		return nil, &refusal.Refusal{Reason: fmt.Sprintf("%s holds %d rows; golang-migrate keeps exactly one", st.Table, st.Rows), Next: refusal.Run("ferry", "status", "--path", p.Path)}
	}

	byVersion := map[uint64]revision.Row{}
	var last, lastComplete, baselineAt uint64
	var partial *revision.Row
	notStarted := map[uint64]*revision.Row{} // rows of files that failed before any statement committed
	for i, r := range rows {
		n, err := strconv.ParseUint(r.Version, 10, 64)
		if err != nil {
			return nil, &refusal.Refusal{Reason: fmt.Sprintf("%s has version %q, which is not a golang-migrate version", store, r.Version), Next: refusal.Say("inspect " + store.String())}
		}
		unfinished := r.Partial() || r.Error != "" || r.PartialHashes != nil
		if unfinished && r.Applied == 0 {
			// Nothing of it committed (a rolled-back file or run): it is
			// simply pending, in its numeric place.
			notStarted[n] = &rows[i]
			continue
		}
		byVersion[n] = r
		last = max(last, n)
		if r.Type&revision.TypeBaseline != 0 {
			baselineAt = max(baselineAt, n)
		}
		// A row whose statements all ran but still holds partial hashes was
		// left between the last statement and the file's completion (a
		// crash in --tx-mode none): it is finished like a partial one.
		if unfinished {
			if partial != nil {
				return nil, &refusal.Refusal{Reason: fmt.Sprintf("%s has two unfinished files (%s and %s)", store, partial.Version, r.Version), Next: refusal.Say("inspect " + store.String())}
			}
			partial = &rows[i]
		} else {
			lastComplete = max(lastComplete, n)
		}
	}
	if len(rows) > 0 && len(byVersion) == 0 {
		pl.Fresh = !legacyHasVersion
	}
	pl.newest = last
	ownDirty := st.Dirty && st.Version >= 0 && (partial != nil && sameVersion(partial.Version, st.Version) || notStarted[uint64(st.Version)] != nil)
	behind, err := checkLegacy(st, pl, rows, lastComplete, partial, ownDirty, p, u)
	if err != nil {
		return nil, err
	}
	if behind {
		if pl.CatchUp, err = catchUp(ctx, q, st, pl, rows, lastComplete, p, u); err != nil {
			return nil, err
		}
	}

	var outOfOrder, ahead []compat.Migration
	for _, m := range p.Dir.Migrations {
		_, done := byVersion[m.Version]
		isPartial := partial != nil && sameVersion(partial.Version, int64(m.Version))
		switch {
		case done && !isPartial:
		case done: // the partial file: resumed first
		case m.Version <= baselineAt: // covered by a baseline row
		case len(byVersion) > 0 && m.Version < last:
			outOfOrder = append(outOfOrder, m)
		default:
			ahead = append(ahead, m)
		}
	}
	if len(outOfOrder) > 0 && !o.AllowOutOfOrder {
		names := make([]string, len(outOfOrder))
		for i, m := range outOfOrder {
			names[i] = fileOf(m)
		}
		return nil, &refusal.Refusal{Reason: fmt.Sprintf("%d file(s) are older than the newest applied version %d and were never applied: %s (golang-migrate would skip them forever)", len(outOfOrder), last, strings.Join(names, ", ")), Next: refusal.Say("renumber them after the newest version, or run them first with ").Run("ferry", "apply", "--allow-out-of-order")}
	}
	var todo []compat.Migration
	if partial != nil {
		n, _ := strconv.ParseUint(partial.Version, 10, 64)
		m, ok := p.Dir.Lookup(n)
		if !ok {
			return nil, &refusal.Refusal{Reason: fmt.Sprintf("version %s ran in part, but %s has no file for it", partial.Version, p.Path), Next: refusal.Say("restore the file")}
		}
		todo = append(todo, m)
	}
	todo = append(todo, outOfOrder...)
	todo = append(todo, ahead...)
	if o.Limit > 0 && len(todo) > o.Limit {
		todo = todo[:o.Limit]
	}
	for _, m := range todo {
		step, err := makeStep(d, p, m, o.TxMode, u.Dialect)
		if err != nil {
			return nil, err
		}
		switch {
		case partial != nil && sameVersion(partial.Version, int64(m.Version)):
			if err := resume(&step, partial); err != nil {
				return nil, err
			}
		case notStarted[m.Version] != nil:
			step.Existing = notStarted[m.Version] // replaced when the file runs
		}
		pl.Steps = append(pl.Steps, step)
	}
	if o.TxMode == TxAll && !u.Dialect.DDLCommits() {
		for _, s := range pl.Steps {
			if s.Mode == TxNone {
				return nil, &refusal.Refusal{Reason: fmt.Sprintf("--tx-mode all cannot include %s: %s", s.File, s.Note), Next: refusal.Say("run with --tx-mode file")}
			}
		}
	}
	return pl, nil
}

// checkLegacy makes sure golang-migrate's row and the revisions tell the
// same story before anything runs. It reports behind when the row is clean
// below the newest complete revision: the schema must then tell whether
// another tool applied the files above it or golang-migrate stepped down
// (see catchUp).
func checkLegacy(st *compat.LegacyState, pl *Plan, rows []revision.Row, last uint64, partial *revision.Row, ownDirty bool, p *folder.Folder, u *compat.DatabaseURL) (behind bool, err error) {
	if !pl.LegacySync || len(rows) == 0 || !st.TableExists {
		if st.Dirty && !ownDirty && len(rows) > 0 {
			return false, &refusal.Refusal{Reason: fmt.Sprintf("%s is dirty at version %d but no file is unfinished in the revisions: %s failed there", st.Table, st.Version, dirtyRun(rows, st.Version)), Next: refusal.Run(command(p, u, "", "doctor")...)}
		}
		return false, nil
	}
	v := st.Version
	switch {
	case ownDirty:
		return false, nil // ferry's own unfinished file: resumed or run again
	case !st.Dirty && partial != nil && v >= 0 && versionOf(partial.Version) <= uint64(v):
		return false, &refusal.Refusal{Reason: fmt.Sprintf("version %s is unfinished in %s (%s), but golang-migrate has recorded version %d as clean since: it probably ran the fixed file itself, and resuming would run statements again", partial.Version, pl.Revisions, describeRow(*partial), v), Next: refusal.Say("check the schema; if the file is fully applied, record it with ferry convert after deleting its row (DELETE FROM " + pl.Revisions.Table() + " WHERE version = '" + partial.Version + "')")}
	case !st.Dirty && v < int64(last) && last > 0:
		return true, nil
	case st.Dirty:
		return false, &refusal.Refusal{Reason: fmt.Sprintf("%s is dirty at version %d: %s failed there; ferry does not guess what it left", st.Table, v, dirtyRun(rows, v)), Next: refusal.Run(command(p, u, "", "doctor")...)}
	case v >= 0 && uint64(v) > last:
		return false, &refusal.Refusal{Reason: fmt.Sprintf("golang-migrate has applied up to version %d since the revisions were written (they end at %d)", v, last), Next: refusal.Run(command(p, u, "", "convert")...).Say(" records them")}
	}
	return false, nil
}

// dirtyRun names the run that left golang-migrate's row dirty at v: a
// golang-migrate run, unless the revisions record a run of that version by
// another tool: one that failed (ferry without legacy sync, or Atlas), or,
// failing that, one that executed it (ferry stopped between its revision
// row and golang-migrate's row).
func dirtyRun(rows []revision.Row, v int64) string {
	var executed *revision.Row
	for i, r := range rows {
		if !sameVersion(r.Version, v) || r.Type&revision.TypeExecute == 0 {
			continue
		}
		if r.Error != "" || r.Partial() {
			return fmt.Sprintf("a run of %s (%s)", operatorOf(r), describeRow(r))
		}
		if executed == nil && r.OperatorVersion != "" {
			executed = &rows[i]
		}
	}
	if executed != nil {
		return fmt.Sprintf("a run of %s (%s)", operatorOf(*executed), describeRow(*executed))
	}
	return "a golang-migrate run"
}

// operatorOf names the tool that wrote a revision row, from its
// operator_version and type: ferry writes "ferry vX" (imports: "ferry vX
// (golang-migrate import)"), Atlas its own version string.
func operatorOf(r revision.Row) string {
	op := strings.TrimSpace(r.OperatorVersion)
	switch {
	case op == "":
		op = "an unnamed tool"
	case strings.HasPrefix(strings.ToLower(op), "atlas"):
		op = "Atlas (" + op + ")"
	}
	if r.Type&revision.TypeExecute == 0 && r.Type&revision.TypeResolved != 0 {
		return "history imported by " + op
	}
	return op
}

// describeRow says who wrote a revision row, when, and how far it got.
func describeRow(r revision.Row) string {
	what := fmt.Sprintf("%s, %s", operatorOf(r), r.ExecutedAt.UTC().Format(time.RFC3339))
	if r.Partial() || r.Error != "" {
		what += fmt.Sprintf(", %d of %d statements applied", r.Applied, r.Total)
	}
	return what
}

// catchUp weighs golang-migrate's row below the newest complete revision.
// The live schema decides: when it shows the files above the row applied
// (Atlas, or ferry without legacy sync, ran them), the row moves forward;
// when it shows them undone (migrate down ran since), apply refuses; when
// it cannot tell, apply refuses and says how to find out. No message
// advises re-running files or deleting the record of files the schema
// shows applied.
func catchUp(ctx context.Context, q doctor.Conn, st *compat.LegacyState, pl *Plan, rows []revision.Row, last uint64, p *folder.Folder, u *compat.DatabaseURL) (*CatchUp, error) {
	v := st.Version
	ev, err := doctor.Ahead(ctx, q, u, p.Dir, v, last)
	if err != nil {
		return nil, fmt.Errorf("weigh the revisions above golang-migrate's version %d: %w", v, err)
	}
	cu := &CatchUp{From: v, To: last, Evidence: ev}
	var above []string
	for _, r := range rows {
		n, _ := strconv.ParseUint(r.Version, 10, 64)
		if int64(n) <= v || n > last || r.Partial() || r.Error != "" {
			continue
		}
		if n == last {
			cu.ToText = r.Version
		}
		name := r.Version
		if m, ok := p.Dir.Lookup(n); ok {
			name = fileOf(m)
		}
		cu.Files = append(cu.Files, fmt.Sprintf("%s (%s)", name, describeRow(r)))
		above = append(above, "'"+r.Version+"'")
	}
	at := fmt.Sprintf("golang-migrate is at version %d, below the newest complete revision %d", v, last)
	if v < 0 {
		at = fmt.Sprintf("golang-migrate records no version, but the revisions are complete up to %d", last)
	}
	drift := []string{"ferry", "drift", "--path", p.Path, "--database", u.Redacted(), "--dev-url", "DEV_URL"}
	switch ev.State {
	case doctor.FileApplied:
		return cu, nil
	case doctor.FileUndone:
		return nil, &refusal.Refusal{
			Reason: fmt.Sprintf("%s, and %s: golang-migrate stepped down since (migrate down), so the revision rows of %s no longer match the schema", at, ev.Summary(), strings.Join(cu.Files, ", ")),
			Next:   refusal.Say("confirm with ").Run(drift...).Say("; if it shows those files undone, delete their rows (DELETE FROM " + pl.Revisions.Table() + " WHERE version IN (" + strings.Join(above, ", ") + ")) and run ferry apply, which runs them again"),
		}
	}
	return nil, &refusal.Refusal{
		Reason: fmt.Sprintf("%s (%s), and %s: another tool may have applied them without moving golang-migrate's row, or migrate down may have undone them", at, strings.Join(cu.Files, ", "), ev.Summary()),
		Next:   refusal.Say("compare the schema with the files: ").Run(drift...).Say("; until it shows which, do not run migrate up (it would run those files again) and do not delete their revision rows"),
	}
}

// command is a ferry command on p and u: the folder and the database as
// given (no --database when it came from $DATABASE_URL), and the revisions
// schema when one was named.
func command(p *folder.Folder, u *compat.DatabaseURL, revisionsSchema, sub string) refusal.Command {
	words := append([]string{"ferry", sub, "--path", p.Path}, u.DatabaseArgs()...)
	if revisionsSchema != "" {
		words = append(words, "--revisions-schema", revisionsSchema)
	}
	return words
}

// versionOf parses a revision version (always numeric here).
func versionOf(written string) uint64 {
	n, _ := strconv.ParseUint(written, 10, 64)
	return n
}

// sameVersion compares a revision version with golang-migrate's number.
func sameVersion(written string, v int64) bool {
	n, err := strconv.ParseUint(written, 10, 64)
	return err == nil && v >= 0 && n == uint64(v)
}

func fileOf(m compat.Migration) string {
	if m.Up != nil {
		return m.Up.Name
	}
	return m.VersionText + " (no up file)"
}

// makeStep splits a file and decides how it runs.
func makeStep(d engine.Dialect, p *folder.Folder, m compat.Migration, mode TxMode, dialect engine.Dialect) (Step, error) {
	s := Step{Version: m.VersionText, Number: m.Version, Description: m.Title, Mode: mode}
	if m.Up == nil {
		return s, nil
	}
	s.File = m.Up.Name
	stmts, err := p.Statements(d, m.Up)
	if err != nil {
		return s, err
	}
	s.Statements, s.Hashes = stmts, sqlsplit.Hashes(stmts)
	h, ok := p.Hash(m.Up.Name)
	if !ok {
		reason, next := p.NotHashed(*m.Up)
		return s, &refusal.Refusal{Reason: reason, Next: next}
	}
	s.FileHash = h
	if mode == TxNone || dialect.DDLCommits() {
		if dialect.DDLCommits() && mode != TxNone {
			s.Note = dialect.Name() + " commit DDL on their own: statements run one by one, each recorded as it commits"
		}
		s.Mode = TxNone
		return s, nil
	}
	if b, err := p.Dir.ReadFile(*m.Up); err == nil && strings.HasPrefix(string(b), "-- atlas:txmode none") {
		s.Mode, s.Note = TxNone, "the file asks for it (-- atlas:txmode none)"
		return s, nil
	}
	for _, st := range stmts {
		switch {
		case st.Kind.Has(sqlsplit.KindTxControl):
			s.Mode, s.Note = TxNone, fmt.Sprintf("it controls transactions itself (statement %d, line %d)", st.Index, st.Line)
			return s, nil
		case dialect.NoTxRunsAlone() && st.Kind.Has(sqlsplit.KindNoTx):
			s.Mode, s.Note = TxNone, fmt.Sprintf("%s refuses statement %d (line %d) inside a transaction", dialect.Name(), st.Index, st.Line)
			return s, nil
		}
	}
	return s, nil
}

// resume checks a partial row against the file as it is now.
func resume(s *Step, r *revision.Row) error {
	s.Existing = r
	s.Resume = r.Applied
	if r.Applied > len(s.Statements) {
		return &refusal.Refusal{Reason: fmt.Sprintf("%s: %d statements are recorded as applied, but the file now has only %d", s.File, r.Applied, len(s.Statements)), Next: refusal.Say("restore the file as it was when it ran")}
	}
	if len(r.PartialHashes) < r.Applied {
		return &refusal.Refusal{Reason: fmt.Sprintf("%s: %d statements are recorded as applied but only %d of their hashes, so ferry cannot check that they are unchanged", s.File, r.Applied, len(r.PartialHashes)), Next: refusal.Say("inspect the row of version " + r.Version)}
	}
	for i := 0; i < r.Applied; i++ {
		if r.PartialHashes[i] != s.Hashes[i] {
			return &refusal.Refusal{Reason: fmt.Sprintf("statement %d of %s changed since it was applied (line %d)", i+1, s.File, s.Statements[i].Line), Next: refusal.Say("restore statements 1 to " + strconv.Itoa(r.Applied) + " as they were; fix only the statements after them")}
		}
	}
	return nil
}
