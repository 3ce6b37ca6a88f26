package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ferrymigrate/ferry/atlassum"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/rebase"
)

type rebaseOptions struct {
	project         projectFlags
	gitBase         string
	databases       []string
	revisionsSchema string
	pad             bool
	fixNames        bool
	dryRun          bool
	yes             bool
	json            bool
}

func newRebaseCmd(e *env) *cobra.Command {
	var o rebaseOptions
	cmd := &cobra.Command{
		Use:   "rebase [VERSION ...]",
		Short: "Renumber out-of-order migration files after the newest version and rewrite atlas.sum",
		Long: `Renumber the migration files that golang-migrate would skip or refuse after a merge:
files new since --git-base older than its newest version, files a --database never ran,
and the new file of a version two branches both created. Each moves after the newest version
of the folder, the git base and every database, keeping the numbering scheme, its title and
its extension; up and down files move together (git mv inside a git work tree). Name VERSIONs
to move exactly those. atlas.sum, when the folder has one, is rewritten from the files (merge
conflict markers in it do not matter).

rebase refuses, renaming nothing, to move a file a given database has applied or the file of
a database's current version, onto a name that exists, or a version the folder does not have.
--pad zero-pads every version to one width (1, 2, 10 -> 01, 02, 10).
--fix-names gives the extension "sql" to the files golang-migrate runs under another one
(2_b.up..sql, 2_b.up.txt -> 2_b.up.sql): Atlas and atlas.sum read only *.up.sql files as up
migrations, and golang-migrate reads the new name as the same version.`,
		Example: `  ferry rebase --path db/migrations --git-base origin/main --dry-run
  ferry rebase --path db/migrations --git-base origin/main --database "$STAGING_URL"
  ferry rebase --path db/migrations 20240105093000
  ferry rebase --path db/migrations --pad
  ferry rebase --path db/migrations --fix-names`,
		RunE: func(cmd *cobra.Command, args []string) error { return runRebase(cmd, e, &o, args) },
	}
	f := cmd.Flags()
	o.project.bindFolder(f)
	f.StringVar(&o.gitBase, "git-base", "", "commit the branch is compared with, e.g. origin/main")
	f.StringArrayVar(&o.databases, "database", nil, "database URL whose applied files must not move (repeatable; default $DATABASE_URL; --database '' for none)")
	f.StringVar(&o.revisionsSchema, "revisions-schema", "", "schema (MySQL: database) of the revisions table")
	f.BoolVar(&o.pad, "pad", false, "zero-pad every version to the width of the longest one")
	f.BoolVar(&o.fixNames, "fix-names", false, "rename files golang-migrate runs under an extension other than sql to VERSION_TITLE.up.sql / .down.sql")
	f.BoolVar(&o.dryRun, "dry-run", false, "show the plan; rename and write nothing")
	f.BoolVar(&o.yes, "yes", false, "do not ask (rebase never asks; accepted so scripts can always pass it)")
	f.BoolVar(&o.json, "json", false, "print one JSON object")
	return cmd
}

