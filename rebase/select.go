package rebase

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ferrymigrate/ferry/compat"
)

// unit is a group of files that moves together: a migration's up and down
// files, or the new files of a duplicate version.
type unit struct {
	version uint64
	text    string
	title   string
	files   []compat.File
	// stay are the other files of a duplicate version, which keep it.
	stay []compat.File
	why  []string
}

// planner chooses the files to move and collects every reason to refuse.
type planner struct {
	dir      *compat.Directory
	in       Input
	exists   map[string]bool
	atBase   map[string]bool
	problems []Problem
}

func (pl *planner) refuse(err error, version, file, db, msg string) {
	pl.problems = append(pl.problems, Problem{Err: err, Kind: kindOf(err), Version: version, File: file, Database: db, Message: msg})
}

// filesOf returns every accepted file of version v, duplicates included, in
// name order.
func (pl *planner) filesOf(v uint64) []compat.File {
	var out []compat.File
	for _, f := range pl.dir.Files {
		if f.Version == v {
			out = append(out, f)
		}
	}
	for _, d := range pl.dir.Duplicates {
		if d.Version == v {
			f, _ := compat.ParseName(d.File)
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b compat.File) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

func (pl *planner) duplicated(v uint64) bool {
	for _, d := range pl.dir.Duplicates {
		if d.Version == v {
			return true
		}
	}
	return false
}

// late returns the versions to move with the reasons: the named ones, or
// the late files against the git base and every database, and every
// duplicate version.
func (pl *planner) late() (map[uint64][]string, []uint64) {
	why := map[uint64][]string{}
	var order []uint64
	add := func(v uint64, reason string) {
		if _, ok := why[v]; !ok {
			order = append(order, v)
		}
		if !slices.Contains(why[v], reason) {
			why[v] = append(why[v], reason)
		}
	}
	if len(pl.in.Versions) > 0 {
		for _, s := range pl.in.Versions {
			v, err := strconv.ParseUint(s, 10, 64)
			if err != nil || len(pl.filesOf(v)) == 0 {
				pl.refuse(ErrUnknownVersion, s, "", "", fmt.Sprintf("no migration file in %s has version %s", pl.in.Path, s))
				continue
			}
			add(v, "named on the command line")
		}
		return why, order
	}
	var found []Late
	var added map[uint64]bool
	if pl.in.Base != nil {
		found = append(found, AgainstGit(pl.dir, *pl.in.Base)...)
		added = Added(pl.dir, *pl.in.Base)
	}
	for _, d := range pl.in.Databases {
		if len(d.Revisions) > 0 {
			found = append(found, AgainstRevisions(pl.dir, d.Revisions, d.Name)...)
		} else if added != nil {
			found = append(found, AgainstLegacy(pl.dir, added, d.Version, d.Name)...)
		}
	}
	for _, l := range found {
		add(l.Version, reason(l))
	}
	for _, d := range pl.dir.Duplicates {
		if _, ok := why[d.Version]; !ok {
			add(d.Version, fmt.Sprintf("more than one file has version %d (golang-migrate refuses the folder)", d.Version))
		}
	}
	return why, order
}

func reason(l Late) string {
	switch {
	case l.Collision && strings.HasPrefix(l.Against, "git "):
		return fmt.Sprintf("another file has version %d after the merge with %s (golang-migrate refuses the folder)", l.Version, l.Against[4:])
	case l.Collision:
		return fmt.Sprintf("%s is at version %d, which another file gave it", l.Against, l.Newest)
	case strings.HasPrefix(l.Against, "git "):
		return fmt.Sprintf("new since %s, older than its newest version %d", l.Against[4:], l.Newest)
	}
	return fmt.Sprintf("never applied to %s, which is at %d", l.Against, l.Newest)
}

// units turns the late versions into groups of files to move, checking
// each against every database.
func (pl *planner) units() []unit {
	why, order := pl.late()
	var out []unit
	for _, v := range order {
		var us []unit
		if pl.duplicated(v) {
			us = pl.collision(v)
		} else {
			m, _ := pl.dir.Lookup(v)
			u := unit{version: v, text: m.VersionText, title: m.Title}
			for _, f := range []*compat.File{m.Up, m.Down} {
				if f != nil {
					u.files = append(u.files, *f)
				}
			}
			us = []unit{u}
		}
		for _, u := range us {
			u.why = why[v]
			if pl.check(u) {
				out = append(out, u)
			}
		}
	}
	slices.SortFunc(out, func(a, b unit) int {
		if c := cmp.Compare(a.version, b.version); c != 0 {
			return c
		}
		return cmp.Compare(a.files[0].Name, b.files[0].Name)
	})
	return out
}

// collision splits the files of a duplicate version into groups (version
// as written, title and extension) and returns the groups to move: those new since
// the git base, keeping the first new group when every group is new.
func (pl *planner) collision(v uint64) []unit {
	files := pl.filesOf(v)
	if pl.in.Base == nil {
		pl.refuse(ErrAmbiguous, strconv.FormatUint(v, 10), files[0].Name, "", fmt.Sprintf("%s: version %d has more than one file (%s); give --git-base REF so that rebase can tell which one is new", pl.in.Path, v, joinNames(files)))
		return nil
	}
	type key struct{ text, title, ext string }
	var keys []key
	groups := map[key][]compat.File{}
	for _, f := range files {
		k := key{f.VersionText, f.Title, f.Ext}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], f)
	}
	for _, g := range groups {
		slices.SortStableFunc(g, func(a, b compat.File) int { return cmp.Compare(b.Direction, a.Direction) }) // up, then down
	}
	var stay, move []key
	for _, k := range keys {
		old := false
		for _, f := range groups[k] {
			old = old || pl.atBase[f.Name]
		}
		if old {
			stay = append(stay, k)
		} else {
			move = append(move, k)
		}
	}
	if len(stay) == 0 && len(move) > 0 {
		stay, move = move[:1], move[1:]
	}
	if len(move) == 0 || len(stay) > 1 {
		pl.refuse(ErrAmbiguous, strconv.FormatUint(v, 10), files[0].Name, "", fmt.Sprintf("%s: version %d has more than one file (%s), and they were already at %s: this merge did not make the duplicate; rename one of them by hand (git mv)", pl.in.Path, v, joinNames(files), pl.in.Base.Ref))
		return nil
	}
	var kept []compat.File
	for _, k := range stay {
		kept = append(kept, groups[k]...)
	}
	var out []unit
	for _, k := range move {
		out = append(out, unit{version: v, text: k.text, title: k.title, files: groups[k], stay: kept})
	}
	return out
}

