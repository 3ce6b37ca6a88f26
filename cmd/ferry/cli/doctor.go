package cli

import (
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/doctor"
	"github.com/ferrymigrate/ferry/inspect"
	"github.com/ferrymigrate/ferry/internal/dbconn"
)

// diagnoseFlags are the flags doctor and recover share.
type diagnoseFlags struct {
	project projectFlags
	devURL  string
	errText string
}

func (d *diagnoseFlags) bind(cmd *cobra.Command) {
	d.project.bind(cmd.Flags())
	cmd.Flags().StringVar(&d.devURL, "dev-url", "", "server to replay the files on, in a scratch database (same engine as --database; sqlite://:memory: for SQLite)")
	cmd.Flags().StringVar(&d.errText, "error", "", "the error golang-migrate printed when the migration failed (object names in it point at the failing statement)")
}

// resolve returns the folder, the database and the diagnosis options.
func (d *diagnoseFlags) resolve(cmd *cobra.Command, e *env) (string, *compat.DatabaseURL, doctor.Options, error) {
	d.project.resolve(cmd.Flags())
	u, err := d.project.databaseURL(e)
	if err != nil {
		return "", nil, doctor.Options{}, err
	}
	if u == nil {
		return "", nil, doctor.Options{}, &UsageError{"no database: pass --database URL (or set $DATABASE_URL)"}
	}
	opts := doctor.Options{Error: d.errText}
	if d.devURL != "" {
		if opts.DevURL, err = compat.ParseDatabaseURL(d.devURL); err != nil {
			return "", nil, opts, err
		}
		e.urls = append(e.urls, opts.DevURL)
		if opts.DevURL.Dialect != u.Dialect {
			return "", nil, opts, &UsageError{fmt.Sprintf("--dev-url is a %s URL but --database is %s: the files must replay on the same engine", opts.DevURL.Dialect, u.Dialect)}
		}
	}
	dir, err := d.project.dir()
	if err != nil {
		return "", nil, opts, err
	}
	opts.Path = dir
	return dir, u, opts, nil
}

type doctorOptions struct {
	diagnoseFlags
	color string
	json  bool
}

