package doctor

import (
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/internal/ddl"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// upFile is an up file of the folder, split and analysed once per
// diagnosis (history, implicit objects, later files and the replay all
// need it).
type upFile struct {
	stmts   []sqlsplit.Statement
	changes []ddl.Change
	err     error
}

// up reads, splits and analyses the up file of m, once.
func (dg *diagnosis) up(m compat.Migration) *upFile {
	if f, ok := dg.ups[m.Version]; ok {
		return f
	}
	f := &upFile{}
	body, err := dg.dir.ReadFile(*m.Up)
	if err == nil {
		f.stmts, err = sqlsplit.Split(dg.dialect, body)
		if err != nil {
			err = fmt.Errorf("%s: %w", m.Up.Name, err)
		}
	}
	f.err = err
	for _, st := range f.stmts {
		f.changes = append(f.changes, ddl.Analyse(dg.dialect, st.Text))
	}
	if dg.ups == nil {
		dg.ups = map[uint64]*upFile{}
	}
	dg.ups[m.Version] = f
	return f
}

// readUps yields, in the order golang-migrate runs them, the migrations
// whose up file reads and splits, with that file.
func (dg *diagnosis) readUps() iter.Seq2[compat.Migration, *upFile] {
	return func(yield func(compat.Migration, *upFile) bool) {
		for _, m := range dg.dir.Migrations {
			if m.Up == nil {
				continue
			}
			f := dg.up(m)
			if f.err != nil {
				continue
			}
			if !yield(m, f) {
				return
			}
		}
	}
}

// implied adds to the changes of the up files, in the order golang-migrate
// runs them, and of the candidates what the server does on its own (see
// ddl.Engine): the up of a candidate version follows the files before it,
// the down of the next version follows its up.
func (dg *diagnosis) implied() {
	e := ddl.NewEngine(dg.dialect)
	apply := func(e *ddl.Engine, changes []ddl.Change) {
		for i, ch := range changes {
			changes[i] = e.Apply(ch)
		}
	}
	for _, m := range dg.dir.Migrations {
		if m.Up == nil {
			continue
		}
		for _, c := range dg.Candidates {
			if c.Case == Up && c.Version == m.Version {
				apply(e.Clone(), c.changes)
			}
		}
		f := dg.up(m)
		if f.err != nil {
			continue
		}
		apply(e, f.changes)
		for _, c := range dg.Candidates {
			if c.Case == Down && c.Version == m.Version {
				apply(e.Clone(), c.changes)
			}
		}
	}
}

// findImplicit records the child objects the files name but never create
// (a server-named constraint dropped by name, say): after the CREATE TABLE
// of their table they may exist or not.
func (dg *diagnosis) findImplicit() {
	s := newSim(dg.cat)
	named := map[ddl.Ref]bool{}
	made := map[ddl.Ref]bool{}
	note := func(ch ddl.Change) {
		for _, group := range [][]ddl.Fact{ch.Requires, ch.Effects} {
			for _, f := range group {
				if f.Ref.Kind.Child() && f.Ref.Kind != ddl.Column {
					named[s.norm(f.Ref)] = true
				}
			}
		}
		for _, f := range ch.Effects {
			if f.Exists && !f.Maybe {
				made[s.norm(f.Ref)] = true
			}
		}
	}
	for _, f := range dg.readUps() {
		for _, ch := range f.changes {
			note(ch)
		}
	}
	for _, c := range dg.Candidates {
		for _, ch := range c.changes {
			note(ch)
		}
	}
	for k := range named {
		if !made[k] {
			dg.cat.implicit[k] = true
		}
	}
}

// foreignKeys finds the statements of c that declare a foreign key to a
// table that has no key the engine accepts for it: they cannot have
// succeeded, unless the key was there then and is gone now, which ferry
// only rules out where the file does not touch the referenced table.
func (dg *diagnosis) foreignKeys(c *Candidate) {
	c.badFK = map[int]string{}
	s := newSim(dg.cat)
	touched := map[ddl.Ref]bool{}
	for _, ch := range c.changes {
		for _, f := range ch.Effects {
			t := f.Ref
			if f.Ref.Kind.Child() {
				t = ddl.Ref{Kind: ddl.Table, Schema: f.Ref.Schema, Name: f.Ref.Table}
			}
			if t.Kind == ddl.Table && t.Name != "" {
				touched[s.norm(t)] = true
			}
		}
	}
	for i, ch := range c.changes {
		for _, fk := range ch.ForeignKeys {
			if touched[s.norm(fk.Table)] {
				continue
			}
			if ok, known := dg.cat.canBeReferenced(fk.Table, fk.Columns); known && !ok {
				what := "its primary key"
				if len(fk.Columns) > 0 {
					what = "(" + strings.Join(fk.Columns, ", ") + ")"
				}
				need := "no primary key, unique constraint or unique index on exactly those columns"
				if dg.dialect == engine.MySQL {
					need = "no index that starts with those columns"
				}
				c.badFK[i] = fmt.Sprintf("cannot have succeeded: its foreign key references %s %s, and that table has %s (and the file does not change it)", fk.Table, what, need)
			}
		}
	}
}

// probe tests every possible prefix of c against the catalog.
func (dg *diagnosis) probe(c *Candidate) {
	if later := dg.laterObjects(c); len(later) > 0 {
		for _, k := range c.Possible {
			c.RuledOut[k] = later
		}
		return
	}
	strict := evaluateAll(dg.cat, c, c.Possible, false)
	likely := evaluateAll(dg.cat, c, c.Possible, true)
	for _, k := range c.Possible {
		if pc := strict[k]; !pc.ok {
			c.RuledOut[k] = pc.contradictions
			continue
		}
		c.Consistent = append(c.Consistent, k)
		if likely[k].ok {
			c.Likely = append(c.Likely, k)
		}
	}
}

// laterObjects lists objects of the live schema that only files after c
// create: if they exist, those files ran, and c cannot be the run that
// failed (golang-migrate runs files in order and stops at a dirty one).
func (dg *diagnosis) laterObjects(c *Candidate) []string {
	s := newSim(dg.cat)
	mentioned := map[ddl.Ref]bool{}
	var out []string
	for _, m := range dg.dir.Migrations {
		if m.Up == nil {
			continue
		}
		var changes []ddl.Change
		if m.Version == c.Version && c.Case == Up {
			changes = c.changes
		} else {
			f := dg.up(m)
			if f.err != nil {
				return nil
			}
			changes = f.changes
		}
		for _, ch := range changes {
			if m.Version > c.Version {
				for _, f := range ch.Requires {
					key := s.norm(f.Ref)
					if f.Exists || mentioned[key] || !dg.cat.observable(f.Ref) || !dg.cat.exists(f.Ref) {
						continue
					}
					// A strict CREATE of an object no earlier file names.
					for _, e := range ch.Effects {
						if s.norm(e.Ref) == key && e.Exists {
							out = append(out, fmt.Sprintf("the database has %s, which only %s (a later version) creates: that file ran, so %s is not the run that failed", f.Ref, m.Up.Name, c.File))
						}
					}
				}
			}
			for _, group := range [][]ddl.Fact{ch.Requires, ch.Effects} {
				for _, f := range group {
					mentioned[s.norm(f.Ref)] = true
				}
			}
		}
		if c.Case == Down && m.Version == c.Version {
			for _, ch := range c.changes {
				for _, group := range [][]ddl.Fact{ch.Requires, ch.Effects} {
					for _, f := range group {
						mentioned[s.norm(f.Ref)] = true
					}
				}
			}
		}
	}
	return out
}

// checkHistory replays (without a database) the files that ran before each
// candidate, keeps the result as the candidate's starting point, and
// compares it with the live schema for the objects the candidate does not
// touch: a difference rules the candidate out (those files ran, so their
// objects must be there) and is reported as possible drift.
func (dg *diagnosis) checkHistory() {
	seen := map[string]bool{}
	for _, c := range dg.Candidates {
		s := newSim(dg.cat)
		touched := map[ddl.Ref]bool{}
		for _, ch := range c.changes {
			for _, f := range append(slices.Clone(ch.Requires), ch.Effects...) {
				touched[s.norm(f.Ref)] = true
			}
		}
		var order []ddl.Ref
		// opaque are the names statements ferry cannot read mention (a DO
		// block, a procedure call): what they did to those objects is
		// unknown, so the history claims nothing of them.
		opaque := map[string]bool{}
		for m, f := range dg.readUps() {
			if m.Version > c.Version || m.Version == c.Version && c.Case == Up {
				break
			}
			for i, ch := range f.changes {
				s.apply(ch)
				for _, e := range ch.Effects {
					order = append(order, e.Ref)
				}
				if !ch.Understood && !ch.DML && !ch.TxControl && i < len(f.stmts) {
					mentionedBy(f.stmts[i].Text, opaque)
				}
			}
		}
		c.hist = s
		var problems []string
		for _, r := range order {
			k := s.norm(r)
			if touched[k] || !dg.cat.observable(r) || opaque[strings.ToLower(r.Name)] {
				continue
			}
			if r.Kind.Child() && touched[s.norm(ddl.Ref{Kind: ddl.Table, Schema: r.Schema, Name: r.Table})] {
				continue // its table is created, dropped or renamed by the candidate
			}
			v := s.get(r)
			if v != present && v != absent {
				continue
			}
			live := dg.cat.exists(r)
			if (v == present) == live {
				continue
			}
			msg := fmt.Sprintf("the files before %s leave %s, but the database has none", c.File, r)
			if v == absent {
				msg = fmt.Sprintf("the files before %s drop %s, but the database has it", c.File, r)
			}
			if !slices.Contains(problems, msg) {
				problems = append(problems, msg)
			}
		}
		if len(problems) == 0 {
			continue
		}
		for _, k := range c.Possible {
			c.RuledOut[k] = append(c.RuledOut[k], problems...)
		}
		c.Consistent, c.Likely = nil, nil
		c.history = problems
	}
	// When no candidate explains the earlier files' objects, the schema
	// was changed by hand.
	for _, c := range dg.Candidates {
		if len(c.history) == 0 {
			return
		}
	}
	for _, c := range dg.Candidates {
		for _, msg := range c.history {
			if !seen[msg] {
				seen[msg] = true
				dg.Drift = append(dg.Drift, msg)
			}
		}
	}
}