func runRebase(cmd *cobra.Command, e *env, o *rebaseOptions, versions []string) error {
	dir, err := o.project.dir()
	if err != nil {
		return err
	}
	raw := o.databases
	if !cmd.Flags().Changed("database") && e.getenv("DATABASE_URL") != "" {
		raw = []string{e.getenv("DATABASE_URL")}
	}
	var dbs []*compat.DatabaseURL
	for _, s := range raw {
		if s == "" {
			continue
		}
		u, err := compat.ParseDatabaseURL(s)
		if err != nil {
			return err
		}
		e.urls = append(e.urls, u)
		dbs = append(dbs, u)
	}
	plan, err := rebase.Prepare(cmd.Context(), rebase.Options{Dir: os.DirFS(dir), DirPath: dir, GitBase: o.gitBase, Versions: versions, Databases: dbs, RevisionsSchema: o.revisionsSchema, Pad: o.pad, FixNames: o.fixNames, Now: time.Now()})
	var problems rebase.Problems // what a refusal of the plan found
	if errors.As(err, &problems) {
		if o.json {
			return writeJSON(e.Out, map[string]any{"path": dir, "ok": false, "refusals": problems}, &exitError{ExitFindings})
		}
		fmt.Fprintln(e.Out, "rebase refused; nothing renamed:")
		for _, p := range problems {
			fmt.Fprintf(e.Out, "  %s\n", e.redact(p.Message))
		}
		return &exitError{ExitFindings}
	}
	if err != nil {
		return err
	}
	var res *rebase.Result
	if !o.dryRun && !plan.NoOp() {
		if res, err = rebase.Apply(cmd.Context(), dir, plan); err != nil {
			return err
		}
	}
	if o.json {
		return writeJSON(e.Out, map[string]any{"path": dir, "ok": true, "dry_run": o.dryRun, "plan": plan, "diff": plan.Diff(), "result": res}, nil)
	}
	renderRebase(e.Out, plan, res, o, len(versions) == 0 && o.gitBase == "" && len(dbs) == 0)
	return nil
}

func renderRebase(w io.Writer, p *rebase.Plan, res *rebase.Result, o *rebaseOptions, blind bool) {
	fmt.Fprintf(w, "%s: %s, newest version %d\n", p.Path, p.Scheme.Describe(), p.Newest)
	if len(p.Moves) == 0 && len(p.Pads) == 0 && len(p.Fixes) == 0 {
		hint := ""
		if blind && !o.fixNames {
			hint = " (give --git-base REF, --database URL or the versions to move)"
		}
		fmt.Fprintf(w, "nothing to renumber%s\n", hint)
	}
	for _, m := range p.Moves {
		fmt.Fprintf(w, "move %s -> %s: %s\n", m.Text, m.NewText, strings.Join(m.Why, "; "))
		for _, r := range m.Files {
			fmt.Fprintf(w, "  %s -> %s\n", r.From, r.To)
		}
	}
	if len(p.Pads) > 0 {
		fmt.Fprintln(w, "pad with zeros:")
		for _, r := range p.Pads {
			fmt.Fprintf(w, "  %s -> %s\n", r.From, r.To)
		}
	}
	if len(p.Fixes) > 0 {
		fmt.Fprintln(w, "give the extension sql (Atlas reads only *.up.sql; golang-migrate reads the same version):")
		for _, r := range p.Fixes {
			fmt.Fprintf(w, "  %s -> %s\n", r.From, r.To)
		}
	}
	if d := p.Diff(); d != "" {
		fmt.Fprintf(w, "\n%s\n", d)
	}
	renderFindings(w, p.Findings)
	sum := "no " + atlassum.FileName + " (rebase does not create one; ferry hash does)"
	switch {
	case p.Sum != nil && p.NoOp():
		sum = atlassum.FileName + ": valid, unchanged"
	case p.Sum != nil:
		verb := "rewritten"
		if o.dryRun {
			verb = "would be rewritten"
		}
		sum = fmt.Sprintf("%s: was %s; %s from the files (%d files)", atlassum.FileName, p.SumBefore, verb, len(p.Sum.Files))
	}
	fmt.Fprintln(w, sum)
	switch {
	case o.dryRun:
		fmt.Fprintln(w, "dry run: nothing renamed, nothing written")
	case res != nil:
		how := ""
		if res.Git {
			how = " (git mv: staged)"
		}
		fmt.Fprintf(w, "renamed %d file(s)%s", res.Renamed, how)
		if res.SumWritten {
			fmt.Fprintf(w, "; wrote %s", atlassum.FileName)
		}
		fmt.Fprintln(w)
		if res.Git {
			fmt.Fprintf(w, "next: git add %s, then commit\n", filepath.Join(p.Path, atlassum.FileName))
		}
	}
}
