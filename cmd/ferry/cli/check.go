package cli

import (
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ferrymigrate/ferry/check"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/finding"
)

type checkOptions struct {
	targets         convertOptions // --path, --database, --databases-file
	gitBase         string
	dialect         string
	all             bool
	format          string
	json            bool
	revisionsSchema string
}

func newCheckCmd(e *env) *cobra.Command {
	var o checkOptions
	cmd := &cobra.Command{
		Use:   "check",
		Short: "CI gate: file names, sum, statements, out-of-order files against git and databases, risky changes",
		Long: `One report of findings with stable codes (docs/findings.md, docs/check.md):

  - file names, duplicates and everything golang-migrate silently ignores or accepts (FM0xx);
  - atlas.sum integrity, including merge conflicts (FM1xx);
  - statements: files ferry cannot split, PostgreSQL non-transactional mixes, DELIMITER (FM4xx);
  - with --git-base REF: files added since REF whose version is not above the newest at REF,
    and versions two branches both used (FM301, FM303);
  - with --database (repeatable): each database's state (FM2xx) and the files it will never run
    (FM302): below its newest revision, or, with only golang-migrate's row, new since REF and
    not above its version;
  - lint of the up files new since REF (every up file with --all): DS101 DS102 DS103 MF101
    MF103 MF104 BC101 BC102 CD101, with -- ferry:nolint CODE (or -- atlas:nolint) to accept one.

Exit code 1 when any finding is an error.`,
		Example: `  ferry check --path db/migrations --git-base origin/main --dialect postgres
  ferry check --path db/migrations --git-base origin/main --format github
  ferry check --path db/migrations --database "$STAGING_URL" --database "$PROD_URL" --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runCheck(cmd, e, &o) },
	}
	f := cmd.Flags()
	o.targets.project.bindFolder(f)
	f.StringVar(&o.gitBase, "git-base", "", "compare with this git commit (e.g. origin/main)")
	f.StringArrayVar(&o.targets.databases, "database", nil, "database URL to check against (repeatable)")
	f.StringVar(&o.targets.databasesFile, "databases-file", "", "file with one database URL per line")
	f.StringVar(&o.dialect, "dialect", "", "postgres, mysql or sqlite (default: the first database's)")
	f.BoolVar(&o.all, "all", false, "lint every up file, not only the ones new since --git-base")
	f.StringVar(&o.format, "format", "text", "text or github (GitHub Actions annotations)")
	f.BoolVar(&o.json, "json", false, "print JSON")
	f.StringVar(&o.revisionsSchema, "revisions-schema", "", "schema (MySQL: database) of the revisions table")
	return cmd
}

func runCheck(cmd *cobra.Command, e *env, o *checkOptions) error {
	if o.format != "text" && o.format != "github" {
		return &UsageError{fmt.Sprintf("--format takes text or github, got %q", o.format)}
	}
	dir, err := o.targets.project.dir()
	if err != nil {
		return err
	}
	var dbs []*compat.DatabaseURL
	if len(o.targets.databases) > 0 || o.targets.databasesFile != "" {
		if dbs, err = o.targets.targets(e); err != nil {
			return err
		}
	}
	d, err := dialectOf(o.dialect, nil)
	if err != nil {
		return err
	}
	rep, err := check.Run(cmd.Context(), check.Options{Dir: os.DirFS(dir), DirPath: dir, GitBase: o.gitBase, Dialect: d, Databases: dbs, All: o.all, RevisionsSchema: o.revisionsSchema})
	if err != nil {
		return err
	}
	switch {
	case o.json:
		if err := writeJSON(e.Out, rep, nil); err != nil {
			return err
		}
	case o.format == "github":
		renderGitHub(e.Out, dir, rep.Findings)
		if why := notLinted(rep, o.all); why != "" {
			fmt.Fprintf(e.Out, "::warning title=ferry check::no statement was linted: %s\n", why)
		}
	default:
		renderCheck(e.Out, rep, notLinted(rep, o.all))
	}
	if rep.Failed() {
		return &exitError{ExitFindings}
	}
	return nil
}

// notLinted says why check linted no file, or "" when it linted some.
func notLinted(r *check.Report, all bool) string {
	switch {
	case len(r.Linted) > 0:
		return ""
	case r.Dialect == "":
		return "no --dialect and no --database, so ferry cannot split the statements"
	case r.GitBase == "" && !all:
		return "no --git-base and no --all, so no file is new"
	}
	return "no up file is new since " + r.GitBase
}

func renderCheck(w io.Writer, r *check.Report, notLinted string) {
	errs, warns := 0, 0
	for _, f := range r.Findings {
		switch f.Severity {
		case finding.Error:
			errs++
		case finding.Warning:
			warns++
		}
	}
	scope := ""
	if r.GitBase != "" {
		scope = " against " + r.GitBase
	}
	if len(r.Linted) > 0 {
		scope += fmt.Sprintf(", %s linted", plural(len(r.Linted), "file"))
	} else {
		scope += ", nothing linted (" + notLinted + ")"
	}
	fmt.Fprintf(w, "%s%s: %s, %s\n", r.Path, scope, plural(errs, "error"), plural(warns, "warning"))
	renderFindings(w, r.Findings)
}

// renderGitHub prints GitHub Actions workflow commands, one annotation per
// finding, with the file's path from the working directory.
func renderGitHub(w io.Writer, dir string, fs []finding.Finding) {
	for _, f := range fs {
		level := "notice"
		switch f.Severity {
		case finding.Error:
			level = "error"
		case finding.Warning:
			level = "warning"
		}
		var props []string
		if f.File != "" {
			props = append(props, "file="+ghProperty(path.Join(dir, f.File)))
			if f.Line > 0 {
				props = append(props, fmt.Sprintf("line=%d", f.Line))
			}
		}
		props = append(props, "title="+ghProperty("ferry "+f.Code))
		fmt.Fprintf(w, "::%s %s::%s\n", level, strings.Join(props, ","), ghMessage(f.Message))
	}
}

// ghMessage and ghProperty escape as GitHub's workflow commands require.
func ghMessage(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(ghMessage(s))
}
