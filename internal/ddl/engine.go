package ddl

import (
	"fmt"
	"slices"

	"github.com/ferrymigrate/ferry/engine"
)

// Engine follows statements in the order a server runs them and adds to
// each one's Change what the server does on its own: the names it makes
// up for keys declared without one, and the objects a DROP takes along.
// It is the one place ferry models these effects; its facts are marked
// Implicit.
//
// What it models, per dialect:
//   - PostgreSQL: DROP COLUMN drops every index and constraint whose
//     definition names the column (an expression or predicate included);
//     DROP TABLE, DROP VIEW and DROP MATERIALIZED VIEW drop the relation's
//     indexes, triggers and constraints; an unnamed key is named
//     <table>_pkey, <table>_<cols>_key, <table>_<cols>_fkey (each part
//     cut so the name fits 63 bytes), an unnamed column check
//     <table>_<col>_check (a maybe: the name follows the columns the
//     expression uses).
//   - MySQL/MariaDB: DROP COLUMN removes the column from the indexes on
//     it and drops those left without a column; an unnamed foreign key is
//     named <table>_ibfk_<n>, n one more than the highest such number of
//     the table, when every foreign key of the table is known (made by
//     the files); an unnamed index takes its first column's name, or
//     _2, _3... after it (a maybe: the table's other indexes are not all
//     known).
//   - SQLite refuses to drop an indexed column: nothing to add.
//
// Objects the engine did not see created (made by hand, or by a statement
// it could not read) are unknown to it: nothing is claimed about them. A
// name it cannot be sure of is given as a maybe (Fact.Maybe), never as a
// certainty. An Engine is not safe for concurrent use.
type Engine struct {
	d      engine.Dialect
	tables map[Ref]*relation // by table key
}

// relation is what the engine knows of one table, view or materialized
// view.
type relation struct {
	children []*child
	// complete: the relation was made by a CREATE TABLE the engine read,
	// so every key and foreign key of it is known.
	complete bool
	ibfk     map[int]bool // MySQL: the numbers of its <table>_ibfk_<n> constraints
}

// child is an index, constraint or trigger of a relation.
type child struct {
	ref     Ref
	columns []string // nil: unknown
}

// NewEngine returns an engine for dialect d that knows no object yet.
func NewEngine(d engine.Dialect) *Engine {
	return &Engine{d: d, tables: map[Ref]*relation{}}
}

// Clone returns an independent copy of the engine's state.
func (e *Engine) Clone() *Engine {
	c := NewEngine(e.d)
	for k, r := range e.tables {
		nr := &relation{complete: r.complete, ibfk: map[int]bool{}}
		for n := range r.ibfk {
			nr.ibfk[n] = true
		}
		for _, ch := range r.children {
			nr.children = append(nr.children, &child{ref: ch.ref, columns: slices.Clone(ch.columns)})
		}
		c.tables[k] = nr
	}
	return c
}

func (e *Engine) tableKey(schema, name string) Ref {
	return Ref{Kind: Table, Schema: schema, Name: name}.Key(e.d)
}

func (e *Engine) rel(schema, name string, create bool) *relation {
	k := e.tableKey(schema, name)
	r := e.tables[k]
	if r == nil && create {
		r = &relation{ibfk: map[int]bool{}}
		e.tables[k] = r
	}
	return r
}

// find returns the relation and position of a child, or nil. A reference
// without a table (PostgreSQL's DROP INDEX name) is looked up by name.
func (e *Engine) find(ref Ref) (*relation, int) {
	key := ref.Key(e.d)
	if ref.Table != "" {
		r := e.rel(ref.Schema, ref.Table, false)
		if r == nil {
			return nil, -1
		}
		for i, ch := range r.children {
			if ch.ref.Key(e.d) == key {
				return r, i
			}
		}
		return nil, -1
	}
	for _, r := range e.tables {
		for i, ch := range r.children {
			if ch.ref.Kind == ref.Kind && ch.ref.Key(e.d).Name == key.Name && (ref.Schema == "" || ch.ref.Key(e.d).Schema == key.Schema) {
				return r, i
			}
		}
	}
	return nil, -1
}

