package apply

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/database"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/folder"
	"github.com/ferrymigrate/ferry/internal/gmlock"
	"github.com/ferrymigrate/ferry/revision"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// Options control a run.
type Options struct {
	TxMode          TxMode
	Limit           int // run at most this many files; 0 means all
	AllowOutOfOrder bool
	LegacySync      LegacySync
	LockTimeout     time.Duration
	RevisionsSchema string
	OperatorVersion string
	Reporter        Reporter
	Now             func() time.Time

	lockSeed string // the database and revisions table, for ferry's own lock
	dbFile   string // the database file, for engines locked by a file
}

// EventKind names a progress event.
type EventKind string

// Event kinds, in the order they happen.
const (
	FileStarted     EventKind = "file_started"
	StatementDone   EventKind = "statement_done"
	FileDone        EventKind = "file_done"
	FileFailed      EventKind = "file_failed"
	WaitingForLock  EventKind = "waiting_for_lock"
	NoticeTxChanged EventKind = "notice"
	// LegacyCaughtUp: golang-migrate's row was moved forward to the newest
	// complete revision (Plan.CatchUp) before any file ran.
	LegacyCaughtUp EventKind = "legacy_caught_up"
)

// Event reports progress; fields that do not apply are zero.
type Event struct {
	Kind      EventKind
	Version   string
	File      string
	Statement int // 1-based
	Total     int
	Line      int
	Duration  time.Duration
	Note      string
	Err       error
}

// Reporter receives events. Report is called from the goroutine running
// Apply; implementations need not be safe for concurrent use.
type Reporter interface{ Report(Event) }

type nopReporter struct{}

func (nopReporter) Report(Event) {}

// StatementError is a statement the database refused.
type StatementError struct {
	Version   string
	File      string
	Statement int // 1-based
	Total     int
	Line      int
	Text      string
	// Applied is the number of statements of the file that are applied and
	// recorded; a fixed file resumes at Applied+1.
	Applied int
	// Recorded says what the revisions table and schema_migrations hold now.
	Recorded string
	Err      error
}

func (e *StatementError) Error() string {
	return fmt.Sprintf("%s: statement %d of %d (line %d) failed: %v; %s", e.File, e.Statement, e.Total, e.Line, e.Err, e.Recorded)
}

func (e *StatementError) Unwrap() error { return e.Err }

// Result is what a run did.
type Result struct {
	Plan    *Plan
	Applied []string // versions completed
	// CaughtUp is true once golang-migrate's row was moved forward as
	// Plan.CatchUp says, before any file ran.
	CaughtUp bool
}

// Preview plans a run without locking or writing.
func Preview(ctx context.Context, on *database.DB, p *folder.Folder, o Options) (*Plan, error) {
	db, u := on.SQL, on.URL
	st, err := compat.ReadLegacy(ctx, db, u)
	if err != nil {
		return nil, fmt.Errorf("read golang-migrate's state: %w", err)
	}
	return plan(ctx, db, st, p, u, o)
}

