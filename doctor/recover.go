package doctor

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ferrymigrate/ferry/atlassum"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/database"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/inspect"
	"github.com/ferrymigrate/ferry/internal/gmlock"
	"github.com/ferrymigrate/ferry/refusal"
	"github.com/ferrymigrate/ferry/revision"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// ErrChanged is a database (or migration folder) that changed since the
// diagnosis the plan rests on.
var ErrChanged = errors.New("the database changed since the diagnosis")

// VerifyError is a plan whose result the probes do not confirm.
type VerifyError struct {
	Plan     PlanKind
	Problems []string
	// Kept is true when the statements stayed applied (MySQL commits DDL
	// on its own); golang-migrate's row was not changed either way.
	Kept bool
}

func (e *VerifyError) Error() string {
	kept := "everything was rolled back"
	if e.Kept {
		kept = "the statements stayed applied (MySQL commits DDL on its own), golang-migrate's row is unchanged"
	}
	return fmt.Sprintf("after --%s the schema is not what the plan promised (%v); %s: run ferry doctor again", e.Plan, e.Problems, kept)
}

// RecoverOptions choose and guard a recovery.
type RecoverOptions struct {
	Plan PlanKind
	// Expect is the fingerprint of the diagnosis the user read; a
	// different one refuses (ErrChanged). Empty skips the check.
	Expect string
	// AcceptUnproven allows acting on a verdict that is not proven. With
	// several states possible, Assume says which one to act on.
	AcceptUnproven bool
	Assume         *Alternative
	// DryRun diagnoses and returns the plan without writing.
	DryRun bool
	// Confirm is asked before a plan that destroys data or rests on an
	// unproven verdict; nil refuses such plans.
	Confirm func(*Diagnosis, *Plan) bool
	// LockTimeout bounds the wait for golang-migrate's lock.
	LockTimeout time.Duration
	// Operator (who ran it) and OperatorVersion (ferry's version) go into
	// the audit entry and revision rows.
	Operator        string
	OperatorVersion string
	Now             func() time.Time
	Diagnose        Options
}

// Result is what Recover did.
type Result struct {
	Diagnosis *Diagnosis `json:"diagnosis"`
	Plan      *Plan      `json:"plan,omitempty"`
	DryRun    bool       `json:"dry_run,omitempty"`
	// NothingToDo is true when the row was not dirty.
	NothingToDo bool `json:"nothing_to_do,omitempty"`
	Executed    int  `json:"executed"`
	// Verified lists what was checked after the steps ran.
	Verified []string `json:"verified,omitempty"`
	// LegacyAfter is golang-migrate's row afterwards.
	LegacyAfter string `json:"legacy_after,omitempty"`
	// Revision says what changed in the revisions table, if the database
	// has one.
	Revision string      `json:"revision,omitempty"`
	Audit    *AuditEntry `json:"audit,omitempty"`
}

// Recover diagnoses db again (it never trusts an earlier diagnosis),
// checks that the diagnosis is the one the user read (o.Expect), and
// carries out one plan: holding golang-migrate's lock, in one transaction
// where the engine allows, verifying the result by probing again before
// golang-migrate's row (and, on converted databases, the revision row) is
// written, and recording an audit entry in ferry_recoveries. A refusal
// (*refusal.Refusal, ErrChanged) writes nothing.
func Recover(ctx context.Context, on *database.DB, fsys fs.FS, o RecoverOptions) (*Result, error) {
	db, u := on.SQL, on.URL
	if o.Now == nil {
		o.Now = time.Now
	}
	dg, err := diagnose(ctx, db, u, fsys, o.Diagnose)
	if err != nil {
		return nil, err
	}
	res := &Result{Diagnosis: dg.Diagnosis, DryRun: o.DryRun}
	if dg.Verdict.Clean {
		res.NothingToDo = true
		return res, nil
	}
	if o.Expect != "" {
		if err := dg.adopt(o.Expect); err != nil {
			return res, err
		}
	}
	plan, err := choosePlan(dg, o)
	if err != nil {
		return res, err
	}
	res.Plan = plan
	if o.DryRun {
		return res, nil
	}
	if plan.Destroys || dg.Verdict.Certainty != Proven {
		if o.Confirm == nil || !o.Confirm(dg.Diagnosis, plan) {
			return res, &refusal.Refusal{Reason: fmt.Sprintf("--%s was not confirmed; nothing was written", plan.Kind), Next: refusal.Run(append(plan.Words(), "--yes")...)}
		}
	}
	for _, s := range plan.Steps {
		if dg.dialect.NoTxRunsAlone() && s.kind.Has(sqlsplit.KindNoTx) {
			return res, &refusal.Refusal{Reason: fmt.Sprintf("statement %d of %s cannot run in a transaction, and ferry recover runs %s plans in one: run it by hand, then ferry doctor again", s.Statement, s.File, dg.dialect.Name())}
		}
	}
	return res, execute(ctx, db, u, fsys, dg, plan, o, res)
}

