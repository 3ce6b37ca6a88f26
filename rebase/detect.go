// Package rebase finds migration files that golang-migrate would skip or
// refuse after a merge (out of order, or colliding versions), and renumbers
// them after the newest version.
package rebase

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/finding"
	"github.com/ferrymigrate/ferry/revision"
)

// Finding codes about ordering; see docs/findings.md.
const (
	CodeLateGit      = "FM301" // new since the git base, older than the base's newest version
	CodeLateDatabase = "FM302" // never applied to a database whose newest applied version is newer
	CodeCollision    = "FM303" // two files with one version after a merge
	CodeStringOrder  = "FM304" // versions sort differently as strings (Atlas) and as numbers
)

// Late is a file (a version) that would be skipped or refused.
type Late struct {
	Version uint64
	Text    string // version as written
	Files   []string
	// Against is what it is late against: "git REF" or a redacted URL.
	Against string
	// Newest is the newest version there.
	Newest uint64
	// Collision is true when another file has the same version.
	Collision bool
}

// Base is the migration folder as it is at a git commit.
type Base struct {
	Ref   string
	Names []string
}

// newest returns the newest accepted version among names.
func newest(names []string) (uint64, bool) {
	var max uint64
	found := false
	for _, n := range names {
		f, status := compat.ParseName(n)
		if status == compat.MigrationName && (!found || f.Version > max) {
			max, found = f.Version, true
		}
	}
	return max, found
}

// Added returns the versions of the folder whose files are all new since
// base (a version that kept one of its files is not new, and neither is a
// version one of whose duplicate files was there).
func Added(dir *compat.Directory, base Base) map[uint64]bool {
	at := map[string]bool{}
	for _, n := range base.Names {
		at[n] = true
	}
	added := map[uint64]bool{}
	for _, m := range dir.Migrations {
		isNew := true
		for _, f := range []*compat.File{m.Up, m.Down} {
			if f != nil && at[f.Name] {
				isNew = false
			}
		}
		if isNew {
			added[m.Version] = true
		}
	}
	for _, d := range dir.Duplicates {
		if at[d.File] {
			delete(added, d.Version)
		}
	}
	return added
}

// AgainstGit reports files added since base whose version is not above the
// newest version present at base, and duplicate versions where one file is
// new since base: golang-migrate skips the first kind on every database
// already past them, and refuses the whole folder for the second.
func AgainstGit(dir *compat.Directory, base Base) []Late {
	top, ok := newest(base.Names)
	at := map[string]bool{}
	baseVersions := map[uint64]bool{}
	for _, n := range base.Names {
		at[n] = true
		if f, status := compat.ParseName(n); status == compat.MigrationName {
			baseVersions[f.Version] = true
		}
	}
	var out []Late
	added := Added(dir, base)
	for _, m := range dir.Migrations {
		// A new version equal to one at base whose file is not in the folder
		// (the branch is not merged yet) collides once it is merged.
		if ok && added[m.Version] && (m.Version < top || baseVersions[m.Version]) {
			out = append(out, Late{Version: m.Version, Text: m.VersionText, Files: names(m), Against: "git " + base.Ref, Newest: top, Collision: baseVersions[m.Version]})
		}
	}
	// Collisions: a duplicate whose file is new since base, or a version
	// new since base that equals one at base.
	for _, d := range dir.Duplicates {
		newFile := d.File
		if at[d.File] && !at[d.First] {
			newFile = d.First
		}
		if at[newFile] {
			continue // both at base: not this merge's doing (FM006 reports it)
		}
		out = append(out, Late{Version: d.Version, Text: versionText(newFile), Files: []string{newFile}, Against: "git " + base.Ref, Newest: top, Collision: true})
	}
	slices.SortFunc(out, func(a, b Late) int {
		if a.Version != b.Version {
			if a.Version < b.Version {
				return -1
			}
			return 1
		}
		return 0
	})
	return out
}

func versionText(name string) string {
	f, _ := compat.ParseName(name)
	return f.VersionText
}

