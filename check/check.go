// Package check is ferry's CI gate: one report of findings about a
// migration folder, against a git base and against databases: file names and
// duplicates, the sum file, statements, files that golang-migrate would skip
// or refuse, and risky changes in the files that are new.
package check

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"

	"github.com/ferrymigrate/ferry/atlassum"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/finding"
	"github.com/ferrymigrate/ferry/internal/cachefs"
	"github.com/ferrymigrate/ferry/internal/dbconn"
	"github.com/ferrymigrate/ferry/internal/gitx"
	"github.com/ferrymigrate/ferry/lint"
	"github.com/ferrymigrate/ferry/rebase"
	"github.com/ferrymigrate/ferry/revision"
	"github.com/ferrymigrate/ferry/status"
)

// Options say what to check.
type Options struct {
	// Dir is the migration folder; DirPath its path on disk (git runs there).
	Dir     fs.FS
	DirPath string
	// GitBase is a commit to compare with ("origin/main"); empty for none.
	GitBase string
	// Dialect enables statement findings and lint; defaults to the first
	// database's.
	Dialect engine.Dialect
	// Databases are checked for files they will never run.
	Databases []*compat.DatabaseURL
	// All lints every up file, not only the ones new since GitBase.
	All bool
	// RevisionsSchema overrides where the revisions table is looked for.
	RevisionsSchema string
	// Open opens a database handle; nil means dbconn.Open.
	Open func(context.Context, *compat.DatabaseURL, dbconn.Mode) (*sql.DB, error)
}

// Report is the result of Run.
type Report struct {
	Path     string            `json:"path"`
	GitBase  string            `json:"git_base,omitempty"`
	Dialect  string            `json:"dialect,omitempty"`
	Linted   []string          `json:"linted"`
	Findings []finding.Finding `json:"findings"`
}

// Failed reports whether any finding is an error.
func (r *Report) Failed() bool { return finding.HasErrors(r.Findings) }

// Run checks the folder. Errors are for what stops the check itself (an
// unreadable folder, an unknown git base, an unreachable database); problems
// in the project are findings.
func Run(ctx context.Context, o Options) (*Report, error) {
	fsys := cachefs.New(o.Dir)
	if o.Open == nil {
		o.Open = dbconn.Open
	}
	if o.Dialect == "" && len(o.Databases) > 0 {
		o.Dialect = o.Databases[0].Dialect
	}
	dir, err := compat.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("migration folder %s: %w", o.DirPath, err)
	}
	r := &Report{Path: o.DirPath, GitBase: o.GitBase, Dialect: string(o.Dialect), Linted: []string{}}
	r.Findings = append(r.Findings, dir.Findings...)
	sum, err := atlassum.Validate(fsys, ".", o.DirPath)
	if err != nil {
		return nil, err
	}
	r.Findings = append(r.Findings, sum.Findings...)
	r.Findings = append(r.Findings, rebase.StringOrder(dir)...)
	if o.Dialect != "" {
		r.Findings = append(r.Findings, status.StatementFindings(dir, o.Dialect, false)...)
	}

	var added map[uint64]bool
	if o.GitBase != "" {
		names, err := gitx.FilesAt(ctx, o.DirPath, o.GitBase)
		if err != nil {
			return nil, err
		}
		base := rebase.Base{Ref: o.GitBase, Names: names}
		added = rebase.Added(dir, base)
		r.Findings = append(r.Findings, rebase.Findings(rebase.AgainstGit(dir, base))...)
	}
	for _, u := range o.Databases {
		fs, err := checkDatabase(ctx, o, dir, u, added)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", u.Redacted(), err)
		}
		r.Findings = append(r.Findings, fs...)
	}
	if o.Dialect != "" && (o.All || o.GitBase != "") {
		fs, linted, err := lintNew(o.Dialect, dir, added, o.All)
		if err != nil {
			return nil, err
		}
		r.Findings, r.Linted = append(r.Findings, fs...), linted
	}
	finding.Sort(r.Findings)
	if r.Findings == nil {
		r.Findings = []finding.Finding{}
	}
	return r, nil
}

// checkDatabase reports, for one database, what golang-migrate's row says
// (dirty, no file for the current version) and the files it will never run.
func checkDatabase(ctx context.Context, o Options, dir *compat.Directory, u *compat.DatabaseURL, added map[uint64]bool) ([]finding.Finding, error) {
	st, err := status.Run(ctx, status.Options{Dir: o.Dir, DirPath: o.DirPath, Database: u, Open: o.Open})
	if err != nil {
		return nil, err
	}
	var out []finding.Finding
	for _, f := range st.Findings {
		if len(f.Code) == 5 && f.Code[:3] == "FM2" {
			f.Message = u.Redacted() + ": " + f.Message
			out = append(out, f)
		}
	}
	db, err := o.Open(ctx, u, dbconn.ReadOnly)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, u.Dialect.ReadOnlyTxOptions())
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	_, rows, err := revision.LocateRead(ctx, tx, u, o.RevisionsSchema)
	if err != nil {
		return nil, err
	}
	switch {
	case len(rows) > 0:
		out = append(out, rebase.Findings(rebase.AgainstRevisions(dir, rows, u.Redacted()))...)
	case added != nil && st.Legacy != nil && st.Legacy.Version != nil:
		out = append(out, rebase.Findings(rebase.AgainstLegacy(dir, added, *st.Legacy.Version, u.Redacted()))...)
	}
	return out, nil
}

// lintNew lints the up files new since the git base (every up file with
// all), with the older files as what already exists.
func lintNew(d engine.Dialect, dir *compat.Directory, added map[uint64]bool, all bool) ([]finding.Finding, []string, error) {
	var prior, files []lint.File
	var linted []string
	for _, m := range dir.Migrations {
		if m.Up == nil {
			continue
		}
		src, err := dir.ReadFile(*m.Up)
		if err != nil {
			continue // a link out of the folder: already a finding
		}
		f := lint.File{Name: m.Up.Name, Version: m.VersionText, Src: src}
		if all || added[m.Version] {
			files = append(files, f)
			linted = append(linted, m.Up.Name)
		} else {
			prior = append(prior, f)
		}
	}
	fs, err := lint.Check(d, prior, files)
	var fe *lint.FileError
	if err != nil && !errors.As(err, &fe) {
		return nil, nil, fmt.Errorf("lint: %w", err)
	}
	// Files that cannot be split are FM401 already; the rest are linted.
	return fs, linted, nil
}