// adopt checks that the database (and the statements the verdict says
// ran) are what the diagnosis with fingerprint token saw, and takes over
// its verdict: the statement that failed may have been fixed since, which
// can hide the evidence that pinned the verdict (a fixed INSERT leaves no
// trace in the catalog), but not change what ran.
func (dg *diagnosis) adopt(token string) error {
	changed := func(what string) error {
		return fmt.Errorf("%w: %s since the diagnosis %s; nothing was written: run ferry doctor again and read the new verdict", ErrChanged, what, token)
	}
	if rest, ok := strings.CutPrefix(token, "db:"); ok {
		if len(dg.dbPrint) < 16 || rest != dg.dbPrint[:16] {
			return changed("golang-migrate's row or the schema changed")
		}
		return nil
	}
	parts := strings.Split(token, ":")
	if len(parts) != 4 {
		return &refusal.Refusal{Reason: fmt.Sprintf("--expect %q is not a fingerprint ferry doctor prints (CASE:K:CERTAINTY:HASH)", token)}
	}
	k, err := strconv.Atoi(parts[1])
	if err != nil {
		return &refusal.Refusal{Reason: fmt.Sprintf("--expect %q is not a fingerprint ferry doctor prints (CASE:K:CERTAINTY:HASH)", token)}
	}
	cert := Certainty(parts[2])
	for _, c := range dg.Candidates {
		if string(c.Case) != parts[0] || k > c.Total() {
			continue
		}
		if c.token(dg.dbPrint, k, cert) != token {
			continue
		}
		ks := c.Consistent
		if dg.Replay != nil && dg.Replay.usable(c) {
			ks = dg.Replay.matches(c)
		}
		if !slices.Contains(ks, k) {
			return &refusal.Refusal{Reason: fmt.Sprintf("the diagnosis %s said %d of %d statements of %s ran, but the evidence now contradicts it (%s); nothing was written", token, k, c.Total(), c.File, strings.Join(c.RuledOut[k], "; ")), Next: refusal.Run(DoctorCommand(dg.url, dg.opts)...)}
		}
		if dg.Verdict.File != c.File || dg.Verdict.Applied != k || dg.Verdict.Certainty != cert {
			// The adopted verdict is the one token names: the plans'
			// commands and the audit entry carry it, not the fingerprint
			// of today's (weaker) verdict.
			dg.Fingerprint = token
			dg.Verdict = Verdict{Case: c.Case, Version: c.Version, File: c.File, Applied: k, Total: c.Total(), Certainty: cert,
				Summary: summary(c, k, dg.Version) + fmt.Sprintf(" (as diagnosed under %s; the database and statements 1 to %d are unchanged since)", token, k)}
			dg.Plans = dg.plansFor(c, k)
		}
		return nil
	}
	return changed("golang-migrate's row, the schema or the statements that ran changed")
}