// Apply records ch and returns it with what the server did on its own
// appended to its Effects (marked Implicit). ch itself is not modified.
func (e *Engine) Apply(ch Change) Change {
	out := ch
	out.Effects = slices.Clone(ch.Effects)
	add := func(f Fact) {
		f.Implicit = true
		out.Effects = append(out.Effects, f)
	}
	fx := ch.Effects
	for i := 0; i < len(fx); i++ {
		f := fx[i]
		renamed := !f.Exists && i+1 < len(fx) && fx[i+1].Exists && fx[i+1].Ref.Kind == f.Ref.Kind && !fx[i+1].Maybe && !fx[i+1].Kept
		switch f.Ref.Kind {
		case Table, View, MaterializedView:
			k := e.tableKey(f.Ref.Schema, f.Ref.Name)
			switch {
			case renamed:
				to := fx[i+1].Ref
				if r := e.tables[k]; r != nil {
					delete(e.tables, k)
					for _, c := range r.children {
						if c.ref.Table != "" {
							c.ref.Schema, c.ref.Table = to.Schema, to.Name
						}
					}
					if e.d.ForeignKeyName(to.Name, 1) != "" {
						r.complete = false // MySQL 8 renames <table>_ibfk_<n> with the table, MariaDB does not
					}
					e.tables[e.tableKey(to.Schema, to.Name)] = r
				}
				i++
			case !f.Exists:
				if r := e.tables[k]; r != nil {
					for _, c := range r.children {
						add(Fact{Ref: c.ref, Exists: false})
					}
				}
				delete(e.tables, k)
			case f.Maybe || f.Kept:
				// (CREATE TABLE IF NOT EXISTS: a table kept is not known.)
				if e.tables[k] == nil {
					e.tables[k] = &relation{ibfk: map[int]bool{}}
				}
			default:
				e.tables[k] = &relation{complete: f.Ref.Kind == Table, ibfk: map[int]bool{}}
			}
		case Column:
			if f.Ref.Table == "" || f.Exists {
				continue
			}
			r := e.rel(f.Ref.Schema, f.Ref.Table, false)
			if renamed {
				if r != nil {
					for _, c := range r.children {
						for j, col := range c.columns {
							if e.sameName(col, f.Ref.Name) {
								c.columns[j] = fx[i+1].Ref.Name
							}
						}
					}
				}
				i++
				continue
			}
			if r != nil {
				for _, gone := range e.dropColumn(r, f.Ref.Name) {
					add(gone)
				}
			}
		case Index, Constraint, Trigger:
			if f.Implicit || f.Exists && f.Maybe {
				if f.Exists && !f.Maybe {
					e.addChild(f.Ref, f.Columns)
				} else if !f.Exists {
					e.removeChild(f.Ref)
				}
				continue
			}
			if renamed {
				to := fx[i+1].Ref
				if r, j := e.find(f.Ref); r != nil {
					e.noteIbfk(r, r.children[j].ref, false)
					r.children[j].ref.Name = to.Name
					e.noteIbfk(r, r.children[j].ref, true)
				} else if key := backingKey(e.d, f.Ref); key.Kind != "" {
					// PostgreSQL: the index of a primary key, unique or
					// exclusion constraint shares its name, and renaming
					// the one renames the other.
					if r, j := e.find(key); r != nil {
						old := r.children[j].ref
						renamedTo := old
						renamedTo.Name = to.Name
						add(Fact{Ref: old, Exists: false})
						add(Fact{Ref: renamedTo, Exists: true})
						r.children[j].ref.Name = to.Name
					}
				}
				i++
				continue
			}
			if f.Exists {
				e.addChild(f.Ref, f.Columns)
			} else {
				e.removeChild(f.Ref)
			}
		}
	}
	for _, u := range ch.Unnamed {
		if f, ok := e.name(u); ok {
			add(f)
			if !f.Maybe {
				e.addChild(f.Ref, f.Columns)
			}
		}
	}
	return out
}

// backingKey returns the constraint an index of that name would back where
// the two share their name (PostgreSQL: a renamed index renames it); the
// zero Ref elsewhere.
func backingKey(d engine.Dialect, index Ref) Ref {
	if !d.KeyIndexSharesName() || index.Kind != Index {
		return Ref{}
	}
	index.Kind = Constraint
	return index
}

func (e *Engine) sameName(x, y string) bool { return e.d.SameName(x, y) }

func (e *Engine) addChild(ref Ref, columns []string) {
	if ref.Table == "" {
		return
	}
	r := e.rel(ref.Schema, ref.Table, true)
	if old, i := e.find(ref); old != nil {
		old.children = slices.Delete(old.children, i, i+1)
	}
	r.children = append(r.children, &child{ref: ref, columns: slices.Clone(columns)})
	e.noteIbfk(r, ref, true)
}

