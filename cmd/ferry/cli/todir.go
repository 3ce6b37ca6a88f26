package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ferrymigrate/ferry/atlasexport"
	"github.com/ferrymigrate/ferry/atlassum"
	"github.com/ferrymigrate/ferry/internal/shellquote"
	"github.com/ferrymigrate/ferry/refusal"
)

// convertToDir carries out convert's --to-dir: it writes (or, with
// --dry-run, plans) the Atlas-format directory. It reports done when no
// database is given (--database, --databases-file, $DATABASE_URL), so that
// --to-dir works alone; with databases convert goes on to convert them. With
// databases and --json, its report goes to stderr so that stdout keeps one
// JSON document.
func convertToDir(e *env, dir string, o *convertOptions) (done bool, err error) {
	alone := len(o.databases) == 0 && o.databasesFile == "" && e.getenv("DATABASE_URL") == ""
	if alone && o.writeSum {
		if err := writeMissingSum(e.ErrOut, dir, o.dryRun); err != nil {
			return true, err
		}
	}
	x, err := atlasexport.Plan(os.DirFS(dir), dir, o.toDir)
	if err != nil {
		return true, err
	}
	if !alone && len(x.Padded) > 0 {
		p := x.Padded[0]
		return true, &refusal.Refusal{
			Reason: fmt.Sprintf("%s would name %s as %s (versions zero-padded so that Atlas, which compares them as text, orders them as golang-migrate does), but ferry convert records each revision with the version as %s writes it: Atlas would find no file for those rows; nothing written",
				x.Out, p.From, p.To, dir),
			Next: refusal.Say("pad the folder first: ").Run("ferry", "rebase", "--path", dir, "--pad").Say(", then run this convert again (or write " + x.Out + " alone, without a database)"),
		}
	}
	if !o.dryRun {
		if err := atlasexport.Write(x); err != nil {
			return true, err
		}
	}
	if alone && o.json {
		return true, writeJSON(e.Out, map[string]any{"path": dir, "dry_run": o.dryRun, "to_dir": x}, nil)
	}
	w := e.Out
	if !alone && o.json {
		w = e.ErrOut
	}
	renderToDir(w, x, o.dryRun)
	return alone, nil
}

func renderToDir(w io.Writer, x *atlasexport.Export, dryRun bool) {
	verb := "wrote"
	if dryRun {
		verb = "would write"
	}
	downs := ""
	if len(x.Downs) > 0 {
		downs = fmt.Sprintf(", %d down file(s) in %s", len(x.Downs), filepath.Join(x.Out, "down"))
	}
	fmt.Fprintf(w, "%s %s: %d migration(s) (versions %d digits wide)%s, %s (%d files)\n",
		verb, x.Out, len(x.Files), x.Width, downs, filepath.Join(x.Out, atlassum.FileName), len(x.Sum.Files))
	if len(x.Padded) > 0 {
		fmt.Fprintf(w, "  warning FM304: versions zero-padded to %d digits, so that Atlas orders the files as golang-migrate does (%s -> %s, %d file(s)); the folder's own names are not: revision rows of databases converted from it name the versions as its files do; pad it before converting: ferry rebase --path %s --pad\n",
			x.Width, x.Padded[0].From, x.Padded[0].To, len(x.Padded), shellquote.Quote(x.Source))
	}
	for _, v := range x.Skipped {
		fmt.Fprintf(w, "  version %s has no up file: no Atlas file for it\n", v)
	}
	if dryRun {
		for _, f := range x.Files {
			fmt.Fprintf(w, "  %s <- %s\n", f.Name, f.Source)
		}
	}
}