// choosePlan picks the plan the options ask for, refusing unproven
// verdicts unless accepted. A dry run shows the plan of a verdict that is
// not proven too (its command carries --accept-unproven): it writes
// nothing.
func choosePlan(dg *diagnosis, o RecoverOptions) (*Plan, error) {
	next := refusal.Run(DoctorCommand(dg.url, dg.opts)...)
	if dg.Verdict.Certainty != Proven {
		switch {
		case !o.AcceptUnproven && !o.DryRun:
			var how []string
			if dg.Verdict.ReplayCanHelp && dg.opts.DevURL == nil {
				how = append(how, "a replay on a scratch server of the same engine (--dev-url) may prove it")
			}
			act := "to act anyway pass --accept-unproven"
			if len(dg.Verdict.Alternatives) > 1 {
				act += " and name the state with --assume CASE:K (the states that agree are listed above)"
			}
			how = append(how, act)
			return nil, &refusal.Refusal{Reason: fmt.Sprintf("the verdict is %s, not proven (%s); nothing was written. Check the schema by hand; %s", dg.Verdict.Certainty, dg.Verdict.Summary, strings.Join(how, "; ")), Next: next}
		case o.Assume != nil:
			for _, c := range dg.Candidates {
				if c.Case == o.Assume.Case && o.Assume.Applied >= 0 && o.Assume.Applied <= c.Total() {
					dg.assumed = o.Assume
					dg.Plans = dg.plansFor(c, o.Assume.Applied)
					dg.Verdict.Case, dg.Verdict.File, dg.Verdict.Version, dg.Verdict.Applied, dg.Verdict.Total = c.Case, c.File, c.Version, o.Assume.Applied, c.Total()
				}
			}
		case len(dg.Verdict.Alternatives) > 1 && !o.DryRun:
			return nil, &refusal.Refusal{Reason: "the evidence agrees with several states: say which one with --assume CASE:K (for example up:2)", Next: next}
		}
	}
	p := dg.Plan(o.Plan)
	if p == nil || !p.Available {
		why := "no plan"
		if p != nil {
			why = p.Why
		}
		return nil, &refusal.Refusal{Reason: fmt.Sprintf("--%s is not possible here: %s", o.Plan, why), Next: next}
	}
	return p, nil
}

