package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ferrymigrate/ferry/baseline"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/convert"
	"github.com/ferrymigrate/ferry/internal/dbconn"
	"github.com/ferrymigrate/ferry/internal/fleet"
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

All rows are written in one transaction while holding golang-migrate's lock. Give --database
more than once, or --databases-file, to convert many databases concurrently.`,
		Example: `  ferry convert --path db/migrations --database "$DATABASE_URL" --dry-run
  ferry convert --path db/migrations --database "$STAGING_URL" --database "$PROD_URL"
  ferry convert --path db/migrations --databases-file tenants.txt --concurrency 8 --json`,
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
	return cmd
}

// convertResult is one database's outcome in --json.
type convertResult struct {
	Database string                 `json:"database"`
	OK       bool                   `json:"ok"`
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
	if o.writeSum {
		if err := writeMissingSum(e.ErrOut, dir, o.dryRun); err != nil {
			return err
		}
	}
	project, err := convert.LoadProject(os.DirFS(dir), dir)
	if err != nil {
		return err
	}
	opts := convert.Options{RevisionsSchema: o.revisionsSchema, BaselineOnly: o.baselineOnly, Now: time.Now(), OperatorVersion: "ferry " + Version + " (golang-migrate import)", Strict: o.strict}
	progress := progressFor(e.ErrOut, len(targets), "converting")
	results := fleet.Run(ctx, targets, o.concurrency, func(ctx context.Context, u *compat.DatabaseURL) (convertResult, error) {
		return convertOne(ctx, project, u, opts, o)
	}, progress)

	out := make([]convertResult, len(results))
	failed := 0
	for i, r := range results {
		out[i] = r.Value
		out[i].Database = r.URL.Redacted()
		if r.Err != nil {
			failed++
			out[i].OK = false
			out[i].Error = e.redact(r.Err.Error())
			var ref *convert.Refusal
			if errors.As(r.Err, &ref) {
				out[i].Error, out[i].Next, out[i].Disagree = e.redact(ref.Reason), e.redact(ref.Next), ref.Disagreements
			}
		}
	}
	if o.json {
		enc := json.NewEncoder(e.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"path": dir, "dry_run": o.dryRun, "targets": out}); err != nil {
			return err
		}
	} else {
		renderConvert(e.Out, out, o.dryRun, len(targets) == 1)
	}
	if failed > 0 {
		if !o.json {
			fmt.Fprintf(e.ErrOut, "ferry: %d of %d database(s) not converted\n", failed, len(targets))
		}
		return &exitError{ExitFindings}
	}
	return nil
}

func convertOne(ctx context.Context, project *convert.Project, u *compat.DatabaseURL, opts convert.Options, o *convertOptions) (convertResult, error) {
	res := convertResult{Database: u.Redacted()}
	db, err := dbconn.Open(ctx, u, dbconn.ReadWrite)
	if err != nil {
		return res, err
	}
	defer db.Close()
	plan, err := project.Prepare(ctx, db, u, opts)
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
	if _, err := os.Stat(dir + "/" + baseline.SumFileName); err == nil {
		return nil
	}
	sum, err := baseline.ComputeSum(os.DirFS(dir), ".")
	if err != nil {
		return err
	}
	if dryRun {
		fmt.Fprintf(w, "would write %s/%s (%d files) first (--write-sum)\n", dir, baseline.SumFileName, len(sum.Files))
		return nil
	}
	if _, err := baseline.WriteSumFile(dir, sum); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %s/%s (%d files)\n", dir, baseline.SumFileName, len(sum.Files))
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
			fmt.Fprintf(w, "ok      %s: already converted (%d revisions in %s agree with golang-migrate's history at %d); nothing written\n", r.Database, p.Present, p.Revisions, p.LegacyVersion)
		case dryRun:
			create := ""
			if p.Create {
				create = "create " + p.Revisions + " and "
			}
			fmt.Fprintf(w, "plan    %s: would %swrite %d revision(s) into %s (golang-migrate at %d in %s; %d already present)\n", r.Database, create, len(p.Rows), p.Revisions, p.LegacyVersion, p.LegacyTable, p.Present)
		default:
			fmt.Fprintf(w, "ok      %s: wrote %d revision(s) into %s (golang-migrate at %d; %d already present)\n", r.Database, len(p.Rows), p.Revisions, p.LegacyVersion, p.Present)
		}
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
