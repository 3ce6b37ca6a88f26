package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/ferrymigrate/ferry/atlassum"
	"github.com/ferrymigrate/ferry/finding"
)

type hashOptions struct {
	project projectFlags
	check   bool
	dryRun  bool
	yes     bool
	json    bool
}

func newHashCmd(e *env) *cobra.Command {
	var o hashOptions
	cmd := &cobra.Command{
		Use:   "hash",
		Short: "Write or check atlas.sum, the integrity sum of the migration folder",
		Long: `Write or check atlas.sum, the integrity sum of the up migrations (*.up.sql).

The file is byte-identical with the one Atlas writes, so Atlas reads the same folder.
hash writes it atomically and only when it changes; --check only validates it and exits 1
when it is missing, unreadable, or does not match the files (naming the file, the line of
atlas.sum, and whether the file was added, edited or removed).`,
		Example: `  ferry hash --path db/migrations
  ferry hash --path db/migrations --check
  ferry hash -path db/migrations --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runHash(cmd, e, &o) },
	}
	o.project.bindFolder(cmd.Flags())
	cmd.Flags().BoolVar(&o.check, "check", false, "only validate atlas.sum; exit 1 on any problem")
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "show what would be written; write nothing")
	cmd.Flags().BoolVar(&o.yes, "yes", false, "do not ask (hash never asks; accepted so scripts can always pass it)")
	cmd.Flags().BoolVar(&o.json, "json", false, "print one JSON object")
	return cmd
}

type hashResult struct {
	Path     string            `json:"path"`
	SumFile  string            `json:"sum_file"`
	Files    int               `json:"files"`
	State    atlassum.State    `json:"state"` // before writing
	Changes  []atlassum.Change `json:"changes,omitempty"`
	Written  bool              `json:"written"`
	DryRun   bool              `json:"dry_run,omitempty"`
	Findings []finding.Finding `json:"findings"`
}

func runHash(cmd *cobra.Command, e *env, o *hashOptions) error {
	if o.check && o.dryRun {
		return &UsageError{"--check already writes nothing; drop --dry-run"}
	}
	dir, err := o.project.dir()
	if err != nil {
		return err
	}
	rep, err := atlassum.Validate(os.DirFS(dir), ".", dir)
	if err != nil {
		return fmt.Errorf("migration folder %s: %w", dir, err)
	}
	res := hashResult{Path: dir, SumFile: filepath.Join(dir, atlassum.FileName), Files: rep.Files, State: rep.State, Changes: rep.Changes, DryRun: o.dryRun, Findings: rep.Findings}
	if res.Findings == nil {
		res.Findings = []finding.Finding{}
	}
	if !o.check && !o.dryRun {
		if res.Written, err = atlassum.WriteFile(dir, rep.Computed); err != nil {
			return err
		}
	}
	if err := writeResult(e.Out, o.json, res, func() { renderHash(e.Out, o, &res, rep.Computed) }); err != nil {
		return err
	}
	if o.check && len(rep.Findings) > 0 {
		return &exitError{ExitFindings}
	}
	return nil
}

func renderHash(w io.Writer, o *hashOptions, r *hashResult, sum *atlassum.Sum) {
	if o.check {
		if len(r.Findings) == 0 {
			fmt.Fprintf(w, "%s is valid (%d files)\n", r.SumFile, r.Files)
			return
		}
		renderFindings(w, r.Findings)
		return
	}
	for _, c := range r.Changes {
		where := ""
		if c.Line > 0 {
			where = fmt.Sprintf(" (line %d)", c.Line)
		}
		fmt.Fprintf(w, "%-12s %s%s\n", c.Kind, c.File, where)
	}
	switch {
	case o.dryRun && r.State == atlassum.Valid:
		fmt.Fprintf(w, "%s is up to date (%d files); nothing to write\n", r.SumFile, r.Files)
	case o.dryRun:
		b, _ := sum.MarshalText()
		fmt.Fprintf(w, "would write %s (%d files):\n%s", r.SumFile, r.Files, b)
	case r.Written:
		fmt.Fprintf(w, "wrote %s (%d files)\n", r.SumFile, r.Files)
	default:
		fmt.Fprintf(w, "%s is up to date (%d files)\n", r.SumFile, r.Files)
	}
}

// renderFindings prints findings one per line.
func renderFindings(w io.Writer, fs []finding.Finding) {
	for _, f := range fs {
		where := f.File
		if where != "" && f.Line > 0 {
			where = fmt.Sprintf("%s:%d", where, f.Line)
		}
		if where == "" && f.Version != "" {
			where = "version " + f.Version
		}
		if where != "" {
			where += ": "
		}
		fmt.Fprintf(w, "  %-7s %s %s%s\n", f.Severity, f.Code, where, f.Message)
	}
}