// execute runs a plan under golang-migrate's lock.
func execute(ctx context.Context, db *sql.DB, u *compat.DatabaseURL, fsys fs.FS, dg *diagnosis, plan *Plan, o RecoverOptions, res *Result) (err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", dg.Database, err)
	}
	defer conn.Close()
	keys := dg.legacy.Lock.Keys
	d := u.Dialect
	// Where locks belong to the session (MySQL), hold them across the
	// statements, which commit on their own there.
	tx, release, err := gmlock.BeginLocked(ctx, conn, d, keys, o.LockTimeout, nil)
	if err != nil {
		return err
	}
	defer gmlock.End(ctx, &tx, release, &err)
	// Under the lock: is the database still the one diagnosed?
	st, err := compat.ReadLegacyTx(ctx, tx, u)
	if err != nil {
		return fmt.Errorf("read golang-migrate's row again: %w", err)
	}
	if st.Version != dg.legacy.Version || st.Dirty != dg.legacy.Dirty || st.Rows != dg.legacy.Rows {
		return fmt.Errorf("%w: %s is now at version %d (dirty %v), diagnosed at %d (dirty %v); nothing was written: run ferry doctor again", ErrChanged, st.Table, st.Version, st.Dirty, dg.legacy.Version, dg.legacy.Dirty)
	}
	now, err := inspect.InspectTx(ctx, tx, d, inspect.OptionsFor(dg.url))
	if err != nil {
		return err
	}
	if now.String() != dg.live.String() {
		return fmt.Errorf("%w: the schema changed while ferry waited for the lock; nothing was written: run ferry doctor again", ErrChanged)
	}
	store, hasRevisions, err := revisions(ctx, tx, u)
	if err != nil {
		return err
	}
	// The audit table exists before the first statement, so that on MySQL
	// (where CREATE TABLE commits) nothing after the plan's statements can
	// fail for want of it.
	if err := createAuditTable(ctx, tx, d); err != nil {
		return err
	}
	if d.DDLCommits() {
		if err := tx.Commit(); err != nil {
			return err
		}
		tx, err = conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
	}
	var ran []string
	for _, s := range plan.Steps {
		if _, err := tx.ExecContext(ctx, s.SQL); err != nil {
			kept := ""
			if d.DDLCommits() && len(ran) > 0 {
				kept = fmt.Sprintf(" (the %d statement(s) before it stayed applied: MySQL commits DDL on its own; golang-migrate's row is unchanged)", len(ran))
			} else {
				kept = " (rolled back: nothing was kept)"
			}
			what := fmt.Sprintf("statement %d of %s", s.Statement, s.File)
			if s.Inverse {
				what = fmt.Sprintf("the inverse of statement %d of %s", s.Statement, s.File)
			}
			return fmt.Errorf("--%s: %s failed%s: %w", plan.Kind, what, kept, err)
		}
		ran = append(ran, s.SQL)
	}
	res.Executed = len(ran)
	// Verify by probing (and comparing with the replay) again.
	after, err := inspect.InspectTx(ctx, tx, d, inspect.OptionsFor(dg.url))
	if err != nil {
		return err
	}
	schemas, err := schemaNames(ctx, tx, dg.dialect)
	if err != nil {
		return err
	}
	cat := newCatalog(dg.dialect, after, schemas, dg.cat.caseTables)
	cat.implicit = dg.cat.implicit
	check := evaluate(cat, plan.target.c, plan.target.k, false)
	kept := d.DDLCommits() && len(ran) > 0
	// A replay of the files as golang-migrate runs them decides where there
	// is one: the schema must equal the replayed state exactly, and then
	// probes whose reading of the files cannot follow them do not refuse.
	if state, ok := dg.Replay.state(plan.target.c, plan.target.k); ok && dg.Replay.Error == "" {
		if state.String() != after.String() {
			return &VerifyError{Plan: plan.Kind, Problems: []string{"the schema differs from the replay:\n" + inspect.Diff(state, after, "replay", "after")}, Kept: kept}
		}
		res.Verified = append(res.Verified, "the schema equals the replay on the dev database")
		if check.ok {
			res.Verified = append(res.Verified, fmt.Sprintf("catalog probes agree with %d of %d statements of %s applied", plan.target.k, plan.target.c.Total(), plan.target.c.File))
		} else {
			res.Verified = append(res.Verified, "catalog probes could not follow the files ("+strings.Join(check.contradictions, "; ")+"); the replay decides")
		}
	} else {
		if !check.ok {
			return &VerifyError{Plan: plan.Kind, Problems: check.contradictions, Kept: kept}
		}
		res.Verified = append(res.Verified, fmt.Sprintf("catalog probes agree with %d of %d statements of %s applied", plan.target.k, plan.target.c.Total(), plan.target.c.File))
	}
	// golang-migrate's row, clean.
	if err := compat.WriteLegacy(ctx, tx, d, st.Table, plan.SetVersion, false); err != nil {
		return err
	}
	res.LegacyAfter = fmt.Sprintf("version %s, clean", versionText(plan.SetVersion))
	if plan.SetVersion < 0 {
		res.LegacyAfter = "no version (table emptied)"
	}
	if hasRevisions {
		if res.Revision, err = syncRevision(ctx, tx, store, fsys, dg, plan, o); err != nil {
			return err
		}
	}
	entry := newAuditEntry(dg, plan, o, ran, res)
	if err := insertAudit(ctx, tx, d, entry); err != nil {
		return err
	}
	res.Audit = entry
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// revisions finds the revisions table, if the database has one.
func revisions(ctx context.Context, q revision.Querier, u *compat.DatabaseURL) (*revision.Store, bool, error) {
	store, err := revision.Locate(ctx, q, u, "")
	if err != nil {
		return nil, false, nil // no schema to put it in: not converted
	}
	ok, err := store.Exists(ctx, q)
	if err != nil {
		return nil, false, err
	}
	return store, ok, nil
}

