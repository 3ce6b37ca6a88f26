package rebase

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"slices"
	"time"

	"github.com/ferrymigrate/ferry/atlassum"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/finding"
	"github.com/ferrymigrate/ferry/internal/cachefs"
	"github.com/ferrymigrate/ferry/internal/dbconn"
	"github.com/ferrymigrate/ferry/internal/gitx"
	"github.com/ferrymigrate/ferry/revision"
)

// Options say what to rebase; Prepare reads what they name.
type Options struct {
	// Dir is the migration folder; DirPath its path on disk (git runs there,
	// messages name it).
	Dir     fs.FS
	DirPath string
	// GitBase is the commit the branch is compared with ("origin/main");
	// empty for none.
	GitBase string
	// Versions, when given, are the versions to move (as written or as
	// numbers); otherwise the late files found against GitBase and every
	// database move.
	Versions []string
	// Databases are read (never written) for what they have applied.
	Databases []*compat.DatabaseURL
	// RevisionsSchema overrides where the revisions table is looked for.
	RevisionsSchema string
	// Pad zero-pads every version to the width of the longest one.
	Pad bool
	// FixNames renames the files golang-migrate runs under an extension
	// other than "sql" (2_b.up..sql, 2_b.up.txt) to VERSION_TITLE.up.sql /
	// .down.sql, which golang-migrate reads as the same version and Atlas
	// (and atlas.sum) reads as an up file. Backup copies are left alone.
	FixNames bool
	// Now is the clock for timestamp numbering; zero means time.Now().
	Now time.Time
	// Open opens a database handle; nil means dbconn.Open.
	Open func(context.Context, *compat.DatabaseURL, dbconn.Mode) (*sql.DB, error)
}

// Database is what one database has applied, as rebase needs it.
type Database struct {
	// Name is the redacted URL.
	Name string
	// Version is golang-migrate's version, compat.NilVersion when none.
	Version int64
	Dirty   bool
	// Revisions are the rows of the revisions table (none without one).
	Revisions []revision.Row
}

// Input is everything a plan is made from. NewPlan uses nothing else, so
// tests give it by hand.
type Input struct {
	// Path names the folder in messages.
	Path string
	// Base is the folder at the git base; nil without one.
	Base      *Base
	Databases []Database
	Versions  []string
	Pad       bool
	FixNames  bool
	Now       time.Time
}

// Rename is one file's new name.
type Rename struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Move is one migration (its up and down files) renumbered after the newest
// version.
type Move struct {
	Version    uint64   `json:"version"`
	Text       string   `json:"version_text"`
	NewVersion uint64   `json:"new_version"`
	NewText    string   `json:"new_version_text"`
	Files      []Rename `json:"files"`
	// Why lists what it was late against, or that it was named.
	Why []string `json:"why"`
}

// Plan is a rebase: the files to rename and the sum file to write. It is a
// value; Apply carries it out.
type Plan struct {
	Path   string        `json:"path"`
	Scheme compat.Scheme `json:"scheme"`
	// Newest is the newest version of the folder, the git base and every
	// database: moved files come after it.
	Newest uint64 `json:"newest"`
	Moves  []Move `json:"moves"`
	// Pads are the renames of --pad (files that only gain leading zeros).
	Pads []Rename `json:"pads"`
	// Fixes are the renames of --fix-names (files that only get the
	// extension "sql").
	Fixes []Rename `json:"fixes"`
	// SumBefore is the state of atlas.sum before the rebase.
	SumBefore atlassum.State `json:"sum_before"`
	// Sum is the sum file after the renames; nil when the folder has none
	// (rebase does not create one).
	Sum *atlassum.Sum `json:"-"`
	// Before and After are the folder's file names in golang-migrate's
	// order (numeric versions, then names; other files last).
	Before []string `json:"-"`
	After  []string `json:"-"`
	// Findings are warnings about the result (versions whose text order
	// still differs from numeric order).
	Findings []finding.Finding `json:"findings"`
}

// Renames returns every rename: the moves' files, then the pads, then the
// fixes.
func (p *Plan) Renames() []Rename {
	var out []Rename
	for _, m := range p.Moves {
		out = append(out, m.Files...)
	}
	out = append(out, p.Pads...)
	return append(out, p.Fixes...)
}

// NoOp reports whether the plan renames nothing and the sum file is
// already right.
func (p *Plan) NoOp() bool {
	return len(p.Moves) == 0 && len(p.Pads) == 0 && len(p.Fixes) == 0 && (p.Sum == nil || p.SumBefore == atlassum.Valid)
}