func names(m compat.Migration) []string {
	var out []string
	for _, f := range []*compat.File{m.Up, m.Down} {
		if f != nil {
			out = append(out, f.Name)
		}
	}
	return out
}

// AgainstRevisions reports files with no revision row below the newest
// revision: never applied there, and golang-migrate never will.
func AgainstRevisions(dir *compat.Directory, rows []revision.Row, against string) []Late {
	applied := map[uint64]bool{}
	var top uint64
	for _, r := range rows {
		if n, err := strconv.ParseUint(r.Version, 10, 64); err == nil {
			applied[n] = true
			top = max(top, n)
		}
	}
	var out []Late
	for _, m := range dir.Migrations {
		if !applied[m.Version] && m.Version < top {
			out = append(out, Late{Version: m.Version, Text: m.VersionText, Files: names(m), Against: against, Newest: top})
		}
	}
	return out
}

// AgainstLegacy reports files new since base whose version is not above the
// database's golang-migrate version: golang-migrate will never run them
// there. Without a git base it cannot tell which files are new.
func AgainstLegacy(dir *compat.Directory, added map[uint64]bool, version int64, against string) []Late {
	if version < 0 {
		return nil
	}
	var out []Late
	for _, m := range dir.Migrations {
		if added[m.Version] && m.Version <= uint64(version) {
			out = append(out, Late{Version: m.Version, Text: m.VersionText, Files: names(m), Against: against, Newest: uint64(version), Collision: m.Version == uint64(version)})
		}
	}
	return out
}

// Findings turns late files into findings.
func Findings(late []Late) []finding.Finding {
	var out []finding.Finding
	for _, l := range late {
		code, msg := CodeLateGit, ""
		switch {
		case l.Collision && l.Against[:3] == "git":
			code = CodeCollision
			msg = fmt.Sprintf("%s has version %d, which another file already has (after the merge with %s): golang-migrate refuses the whole folder; renumber it with ferry rebase", l.Files[0], l.Version, l.Against[4:])
		case l.Collision:
			code = CodeLateDatabase
			msg = fmt.Sprintf("%s is new but has version %d, the version %s is already at: golang-migrate will never run it there; renumber it with ferry rebase", l.Files[0], l.Version, l.Against)
		case l.Against[:3] == "git":
			msg = fmt.Sprintf("%s (version %d) is new since %s but older than its newest version %d: golang-migrate skips it on every database already past %d; renumber it with ferry rebase", l.Files[0], l.Version, l.Against[4:], l.Newest, l.Newest)
		default:
			code = CodeLateDatabase
			msg = fmt.Sprintf("%s (version %d) was never applied to %s, which is already at %d: golang-migrate will never run it there; renumber it with ferry rebase (or ferry apply --allow-out-of-order)", l.Files[0], l.Version, l.Against, l.Newest)
		}
		out = append(out, finding.Finding{Code: code, Severity: finding.Error, Message: msg, File: l.Files[0], Version: l.Text})
	}
	return out
}

// StringOrder reports versions whose order as strings (Atlas) differs from
// their numeric order (golang-migrate): unpadded sequences.
func StringOrder(dir *compat.Directory) []finding.Finding {
	later, earlier, ok := FirstStringDisorder(dir)
	if !ok {
		return nil
	}
	return []finding.Finding{{Code: CodeStringOrder, Severity: finding.Warning, Version: later,
		Message: fmt.Sprintf("versions sort differently as text and as numbers (%s after %s): Atlas and the revisions table compare them as text; zero-pad them with ferry rebase --pad before handing the databases to Atlas", later, earlier)}}
}

// FirstStringDisorder returns the first version (as written) that sorts
// before its predecessor as text although it follows it as a number, and
// that predecessor.
func FirstStringDisorder(dir *compat.Directory) (later, earlier string, ok bool) {
	ms := dir.Migrations
	for i := 1; i < len(ms); i++ {
		if ms[i-1].VersionText > ms[i].VersionText {
			return ms[i].VersionText, ms[i-1].VersionText, true
		}
	}
	return "", "", false
}