// syncRevision brings the revision row of the file in step with the plan.
func syncRevision(ctx context.Context, tx *sql.Tx, store *revision.Store, fsys fs.FS, dg *diagnosis, plan *Plan, o RecoverOptions) (string, error) {
	c := plan.target.c
	m, _ := dg.dir.Lookup(c.Version)
	complete := c.Case == Up && plan.target.k == c.Total() || c.Case == Down && plan.target.k == 0
	if !complete {
		if err := store.Delete(ctx, tx, m.VersionText); err != nil {
			return "", err
		}
		return fmt.Sprintf("removed version %s (its run was undone)", m.VersionText), nil
	}
	if m.Up == nil {
		return "", nil
	}
	sum, err := atlassum.Compute(fsys, ".")
	if err != nil {
		return "", fmt.Errorf("hash the migration folder: %w", err)
	}
	hash, _ := sum.Hash(m.Up.Name)
	body, err := dg.dir.ReadFile(*m.Up)
	if err != nil {
		return "", err
	}
	stmts, err := sqlsplit.Split(dg.dialect, body)
	if err != nil {
		return "", err
	}
	row := revision.Row{Version: m.VersionText, Description: m.Title, Type: revision.TypeResolved, Applied: len(stmts), Total: len(stmts),
		ExecutedAt: o.Now().UTC(), Hash: hash, OperatorVersion: o.OperatorVersion}
	if err := store.Upsert(ctx, tx, row); err != nil {
		return "", err
	}
	return fmt.Sprintf("version %s recorded complete (%d of %d statements)", m.VersionText, len(stmts), len(stmts)), nil
}

// AuditEntry is one row of ferry_recoveries.
type AuditEntry struct {
	At          time.Time `json:"at"`
	Operator    string    `json:"operator"`
	Ferry       string    `json:"ferry"`
	Database    string    `json:"database"` // redacted
	Version     int64     `json:"version"`
	Case        Case      `json:"case"`
	File        string    `json:"file"`
	Applied     int       `json:"applied_before"`
	Total       int       `json:"total"`
	Certainty   Certainty `json:"certainty"`
	Plan        PlanKind  `json:"plan"`
	Statements  []string  `json:"statements"`
	SetVersion  int64     `json:"set_version"`
	Fingerprint string    `json:"fingerprint"`
}

func newAuditEntry(dg *diagnosis, plan *Plan, o RecoverOptions, ran []string, res *Result) *AuditEntry {
	return &AuditEntry{At: o.Now().UTC(), Operator: o.Operator, Ferry: o.OperatorVersion, Database: dg.Database, Version: dg.Version,
		Case: dg.Verdict.Case, File: dg.Verdict.File, Applied: dg.Verdict.Applied, Total: dg.Verdict.Total, Certainty: dg.Verdict.Certainty,
		Plan: plan.Kind, Statements: append([]string{}, ran...), SetVersion: plan.SetVersion, Fingerprint: dg.Fingerprint}
}

// AuditTable is the table recover records its runs in.
const AuditTable = "ferry_recoveries"

func createAuditTable(ctx context.Context, tx *sql.Tx, d engine.Dialect) error {
	if _, err := tx.ExecContext(ctx, d.Recoveries().CreateTable()); err != nil {
		return fmt.Errorf("create the audit table %s: %w", AuditTable, err)
	}
	return nil
}

func insertAudit(ctx context.Context, tx *sql.Tx, d engine.Dialect, e *AuditEntry) error {
	stmts, err := json.Marshal(e.Statements)
	if err != nil {
		return err
	}
	marks := make([]string, 14)
	for i := range marks {
		marks[i] = d.Placeholder(i + 1)
	}
	q := `INSERT INTO ferry_recoveries (recovered_at, operator, ferry_version, database_url, version, failed_case, file, applied_before, total, certainty, plan, statements, set_version, fingerprint) VALUES (` + strings.Join(marks, ", ") + `)`
	at := d.Recoveries().TimeValue(e.At)
	if _, err := tx.ExecContext(ctx, q, at, e.Operator, e.Ferry, e.Database, e.Version, string(e.Case), e.File, e.Applied, e.Total, string(e.Certainty), string(e.Plan), string(stmts), e.SetVersion, e.Fingerprint); err != nil {
		return fmt.Errorf("record the recovery in %s: %w", AuditTable, err)
	}
	return nil
}
