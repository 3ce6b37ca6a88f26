package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/ferrymigrate/ferry/apply"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/database"
	"github.com/ferrymigrate/ferry/folder"
	"github.com/ferrymigrate/ferry/internal/fleet"
)

type applyOptions struct {
	targets         convertOptions // --database, --databases-file, --concurrency
	txMode          string
	allowOutOfOrder bool
	legacySync      string
	lockTimeout     time.Duration
	revisionsSchema string
	verbose         bool
	dryRun          bool
	yes             bool
	json            bool
}

func newApplyCmd(e *env) *cobra.Command {
	var o applyOptions
	cmd := &cobra.Command{
		Use:   "apply [N]",
		Short: "Apply pending migrations statement by statement, with resume, keeping golang-migrate in step",
		Long: `Apply pending migrations (at most N files) statement by statement. Each file is recorded in
the revisions table with the statements applied so far, so a failed or killed run resumes at the
statement after the last one that committed, once the file is fixed. golang-migrate's
schema_migrations row is kept in step (--legacy-sync, on by default while the table exists) and
golang-migrate's lock is held for the whole run, so a golang-migrate run waits, and vice versa.

--tx-mode file (default) runs each file in one transaction with its bookkeeping on PostgreSQL
and SQLite; all runs everything in one transaction; none commits every statement with its
progress. MySQL/MariaDB commit DDL on their own, so there statements always run one by one,
each recorded as it commits. A file with its own transaction control, or with statements
PostgreSQL refuses inside a transaction, runs statement by statement (with a notice).

A database converted with ferry convert, or a new empty one, can be applied to; one with
golang-migrate history but no revisions must be converted first.`,
		Example: `  ferry apply --path db/migrations --database "$DATABASE_URL" --dry-run
  ferry apply --path db/migrations --database "$DATABASE_URL"
  ferry apply -path db/migrations -database "$DATABASE_URL" 1 --verbose`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runApply(cmd, e, &o, args) },
	}
	f := cmd.Flags()
	o.targets.project.bindFolder(f)
	f.StringArrayVar(&o.targets.databases, "database", nil, "database URL (repeatable; default $DATABASE_URL)")
	f.StringVar(&o.targets.databasesFile, "databases-file", "", "file with one database URL per line")
	f.IntVar(&o.targets.concurrency, "concurrency", 4, "databases applied to at once")
	f.StringVar(&o.txMode, "tx-mode", "file", "file, all or none")
	f.BoolVar(&o.allowOutOfOrder, "allow-out-of-order", false, "run files older than the newest applied version first, instead of refusing")
	f.StringVar(&o.legacySync, "legacy-sync", "auto", "keep golang-migrate's schema_migrations in step: auto (while the table exists), true or false")
	f.DurationVar(&o.lockTimeout, "lock-timeout", 5*time.Minute, "how long to wait for golang-migrate's lock")
	f.StringVar(&o.revisionsSchema, "revisions-schema", "", "schema (MySQL: database) of the revisions table")
	f.BoolVar(&o.verbose, "verbose", false, "print every statement")
	f.BoolVar(&o.dryRun, "dry-run", false, "print the statements that would run; change nothing")
	f.BoolVar(&o.yes, "yes", false, "do not ask (apply never asks; accepted so scripts can always pass it)")
	f.BoolVar(&o.json, "json", false, "print JSON")
	return cmd
}

type applyResult struct {
	Database string   `json:"database"`
	OK       bool     `json:"ok"`
	Pending  []string `json:"pending"`
	Applied  []string `json:"applied"`
	// CaughtUp says golang-migrate's row was (or, with --dry-run, would be)
	// moved forward to the newest complete revision.
	CaughtUp *caughtUp `json:"legacy_caught_up,omitempty"`
	Error    string    `json:"error,omitempty"`
	Failed   *failure  `json:"failed,omitempty"`
	Next     string    `json:"next,omitempty"`
}

type caughtUp struct {
	Table    string   `json:"table"`
	From     int64    `json:"from"`
	To       string   `json:"to"`
	Files    []string `json:"files"`
	Evidence string   `json:"evidence"`
}

func caughtUpOf(pl *apply.Plan) *caughtUp {
	cu := pl.CatchUp
	if cu == nil || !pl.LegacySync {
		return nil
	}
	return &caughtUp{Table: pl.Legacy.Table.String(), From: cu.From, To: cu.ToText, Files: cu.Files, Evidence: cu.Evidence.Summary()}
}

type failure struct {
	Version   string `json:"version"`
	File      string `json:"file"`
	Statement int    `json:"statement"`
	Total     int    `json:"total"`
	Line      int    `json:"line"`
	Recorded  string `json:"recorded"`
}