// Apply takes golang-migrate's lock on a connection of its own, plans
// under the lock, and runs the steps. It returns a *StatementError when a
// statement fails (after recording what ran), a *refusal.Refusal when the state does
// not allow a run, and the result so far either way.
func Apply(ctx context.Context, on *database.DB, p *folder.Folder, o Options) (*Result, error) {
	db, u := on.SQL, on.URL
	if o.Reporter == nil {
		o.Reporter = nopReporter{}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	st, err := readLegacy(ctx, conn, u)
	if err != nil {
		return nil, err
	}
	o.lockSeed = u.Database + "/" + o.RevisionsSchema
	o.dbFile = u.Database
	if q := u.Dialect.CurrentDatabaseQuery(); q != "" {
		var current string
		if err := conn.QueryRowContext(ctx, q).Scan(&current); err == nil {
			o.lockSeed = current + "/" + o.RevisionsSchema
		}
	}
	release, err := lockSession(ctx, conn, u.Dialect, st.Lock.Keys, o)
	if err != nil {
		return nil, err
	}
	defer release()
	if st, err = readLegacy(ctx, conn, u); err != nil { // again, under the lock
		return nil, err
	}
	pl, err := plan(ctx, conn, st, p, u, o)
	if err != nil {
		return nil, err
	}
	res := &Result{Plan: pl}
	r := &runner{conn: conn, pl: pl, o: o, d: u.Dialect}
	if err := r.prepareTables(ctx); err != nil {
		return res, err
	}
	if err := r.catchUp(ctx); err != nil {
		return res, err
	}
	res.CaughtUp = pl.CatchUp != nil && pl.LegacySync
	if o.TxMode == TxAll && !u.Dialect.DDLCommits() && len(pl.Steps) > 0 {
		err = r.all(ctx, res)
		return res, err
	}
	for i := range pl.Steps {
		s := &pl.Steps[i]
		if s.Note != "" && s.Mode != o.TxMode {
			o.Reporter.Report(Event{Kind: NoticeTxChanged, Version: s.Version, File: s.File, Note: "runs statement by statement outside a transaction: " + s.Note})
		}
		var err error
		if s.Mode == TxNone {
			err = r.none(ctx, s)
		} else {
			err = r.file(ctx, s)
		}
		if err != nil {
			return res, err
		}
		res.Applied = append(res.Applied, s.Version)
	}
	return res, nil
}

func readLegacy(ctx context.Context, conn *sql.Conn, u *compat.DatabaseURL) (*compat.LegacyState, error) {
	tx, err := conn.BeginTx(ctx, u.Dialect.ReadOnlyTxOptions())
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	st, err := compat.ReadLegacyTx(ctx, tx, u)
	if err != nil {
		return nil, fmt.Errorf("read golang-migrate's state: %w", err)
	}
	return st, nil
}

// ferryLockKey keeps ferry's own lock key apart from golang-migrate's.
const ferryLockKey = "ferry"

// lockSession takes golang-migrate's lock keys (and ferry's own) for the
// session of conn, waiting up to the lock timeout, and returns the release.
// Engines without locks other processes can see lock a file instead.
func lockSession(ctx context.Context, conn *sql.Conn, d engine.Dialect, keys []compat.LockKey, o Options) (func(), error) {
	note := "another golang-migrate or ferry run holds the lock; waiting"
	if !d.Locker(engine.LockPolicy{}).SessionLocks() {
		note = "another ferry run is applying to this SQLite database; waiting"
	}
	l := d.Locker(engine.LockPolicy{Timeout: o.LockTimeout, Waiting: func() {
		o.Reporter.Report(Event{Kind: WaitingForLock, Note: note})
	}})
	if !l.SessionLocks() {
		return lockFile(ctx, l, o)
	}
	release, err := l.Session(ctx, conn, append(gmlock.Keys(keys), ferryKey(d, o.lockSeed)))
	var te *engine.LockTimeoutError
	var ke *engine.KeyError
	switch {
	case errors.As(err, &te):
		return nil, fmt.Errorf("timed out after %s waiting for golang-migrate's lock (key %s): a golang-migrate or ferry run is in progress; wait for it, or raise --lock-timeout", o.LockTimeout, te.Key)
	case errors.As(err, &ke):
		return nil, fmt.Errorf("take golang-migrate's lock %s: %w", ke.Key, ke.Err)
	}
	return release, err
}

// lockFile excludes other ferry runs on a database other processes cannot
// see locks of (SQLite: golang-migrate's lock lives inside its own
// process): an exclusive lock on DATABASE.ferry-lock, held for the run and
// released by the kernel if ferry dies.
func lockFile(ctx context.Context, l *engine.Locker, o Options) (func(), error) {
	if o.dbFile == "" || o.dbFile == ":memory:" {
		return func() {}, nil
	}
	release, err := l.File(ctx, o.dbFile+".ferry-lock")
	var te *engine.LockTimeoutError
	var fe *engine.FileLockError
	switch {
	case errors.As(err, &te):
		return nil, fmt.Errorf("timed out after %s waiting for another ferry run on %s (lock file %s.ferry-lock)", o.LockTimeout, o.dbFile, o.dbFile)
	case errors.As(err, &fe):
		return nil, fmt.Errorf("lock %s.ferry-lock: %w", o.dbFile, fe.Err)
	case err != nil && !errors.Is(err, ctx.Err()):
		return nil, fmt.Errorf("open the lock file of %s: %w", o.dbFile, err)
	}
	return release, err
}

// ferryKey is ferry's own lock, taken besides golang-migrate's, so that two
// ferry runs exclude each other whatever URL form or lock strategy they
// use: it is derived from the database and the revisions table.
func ferryKey(d engine.Dialect, seed string) string {
	n, _ := strconv.ParseUint(compat.MySQLLockName(ferryLockKey+":"+seed, "revisions"), 10, 64)
	return d.NumberKey(ferryLockKey, n)
}

type runner struct {
	conn *sql.Conn
	pl   *Plan
	o    Options
	d    engine.Dialect
}

// prepareTables creates the revisions table (and golang-migrate's, on a
// fresh database with legacy sync) when they are missing.
func (r *runner) prepareTables(ctx context.Context) error {
	if r.pl.LegacySync && !r.pl.Legacy.TableExists {
		if err := compat.CreateLegacyTable(ctx, r.conn, r.d, r.pl.Legacy.Table); err != nil {
			return err
		}
		r.pl.Legacy.TableExists = true
	}
	return r.pl.Revisions.Create(ctx, r.conn)
}

// catchUp moves golang-migrate's row forward to the newest complete
// revision (clean) when the plan says the schema shows the files above it
// applied. It runs under golang-migrate's lock, taken by Apply.
func (r *runner) catchUp(ctx context.Context) error {
	cu := r.pl.CatchUp
	if cu == nil || !r.pl.LegacySync {
		return nil
	}
	if err := r.atomic(ctx, func(q revision.Execer) error {
		return compat.WriteLegacy(ctx, q, r.d, r.pl.Legacy.Table, int64(cu.To), false)
	}); err != nil {
		return fmt.Errorf("move %s forward from version %d to %d: %w", r.pl.Legacy.Table, cu.From, cu.To, err)
	}
	r.pl.Legacy.Version, r.pl.Legacy.Dirty = int64(cu.To), false
	r.o.Reporter.Report(Event{Kind: LegacyCaughtUp, Version: cu.ToText, Note: fmt.Sprintf("moved %s from version %d to %s: %s were applied without it (%s), so migrate up would have run them again", r.pl.Legacy.Table, cu.From, cu.ToText, strings.Join(cu.Files, ", "), cu.Evidence.Summary())})
	return nil
}

// row builds the revision row of a step.
func (r *runner) row(s *Step, started time.Time) revision.Row {
	typ := revision.TypeExecute
	if s.Existing != nil && s.Existing.Type&revision.TypeResolved != 0 {
		typ |= revision.TypeResolved
	}
	return revision.Row{Version: s.Version, Description: s.Description, Type: typ, Applied: s.Resume, Total: len(s.Statements),
		ExecutedAt: started.UTC(), Hash: s.FileHash, OperatorVersion: r.o.OperatorVersion, PartialHashes: partial(s, s.Resume)}
}

// partial returns the cumulative hashes of the first n statements, as
// recorded while a file is unfinished (an empty array, not null, at 0).
func partial(s *Step, n int) []string {
	return append([]string{}, s.Hashes[:n]...)
}

func (r *runner) legacy(ctx context.Context, q compat.Execer, s *Step, dirty bool) error {
	if !r.pl.LegacySync {
		return nil
	}
	v := s.Number
	if !dirty {
		// An out-of-order file is older than the newest applied version:
		// golang-migrate must keep the newest, or its next Up runs the
		// newer files again.
		v = max(v, r.pl.newest)
		r.pl.newest = v
	}
	return compat.WriteLegacy(ctx, q, r.d, r.pl.Legacy.Table, int64(v), dirty)
}

// stepInTx runs s's statements and its bookkeeping in tx and rolls tx back
// when one fails; rolledBack starts the sentence that says what the
// rollback undid.
func (r *runner) stepInTx(ctx context.Context, tx *sql.Tx, s *Step, started time.Time, rolledBack string) error {
	if i, err := r.statements(ctx, tx, s, s.Resume); err != nil {
		_ = tx.Rollback()
		return r.failed(ctx, s, i, err, started, rolledBack+r.legacyState(false))
	}
	if err := r.finish(ctx, tx, s, started); err != nil {
		_ = tx.Rollback()
		return err
	}
	return nil
}

// file runs a step in one transaction with its revision row and the legacy
// row: all of it commits, or nothing does.
func (r *runner) file(ctx context.Context, s *Step) error {
	started := r.o.Now()
	r.o.Reporter.Report(Event{Kind: FileStarted, Version: s.Version, File: s.File, Total: len(s.Statements)})
	tx, err := r.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := r.stepInTx(ctx, tx, s, started, "the file's transaction was rolled back: nothing of it is applied; "); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: commit: %w", s.File, err)
	}
	r.o.Reporter.Report(Event{Kind: FileDone, Version: s.Version, File: s.File, Total: len(s.Statements), Duration: r.o.Now().Sub(started)})
	return nil
}

