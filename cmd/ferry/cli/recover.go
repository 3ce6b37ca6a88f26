package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ferrymigrate/ferry/database"
	"github.com/ferrymigrate/ferry/doctor"
	"github.com/ferrymigrate/ferry/internal/dbconn"
	"github.com/ferrymigrate/ferry/refusal"
)

type recoverOptions struct {
	diagnoseFlags
	forward, back, mark bool
	expect              string
	acceptUnproven      bool
	assume              string
	lockTimeout         time.Duration
	dryRun              bool
	yes                 bool
	json                bool
}

func newRecoverCmd(e *env) *cobra.Command {
	var o recoverOptions
	cmd := &cobra.Command{
		Use:   "recover --forward|--back|--mark",
		Short: "Carry out one recovery plan of ferry doctor on a dirty database, verified and audited",
		Long: `Carry out one of the plans ferry doctor prints for a dirty database:

  --forward  run the statements of the file that did not run (fix the failed one first),
             then mark the version clean
  --back     undo the statements that ran (generated inverses, or the other file of the
             version when all of it ran), then mark the version before the run clean
  --mark     all of the file ran: mark the version clean

recover diagnoses the database again and, with --expect (the fingerprint doctor printed),
refuses when the database or the statements that ran changed since. It refuses a verdict
that is not proven unless --accept-unproven (and --assume CASE:K when several states agree
with the evidence). It asks before a plan that destroys data or rests on an unproven
verdict; without a terminal such a plan needs --yes. It holds golang-migrate's lock, runs
the plan in one transaction where the engine allows (MySQL/MariaDB commit DDL on their own),
checks the result against the catalog (and the replay, with --dev-url) before it writes
golang-migrate's row and, on converted databases, the revision row, and records what it did
in the table ferry_recoveries. --dry-run shows the plan and writes nothing.`,
		Example: `  ferry recover --forward --path db/migrations --database "$DATABASE_URL" --expect up:2:proven:3f1c0a9b2d4e5f60
  ferry recover --back --path db/migrations --database "$DATABASE_URL" --dry-run
  ferry recover --mark --path db/migrations --database "$DATABASE_URL" --accept-unproven --assume up:4 --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runRecover(cmd, e, &o) },
	}
	o.diagnoseFlags.bind(cmd)
	f := cmd.Flags()
	f.BoolVar(&o.forward, "forward", false, "run the statements that did not run, then mark the version clean")
	f.BoolVar(&o.back, "back", false, "undo the statements that ran, then mark the version before the run clean")
	f.BoolVar(&o.mark, "mark", false, "everything ran: mark the version clean")
	f.StringVar(&o.expect, "expect", "", "the fingerprint ferry doctor printed: refuse if the database changed since")
	f.BoolVar(&o.acceptUnproven, "accept-unproven", false, "act on a verdict that is consistent or unknown, not proven")
	f.StringVar(&o.assume, "assume", "", "CASE:K (up:2, down:0): the state to act on when several agree (with --accept-unproven)")
	f.DurationVar(&o.lockTimeout, "lock-timeout", 30*time.Second, "how long to wait for golang-migrate's lock")
	f.BoolVar(&o.dryRun, "dry-run", false, "show the verdict and the plan; write nothing")
	f.BoolVar(&o.yes, "yes", false, "do not ask before a plan that destroys data or rests on an unproven verdict")
	f.BoolVar(&o.json, "json", false, "print one JSON object")
	return cmd
}

// recoverJSON is recover's --json output.
type recoverJSON struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
	Next  string `json:"next,omitempty"`
	*doctor.Result
}

func runRecover(cmd *cobra.Command, e *env, o *recoverOptions) error {
	ctx := cmd.Context()
	opts, err := o.options()
	if err != nil {
		return err
	}
	dir, u, dopts, err := o.diagnoseFlags.resolve(cmd, e)
	if err != nil {
		return err
	}
	opts.Diagnose = dopts
	opts.Operator = operator(e)
	mode := database.ReadWrite
	if o.dryRun {
		mode = database.ReadOnly
	}
	if _, err := os.Stat(u.Database); u.Dialect.Embedded() && errors.Is(err, fs.ErrNotExist) {
		// A mistyped path: opened for writing it would be created empty.
		return &dbconn.MissingFileError{Path: u.Database}
	}
	db, err := database.Open(ctx, u, mode)
	if err != nil {
		return err
	}
	defer db.Close()

	shown, noTerminal := false, false
	show := func(w io.Writer, dg *doctor.Diagnosis, p *doctor.Plan) {
		if !shown {
			renderHeader(w, dg)
			if p != nil {
				fmt.Fprintln(w)
				renderPlan(w, dg, p)
				fmt.Fprintln(w)
			}
		}
		shown = true
	}
	opts.Confirm = func(dg *doctor.Diagnosis, p *doctor.Plan) bool {
		if o.yes {
			return true
		}
		if !isTerminal(e.In) {
			noTerminal = true
			return false
		}
		w := e.Out
		if o.json {
			w = e.ErrOut
		}
		show(w, dg, p)
		fmt.Fprintf(e.ErrOut, "--%s needs confirmation: %s.\n", p.Kind, confirmReasons(dg, p))
		return ask(e, fmt.Sprintf("Run this plan on %s? [y/N] ", dg.Database))
	}
	res, err := doctor.Recover(ctx, db, os.DirFS(dir), opts)
	if err != nil {
		return recoverFailed(e, o, res, err, noTerminal, show, doctor.DoctorCommand(u, dopts))
	}
	if o.json {
		return writeJSON(e.Out, recoverJSON{OK: true, Result: res}, nil)
	}
	if res.NothingToDo {
		renderHeader(e.Out, res.Diagnosis)
		return nil
	}
	show(e.Out, res.Diagnosis, res.Plan)
	if res.DryRun {
		fmt.Fprintln(e.Out, "dry run: nothing was written")
		return nil
	}
	renderRecovered(e.Out, res)
	return nil
}

// options checks the flag combinations.
func (o *recoverOptions) options() (doctor.RecoverOptions, error) {
	var kinds []doctor.PlanKind
	for _, f := range []struct {
		set  bool
		kind doctor.PlanKind
	}{{o.forward, doctor.Forward}, {o.back, doctor.Back}, {o.mark, doctor.Mark}} {
		if f.set {
			kinds = append(kinds, f.kind)
		}
	}
	if len(kinds) != 1 {
		return doctor.RecoverOptions{}, &UsageError{"give exactly one of --forward, --back and --mark (ferry doctor shows which are possible)"}
	}
	opts := doctor.RecoverOptions{Plan: kinds[0], Expect: o.expect, AcceptUnproven: o.acceptUnproven, DryRun: o.dryRun,
		LockTimeout: o.lockTimeout, OperatorVersion: "ferry " + Version}
	if o.assume != "" {
		if !o.acceptUnproven {
			return opts, &UsageError{"--assume goes with --accept-unproven: it picks a state the evidence does not prove"}
		}
		cs, k, ok := strings.Cut(o.assume, ":")
		n, err := strconv.Atoi(k)
		if !ok || err != nil || n < 0 || cs != string(doctor.Up) && cs != string(doctor.Down) {
			return opts, &UsageError{fmt.Sprintf("--assume takes CASE:K, CASE up or down and K the number of statements applied (up:2), not %q", o.assume)}
		}
		opts.Assume = &doctor.Alternative{Case: doctor.Case(cs), Applied: n}
	}
	return opts, nil
}

// operator is "$USER@hostname", for the audit entry.
func operator(e *env) string {
	user := e.getenv("USER")
	if user == "" {
		user = "unknown"
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	return user + "@" + host
}

// confirmReasons say why a plan needs confirmation.
func confirmReasons(dg *doctor.Diagnosis, p *doctor.Plan) string {
	var why []string
	if p.Destroys {
		why = append(why, "it destroys data")
	}
	if c := dg.Verdict.Certainty; c != doctor.Proven {
		why = append(why, fmt.Sprintf("the verdict is %s, not proven", c))
	}
	return strings.Join(why, ", and ")
}

// recoverFailed renders a refusal or failure and returns exit code 1.
func recoverFailed(e *env, o *recoverOptions, res *doctor.Result, err error, noTerminal bool, show func(io.Writer, *doctor.Diagnosis, *doctor.Plan), doctorCmd refusal.Command) error {
	msg, next := err.Error(), ""
	var verr *doctor.VerifyError
	reason, refusedNext, refused := e.refused(err)
	switch {
	case noTerminal:
		msg = fmt.Sprintf("--%s needs confirmation (%s), and there is no terminal to ask on: pass --yes to confirm; nothing was written", res.Plan.Kind, confirmReasons(res.Diagnosis, res.Plan))
		next = append(res.Plan.Words(), "--yes").String()
	case refused:
		msg, next = reason, refusedNext
	case errors.Is(err, doctor.ErrChanged), errors.As(err, &verr):
		next = doctorCmd.String()
	}
	msg, next = e.redact(msg), e.redact(next)
	if o.json {
		return writeJSON(e.Out, recoverJSON{Error: msg, Next: next, Result: res}, &exitError{ExitFindings})
	}
	if res != nil && res.Diagnosis != nil && !res.NothingToDo {
		show(e.Out, res.Diagnosis, res.Plan)
	}
	fmt.Fprintf(e.ErrOut, "ferry: %s\n", msg)
	if next != "" {
		fmt.Fprintf(e.ErrOut, "  next: %s\n", next)
	}
	return &exitError{ExitFindings}
}

func renderRecovered(w io.Writer, res *doctor.Result) {
	fmt.Fprintf(w, "Ran         %s\n", plural(res.Executed, "statement"))
	for _, v := range res.Verified {
		fmt.Fprintf(w, "Verified    %s\n", v)
	}
	dg := res.Diagnosis
	fmt.Fprintf(w, "Legacy row  %s: %s (was %s)\n", dg.Table, res.LegacyAfter, rowText(dg.Version, dg.Dirty))
	if res.Revision != "" {
		fmt.Fprintf(w, "Revision    %s\n", res.Revision)
	} else {
		fmt.Fprintln(w, "Revision    no revisions table: nothing to update")
	}
	if a := res.Audit; a != nil {
		fmt.Fprintf(w, "Audit       %s: recovered_at %s, operator %s, %s\n", doctor.AuditTable, a.At.Format(time.RFC3339), a.Operator, a.Ferry)
		fmt.Fprintf(w, "            --%s after the %s of %s with %d of %d applied (%s), fingerprint %s\n", a.Plan, a.Case, a.File, a.Applied, a.Total, a.Certainty, a.Fingerprint)
	}
}