// Prepare reads the folder, the folder at the git base and every database
// (read only), and makes the plan. It returns a *refusal.Refusal when the plan must
// not be carried out; other errors are for what stops the reading.
func Prepare(ctx context.Context, o Options) (*Plan, error) {
	if o.Open == nil {
		o.Open = dbconn.Open
	}
	in := Input{Path: o.DirPath, Versions: o.Versions, Pad: o.Pad, FixNames: o.FixNames, Now: o.Now}
	if o.GitBase != "" {
		names, err := gitx.FilesAt(ctx, o.DirPath, o.GitBase)
		if err != nil {
			return nil, err
		}
		in.Base = &Base{Ref: o.GitBase, Names: names}
	}
	for _, u := range o.Databases {
		d, err := readDatabase(ctx, o, u)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", u.Redacted(), err)
		}
		in.Databases = append(in.Databases, d)
	}
	return NewPlan(o.Dir, in)
}

func readDatabase(ctx context.Context, o Options, u *compat.DatabaseURL) (Database, error) {
	d := Database{Name: u.Redacted()}
	db, err := o.Open(ctx, u, dbconn.ReadOnly)
	if err != nil {
		return d, err
	}
	defer db.Close()
	st, err := compat.ReadLegacy(ctx, db, u)
	if err != nil {
		return d, fmt.Errorf("read golang-migrate state: %w", err)
	}
	d.Version, d.Dirty = st.Version, st.Dirty
	_, d.Revisions, err = revision.LocateRead(ctx, db, u, o.RevisionsSchema)
	return d, err
}

// NewPlan makes the plan for the migration folder fsys (its root) from in.
// It returns a *refusal.Refusal listing every problem when the plan must not be
// carried out.
func NewPlan(fsys fs.FS, in Input) (*Plan, error) {
	fsys = cachefs.New(fsys) // the reader and the sums read every file
	dir, err := compat.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read migration folder: %w", err)
	}
	if in.Now.IsZero() {
		in.Now = time.Now()
	}
	p := &Plan{Path: in.Path, Scheme: dir.Scheme, Moves: []Move{}, Pads: []Rename{}, Fixes: []Rename{}}
	exists := map[string]bool{}
	for _, e := range entries {
		exists[e.Name()] = true
		if !e.IsDir() {
			p.Before = append(p.Before, e.Name())
		}
	}
	pl := planner{dir: dir, in: in, exists: exists, atBase: map[string]bool{}}
	if in.Base != nil {
		for _, n := range in.Base.Names {
			pl.atBase[n] = true
		}
	}
	units := pl.units()
	p.Newest = pl.newest()
	renames := map[string]string{}
	if len(units) > 0 && len(pl.problems) == 0 {
		p.Scheme = pl.scheme()
		texts, versions, err := numbering(p.Scheme, pl.width(), p.Newest, in.Now, len(units))
		if err != nil {
			pl.refuse(ErrNumbering, "", "", "", err.Error())
		}
		for i, u := range units {
			if err != nil {
				break
			}
			m := Move{Version: u.version, Text: u.text, NewVersion: versions[i], NewText: texts[i], Why: u.why}
			for _, f := range u.files {
				r := Rename{From: f.Name, To: fileName(texts[i], f)}
				m.Files = append(m.Files, r)
				renames[r.From] = r.To
			}
			p.Moves = append(p.Moves, m)
		}
	}
	if in.Pad && len(pl.problems) == 0 {
		pl.pad(p, renames)
	}
	if in.FixNames && len(pl.problems) == 0 {
		pl.fixNames(p, renames)
	}
	for from, to := range renames {
		if exists[to] {
			pl.refuse(ErrTargetExists, "", from, "", fmt.Sprintf("cannot rename %s to %s: %s already exists", from, to, to))
		}
	}
	if len(pl.problems) > 0 {
		slices.SortStableFunc(pl.problems, func(a, b Problem) int { return cmp.Compare(a.File, b.File) })
		return nil, refuse(pl.problems)
	}
	for _, n := range p.Before {
		if to, ok := renames[n]; ok {
			n = to
		}
		p.After = append(p.After, n)
	}
	sortMigrationOrder(p.Before)
	sortMigrationOrder(p.After)
	if err := p.sum(fsys, renames); err != nil {
		return nil, err
	}
	p.Findings = append(p.Findings, StringOrder(migrationsOf(p.After))...)
	if p.Findings == nil {
		p.Findings = []finding.Finding{}
	}
	return p, nil
}