// statements runs the statements of s from index from inside tx, reporting
// each; it returns the index of the failing statement.
func (r *runner) statements(ctx context.Context, tx *sql.Tx, s *Step, from int) (int, error) {
	for i := from; i < len(s.Statements); i++ {
		if _, err := tx.ExecContext(ctx, s.Statements[i].Text); err != nil {
			return i, err
		}
		r.o.Reporter.Report(Event{Kind: StatementDone, Version: s.Version, File: s.File, Statement: i + 1, Total: len(s.Statements), Line: s.Statements[i].Line})
	}
	return len(s.Statements), nil
}

// finish records a completed file: the revision row and the legacy row.
func (r *runner) finish(ctx context.Context, q revision.Execer, s *Step, started time.Time) error {
	row := r.row(s, started)
	row.Applied, row.PartialHashes = len(s.Statements), nil
	row.ExecutionTime = r.o.Now().Sub(started)
	if err := r.pl.Revisions.Upsert(ctx, q, row); err != nil {
		return err
	}
	return r.legacy(ctx, q, s, false)
}

// none runs a step statement by statement: every statement commits together
// with its progress (applied, partial_hashes), so a crash between two
// statements resumes exactly. Statements that cannot run in a transaction
// (and MySQL DDL, which commits on its own) commit first and record their
// progress right after.
func (r *runner) none(ctx context.Context, s *Step) error {
	started := r.o.Now()
	r.o.Reporter.Report(Event{Kind: FileStarted, Version: s.Version, File: s.File, Total: len(s.Statements)})
	if err := r.atomic(ctx, func(q revision.Execer) error {
		if err := r.pl.Revisions.Upsert(ctx, q, r.row(s, started)); err != nil {
			return err
		}
		return r.legacy(ctx, q, s, len(s.Statements) > s.Resume)
	}); err != nil {
		return err
	}
	ownTx := slices.ContainsFunc(s.Statements, func(st sqlsplit.Statement) bool { return st.Kind.Has(sqlsplit.KindTxControl) })
	for i := s.Resume; i < len(s.Statements); i++ {
		st := s.Statements[i]
		var err error
		switch {
		case ownTx:
			// The file controls its transactions: run it on the session as
			// written, and record progress on the same session, so that the
			// progress commits (or rolls back) with the file's own
			// transaction.
			if _, xerr := r.conn.ExecContext(ctx, st.Text); xerr != nil {
				err = &execError{xerr}
			} else {
				err = r.pl.Revisions.Progress(ctx, r.conn, s.Version, i+1, partial(s, i+1))
			}
		case r.d.NoTxRunsAlone() && st.Kind.Has(sqlsplit.KindNoTx), r.d.CommitsImplicitly(st.Text):
			// PostgreSQL refuses it inside a transaction, or MySQL commits
			// it on its own (DDL): it runs alone, and its progress is
			// recorded right after.
			if _, xerr := r.conn.ExecContext(ctx, st.Text); xerr != nil {
				err = &execError{xerr}
			} else {
				err = r.pl.Revisions.Progress(ctx, r.conn, s.Version, i+1, partial(s, i+1))
			}
		case r.d.BatchesBookkeeping():
			// The statement and its progress commit together, in one round
			// trip; the migration's text is sent without parameters.
			text := strings.TrimSpace(st.Text)
			if !strings.HasSuffix(text, ";") {
				text += ";"
			}
			query := "START TRANSACTION;\n" + text + "\n" + r.pl.Revisions.ProgressSQL(s.Version, i+1, partial(s, i+1)) + ";\nCOMMIT"
			if _, xerr := r.conn.ExecContext(ctx, query); xerr != nil {
				_, _ = r.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
				err = &execError{xerr}
			}
		default:
			err = r.inTx(ctx, func(tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, st.Text); err != nil {
					return &execError{err}
				}
				return r.pl.Revisions.Progress(ctx, tx, s.Version, i+1, partial(s, i+1))
			})
		}
		if err != nil && ownTx {
			if !errors.As(err, new(*execError)) {
				_, _ = r.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
				return err
			}
		}
		var ee *execError
		if errors.As(err, &ee) && ownTx {
			// End the file's own transaction, if one is open, and count what
			// really committed.
			bg := context.WithoutCancel(ctx)
			_, _ = r.conn.ExecContext(bg, "ROLLBACK")
			applied, rerr := r.appliedNow(bg, s.Version)
			if rerr != nil {
				return errors.Join(ee.err, rerr)
			}
			return r.failedAt(ctx, s, i, applied, ee.err, started, r.legacyState(true))
		}
		if errors.As(err, &ee) {
			return r.failed(ctx, s, i, ee.err, started, r.legacyState(true))
		}
		if err != nil {
			return err
		}
		r.o.Reporter.Report(Event{Kind: StatementDone, Version: s.Version, File: s.File, Statement: i + 1, Total: len(s.Statements), Line: st.Line})
	}
	if err := r.atomic(ctx, func(q revision.Execer) error { return r.finish(ctx, q, s, started) }); err != nil {
		return err
	}
	r.o.Reporter.Report(Event{Kind: FileDone, Version: s.Version, File: s.File, Total: len(s.Statements), Duration: r.o.Now().Sub(started)})
	return nil
}