func runApply(cmd *cobra.Command, e *env, o *applyOptions, args []string) error {
	ctx := cmd.Context()
	mode, err := apply.ParseTxMode(o.txMode)
	if err != nil {
		return &UsageError{err.Error()}
	}
	legacySync, err := parseLegacySync(o.legacySync)
	if err != nil {
		return err
	}
	limit := 0
	if len(args) == 1 {
		if limit, err = strconv.Atoi(args[0]); err != nil || limit < 1 {
			return &UsageError{fmt.Sprintf("N must be a positive number of files, got %q", args[0])}
		}
	}
	dir, err := o.targets.project.dir()
	if err != nil {
		return err
	}
	targets, err := o.targets.targets(e)
	if err != nil {
		return err
	}
	project, err := folder.Load(os.DirFS(dir), dir)
	if err != nil {
		return err
	}
	opts := apply.Options{TxMode: mode, Limit: limit, AllowOutOfOrder: o.allowOutOfOrder, LegacySync: legacySync, LockTimeout: o.lockTimeout,
		RevisionsSchema: o.revisionsSchema, OperatorVersion: "ferry " + Version}
	var mu sync.Mutex // one target's lines at a time
	results := fleet.Run(ctx, targets, o.targets.concurrency, func(ctx context.Context, u *compat.DatabaseURL) (applyResult, error) {
		opts := opts
		if !o.json {
			opts.Reporter = &lineReporter{w: e.Out, mu: &mu, verbose: o.verbose, prefix: prefixFor(len(targets), u)}
		}
		return applyOne(ctx, project, u, opts, o.dryRun, e.Out, &mu, o.json)
	}, nil)
	failed := 0
	out := make([]applyResult, len(results))
	for i, r := range results {
		out[i] = r.Value
		out[i].Database = r.URL.Redacted()
		if r.Err == nil {
			continue
		}
		failed++
		out[i].OK = false
		out[i].Error = e.redact(r.Err.Error())
		var se *apply.StatementError
		switch {
		case errors.As(r.Err, &se):
			out[i].Failed = &failure{Version: se.Version, File: se.File, Statement: se.Statement, Total: se.Total, Line: se.Line, Recorded: se.Recorded}
			keep := fmt.Sprintf("statements 1 to %d must stay as they are", se.Applied)
			if se.Applied == 1 {
				keep = "statement 1 must stay as it is"
			}
			out[i].Next = fmt.Sprintf("fix statement %d of %s (or a later one; %s), then run ferry apply again: it resumes at statement %d", se.Statement, se.File, keep, se.Applied+1)
			if se.Applied == 0 {
				out[i].Next = fmt.Sprintf("fix statement %d of %s, then run ferry apply again: it runs the file from its first statement", se.Statement, se.File)
			}
			if se.ConnectionLost() {
				out[i].Next = fmt.Sprintf("the connection was lost while statement %d of %s ran (nothing is wrong with the statement itself); run ferry apply again: it resumes at statement %d", se.Statement, se.File, se.Applied+1)
			}
		default:
			if reason, next, ok := e.refused(r.Err); ok {
				out[i].Error, out[i].Next = reason, next
			}
		}
	}
	result := map[string]any{"path": dir, "dry_run": o.dryRun, "targets": out}
	if err := writeResult(e.Out, o.json, result, func() { renderApplyFailures(e.ErrOut, out) }); err != nil {
		return err
	}
	if failed > 0 {
		return &exitError{ExitFindings}
	}
	return nil
}

// renderApplyFailures prints each database apply did not bring up to date,
// with its next step.
func renderApplyFailures(w io.Writer, out []applyResult) {
	for _, r := range out {
		if r.OK {
			continue
		}
		fmt.Fprintf(w, "ferry: %s: %s\n", r.Database, r.Error)
		if r.Next != "" {
			fmt.Fprintf(w, "  next: %s\n", r.Next)
		}
	}
}

func parseLegacySync(s string) (apply.LegacySync, error) {
	if s == "auto" {
		return apply.LegacyAuto, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return 0, &UsageError{fmt.Sprintf("--legacy-sync takes auto, true or false, got %q", s)}
	}
	if b {
		return apply.LegacyOn, nil
	}
	return apply.LegacyOff, nil
}

func prefixFor(n int, u *compat.DatabaseURL) string {
	if n < 2 {
		return ""
	}
	return u.Redacted() + ": "
}

