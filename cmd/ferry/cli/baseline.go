package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ferrymigrate/ferry/atlassum"
	"github.com/ferrymigrate/ferry/baseline"
	"github.com/ferrymigrate/ferry/compat"
)

type baselineOptions struct {
	project projectFlags
	version string
	fromDev string
	dialect string
	out     string
	replace bool
	write   bool
	dryRun  bool
	yes     bool
	json    bool
}

func newBaselineCmd(e *env) *cobra.Command {
	var o baselineOptions
	cmd := &cobra.Command{
		Use:   "baseline",
		Short: "Squash the migrations up to a version into one baseline migration for new environments",
		Long: `Make one migration that reproduces the schema at version V, for new environments.

By default it concatenates the up files up to V in order, each behind a "-- source:" line
(--dialect says how to split them, to prove the joined file runs the same statements).
With --from-dev URL the files run statement by statement on a scratch database that ferry
creates on that server and always drops (SQLite: in memory), and the schema is dumped with
pg_dump, mariadb-dump or mysqldump (SQLite: sqlite_master). The header records the versions
replaced and V's line of atlas.sum.

It is a dry run unless --write: then the baseline goes to --out FILE, or with --replace it
takes V's place in the folder: the files of versions up to V (up and down) move to
DIR/archive/ (git mv in a git work tree), the baseline becomes V_baseline.up.sql and
atlas.sum is rewritten. Databases at V or later keep working with golang-migrate.
--replace --write asks on a terminal; elsewhere it needs --yes.`,
		Example: `  ferry baseline --path db/migrations --version 20240301000000 --dialect postgres
  ferry baseline --path db/migrations --version 42 --from-dev "$DEV_URL" --write --out baseline.sql
  ferry baseline --path db/migrations --version 42 --from-dev "$DEV_URL" --replace --write --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runBaseline(cmd, e, &o) },
	}
	f := cmd.Flags()
	o.project.bindFolder(f)
	f.StringVar(&o.version, "version", "", "V: the version whose schema the baseline reproduces (required)")
	f.StringVar(&o.fromDev, "from-dev", "", "replay on a scratch database of this server and dump its schema")
	f.StringVar(&o.dialect, "dialect", "", "postgres, mysql or sqlite (default: the --from-dev database's)")
	f.StringVar(&o.out, "out", "", "file to write the baseline to (with --write, without --replace)")
	f.BoolVar(&o.replace, "replace", false, "put the baseline in place of the files up to V (archives them)")
	f.BoolVar(&o.write, "write", false, "write; without it, only show the plan and the file")
	f.BoolVar(&o.dryRun, "dry-run", false, "show the plan and the file; write nothing (the default)")
	f.BoolVar(&o.yes, "yes", false, "do not ask before --replace --write")
	f.BoolVar(&o.json, "json", false, "print one JSON object")
	return cmd
}

func runBaseline(cmd *cobra.Command, e *env, o *baselineOptions) error {
	dir, err := o.project.dir()
	if err != nil {
		return err
	}
	opts, err := o.options(e)
	if err != nil {
		return err
	}
	confirm := o.replace && o.write && !o.yes
	if confirm && !isTerminal(e.In) {
		return fmt.Errorf("--replace --write moves the files up to version %s into %s: pass --yes to confirm (there is no terminal to ask on)", o.version, filepath.Join(dir, baseline.ArchiveDir))
	}
	b, err := baseline.Generate(cmd.Context(), os.DirFS(dir), dir, opts)
	if err != nil {
		return err
	}
	if !o.json {
		renderBaseline(e.Out, b, o)
	}
	if confirm && !ask(e, fmt.Sprintf("Move %d files into %s and write %s? [y/N] ", len(b.Replace.Moves), filepath.Join(dir, baseline.ArchiveDir), b.Replace.File)) {
		return fmt.Errorf("not confirmed; nothing written")
	}
	switch {
	case o.write && o.replace:
		err = baseline.Replace(cmd.Context(), b)
	case o.write:
		err = baseline.WriteOut(o.out, b)
	}
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(e.Out, map[string]any{"baseline": b, "content": string(b.Content), "out": o.out, "written": o.write}, nil)
	}
	switch {
	case o.write && o.replace:
		fmt.Fprintf(e.Out, "moved %d files into %s, wrote %s, rewrote %s (%d files)\n", len(b.Replace.Moves), filepath.Join(dir, baseline.ArchiveDir), filepath.Join(dir, b.Replace.File), filepath.Join(dir, atlassum.FileName), len(b.Replace.Sum.Files))
	case o.write:
		fmt.Fprintf(e.Out, "wrote %s (%d statements)\n", o.out, b.Statements)
	}
	return nil
}

// options checks the flag combinations and turns them into library options.
func (o *baselineOptions) options(e *env) (baseline.Options, error) {
	var opts baseline.Options
	v, err := strconv.ParseUint(o.version, 10, 64)
	if err != nil {
		return opts, &UsageError{"--version V is required: the version (a whole number) whose schema the baseline reproduces"}
	}
	switch {
	case o.dryRun && o.write:
		return opts, &UsageError{"give --dry-run or --write, not both"}
	case o.replace && o.out != "":
		return opts, &UsageError{"--out goes without --replace: --replace puts the baseline in the folder itself"}
	case o.write && !o.replace && o.out == "":
		return opts, &UsageError{"--write needs --out FILE (or --replace, to put the baseline in place of the files it replaces)"}
	}
	opts = baseline.Options{Version: v, Replace: o.replace}
	if o.fromDev != "" {
		if opts.Dev, err = compat.ParseDatabaseURL(o.fromDev); err != nil {
			return opts, err
		}
		e.urls = append(e.urls, opts.Dev)
	}
	if opts.Dialect, err = dialectOf(o.dialect, opts.Dev); err != nil {
		return opts, err
	}
	if opts.Dialect == "" {
		return opts, &UsageError{"pass --dialect postgres|mysql|sqlite (or --from-dev URL): the files are split into statements to concatenate them safely"}
	}
	return opts, nil
}

func renderBaseline(w io.Writer, b *baseline.Baseline, o *baselineOptions) {
	how := "concatenating the up files"
	switch {
	case b.Method == baseline.Dump && b.Dialect == "sqlite":
		how = "replaying the up files on an in-memory database and reading its sqlite_master"
	case b.Method == baseline.Dump:
		how = "replaying the up files on scratch database " + b.Scratch + " (dropped) and dumping its schema with " + strings.Fields(b.Tool)[0]
	}
	fmt.Fprintf(w, "baseline of version %s (%s, %d statements), made by %s\n", b.VersionText, b.Dialect, b.Statements, how)
	fmt.Fprintf(w, "  replaces %d version(s): %s\n", len(b.Replaces), abbreviate(b.Replaces))
	fmt.Fprintf(w, "  atlas.sum line of %s: %s\n", b.VersionText, b.SumLine)
	for _, n := range b.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	if p := b.Replace; p != nil {
		how := "rename"
		if p.Git {
			how = "git mv"
		}
		for _, m := range p.Moves {
			fmt.Fprintf(w, "  move  %s -> %s (%s)\n", m.From, m.To, how)
		}
		fmt.Fprintf(w, "  write %s\n  rewrite %s (%d files)\n", p.File, atlassum.FileName, len(p.Sum.Files))
	}
	if o.write {
		return
	}
	next := "pass --write --out FILE, or --replace --write"
	switch {
	case b.Replace != nil:
		next = "pass --write to move the files and write " + filepath.Join(b.Dir, b.Replace.File)
	case o.out != "":
		next = "pass --write to write " + o.out
	}
	fmt.Fprintf(w, "dry run, nothing written: %s\n--- baseline ---\n%s", next, b.Content)
}

func abbreviate(vs []string) string {
	if len(vs) <= 12 {
		return strings.Join(vs, " ")
	}
	return strings.Join(vs[:5], " ") + " ... " + strings.Join(vs[len(vs)-5:], " ")
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// ask asks a yes/no question on the terminal.
func ask(e *env, question string) bool {
	fmt.Fprint(e.ErrOut, question)
	answer, _ := bufio.NewReader(e.In).ReadString('\n')
	answer = strings.ToLower(strings.TrimSpace(answer))
	return answer == "y" || answer == "yes"
}