func (e *Engine) removeChild(ref Ref) {
	if r, i := e.find(ref); r != nil {
		e.noteIbfk(r, r.children[i].ref, false)
		r.children = slices.Delete(r.children, i, i+1)
	}
}

// noteIbfk keeps the numbers of a MySQL table's <table>_ibfk_<n>
// constraints.
func (e *Engine) noteIbfk(r *relation, ref Ref, exists bool) {
	if ref.Kind != Constraint {
		return
	}
	n := e.d.ForeignKeyNumber(ref.Table, ref.Name)
	if n == 0 {
		return
	}
	if exists {
		r.ibfk[n] = true
	} else {
		delete(r.ibfk, n)
	}
}

// dropColumn returns what dropping column col of r takes along, and
// forgets it.
func (e *Engine) dropColumn(r *relation, col string) []Fact {
	var out []Fact
	var keep []*child
	for _, c := range r.children {
		has := slices.ContainsFunc(c.columns, func(x string) bool { return e.sameName(x, col) })
		switch {
		case e.d.DropColumnDropsDependents() && has:
			out = append(out, Fact{Ref: c.ref, Exists: false})
			e.noteIbfk(r, c.ref, false)
			continue
		case e.d.DropColumnDropsDependents() && c.columns == nil:
			out = append(out, Fact{Ref: c.ref, Exists: false, Maybe: true})
		case e.d.DropColumnNarrowsIndexes() && has && c.ref.Kind == Index:
			c.columns = slices.DeleteFunc(c.columns, func(x string) bool { return e.sameName(x, col) })
			if len(c.columns) == 0 {
				out = append(out, Fact{Ref: c.ref, Exists: false})
				continue
			}
		case e.d.DropColumnNarrowsIndexes() && (has || c.columns == nil) && c.ref.Kind == Constraint:
			// A check on the column alone goes with it; one on more
			// columns, or a foreign key, makes the DROP fail.
			out = append(out, Fact{Ref: c.ref, Exists: false, Maybe: true})
		}
		keep = append(keep, c)
	}
	r.children = keep
	return out
}

// name returns the name the server gives an unnamed key, and whether the
// engine can tell it.
func (e *Engine) name(u Unnamed) (Fact, bool) {
	t := u.Table
	ref := func(kind Kind, name string) Ref {
		return Ref{Kind: kind, Schema: t.Schema, Table: t.Name, Name: name}
	}
	r := e.rel(t.Schema, t.Name, false)
	switch {
	case u.What == "foreign key" && e.d.ForeignKeyName(t.Name, 1) != "":
		if u.Inline && r != nil {
			r.complete = false // a foreign key or none, depending on the server
		}
		if r == nil || !r.complete {
			return Fact{}, false
		}
		n := 1
		for k := range r.ibfk {
			n = max(n, k+1)
		}
		return Fact{Ref: ref(Constraint, e.d.ForeignKeyName(t.Name, n)), Exists: true, Columns: u.Columns}, true
	case (u.What == "unique" || u.What == "index") && e.d.IndexNamedAfterColumn():
		if len(u.Columns) == 0 {
			return Fact{}, false
		}
		name := u.Columns[0]
		for n := 2; r != nil && e.taken(r, Index, name); n++ {
			name = fmt.Sprintf("%s_%d", u.Columns[0], n)
		}
		return Fact{Ref: ref(Index, name), Exists: true, Maybe: true, Columns: u.Columns}, true
	}
	name := e.d.KeyName(t.Name, u.Columns, u.What)
	switch {
	case name == "":
		return Fact{}, false
	case u.What == "check":
		// The name follows the columns the expression uses: known only
		// for a check declared with its column.
		if len(u.Columns) != 1 {
			return Fact{}, false
		}
		return Fact{Ref: ref(Constraint, name), Exists: true, Maybe: true, Columns: u.Columns}, true
	case len(u.Columns) == 0 && u.What != "primary key":
		return Fact{}, false
	}
	f := Fact{Ref: ref(Constraint, name), Exists: true, Columns: u.Columns}
	// The server adds a number to a name taken; the engine knows only the
	// names of the files' objects.
	f.Maybe = r == nil || !r.complete || e.taken(r, Constraint, name)
	return f, true
}

// taken reports whether r has a child of kind named name.
func (e *Engine) taken(r *relation, kind Kind, name string) bool {
	for _, c := range r.children {
		if c.ref.Kind == kind && e.sameName(c.ref.Name, name) {
			return true
		}
	}
	return false
}
