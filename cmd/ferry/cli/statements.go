package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

type statementsOptions struct {
	project projectFlags
	dialect string
	json    bool
}

func newStatementsCmd(e *env) *cobra.Command {
	var o statementsOptions
	cmd := &cobra.Command{
		Use:   "statements FILE...",
		Short: "Show the statements ferry finds in migration files, with lines and hashes",
		Long: `Show exactly the statements ferry would run and track for each file: the statement
text as executed and hashed, its line range, and the cumulative hash Atlas records in
partial_hashes (h1: + base64 SHA-256 of the texts of statements 1..i).

The dialect comes from --dialect, or from --database / $DATABASE_URL. A file that cannot be
split with confidence is reported with its line and column, and the command exits 1.`,
		Example: `  ferry statements --dialect postgres db/migrations/000042_add_index.up.sql
  ferry statements --database "$DATABASE_URL" db/migrations/*.up.sql --json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runStatements(cmd, e, &o, args) },
	}
	cmd.Flags().StringVar(&o.dialect, "dialect", "", "postgres, mysql (also MariaDB) or sqlite")
	cmd.Flags().StringVar(&o.project.database, "database", "", "take the dialect from this database URL (default $DATABASE_URL)")
	cmd.Flags().BoolVar(&o.json, "json", false, "print JSON")
	return cmd
}

type fileStatements struct {
	File       string          `json:"file"`
	Dialect    string          `json:"dialect"`
	Statements []statementJSON `json:"statements"`
	Error      string          `json:"error,omitempty"`
}

type statementJSON struct {
	Index   int    `json:"index"`
	Text    string `json:"text"`
	Start   int    `json:"start"`
	End     int    `json:"end"`
	Line    int    `json:"line"`
	EndLine int    `json:"end_line"`
	Hash    string `json:"hash"`
	Kind    string `json:"kind,omitempty"`
}

func runStatements(cmd *cobra.Command, e *env, o *statementsOptions, files []string) error {
	o.project.resolve(cmd.Flags())
	var d engine.Dialect
	var err error
	if o.dialect == "" {
		u, err := o.project.databaseURL(e)
		if err != nil {
			return err
		}
		if u == nil {
			return &UsageError{"which SQL dialect? pass --dialect postgres|mysql|sqlite, or --database URL"}
		}
		d, err = dialectOf("", u)
		if err != nil {
			return err
		}
	} else if d, err = dialectOf(o.dialect, nil); err != nil {
		return err
	}
	var out []fileStatements
	failed := false
	for _, f := range files {
		fsx := fileStatements{File: f, Dialect: string(d), Statements: []statementJSON{}}
		src, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("read %s: %w", f, err)
		}
		stmts, err := sqlsplit.Split(d, src)
		if err != nil {
			fsx.Error = err.Error()
			failed = true
		}
		hashes := sqlsplit.Hashes(stmts)
		for i, st := range stmts {
			fsx.Statements = append(fsx.Statements, statementJSON{Index: st.Index, Text: st.Text, Start: st.Start, End: st.End, Line: st.Line, EndLine: st.EndLine, Hash: hashes[i], Kind: st.Kind.String()})
		}
		out = append(out, fsx)
	}
	if err := writeResult(e.Out, o.json, out, func() { renderStatements(e.Out, out) }); err != nil {
		return err
	}
	if failed {
		return &exitError{ExitFindings}
	}
	return nil
}

func renderStatements(w io.Writer, files []fileStatements) {
	for i, f := range files {
		if i > 0 {
			fmt.Fprintln(w)
		}
		if f.Error != "" {
			fmt.Fprintf(w, "%s:%s\n  ferry cannot split this file with confidence; fix the SQL at that line and column\n", f.File, f.Error)
			continue
		}
		fmt.Fprintf(w, "%s: %d statement(s) (%s)\n", f.File, len(f.Statements), f.Dialect)
		for _, st := range f.Statements {
			lines := fmt.Sprintf("line %d", st.Line)
			if st.EndLine != st.Line {
				lines = fmt.Sprintf("lines %d-%d", st.Line, st.EndLine)
			}
			kind := ""
			if st.Kind != "" {
				kind = "  [" + st.Kind + "]"
			}
			fmt.Fprintf(w, "\n%3d  %-13s %s%s\n", st.Index, lines, st.Hash, kind)
			for _, l := range strings.Split(st.Text, "\n") {
				fmt.Fprintf(w, "     %s\n", l)
			}
		}
	}
}
