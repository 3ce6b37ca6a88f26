package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ferrymigrate/ferry/atlassum"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/convert"
	"github.com/ferrymigrate/ferry/database"
	"github.com/ferrymigrate/ferry/doctor"
	"github.com/ferrymigrate/ferry/folder"
	"github.com/ferrymigrate/ferry/internal/fleet"
	"github.com/ferrymigrate/ferry/refusal"
)

type convertOptions struct {
	project         projectFlags
	databases       []string
	databasesFile   string
	concurrency     int
	revisionsSchema string
	baselineOnly    bool
	strict          bool
	writeSum        bool
	toDir           string
	lockTimeout     time.Duration
	dryRun          bool
	yes             bool
	json            bool
	// --from-dirty and what the diagnosis of a dirty database takes.
	fromDirty      bool
	devURL         string
	errText        string
	acceptUnproven bool
	dev            *compat.DatabaseURL
}

func newConvertCmd(e *env) *cobra.Command {
	var o convertOptions
	cmd := &cobra.Command{
		Use:   "convert",
		Short: "Record golang-migrate's history as Atlas-compatible revisions, running no migration",
		Long: `Record golang-migrate's history as revisions: one row per version up to the version in
schema_migrations, with its statement count and its hash from atlas.sum, in Atlas's
atlas_schema_revisions table. No migration SQL runs and schema_migrations is not touched, so
golang-migrate keeps working.

convert refuses, writing nothing, when the folder has errors, atlas.sum is missing or does not
match, the database is dirty or has no version, the folder has no file for the current
version, or existing revision rows disagree. Running it again is a no-op that says so; after
golang-migrate applied more files, it adds their rows.

--from-dirty converts a database golang-migrate left dirty: ferry doctor diagnoses it (with
--dev-url and --error as in ferry doctor), and when it proves that the up of the dirty version
failed after k of its n statements, the versions below are recorded as usual and the dirty one
as a partial revision (k of n applied). Once the file is fixed (and atlas.sum rehashed), ferry
apply resumes at statement k+1 and cleans golang-migrate's row. A failed down, or a prefix
that is not proven, is refused (--accept-unproven accepts one that is consistent with the
schema without proof); a clean database converts as without the flag.

All rows are written in one transaction while holding golang-migrate's lock. Give --database
more than once, or --databases-file, to convert many databases concurrently.`,
		Example: `  ferry convert --path db/migrations --database "$DATABASE_URL" --dry-run
  ferry convert --path db/migrations --database "$STAGING_URL" --database "$PROD_URL"
  ferry convert --path db/migrations --databases-file tenants.txt --concurrency 8 --json
  ferry convert --path db/migrations --database "$DATABASE_URL" --from-dirty --dev-url 'postgres://dev@localhost/postgres' --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runConvert(cmd, e, &o) },
	}
	f := cmd.Flags()
	o.project.bindFolder(f)
	f.StringArrayVar(&o.databases, "database", nil, "database URL (repeatable; default $DATABASE_URL)")
	f.StringVar(&o.databasesFile, "databases-file", "", "file with one database URL per line (# comments)")
	f.IntVar(&o.concurrency, "concurrency", 4, "databases converted at once")
	f.StringVar(&o.revisionsSchema, "revisions-schema", "", "schema (MySQL: database) of the revisions table")
	f.BoolVar(&o.baselineOnly, "baseline-only", false, "write one baseline row at the current version instead of the whole history")
	f.BoolVar(&o.strict, "strict", false, "refuse when an object the files create is missing from the live schema")
	f.BoolVar(&o.writeSum, "write-sum", false, "create atlas.sum first when it is missing")
	f.StringVar(&o.toDir, "to-dir", "", "also write an Atlas-format migration directory here (a new or empty folder); works without --database")
	f.DurationVar(&o.lockTimeout, "lock-timeout", 30*time.Second, "how long to wait for golang-migrate's lock")
	f.BoolVar(&o.dryRun, "dry-run", false, "show the plan; write nothing")
	f.BoolVar(&o.yes, "yes", false, "do not ask (convert never asks; accepted so scripts can always pass it)")
	f.BoolVar(&o.json, "json", false, "print JSON")
	f.BoolVar(&o.fromDirty, "from-dirty", false, "convert a dirty database: ferry doctor proves which statements of the failed file ran, recorded as a partial revision that ferry apply resumes")
	f.StringVar(&o.devURL, "dev-url", "", "with --from-dirty: server to replay the files on for the diagnosis (same engine as --database; sqlite://:memory: for SQLite)")
	f.StringVar(&o.errText, "error", "", "with --from-dirty: the error golang-migrate printed when the migration failed")
	f.BoolVar(&o.acceptUnproven, "accept-unproven", false, "with --from-dirty: accept a prefix the diagnosis finds consistent with the schema but cannot prove (never an unknown one)")
	return cmd
}

// convertResult is one database's outcome in --json.
type convertResult struct {
	Database string                 `json:"database"`
	OK       bool                   `json:"ok"`
	Dirty    *dirtyJSON             `json:"diagnosis,omitempty"`
	Plan     *convert.Plan          `json:"plan,omitempty"`
	Rows     []rowJSON              `json:"rows,omitempty"`
	Written  bool                   `json:"written"`
	Error    string                 `json:"error,omitempty"`
	Next     string                 `json:"next,omitempty"`
	Disagree []convert.Disagreement `json:"disagreements,omitempty"`
}

type rowJSON struct {
	Version     string `json:"version"`
	Description string `json:"description"`
	Type        uint   `json:"type"`
	Applied     int    `json:"applied"`
	Total       int    `json:"total"`
	Hash        string `json:"hash"`
}

func runConvert(cmd *cobra.Command, e *env, o *convertOptions) error {
	ctx := cmd.Context()
	dir, err := o.project.dir()
	if err != nil {
		return err
	}
	if o.toDir != "" {
		if done, err := convertToDir(e, dir, o); done || err != nil {
			return err
		}
	}
	targets, err := o.targets(e)
	if err != nil {
		return err
	}
	if err := o.dirtyFlags(e, targets); err != nil {
		return err
	}
	if o.writeSum {
		if err := writeMissingSum(e.ErrOut, dir, o.dryRun); err != nil {
			return err
		}
	}
	project, err := folder.Load(os.DirFS(dir), dir)
	if edits, ok := asRefusal(err); ok && folder.HasEdits(edits) && len(targets) > 0 {
		// Whether re-hashing is right depends on what each database ran.
		results := fleet.Run(ctx, targets, o.concurrency, func(ctx context.Context, u *compat.DatabaseURL) (convertResult, error) {
			return convertResult{}, explainEdits(ctx, u, o.revisionsSchema, edits)
		}, nil)
		for _, r := range results {
			if r.Err != error(edits) {
				return finishConvert(e, dir, o, len(targets), results)
			}
		}
		// No database has a revision row for the edited files.
	}
	if err != nil {
		return err
	}
	opts := convert.Options{RevisionsSchema: o.revisionsSchema, BaselineOnly: o.baselineOnly, Now: time.Now(), OperatorVersion: "ferry " + Version + " (golang-migrate import)", Strict: o.strict}
	progress := progressFor(e.ErrOut, len(targets), "converting")
	results := fleet.Run(ctx, targets, o.concurrency, func(ctx context.Context, u *compat.DatabaseURL) (convertResult, error) {
		return convertOne(ctx, project, dir, u, opts, o)
	}, progress)
	return finishConvert(e, dir, o, len(targets), results)
}

// explainEdits returns the refusal over edited files as it reads for the
// database u (its revision rows say whether re-hashing is right there).
func explainEdits(ctx context.Context, u *compat.DatabaseURL, revisionsSchema string, r *refusal.Refusal) error {
	db, err := database.Open(ctx, u, database.ReadOnly)
	if err != nil {
		return err
	}
	defer db.Close()
	tailored, err := convert.ExplainEdits(ctx, db, revisionsSchema, r)
	if err != nil {
		return err
	}
	return tailored
}

// finishConvert reports the result of each database and returns the exit.
func finishConvert(e *env, dir string, o *convertOptions, targets int, results []fleet.Result[convertResult]) error {
	out := make([]convertResult, len(results))
	failed := 0
	for i, r := range results {
		out[i] = r.Value
		out[i].Database = r.URL.Redacted()
		if r.Err != nil {
			failed++
			out[i].OK = false
			out[i].Error = e.redact(r.Err.Error())
			if reason, next, ok := e.refused(r.Err); ok {
				var bad convert.Disagreements
				errors.As(r.Err, &bad)
				out[i].Error, out[i].Next, out[i].Disagree = reason, next, bad
			}
		}
	}
	result := map[string]any{"path": dir, "dry_run": o.dryRun, "targets": out}
	if err := writeResult(e.Out, o.json, result, func() { renderConvert(e.Out, out, o.dryRun, targets == 1) }); err != nil {
		return err
	}
	if failed > 0 {
		if !o.json {
			fmt.Fprintf(e.ErrOut, "ferry: %d of %d database(s) not converted\n", failed, targets)
		}
		return &exitError{ExitFindings}
	}
	return nil
}

func convertOne(ctx context.Context, project *folder.Folder, dir string, u *compat.DatabaseURL, opts convert.Options, o *convertOptions) (convertResult, error) {
	res := convertResult{Database: u.Redacted()}
	db, err := database.Open(ctx, u, database.ReadWrite)
	if err != nil {
		return res, err
	}
	defer db.Close()
	if o.fromDirty {
		if opts.Dirty, res.Dirty, err = diagnoseDirty(ctx, db, dir, o); err != nil {
			return res, err
		}
	}
	plan, err := convert.Prepare(ctx, db, project, opts)
	if err != nil {
		return res, err
	}
	res.Plan = plan
	for _, r := range plan.Rows {
		res.Rows = append(res.Rows, rowJSON{Version: r.Version, Description: r.Description, Type: uint(r.Type), Applied: r.Applied, Total: r.Total, Hash: r.Hash})
	}
	if !o.dryRun && !plan.NoOp() {
		if err := convert.Write(ctx, db, plan, o.lockTimeout); err != nil {
			return res, err
		}
		res.Written = true
	}
	res.OK = true
	return res, nil
}

// dirtyFlags checks the flags of --from-dirty and parses --dev-url.
func (o *convertOptions) dirtyFlags(e *env, targets []*compat.DatabaseURL) error {
	if !o.fromDirty {
		switch {
		case o.devURL != "":
			return &UsageError{"--dev-url is used only with --from-dirty"}
		case o.errText != "":
			return &UsageError{"--error is used only with --from-dirty"}
		case o.acceptUnproven:
			return &UsageError{"--accept-unproven is used only with --from-dirty"}
		}
		return nil
	}
	if o.devURL == "" {
		return nil
	}
	dev, err := compat.ParseDatabaseURL(o.devURL)
	if err != nil {
		return err
	}
	e.urls = append(e.urls, dev)
	for _, u := range targets {
		if u.Dialect != dev.Dialect {
			return &UsageError{fmt.Sprintf("--dev-url is a %s URL but %s is %s: the files must replay on the same engine", dev.Dialect, u.Redacted(), u.Dialect)}
		}
	}
	o.dev = dev
	return nil
}

// dirtyJSON is the diagnosis of a dirty database in the output.
type dirtyJSON struct {
	Case        doctor.Case      `json:"case,omitempty"`
	File        string           `json:"file,omitempty"`
	Applied     int              `json:"applied"`
	Total       int              `json:"total"`
	Certainty   doctor.Certainty `json:"certainty"`
	Summary     string           `json:"summary"`
	Fingerprint string           `json:"fingerprint,omitempty"`
}

// diagnoseDirty runs ferry doctor on a database for --from-dirty. A clean
// row needs nothing (nil, nil, nil); a failed up whose applied prefix is
// proven (or consistent, with --accept-unproven) becomes the prefix convert
// imports; anything else is refused with the next command.
func diagnoseDirty(ctx context.Context, db *database.DB, dir string, o *convertOptions) (*convert.DirtyPrefix, *dirtyJSON, error) {
	dg, err := doctor.Diagnose(ctx, db, os.DirFS(dir), doctor.Options{Path: dir, DevURL: o.dev, Error: o.errText})
	if err != nil {
		return nil, nil, err
	}
	v := dg.Verdict
	if v.Clean {
		return nil, nil, nil
	}
	d := &dirtyJSON{Case: v.Case, File: v.File, Applied: v.Applied, Total: v.Total, Certainty: v.Certainty, Summary: v.Summary, Fingerprint: dg.Fingerprint}
	doctorCmd := refusal.Command{"ferry", "doctor", "--path", dir, "--database", db.URL.Redacted()}
	if o.dev != nil {
		doctorCmd = append(doctorCmd, "--dev-url", o.dev.Redacted())
	}
	at := fmt.Sprintf("%s is dirty at version %d", dg.Table, dg.Version)
	switch {
	case v.Certainty == doctor.Unknown || v.Case == "":
		next := refusal.Run(doctorCmd...).Say(" shows the evidence")
		switch {
		case v.ReplayCanHelp && o.errText == "":
			next = next.Say("; --dev-url and --error (golang-migrate's message) can tell which statements ran")
		case v.ReplayCanHelp:
			next = next.Say("; --dev-url can tell which statements ran")
		case o.errText == "" && len(v.Alternatives) > 1:
			next = next.Say("; --error (golang-migrate's message) can point at the statement that failed")
		}
		return nil, d, &refusal.Refusal{Reason: at + ", and ferry doctor cannot tell which statements ran: " + v.Summary, Next: next}
	case v.Case == doctor.Down:
		next := refusal.Run(doctorCmd...).Say(" shows the ways out")
		for _, p := range dg.Plans {
			if p.Recommended && p.Available && p.Command != "" {
				next = refusal.Run(p.Words()...).Say(" (see ").Run(doctorCmd...).Say(")")
			}
		}
		return nil, d, &refusal.Refusal{Reason: at + " by a failed down, not a failed up (" + v.Summary + "): run ferry recover first, then convert", Next: next}
	case v.Certainty != doctor.Proven && !o.acceptUnproven:
		next := refusal.Run(doctorCmd...).Say(" shows the evidence; --accept-unproven accepts it as it stands")
		if v.ReplayCanHelp {
			next = refusal.Run(doctorCmd...).Say(" shows the evidence; --dev-url can prove it, or --accept-unproven accepts it as it stands")
		}
		return nil, d, &refusal.Refusal{Reason: at + ": " + v.Summary, Next: next}
	}
	return &convert.DirtyPrefix{Version: v.Version, Applied: v.Applied, Total: v.Total, Unproven: v.Certainty != doctor.Proven, Evidence: "fingerprint " + dg.Fingerprint}, d, nil
}

// targets collects --database, --databases-file and $DATABASE_URL.
func (o *convertOptions) targets(e *env) ([]*compat.DatabaseURL, error) {
	var out []*compat.DatabaseURL
	for _, raw := range o.databases {
		u, err := compat.ParseDatabaseURL(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	if o.databasesFile != "" {
		f, err := os.Open(o.databasesFile)
		if err != nil {
			return nil, &UsageError{fmt.Sprintf("--databases-file: %v", err)}
		}
		defer f.Close()
		more, err := fleet.ReadTargets(f, o.databasesFile)
		if err != nil {
			return nil, &UsageError{err.Error()}
		}
		out = append(out, more...)
	}
	if len(out) == 0 && len(o.databases) == 0 {
		if raw := e.getenv("DATABASE_URL"); raw != "" {
			u, err := compat.ParseDatabaseURL(raw)
			if err != nil {
				return nil, err
			}
			u.FromEnv = true
			out = append(out, u)
		}
	}
	e.urls = append(e.urls, out...)
	if len(out) == 0 {
		return nil, &UsageError{"no database: pass --database URL (repeatable), --databases-file FILE or set $DATABASE_URL"}
	}
	return out, nil
}

func writeMissingSum(w io.Writer, dir string, dryRun bool) error {
	if _, err := os.Stat(dir + "/" + atlassum.FileName); err == nil {
		return nil
	}
	sum, err := atlassum.Compute(os.DirFS(dir), ".")
	if err != nil {
		return err
	}
	if dryRun {
		fmt.Fprintf(w, "would write %s/%s (%d files) first (--write-sum)\n", dir, atlassum.FileName, len(sum.Files))
		return nil
	}
	if _, err := atlassum.WriteFile(dir, sum); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %s/%s (%d files)\n", dir, atlassum.FileName, len(sum.Files))
	return nil
}

// progressFor returns a progress callback that draws a bar on w when w is
// a terminal and there is more than one target; otherwise nil.
func progressFor(w io.Writer, total int, what string) func(int, int) {
	f, ok := w.(*os.File)
	if !ok || total < 2 || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	bar := progressbar.NewOptions(total, progressbar.OptionSetWriter(f), progressbar.OptionSetDescription(what), progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
	return func(done, _ int) { _ = bar.Set(done) }
}

func renderConvert(w io.Writer, results []convertResult, dryRun, single bool) {
	for _, r := range results {
		if !r.OK {
			fmt.Fprintf(w, "FAILED  %s\n        %s\n", r.Database, r.Error)
			for _, d := range r.Disagree {
				fmt.Fprintf(w, "        version %s: %s\n", d.Version, d.Problem)
			}
			if r.Next != "" {
				fmt.Fprintf(w, "        next: %s\n", r.Next)
			}
			continue
		}
		p := r.Plan
		switch {
		case p.NoOp():
			fmt.Fprintf(w, "ok      %s: already converted (%d revisions in %s agree with golang-migrate's history %s); nothing written\n", r.Database, p.Present, p.Revisions, legacyAt(p))
		case dryRun:
			create := ""
			if p.Create {
				create = "create " + p.Revisions + " and "
			}
			fmt.Fprintf(w, "plan    %s: would %swrite %d revision(s) into %s (golang-migrate %s in %s; %d already present)\n", r.Database, create, len(p.Rows), p.Revisions, legacyAt(p), p.LegacyTable, p.Present)
		default:
			fmt.Fprintf(w, "ok      %s: wrote %d revision(s) into %s (golang-migrate %s; %d already present)\n", r.Database, len(p.Rows), p.Revisions, legacyAt(p), p.Present)
		}
		renderPartial(w, r.Dirty, p.Partial)
		if ev := p.Evidence; ev != nil {
			fmt.Fprintf(w, "        evidence: %d object(s) the files create checked in the live schema, %d missing\n", ev.Checked, len(ev.Missing))
			renderFindings(w, p.Findings)
		}
		if single && len(r.Rows) > 0 {
			fmt.Fprintf(w, "\n  %-20s %-4s %-10s %s\n", "version", "type", "statements", "description")
			for _, row := range r.Rows {
				fmt.Fprintf(w, "  %-20s %-4d %-10s %s\n", row.Version, row.Type, fmt.Sprintf("%d/%d", row.Applied, row.Total), row.Description)
			}
		}
	}
}

// legacyAt renders golang-migrate's row of a plan.
func legacyAt(p *convert.Plan) string {
	if p.LegacyDirty {
		return fmt.Sprintf("dirty at %d", p.LegacyVersion)
	}
	return fmt.Sprintf("at %d", p.LegacyVersion)
}

// renderPartial shows the proven prefix of a dirty version and where ferry
// apply resumes.
func renderPartial(w io.Writer, d *dirtyJSON, p *convert.PartialImport) {
	if p == nil {
		return
	}
	how := "proven by ferry doctor"
	if !p.Proven {
		how = "NOT proven, only consistent with the schema; accepted with --accept-unproven"
	}
	if d != nil && d.Fingerprint != "" {
		how += "; " + d.Fingerprint
	}
	ran := fmt.Sprintf("statements 1..%d of %d of %s ran", p.Applied, p.Total, p.File)
	if p.Applied == 0 {
		ran = fmt.Sprintf("none of the %d statements of %s ran", p.Total, p.File)
	}
	fmt.Fprintf(w, "        dirty:    version %s is partial: %s (%s)\n", p.Version, ran, how)
	switch {
	case p.Next == 0:
		fmt.Fprintf(w, "        resume:   every statement ran; ferry apply records the file complete and cleans golang-migrate's row\n")
		return
	case p.Next == p.Total:
		fmt.Fprintf(w, "        resume:   ferry apply runs statement %d, line %d: %s\n", p.Next, p.NextLine, firstLine(p.NextText))
	default:
		fmt.Fprintf(w, "        resume:   ferry apply runs statements %d..%d, from line %d: %s\n", p.Next, p.Total, p.NextLine, firstLine(p.NextText))
	}
	fmt.Fprintf(w, "                  (fix the file first if that statement failed, then ferry hash)\n")
}

// firstLine returns the first line of a statement, shortened.
func firstLine(text string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	if len(line) > 72 {
		line = line[:69] + "..."
	}
	return line
}
