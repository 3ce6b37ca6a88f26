package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/finding"
	"github.com/ferrymigrate/ferry/status"
)

type statusOptions struct {
	project projectFlags
	dialect string
	gitBase string
	json    bool
}

func newStatusCmd(e *env) *cobra.Command {
	var o statusOptions
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the migration folder, golang-migrate's version row and what `migrate up` would do",
		Long: `Show the migration folder, golang-migrate's version row and what ` + "`migrate up`" + ` would do.

status reads only: it creates nothing, writes nothing and takes no lock. Without a
database it reports on the folder alone. Files golang-migrate will never run on the
database (FM302) are reported from its revision rows, or, with only golang-migrate's row,
with --git-base REF. Exit code 1 when a finding is an error.`,
		Example: `  ferry status --path db/migrations --database "$DATABASE_URL"
  ferry status -path db/migrations -database 'postgres://app@localhost/app?sslmode=disable'
  ferry status --source file://db/migrations --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runStatus(cmd, e, &o) },
	}
	o.project.bind(cmd.Flags())
	cmd.Flags().StringVar(&o.dialect, "dialect", "", "postgres, mysql or sqlite: check the statements of every file (default: the database's)")
	cmd.Flags().StringVar(&o.gitBase, "git-base", "", "compare with this git commit (e.g. origin/main) to find merged files golang-migrate will skip")
	cmd.Flags().BoolVar(&o.json, "json", false, "print one JSON object")
	return cmd
}

func runStatus(cmd *cobra.Command, e *env, o *statusOptions) error {
	o.project.resolve(cmd.Flags())
	dir, err := o.project.dir()
	if err != nil {
		return err
	}
	u, err := o.project.databaseURL(e)
	if err != nil {
		return err
	}
	d, err := dialectOf(o.dialect, u)
	if err != nil {
		return err
	}
	r, err := status.Run(cmd.Context(), status.Options{Dir: os.DirFS(dir), DirPath: dir, Database: u, Dialect: d, GitBase: o.gitBase})
	if err != nil {
		return err
	}
	if err := writeResult(e.Out, o.json, r, func() { renderStatus(e.Out, r) }); err != nil {
		return err
	}
	if finding.HasErrors(r.Findings) {
		return &exitError{ExitFindings}
	}
	return nil
}

func renderStatus(w io.Writer, r *status.Report) {
	fmt.Fprintf(w, "Migrations  %s: %s\n", r.Source.Path, describeFolder(r))
	if r.Database == "" {
		fmt.Fprintln(w, "Database    none given (--database or $DATABASE_URL); showing the folder only")
	} else {
		fmt.Fprintf(w, "Database    %s\n", r.Database)
		renderLegacy(w, r.Legacy)
		if v := r.Revisions; v != nil {
			fmt.Fprintf(w, "Revisions   %s: %s, newest %s\n", v.Table, plural(v.Rows, "version"), v.Last)
			if f := v.Unfinished; f != nil {
				fmt.Fprintf(w, "            version %s unfinished: %d of %d statements applied\n", f.Version, f.Applied, f.Total)
			}
		}
		fmt.Fprintf(w, "Next        %s\n", r.Action.Message)
		if len(r.Pending) > 0 {
			fmt.Fprintf(w, "Pending     %d\n", len(r.Pending))
			for _, p := range r.Pending {
				name := p.File
				if name == "" {
					name = p.Version + " (no up file: recorded without running anything)"
				}
				fmt.Fprintf(w, "  %s\n", name)
			}
		}
	}
	if r.Sum != nil {
		fmt.Fprintf(w, "Sum file    %s (%s)\n", r.Sum.State, plural(r.Sum.Files, "file"))
	}
	if len(r.Findings) == 0 {
		fmt.Fprintln(w, "Findings    none")
		return
	}
	fmt.Fprintf(w, "Findings    %d\n", len(r.Findings))
	renderFindings(w, r.Findings)
}

func describeFolder(r *status.Report) string {
	n := len(r.Migrations)
	if n == 0 {
		return "no migrations"
	}
	scheme := r.Source.Scheme.Describe()
	if r.Source.Scheme == compat.SchemePadded {
		scheme = fmt.Sprintf("%s (%d digits)", scheme, r.Source.Width)
	}
	if n == 1 {
		return fmt.Sprintf("1 version (%s), %s", r.Migrations[0].Version, scheme)
	}
	return fmt.Sprintf("%d versions, %s to %s, %s", n, r.Migrations[0].Version, r.Migrations[n-1].Version, scheme)
}

func renderLegacy(w io.Writer, l *status.Legacy) {
	switch {
	case !l.TableExists:
		fmt.Fprintf(w, "Legacy row  %s does not exist: no version (golang-migrate creates the table on first use)\n", l.Table)
	case l.Version == nil && !l.Dirty:
		fmt.Fprintf(w, "Legacy row  %s: no version (the table is empty)\n", l.Table)
	default:
		v := "-1 (no version)"
		if l.Version != nil {
			v = fmt.Sprint(*l.Version)
		}
		state := "clean"
		if l.Dirty {
			state = "DIRTY"
		}
		fmt.Fprintf(w, "Legacy row  %s: version %s, %s\n", l.Table, v, state)
	}
	switch {
	case !l.Lock.Detectable:
		fmt.Fprintln(w, "Lock        golang-migrate's SQLite lock lives inside its process; no other process can see it")
	case l.Lock.Held:
		fmt.Fprintf(w, "Lock        HELD by a golang-migrate run (%s)\n", l.Lock.Holder)
	default:
		keys := make([]string, len(l.Lock.Keys))
		for i, k := range l.Lock.Keys {
			keys[i] = k.Key + " (" + k.Form + ")"
		}
		state := "free"
		if l.Lock.NoLock {
			state = "not used (x-no-lock=true: golang-migrate runs without it)"
		}
		fmt.Fprintf(w, "Lock        %s; golang-migrate's keys: %s\n", state, strings.Join(keys, ", "))
	}
}

// plural returns "1 file", "2 files".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