// sum records the sum file's state and computes the new one over the
// renamed folder.
func (p *Plan) sum(fsys fs.FS, renames map[string]string) error {
	if _, err := fs.Stat(fsys, atlassum.FileName); err != nil {
		p.SumBefore = atlassum.Missing
		return nil
	}
	rep, err := atlassum.Validate(fsys, ".", p.Path)
	if err != nil {
		return err
	}
	p.SumBefore = rep.State
	for _, c := range rep.Changes {
		switch c.Kind {
		case atlassum.Edited:
			p.Findings = append(p.Findings, finding.Finding{Code: atlassum.CodeEdited, Severity: finding.Warning, File: c.File, Line: c.Line,
				Message: fmt.Sprintf("%s changed since %s was written (line %d); rebase rewrites the sum from the files as they are: make sure the edit is intended", c.File, atlassum.FileName, c.Line)})
		case atlassum.Tampered:
			p.Findings = append(p.Findings, finding.Finding{Code: atlassum.CodeTampered, Severity: finding.Warning, File: atlassum.FileName, Line: 1,
				Message: atlassum.FileName + " was edited by hand (its first line does not match its lines); rebase rewrites it from the files"})
		}
	}
	view := renamedFS{fsys: fsys, toOld: invert(renames), moved: renames}
	if p.Sum, err = atlassum.Compute(view, "."); err != nil {
		return err
	}
	return nil
}

// migrationsOf returns the versions of the migration files among names (as
// written in the up file's name), in numeric order: enough for StringOrder.
func migrationsOf(names []string) *compat.Directory {
	byVersion := map[uint64]*compat.Migration{}
	d := &compat.Directory{}
	for _, n := range names {
		f, status := compat.ParseName(n)
		if status != compat.MigrationName {
			continue
		}
		m := byVersion[f.Version]
		if m == nil {
			m = &compat.Migration{Version: f.Version, VersionText: f.VersionText}
			byVersion[f.Version] = m
		}
		if f.Direction == compat.Up {
			m.VersionText = f.VersionText
		}
	}
	for _, m := range byVersion {
		d.Migrations = append(d.Migrations, *m)
	}
	slices.SortFunc(d.Migrations, func(a, b compat.Migration) int { return cmp.Compare(a.Version, b.Version) })
	return d
}

// sortMigrationOrder sorts file names by numeric version, then name;
// names golang-migrate ignores come last.
func sortMigrationOrder(names []string) {
	type key struct {
		name      string
		migration bool
		version   uint64
	}
	keys := make([]key, len(names))
	for i, n := range names {
		f, status := compat.ParseName(n)
		keys[i] = key{n, status == compat.MigrationName, f.Version}
	}
	slices.SortFunc(keys, func(a, b key) int {
		switch {
		case a.migration != b.migration:
			if a.migration {
				return -1
			}
			return 1
		case a.version != b.version:
			return cmp.Compare(a.version, b.version)
		}
		return cmp.Compare(a.name, b.name)
	})
	for i, k := range keys {
		names[i] = k.name
	}
}

// fixNames gives the extension "sql" to every file golang-migrate accepts
// under another one (compat.File.AtlasReadsUp), after the moves and pads: a
// file that moves or is padded gets it in its new name, the others a fix
// rename. The version stays as written, so golang-migrate's row and the
// revision rows keep naming the file. Backup copies are left for the user
// to delete (FM002 says so).
func (pl *planner) fixNames(p *Plan, renames map[string]string) {
	retarget := func(list []Rename, from, to string) {
		for i := range list {
			if list[i].From == from {
				list[i].To = to
			}
		}
	}
	for _, f := range pl.dir.Files {
		if f.Ext == "sql" || compat.LooksLikeBackup(f.Ext) {
			continue
		}
		if to, ok := renames[f.Name]; ok {
			g, _ := compat.ParseName(to)
			fixed := g.SQLName()
			renames[f.Name] = fixed
			for i := range p.Moves {
				retarget(p.Moves[i].Files, f.Name, fixed)
			}
			retarget(p.Pads, f.Name, fixed)
			continue
		}
		r := Rename{From: f.Name, To: f.SQLName()}
		p.Fixes = append(p.Fixes, r)
		renames[r.From] = r.To
	}
}