// execError marks the failure of a migration statement itself, as opposed
// to the bookkeeping around it.
type execError struct{ err error }

func (e *execError) Error() string { return e.err.Error() }

// all runs every step in one transaction.
func (r *runner) all(ctx context.Context, res *Result) error {
	tx, err := r.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	for i := range r.pl.Steps {
		s := &r.pl.Steps[i]
		started := r.o.Now()
		r.o.Reporter.Report(Event{Kind: FileStarted, Version: s.Version, File: s.File, Total: len(s.Statements)})
		if err := r.stepInTx(ctx, tx, s, started, "the run's transaction was rolled back: no file of this run is applied; "); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	for _, s := range r.pl.Steps { // reported once they are committed
		r.o.Reporter.Report(Event{Kind: FileDone, Version: s.Version, File: s.File, Total: len(s.Statements)})
		res.Applied = append(res.Applied, s.Version)
	}
	return nil
}

// atomic runs bookkeeping writes all or nothing: in a transaction; on
// MySQL as one multi-statement round trip inside START TRANSACTION ...
// COMMIT (parameters are interpolated client-side, see dbconn).
func (r *runner) atomic(ctx context.Context, fn func(revision.Execer) error) error {
	if !r.d.BatchesBookkeeping() {
		return r.inTx(ctx, func(tx *sql.Tx) error { return fn(tx) })
	}
	b := &batch{}
	if err := fn(b); err != nil {
		return err
	}
	query := "START TRANSACTION;\n" + strings.Join(b.queries, ";\n") + ";\nCOMMIT"
	if _, err := r.conn.ExecContext(ctx, query, b.args...); err != nil {
		_, _ = r.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return err
	}
	return nil
}

// batch collects bookkeeping statements for atomic.
type batch struct {
	queries []string
	args    []any
}

func (b *batch) ExecContext(_ context.Context, query string, args ...any) (sql.Result, error) {
	b.queries = append(b.queries, query)
	b.args = append(b.args, args...)
	return driver.RowsAffected(0), nil
}

func (r *runner) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := r.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (r *runner) legacyState(dirty bool) string {
	if !r.pl.LegacySync {
		return "schema_migrations is not kept in step"
	}
	if dirty {
		return "schema_migrations is dirty at this version, as golang-migrate would leave it"
	}
	return "schema_migrations still holds the previous version"
}

// failed records a failed statement (the file's row with what is applied,
// the error and the statement) and returns the StatementError.
func (r *runner) failed(ctx context.Context, s *Step, i int, cause error, started time.Time, recorded string) error {
	applied := s.Resume
	if s.Mode == TxNone {
		applied = i
	}
	return r.failedAt(ctx, s, i, applied, cause, started, recorded)
}

// appliedNow reads how many statements of a version the revisions table
// records as applied.
func (r *runner) appliedNow(ctx context.Context, version string) (int, error) {
	rows, err := r.pl.Revisions.Read(ctx, r.conn)
	if err != nil {
		return 0, err
	}
	for _, row := range rows {
		if row.Version == version {
			return row.Applied, nil
		}
	}
	return 0, nil
}

// failedAt records statement i of s as failed with applied statements
// committed before it.
func (r *runner) failedAt(ctx context.Context, s *Step, i, applied int, cause error, started time.Time, recorded string) error {
	row := r.row(s, started)
	row.Applied, row.PartialHashes = applied, partial(s, applied)
	row.Error, row.ErrorStmt = describeError(cause), s.Statements[i].Text
	row.ExecutionTime = r.o.Now().Sub(started)
	bg := context.WithoutCancel(ctx)
	if err := r.pl.Revisions.Upsert(bg, r.conn, row); err != nil {
		recorded += fmt.Sprintf(" (recording the failure failed too: %v)", err)
	} else {
		recorded = fmt.Sprintf("recorded: %d of %d statements applied; ", applied, len(s.Statements)) + recorded
	}
	err := &StatementError{Version: s.Version, File: s.File, Statement: i + 1, Total: len(s.Statements), Line: s.Statements[i].Line, Text: s.Statements[i].Text, Applied: applied, Recorded: recorded, Err: cause}
	r.o.Reporter.Report(Event{Kind: FileFailed, Version: s.Version, File: s.File, Statement: i + 1, Total: len(s.Statements), Line: s.Statements[i].Line, Err: err})
	return err
}

// describeError renders a driver error with PostgreSQL's detail and hint.
func describeError(err error) string {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		msg := fmt.Sprintf("%s: %s (SQLSTATE %s)", pg.Severity, pg.Message, pg.Code)
		if pg.Detail != "" {
			msg += "; " + pg.Detail
		}
		if pg.Hint != "" {
			msg += "; hint: " + pg.Hint
		}
		return msg
	}
	return err.Error()
}

// ConnectionLost reports whether the statement failed because the
// connection went away (killed by an administrator, a network failure, a
// server restart) rather than because of the statement itself.
func (e *StatementError) ConnectionLost() bool {
	var pg *pgconn.PgError
	if errors.As(e.Err, &pg) {
		switch pg.Code {
		case "57P01", "57P02", "57P03", "08000", "08003", "08006": // admin shutdown, crash, cannot connect, connection failures
			return true
		}
		return false
	}
	var ne net.Error
	return errors.Is(e.Err, driver.ErrBadConn) || errors.Is(e.Err, mysql.ErrInvalidConn) || errors.Is(e.Err, io.EOF) ||
		errors.Is(e.Err, io.ErrUnexpectedEOF) || errors.As(e.Err, &ne) || pgconn.Timeout(e.Err) ||
		strings.Contains(e.Err.Error(), "conn closed") || strings.Contains(e.Err.Error(), "connection was killed")
}