func joinNames(files []compat.File) string {
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}

// check refuses a unit that a database has applied, or whose version is a
// database's current version (golang-migrate needs its file), or that
// looks like a backup copy. It reports whether the unit may move.
func (pl *planner) check(u unit) bool {
	ok := true
	ver := strconv.FormatUint(u.version, 10)
	for _, f := range u.files {
		if backup(f.Ext) {
			pl.refuse(ErrBackupFile, ver, f.Name, "", fmt.Sprintf("%s looks like a backup or editor copy, not a migration: delete it instead of renumbering it", f.Name))
			ok = false
		}
	}
	for _, d := range pl.in.Databases {
		if applied, how := pl.applied(u, d); applied {
			pl.refuse(ErrApplied, ver, u.files[0].Name, d.Name, fmt.Sprintf("%s has applied %s (%s): renumbering it would make golang-migrate run it there again; leave it, or roll it back there first", d.Name, u.files[0].Name, how))
			ok = false
			continue
		}
		if d.Version >= 0 && uint64(d.Version) == u.version && !pl.versionKept(u) {
			pl.refuse(ErrCurrentVersion, ver, u.files[0].Name, d.Name, fmt.Sprintf("version %d is the current version of %s (golang-migrate's row): renaming %s would leave it without a file (golang-migrate: no migration found for version %d)", u.version, d.Name, u.files[0].Name, u.version))
			ok = false
		}
	}
	return ok
}

// backup reports whether an extension looks like an editor or merge-tool
// copy (compat reports such files as FM002 and FM006).
func backup(ext string) bool { return compat.LooksLikeBackup(ext) }

// versionKept reports whether the version of u keeps a file after u moves:
// another file of a duplicate version, or one at the git base.
func (pl *planner) versionKept(u unit) bool {
	if len(u.stay) > 0 {
		return true
	}
	if pl.in.Base == nil {
		return false
	}
	for _, n := range pl.in.Base.Names {
		if f, st := compat.ParseName(n); st == compat.MigrationName && f.Version == u.version && !slices.ContainsFunc(u.files, func(g compat.File) bool { return g.Name == n }) {
			return true
		}
	}
	return false
}

// applied reports whether database d has applied u, and how it is known.
// With revision rows: a row with u's version; for a duplicate version the
// row's description (the file's title) tells which file it was, and a row
// that matches neither counts as applied. With only golang-migrate's row:
// u's version is at or below it and, with a git base, u's files were
// already there (files new since the base were never deployed).
func (pl *planner) applied(u unit, d Database) (bool, string) {
	if len(d.Revisions) > 0 {
		for _, r := range d.Revisions {
			v, err := strconv.ParseUint(r.Version, 10, 64)
			if err != nil || v != u.version {
				continue
			}
			if len(u.stay) == 0 || r.Description == u.title {
				return true, fmt.Sprintf("revision %s", r.Version)
			}
			for _, f := range u.stay {
				if f.Title == r.Description && f.Title != u.title {
					return false, ""
				}
			}
			return true, fmt.Sprintf("revision %s, whose description %q matches neither file of the version", r.Version, r.Description)
		}
		return false, ""
	}
	if d.Version < 0 || u.version > uint64(d.Version) {
		return false, ""
	}
	if pl.in.Base == nil {
		return true, fmt.Sprintf("golang-migrate is at version %d", d.Version)
	}
	for _, f := range u.files {
		if pl.atBase[f.Name] {
			return true, fmt.Sprintf("golang-migrate is at version %d and the file was already at %s", d.Version, pl.in.Base.Ref)
		}
	}
	return false, ""
}

// newest returns the newest version of the folder, the git base and every
// database.
func (pl *planner) newest() uint64 {
	var top uint64
	for _, f := range pl.dir.Files {
		top = max(top, f.Version)
	}
	if pl.in.Base != nil {
		if v, ok := newest(pl.in.Base.Names); ok {
			top = max(top, v)
		}
	}
	for _, d := range pl.in.Databases {
		if d.Version > 0 {
			top = max(top, uint64(d.Version))
		}
		for _, r := range d.Revisions {
			if v, err := strconv.ParseUint(r.Version, 10, 64); err == nil {
				top = max(top, v)
			}
		}
	}
	return top
}
