package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/drift"
	"github.com/ferrymigrate/ferry/inspect"
)

type driftOptions struct {
	project projectFlags
	devURL  string
	color   string
	json    bool
}

func newDriftCmd(e *env) *cobra.Command {
	var o driftOptions
	cmd := &cobra.Command{
		Use:   "drift",
		Short: "Compare the live schema with the schema the migration files produce at the recorded version",
		Long: `Compare the live schema with the schema the migration files produce at the version the
database records, and print the difference as a unified diff ("-" only in the files' schema,
"+" only in the database).

The up files up to the recorded version run on a scratch database that ferry creates on the
--dev-url server and always drops (SQLite: in memory). Both schemas are described the same
way (tables with their columns, constraints, indexes and triggers, views, sequences, routines,
types, extensions), without golang-migrate's and ferry's bookkeeping tables. The version is
golang-migrate's row, or, without its table, the newest complete revision; a dirty database is
refused. drift reads the live database only. Exit code 0: no drift; 1: drift or an error.`,
		Example: `  ferry drift --path db/migrations --database "$DATABASE_URL" --dev-url 'postgres://dev@localhost/postgres?sslmode=disable'
  ferry drift -path db/migrations -database 'mysql://app:pw@tcp(db:3306)/app' --dev-url 'mysql://root@tcp(localhost:3306)/' --json
  ferry drift --path db/migrations --database sqlite://app.db --dev-url sqlite://:memory:`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDrift(cmd, e, &o) },
	}
	o.project.bind(cmd.Flags())
	cmd.Flags().StringVar(&o.devURL, "dev-url", "", "server to replay the files on, in a scratch database (same engine and version as --database; sqlite://:memory: for SQLite)")
	cmd.Flags().StringVar(&o.color, "color", "auto", "colour the diff: auto (on a terminal, unless $NO_COLOR), always or never")
	cmd.Flags().BoolVar(&o.json, "json", false, "print one JSON object")
	return cmd
}

func runDrift(cmd *cobra.Command, e *env, o *driftOptions) error {
	u, dev, err := o.urls(cmd, e)
	if err != nil {
		return err
	}
	color, err := colorFor(e, o.color)
	if err != nil {
		return err
	}
	dir, err := o.project.dir()
	if err != nil {
		return err
	}
	r, err := drift.Run(cmd.Context(), drift.Options{Dir: os.DirFS(dir), DirPath: dir, Database: u, Dev: dev})
	if err != nil {
		return err
	}
	if err := writeResult(e.Out, o.json, r, func() { renderDrift(e.Out, r, color) }); err != nil {
		return err
	}
	if r.Drifted {
		return &exitError{ExitFindings}
	}
	return nil
}

// urls returns --database (or $DATABASE_URL) and --dev-url, both required
// and of one engine.
func (o *driftOptions) urls(cmd *cobra.Command, e *env) (u, dev *compat.DatabaseURL, err error) {
	o.project.resolve(cmd.Flags())
	if u, err = o.project.databaseURL(e); err != nil {
		return nil, nil, err
	}
	if u == nil {
		return nil, nil, &UsageError{"no database: pass --database URL (or set $DATABASE_URL)"}
	}
	if o.devURL == "" {
		return nil, nil, &UsageError{"no dev server: pass --dev-url URL, a server of the same engine on which ferry may create and drop a scratch database (sqlite://:memory: for SQLite)"}
	}
	if dev, err = compat.ParseDatabaseURL(o.devURL); err != nil {
		return nil, nil, err
	}
	e.urls = append(e.urls, dev)
	if dev.Dialect != u.Dialect {
		return nil, nil, &UsageError{fmt.Sprintf("--dev-url is a %s URL but --database is %s: the files must replay on the same engine", dev.Dialect, u.Dialect)}
	}
	return u, dev, nil
}

func renderDrift(w io.Writer, r *drift.Report, color bool) {
	fmt.Fprintf(w, "Database    %s\n", r.Database)
	switch {
	case r.Version == nil && r.VersionFrom == "":
		fmt.Fprintln(w, "Version     none recorded (no golang-migrate or revisions table): compared with the empty schema")
	case r.Version == nil:
		fmt.Fprintf(w, "Version     none recorded (%s is empty): compared with the empty schema\n", r.VersionFrom)
	default:
		fmt.Fprintf(w, "Version     %s, from %s\n", r.VersionText, r.VersionFrom)
	}
	upTo := "with no version applied"
	if r.Version != nil {
		upTo = "up to " + r.VersionText
	}
	where := "in memory"
	if !r.Dialect.Embedded() {
		where = "on scratch database " + r.Scratch + " of " + r.Dev + " (dropped)"
	}
	fmt.Fprintf(w, "Expected    %s %s: %s, %s, replayed %s\n", r.Path, upTo, plural(r.Files, "up file"), plural(r.Statements, "statement"), where)
	for _, n := range r.Notes {
		fmt.Fprintf(w, "Note        %s\n", n)
	}
	if !r.Drifted {
		fmt.Fprintf(w, "Drift       none: the live schema is the one the files produce (%s)\n", plural(r.LiveObjects, "object"))
		return
	}
	fmt.Fprintf(w, "Drift       the live schema differs from the one the files produce (%s expected, %d live); - only in the files' schema, + only in the database\n\n", plural(r.ExpectedObjects, "object"), r.LiveObjects)
	if color {
		fmt.Fprint(w, inspect.Colorize(r.Diff))
		return
	}
	fmt.Fprint(w, r.Diff)
}
