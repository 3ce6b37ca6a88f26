package doctor

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/inspect"
	"github.com/ferrymigrate/ferry/internal/ddl"
	"github.com/ferrymigrate/ferry/revision"
)

// FileState is what the live schema shows of one up file.
type FileState string

const (
	// FileApplied: the objects the file creates (or drops) are as the
	// file leaves them.
	FileApplied FileState = "applied"
	// FileUndone: they are as they were before the file: it never ran, or
	// its down ran since.
	FileUndone FileState = "undone"
	// FileUnclear: the schema cannot tell (the file changes rows only, its
	// objects are not observable, or the evidence disagrees).
	FileUnclear FileState = "unclear"
)

// FileEvidence is what the live schema shows of one up file.
type FileEvidence struct {
	Version uint64    `json:"version"`
	File    string    `json:"file"`
	State   FileState `json:"state"`
	// For and Against are the facts that say the file's effects are in
	// place, and those that say they are not.
	For     []string `json:"for,omitempty"`
	Against []string `json:"against,omitempty"`
}

// AheadEvidence weighs whether the up files above golang-migrate's row, up
// to the newest revision, ran: the case of revisions ahead of the row.
type AheadEvidence struct {
	From  int64          `json:"from"` // golang-migrate's version (-1: none)
	To    uint64         `json:"to"`   // the newest complete revision
	State FileState      `json:"state"`
	Files []FileEvidence `json:"files"`
}

// Summary says in one line what the schema shows, naming the facts.
func (a *AheadEvidence) Summary() string {
	var facts []string
	for _, f := range a.Files {
		for _, e := range f.For {
			facts = append(facts, f.File+": "+e)
		}
		for _, e := range f.Against {
			facts = append(facts, f.File+": "+e)
		}
	}
	if len(facts) > 4 {
		facts = append(facts[:4], fmt.Sprintf("and %d more", len(facts)-4))
	}
	switch a.State {
	case FileApplied:
		return "the schema shows the files applied (" + strings.Join(facts, "; ") + ")"
	case FileUndone:
		return "the schema shows the files undone (" + strings.Join(facts, "; ") + ")"
	}
	if len(facts) == 0 {
		return "the schema cannot show whether the files ran (their statements create or drop nothing ferry can probe)"
	}
	return "the schema does not tell whether the files ran (" + strings.Join(facts, "; ") + ")"
}

// Conn is what Ahead reads through: a *sql.DB or a *sql.Conn.
type Conn interface {
	revision.Querier
	inspect.Beginner
}

// Ahead reads the live schema of db (opened on u) and tells, for each up
// file of dir above version from up to and including to, whether the
// objects it creates or drops are as the files leave them at to (applied)
// or as they were at from (undone). It only reads. The overall state is
// applied when some file shows applied and none undone, undone in the
// opposite case, and unclear otherwise.
func Ahead(ctx context.Context, db Conn, u *compat.DatabaseURL, dir *compat.Directory, from int64, to uint64) (*AheadEvidence, error) {
	dg := &diagnosis{Diagnosis: &Diagnosis{Database: u.Redacted()}, dialect: u.Dialect, url: u, dir: dir}
	live, err := inspect.Inspect(ctx, db, u.Dialect, inspect.OptionsFor(u))
	if err != nil {
		return nil, fmt.Errorf("describe the schema of %s: %w", dg.Database, err)
	}
	schemas, err := schemaNames(ctx, db, dg.dialect)
	if err != nil {
		return nil, err
	}
	caseTables, err := caseSensitiveTables(ctx, db, dg.dialect)
	if err != nil {
		return nil, err
	}
	dg.live, dg.cat = live, newCatalog(dg.dialect, live, schemas, caseTables)
	dg.findImplicit()

	s := newSim(dg.cat)
	var atFrom *sim
	type touched struct {
		m    compat.Migration
		refs []ddl.Ref
	}
	var above []touched
	for _, m := range dir.Migrations {
		if m.Version > to {
			break
		}
		if int64(m.Version) > from && atFrom == nil {
			atFrom = s.clone()
		}
		if m.Up == nil {
			continue
		}
		f := dg.up(m)
		if f.err != nil {
			return nil, fmt.Errorf("read %s: %w", m.Up.Name, f.err)
		}
		t := touched{m: m}
		for _, ch := range f.changes {
			s.apply(ch)
			for _, e := range ch.Effects {
				if !slices.Contains(t.refs, e.Ref) {
					t.refs = append(t.refs, e.Ref)
				}
			}
		}
		if int64(m.Version) > from {
			above = append(above, t)
		}
	}
	if atFrom == nil {
		atFrom = s.clone()
	}
	ev := &AheadEvidence{From: from, To: to, State: FileUnclear}
	applied, undone := 0, 0
	for _, t := range above {
		fe := FileEvidence{Version: t.m.Version, File: t.m.Up.Name, State: FileUnclear}
		for _, r := range t.refs {
			if !dg.cat.observable(r) {
				continue
			}
			want := s.get(r)
			if want != present && want != absent || atFrom.get(r) == want {
				continue // not known, or the same before and after the files
			}
			has := dg.cat.exists(r)
			switch {
			case has && want == present:
				fe.For = append(fe.For, fmt.Sprintf("%s exists", r))
			case !has && want == absent:
				fe.For = append(fe.For, fmt.Sprintf("%s is gone", r))
			case has:
				fe.Against = append(fe.Against, fmt.Sprintf("%s still exists", r))
			default:
				fe.Against = append(fe.Against, fmt.Sprintf("%s does not exist", r))
			}
		}
		switch {
		case len(fe.For) > 0 && len(fe.Against) == 0:
			fe.State = FileApplied
			applied++
		case len(fe.Against) > 0 && len(fe.For) == 0:
			fe.State = FileUndone
			undone++
		case len(fe.For) > 0:
			applied, undone = applied+1, undone+1 // mixed: counts both ways
		}
		ev.Files = append(ev.Files, fe)
	}
	switch {
	case applied > 0 && undone == 0:
		ev.State = FileApplied
	case undone > 0 && applied == 0:
		ev.State = FileUndone
	}
	return ev, nil
}