func applyOne(ctx context.Context, project *folder.Folder, u *compat.DatabaseURL, opts apply.Options, dryRun bool, w io.Writer, mu *sync.Mutex, quiet bool) (applyResult, error) {
	res := applyResult{Database: u.Redacted(), Pending: []string{}, Applied: []string{}}
	db, err := database.Open(ctx, u, database.ReadWrite)
	if err != nil {
		return res, err
	}
	defer db.Close()
	if dryRun {
		pl, err := apply.Preview(ctx, db, project, opts)
		if err != nil {
			return res, err
		}
		for _, s := range pl.Steps {
			res.Pending = append(res.Pending, s.Version)
		}
		res.CaughtUp = caughtUpOf(pl)
		if !quiet {
			mu.Lock()
			renderApplyPlan(w, prefixFor(2, u), pl)
			mu.Unlock()
		}
		res.OK = true
		return res, nil
	}
	r, err := apply.Apply(ctx, db, project, opts)
	if r != nil {
		for _, s := range r.Plan.Steps {
			res.Pending = append(res.Pending, s.Version)
		}
		res.Applied = append(res.Applied, r.Applied...)
		if r.CaughtUp {
			res.CaughtUp = caughtUpOf(r.Plan)
		}
		if err == nil && len(r.Plan.Steps) == 0 && !quiet {
			mu.Lock()
			fmt.Fprintf(w, "%sno change: every file is applied\n", opts.Reporter.(*lineReporter).prefix)
			mu.Unlock()
		}
	}
	if err != nil {
		return res, err
	}
	res.OK = true
	return res, nil
}

func renderApplyPlan(w io.Writer, prefix string, pl *apply.Plan) {
	if cu := caughtUpOf(pl); cu != nil {
		fmt.Fprintf(w, "%swould move %s from version %d to %s first: %s were applied without it; %s\n", prefix, cu.Table, cu.From, cu.To, strings.Join(cu.Files, ", "), cu.Evidence)
	}
	if len(pl.Steps) == 0 {
		fmt.Fprintf(w, "%sno change: every file is applied\n", prefix)
		return
	}
	if pl.Fresh {
		fmt.Fprintf(w, "%sa fresh database: ferry would create %s", prefix, pl.Revisions)
		if pl.LegacySync {
			fmt.Fprintf(w, " and %s", pl.Legacy.Table)
		}
		fmt.Fprintln(w)
	}
	for _, s := range pl.Steps {
		what := fmt.Sprintf("%d statement(s)", len(s.Statements)-s.Resume)
		if s.Resume > 0 {
			what += fmt.Sprintf(", resuming at statement %d of %d", s.Resume+1, len(s.Statements))
		}
		mode := string(s.Mode)
		if s.Note != "" {
			mode += ": " + s.Note
		}
		fmt.Fprintf(w, "%swould apply %s (%s; tx-mode %s)\n", prefix, fileOrVersion(s), what, mode)
		for i := s.Resume; i < len(s.Statements); i++ {
			st := s.Statements[i]
			fmt.Fprintf(w, "  -- statement %d of %d, line %d\n  %s\n", i+1, len(s.Statements), st.Line, indent(st.Text))
		}
	}
}

func fileOrVersion(s apply.Step) string {
	if s.File == "" {
		return "version " + s.Version + " (no up file)"
	}
	return s.File
}

func indent(s string) string {
	out := ""
	for i, r := range s {
		out += string(r)
		if r == '\n' && i < len(s)-1 {
			out += "  "
		}
	}
	return out
}

// lineReporter prints one line per file, and per statement when verbose.
type lineReporter struct {
	w       io.Writer
	mu      *sync.Mutex
	verbose bool
	prefix  string
}

func (l *lineReporter) Report(ev apply.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch ev.Kind {
	case apply.NoticeTxChanged:
		fmt.Fprintf(l.w, "%snotice: %s %s\n", l.prefix, ev.File, ev.Note)
	case apply.WaitingForLock, apply.LegacyCaughtUp:
		fmt.Fprintf(l.w, "%s%s\n", l.prefix, ev.Note)
	case apply.StatementDone:
		if l.verbose {
			fmt.Fprintf(l.w, "%s  %s: statement %d of %d (line %d) ok\n", l.prefix, ev.File, ev.Statement, ev.Total, ev.Line)
		}
	case apply.FileDone:
		fmt.Fprintf(l.w, "%sapplied %s (%d statement(s), %s)\n", l.prefix, ev.File, ev.Total, ev.Duration.Round(time.Millisecond))
	case apply.FileFailed:
		fmt.Fprintf(l.w, "%sFAILED  %s at statement %d of %d (line %d)\n", l.prefix, ev.File, ev.Statement, ev.Total, ev.Line)
	}
}