func newDoctorCmd(e *env) *cobra.Command {
	var o doctorOptions
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Diagnose a database golang-migrate left dirty: which statements ran, and the ways out",
		Long: `Diagnose a database whose schema_migrations row golang-migrate left dirty.

Dirty at version V means that the up of V failed, or the down of the next version did.
doctor weighs both: from how the engine runs a file it lists which statements can have
stayed applied, and tests each possibility against the live catalog (what every statement
creates, drops and needs), the files that ran before, the error golang-migrate printed
(--error) and, with --dev-url, a replay of the files on a scratch database compared schema
to schema after every statement. It prints the verdict, the evidence per statement and the
recovery plans with the exact ferry recover command of each.

doctor only reads the database. Exit code 0: the verdict is proven, or the row is clean;
1: the verdict is not proven, or an error.`,
		Example: `  ferry doctor --path db/migrations --database "$DATABASE_URL"
  ferry doctor --path db/migrations --database "$DATABASE_URL" --dev-url 'postgres://dev@localhost/postgres?sslmode=disable'
  ferry doctor -path db/migrations -database 'mysql://app:pw@tcp(db:3306)/app' --error "$(cat migrate.log)" --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDoctor(cmd, e, &o) },
	}
	o.diagnoseFlags.bind(cmd)
	cmd.Flags().StringVar(&o.color, "color", "auto", "colour the diff of a drifted schema: auto (on a terminal, unless $NO_COLOR), always or never")
	cmd.Flags().BoolVar(&o.json, "json", false, "print the diagnosis as one JSON object")
	return cmd
}

func runDoctor(cmd *cobra.Command, e *env, o *doctorOptions) error {
	ctx := cmd.Context()
	dir, u, opts, err := o.diagnoseFlags.resolve(cmd, e)
	if err != nil {
		return err
	}
	color, err := colorFor(e, o.color)
	if err != nil {
		return err
	}
	db, err := dbconn.Open(ctx, u, dbconn.ReadOnly)
	if err != nil {
		return err
	}
	defer db.Close()
	dg, err := doctor.Diagnose(ctx, db, u, os.DirFS(dir), opts)
	if err != nil {
		return refusalError(e, err)
	}
	var exit error
	if !dg.Verdict.Clean && dg.Verdict.Certainty != doctor.Proven {
		exit = &exitError{ExitFindings}
	}
	if o.json {
		return writeJSON(e.Out, dg, exit)
	}
	renderDiagnosis(e.Out, dg, color)
	return exit
}

// colorFor resolves a --color flag for e.Out.
func colorFor(e *env, flag string) (bool, error) {
	switch flag {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
		f, ok := e.Out.(*os.File)
		return ok && term.IsTerminal(int(f.Fd())) && e.getenv("NO_COLOR") == "", nil
	}
	return false, &UsageError{"--color takes auto, always or never, not " + flag}
}

func renderDiagnosis(w io.Writer, dg *doctor.Diagnosis, color bool) {
	renderHeader(w, dg)
	if dg.Verdict.Clean {
		return
	}
	for _, c := range dg.Candidates {
		renderCandidate(w, c)
	}
	if r := dg.Replay; r != nil {
		renderReplay(w, r, color)
	}
	for _, d := range dg.Drift {
		fmt.Fprintf(w, "Drift       %s\n", d)
	}
	for _, n := range dg.Notes {
		fmt.Fprintf(w, "Note        %s\n", n)
	}
	fmt.Fprintf(w, "Fingerprint %s\n", dg.Fingerprint)
	for _, p := range dg.Plans {
		fmt.Fprintln(w)
		renderPlan(w, dg, p)
	}
}

// renderHeader prints the database, golang-migrate's row and the verdict.
func renderHeader(w io.Writer, dg *doctor.Diagnosis) {
	fmt.Fprintf(w, "Database    %s\n", dg.Database)
	fmt.Fprintf(w, "Legacy row  %s: %s\n", dg.Table, rowText(dg.Version, dg.Dirty))
	v := dg.Verdict
	if v.Clean {
		fmt.Fprintf(w, "Verdict     %s\n", v.Summary)
		return
	}
	fmt.Fprintf(w, "Verdict     %s: %s\n", strings.ToUpper(string(v.Certainty)), v.Summary)
	for _, a := range v.Alternatives {
		if a.Case == v.Case && a.File == v.File && a.Applied == v.Applied {
			continue
		}
		fmt.Fprintf(w, "            also agrees: %s of %s with %d of %d applied (--assume %s:%d)\n", a.Case, a.File, a.Applied, a.Total, a.Case, a.Applied)
	}
}

// rowText renders golang-migrate's row.
func rowText(version int64, dirty bool) string {
	v := fmt.Sprintf("version %d", version)
	if version < 0 {
		v = "no version"
	}
	if dirty {
		return v + ", dirty"
	}
	return v + ", clean"
}

func renderCandidate(w io.Writer, c *doctor.Candidate) {
	fmt.Fprintf(w, "\nCandidate   %s of %s (%s)\n", c.Case, c.File, plural(len(c.Statements), "statement"))
	fmt.Fprintf(w, "            %s\n", c.Semantics)
	fmt.Fprintf(w, "            applied prefixes possible: %s; agreeing with the catalog: %s\n", ints(c.Possible), ints(c.Consistent))
	if len(c.Statements) > 0 {
		fmt.Fprintf(w, "    %3s %5s  %-11s  %s\n", "#", "line", "status", "statement / evidence")
	}
	for _, st := range c.Statements {
		fmt.Fprintf(w, "    %3d %5d  %-11s  %s\n", st.Index, st.Line, st.Status, st.Text)
		for _, ev := range st.Evidence {
			fmt.Fprintf(w, "    %3s %5s  %-11s    %s\n", "", "", "", ev)
		}
	}
	renderRuledOut(w, c)
}

// renderRuledOut prints why each prefix was ruled out, one reason a line;
// prefixes ruled out for the same reasons share them.
func renderRuledOut(w io.Writer, c *doctor.Candidate) {
	ks := make([]int, 0, len(c.RuledOut))
	for k := range c.RuledOut {
		ks = append(ks, k)
	}
	sort.Ints(ks)
	for i := 0; i < len(ks); {
		why := c.RuledOut[ks[i]]
		j := i + 1
		for j < len(ks) && slices.Equal(c.RuledOut[ks[j]], why) {
			j++
		}
		fmt.Fprintf(w, "    ruled out with %s applied:\n", strings.ReplaceAll(ints(ks[i:j]), " ", " or "))
		for _, r := range why {
			fmt.Fprintf(w, "      %s\n", r)
		}
		i = j
	}
}

func ints(ks []int) string {
	if len(ks) == 0 {
		return "none"
	}
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = fmt.Sprint(k)
	}
	return strings.Join(s, " ")
}

func renderReplay(w io.Writer, r *doctor.Replay, color bool) {
	fmt.Fprintln(w)
	if r.Error != "" {
		fmt.Fprintf(w, "Replay      on %s could not run (%s): the verdict rests on the catalog probes alone\n", r.Dev, r.Error)
		return
	}
	if f := r.Failed; f != nil {
		fmt.Fprintf(w, "Replay      statement %d of %s (line %d) fails on a fresh replay too: %s\n", f.Statement, f.File, f.Line, f.Error)
	}
	for _, m := range r.Matches {
		fmt.Fprintf(w, "Replay      the live schema equals the %s of %s with %d of %d statements applied\n", m.Case, m.File, m.Applied, m.Total)
	}
	n := r.Nearest
	if n == nil {
		return
	}
	fmt.Fprintf(w, "Replay      the live schema equals no state of the replay (drift); nearest: the %s of %s with %d of %d statements applied, %s apart; - only in the replay, + only in the database\n\n",
		n.Case, n.File, n.Applied, n.Total, plural(n.Distance, "line"))
	diff := n.Diff
	if color {
		diff = inspect.Colorize(diff)
	}
	fmt.Fprint(w, diff)
	if !strings.HasSuffix(diff, "\n") {
		fmt.Fprintln(w)
	}
}

// renderPlan prints one plan: available or why not, its SQL, the row it
// writes and its command.
func renderPlan(w io.Writer, dg *doctor.Diagnosis, p *doctor.Plan) {
	if !p.Available {
		fmt.Fprintf(w, "Plan --%s: not available: %s\n", p.Kind, p.Why)
		return
	}
	mark := ""
	if p.Recommended {
		mark = " (recommended)"
	}
	fmt.Fprintf(w, "Plan --%s%s: %s\n", p.Kind, mark, p.Summary)
	for _, s := range p.Steps {
		what := fmt.Sprintf("statement %d of %s", s.Statement, s.File)
		if s.Inverse {
			what = fmt.Sprintf("undoes statement %d of %s", s.Statement, s.File)
		}
		if s.Destroys {
			what += "; DESTROYS DATA"
		}
		fmt.Fprintf(w, "    -- %s\n    %s\n", what, strings.ReplaceAll(strings.TrimSpace(s.SQL), "\n", "\n    "))
	}
	row := rowText(p.SetVersion, false)
	if p.SetVersion < 0 {
		row = "no version (the table is emptied)"
	}
	fmt.Fprintf(w, "    then %s: %s\n", dg.Table, row)
	if p.Destroys {
		fmt.Fprintln(w, "    this plan destroys data: recover asks before it runs (or pass --yes)")
	}
	if c := dg.Verdict.Certainty; c != doctor.Proven {
		hint := ""
		if dg.Verdict.ReplayCanHelp {
			hint = " (--dev-url may prove it)"
		}
		fmt.Fprintf(w, "    the verdict is %s, not proven: recover refuses it without --accept-unproven%s\n", c, hint)
	}
	fmt.Fprintf(w, "    %s\n", p.Command)
}
