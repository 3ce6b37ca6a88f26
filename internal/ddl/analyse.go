package ddl

import (
	"strings"

	"github.com/ferrymigrate/ferry/engine"
)

// analyser reads one statement.
type analyser struct {
	text string
	d    engine.Dialect
	c    *Cursor
	ch   Change
}

func (a *analyser) effect(exists bool, r Ref) {
	a.ch.Effects = append(a.ch.Effects, Fact{Ref: r, Exists: exists})
}

// require records what must hold before the statement, unless an earlier
// clause of the same statement makes it hold (ALTER TABLE t DROP INDEX k,
// ADD INDEX k (...): the ADD needs no k, which the DROP just gave it).
func (a *analyser) require(exists bool, r Ref) {
	key := r.Key(a.d)
	for _, f := range a.ch.Effects {
		if f.Exists == exists && !f.Maybe && f.Ref.Key(a.d) == key {
			return
		}
	}
	a.ch.Requires = append(a.ch.Requires, Fact{Ref: r, Exists: exists})
}

func (a *analyser) inverse(sql string, destroys bool) {
	a.ch.Inverse = append(a.ch.Inverse, sql)
	a.ch.InverseDestroys = a.ch.InverseDestroys || destroys
}

// Analyse reads what the statement text (one statement, as split by
// sqlsplit for dialect d) does.
func Analyse(d engine.Dialect, text string) Change {
	a := &analyser{text: text, d: d, c: NewCursor(d, text)}
	for _, t := range a.c.T {
		if t.Quoted || t.Upper != "" && !keyword[t.Upper] {
			a.ch.Mentions = append(a.ch.Mentions, t.Text)
		}
	}
	a.ch.Invertible = true
	c := a.c
	switch {
	case c.Accept("BEGIN"), c.Accept("START", "TRANSACTION"), c.Accept("COMMIT"), c.Accept("END"), c.Accept("ROLLBACK"), c.Accept("SAVEPOINT"), c.Accept("RELEASE"):
		a.ch.TxControl, a.ch.Understood = true, true
	case c.Accept("CREATE"):
		a.create()
	case c.Accept("DROP"):
		a.drop()
	case c.Accept("ALTER"):
		a.alter()
	case c.Accept("RENAME", "TABLE"):
		a.renameTables()
	case c.Accept("INSERT"), c.Accept("REPLACE"):
		c.Accept("IGNORE")
		c.Accept("INTO")
		a.dml(true)
	case c.Accept("UPDATE"):
		c.Accept("ONLY")
		a.dml(false)
	case c.Accept("DELETE", "FROM"):
		c.Accept("ONLY")
		a.dml(false)
	case c.Accept("TRUNCATE"):
		c.Accept("TABLE")
		a.dml(false)
		a.ch.Destroys = true
	default:
		a.ch.Invertible = false
	}
	if !a.ch.Invertible {
		a.ch.Inverse, a.ch.InverseDestroys = nil, false
	}
	return a.ch
}

// keyword lists words that never name an object, so that error matching
// does not hit them.
var keyword = wordSet(`ADD ALTER AND AS ASC BEGIN BIGINT BOOLEAN BY CASCADE CHECK COLUMN COMMIT CONSTRAINT CREATE
		DEFAULT DELETE DESC DROP EXISTS FOREIGN FROM FUNCTION IF IN INDEX INSERT INT INTEGER INTO KEY NOT NULL ON OR
		PRIMARY REFERENCES RENAME REPLACE RETURNS SELECT SET TABLE TEXT TO TRIGGER TYPE UNIQUE UPDATE VALUES VARCHAR VIEW
		WHERE WITH SERIAL BIGSERIAL TIMESTAMP TIMESTAMPTZ NOW CURRENT_TIMESTAMP TRUE FALSE ENGINE CHARSET UTF8MB4 INNODB`)

// wordSet returns the set of the words in s.
func wordSet(s string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(s) {
		set[w] = true
	}
	return set
}

// name reads [schema.]name.
func (a *analyser) name() (schema, name string, ok bool) { return a.c.Name(a.d) }

// ident quotes a name for generated SQL.
func (a *analyser) ident(s string) string { return a.d.QuoteName(s) }

// qualified quotes [schema.]name.
func (a *analyser) qualified(schema, name string) string {
	if schema != "" {
		return a.ident(schema) + "." + a.ident(name)
	}
	return a.ident(name)
}

func (a *analyser) create() {
	c := a.c
	replace := c.Accept("OR", "REPLACE")
	for c.Accept("DEFINER") { // MySQL: DEFINER = user[@host]
		c.SkipUntil("PROCEDURE", "FUNCTION", "TRIGGER", "EVENT", "VIEW")
		c.I--
	}
	if c.Accept("GLOBAL") || c.Accept("LOCAL") || c.Accept("TEMP") || c.Accept("TEMPORARY") {
		a.ch.Understood = true // temporary objects do not outlive the session
		return
	}
	c.Accept("UNLOGGED")
	var kind Kind
	switch {
	case c.Accept("TABLE"):
		kind = Table
	case c.Accept("MATERIALIZED", "VIEW"):
		kind = MaterializedView
	case c.Accept("RECURSIVE", "VIEW"), c.Accept("VIEW"):
		kind = View
	case c.Accept("ALGORITHM"), c.Accept("SQL"):
		if c.SkipUntil("VIEW") != "VIEW" {
			a.ch.Invertible = false
			return
		}
		kind = View
	case c.Accept("INDEX"), c.Accept("UNIQUE", "INDEX"), c.Accept("FULLTEXT", "INDEX"), c.Accept("SPATIAL", "INDEX"):
		kind = Index
	default:
		if kind = objectKind(a.d, c); kind == "" {
			a.ch.Invertible = false
			return
		}
	}
	if kind == Index {
		c.Accept("CONCURRENTLY")
	}
	ifNotExists := c.Accept("IF", "NOT", "EXISTS")
	schema, name, ok := a.name()
	if !ok || kind == Index && strings.EqualFold(name, "ON") && !c.T[c.I-1].Quoted {
		a.ch.Invertible = false // an unnamed index: its name is the server's choice
		return
	}
	r := Ref{Kind: kind, Schema: schema, Name: name}
	if kind == Table && !a.columnsListed() {
		// CREATE TABLE ... AS / LIKE / INHERITS / PARTITION OF: the
		// columns are the server's. Claiming the table alone would say
		// that it has no columns (a new table has only those listed), so
		// it is Opaque, not an effect.
		a.ch.Opaque = append(a.ch.Opaque, r)
		a.ch.Invertible = false
		return
	}
	a.ch.Understood = true
	overloads := a.d.RoutinesOverload() && (kind == Function || kind == Procedure)
	if !ifNotExists && !replace && !overloads {
		// (A PostgreSQL function may share its name with another of
		// other arguments.)
		a.require(false, r)
	}
	switch kind {
	case Table:
		if ifNotExists {
			// The table may have been there already, with other columns:
			// only that it exists afterwards is certain (its listed
			// columns only if it was created now, hence Kept), and undoing
			// it could drop a table the file did not create.
			a.ch.Effects = append(a.ch.Effects, Fact{Ref: r, Exists: true, Kept: true})
			from := len(a.ch.Effects)
			a.tableBody(r)
			for i := from; i < len(a.ch.Effects); i++ {
				a.ch.Effects[i].Kept = true
			}
			a.ch.Invertible = false
			return
		}
		a.effect(true, r)
		a.tableBody(r)
		a.inverse("DROP TABLE "+a.qualified(schema, name), true)
	case Index, Trigger:
		if c.SkipUntil("ON") != "ON" {
			a.ch.Understood, a.ch.Invertible = false, false
			return
		}
		c.Accept("ONLY")
		ts, tn, ok := a.name()
		if !ok {
			a.ch.Understood, a.ch.Invertible = false, false
			return
		}
		r.Table = tn
		if r.Schema == "" {
			r.Schema = ts // a PostgreSQL index lives in its table's schema
		}
		a.ch.Requires = nil
		a.require(true, Ref{Kind: Table, Schema: ts, Name: tn})
		if !ifNotExists && !replace {
			a.require(false, r)
		}
		a.effect(true, r)
		if kind == Index {
			a.ch.Effects[len(a.ch.Effects)-1].Columns = a.keyColumns(c.T[c.I:])
		}
		if ifNotExists || replace {
			a.ch.Invertible = false // it may have kept, or replaced, an older one
			return
		}
		switch {
		case kind == Index && a.d.IndexNamesPerTable():
			a.inverse("DROP INDEX "+a.ident(name)+" ON "+a.qualified(ts, tn), false)
		case kind == Index:
			a.inverse("DROP INDEX "+a.qualified(r.Schema, name), false)
		case a.d.TriggerNamesPerTable():
			a.inverse("DROP TRIGGER "+a.ident(name)+" ON "+a.qualified(ts, tn), false)
		default:
			a.inverse("DROP TRIGGER "+a.qualified(schema, name), false)
		}
	default:
		a.effect(true, r)
		if replace || ifNotExists {
			a.ch.Invertible = false // it may have replaced, or kept, an older one
			return
		}
		word := strings.ToUpper(string(kind))
		if kind == Schema && a.d.DatabaseIsSchema() {
			word = "DATABASE"
		}
		if kind == Type && a.c.T[a.startOfKind()].Upper == "DOMAIN" {
			word = "DOMAIN"
		}
		target := a.qualified(schema, name)
		if overloads {
			sig, ok := a.signature()
			if !ok {
				a.ch.Invertible = false
				return
			}
			target += sig
		}
		a.inverse("DROP "+word+" "+target, kind == MaterializedView)
	}
}

// signature reads the argument list of a PostgreSQL CREATE FUNCTION or
// PROCEDURE at the cursor and returns it as DROP FUNCTION takes it
// (without defaults), so that the inverse drops this overload only.
func (a *analyser) signature() (string, bool) {
	c := a.c
	if !c.AcceptPunct('(') {
		return "", false
	}
	var args []string
	for _, item := range a.items() {
		var parts []string
		for _, t := range item {
			if !t.Quoted && !t.String && (t.Upper == "DEFAULT" || t.Punct == '=') {
				break
			}
			switch {
			case t.String:
				return "", false
			case t.Punct == '[':
				// An array type (text[]): written back as read, it
				// would not be the type's name.
				return "", false
			case t.Quoted:
				parts = append(parts, a.ident(t.Text))
			case t.Upper != "":
				parts = append(parts, t.Text)
			default:
				parts = append(parts, string(t.Punct))
			}
		}
		if len(parts) > 0 {
			args = append(args, strings.Join(parts, " "))
		}
	}
	return "(" + strings.Join(args, ", ") + ")", true
}

// columnsListed reports whether the CREATE TABLE at the cursor (after its
// name) lists every column of the new table: a parenthesised list without
// LIKE items, and no INHERITS or query after it. The cursor does not move.
func (a *analyser) columnsListed() bool {
	c := &Cursor{T: a.c.T, I: a.c.I}
	if !c.AcceptPunct('(') {
		return false // AS SELECT, LIKE, PARTITION OF, OF type
	}
	depth := 0
	for i := c.I; i < len(c.T); i++ {
		t := c.T[i]
		if t.Quoted || t.String {
			continue
		}
		switch {
		case t.Punct == '(':
			depth++
		case t.Punct == ')':
			depth--
		case depth < 0 && (t.Upper == "INHERITS" || t.Upper == "AS" || t.Upper == "SELECT"):
			return false // inherited columns; MySQL's CREATE TABLE (...) SELECT adds the query's
		case depth == 0 && t.Upper == "LIKE" && (i == c.I || c.T[i-1].Punct == ','):
			return false
		}
	}
	return true
}

// keyWhat maps the word that starts a key's definition to what it is.
var keyWhat = map[string]string{"PRIMARY": "primary key", "UNIQUE": "unique", "FOREIGN": "foreign key", "CHECK": "check"}

// relationKind reads the relation kinds (and INDEX [CONCURRENTLY]) that
// DROP and ALTER share, or returns "".
func relationKind(c *Cursor) Kind {
	switch {
	case c.Accept("TABLE"):
		return Table
	case c.Accept("MATERIALIZED", "VIEW"):
		return MaterializedView
	case c.Accept("VIEW"):
		return View
	case c.Accept("INDEX"):
		c.Accept("CONCURRENTLY")
		return Index
	}
	return ""
}

// objectKind reads the object kinds CREATE and DROP share besides
// relations and indexes, or returns "". DATABASE is a schema where the
// dialect says so (MySQL); elsewhere it is another database, not an
// object of this one.
func objectKind(d engine.Dialect, c *Cursor) Kind {
	switch {
	case c.Accept("SEQUENCE"):
		return Sequence
	case c.Accept("FUNCTION"):
		return Function
	case c.Accept("PROCEDURE"):
		return Procedure
	case c.Accept("TYPE"), c.Accept("DOMAIN"):
		return Type
	case c.Accept("TRIGGER"):
		return Trigger
	case c.Accept("SCHEMA"):
		return Schema
	case d.DatabaseIsSchema() && c.Accept("DATABASE"):
		return Schema
	case c.Accept("EXTENSION"):
		return Extension
	}
	return ""
}

// startOfKind finds the token that named the object kind of a CREATE.
func (a *analyser) startOfKind() int {
	for i, t := range a.c.T {
		if t.Upper == "TYPE" || t.Upper == "DOMAIN" {
			return i
		}
	}
	return 0
}

// items splits the parenthesised list the cursor is in (after its "(")
// at top-level commas and leaves the cursor after the closing ")".
func (a *analyser) items() [][]Token { return a.c.Split() }

// actions splits the rest of the statement at top-level commas.
func (a *analyser) actions() [][]Token { return a.c.Split() }

func (a *analyser) drop() {
	c := a.c
	a.ch.Invertible = false
	kind := relationKind(c)
	if kind == "" {
		if kind = objectKind(a.d, c); kind == "" {
			return
		}
	}
	ifExists := c.Accept("IF", "EXISTS")
	a.ch.Understood = true
	a.ch.Destroys = kind == Table || kind == Schema || kind == MaterializedView
	var refs []Ref
	for {
		s, n, ok := a.name()
		if !ok {
			break
		}
		refs = append(refs, Ref{Kind: kind, Schema: s, Name: n})
		c.SkipParens() // a function's signature
		if !c.AcceptPunct(',') {
			break
		}
	}
	if len(refs) == 0 {
		a.ch.Understood = false
		return
	}
	if (kind == Trigger && a.d.TriggerNamesPerTable() || kind == Index && a.d.IndexNamesPerTable()) && c.Accept("ON") {
		if _, tn, ok := a.name(); ok {
			for i := range refs {
				refs[i].Table = tn
			}
		}
	}
	for _, r := range refs {
		a.drops(r, ifExists)
	}
}

// drops records r dropped; it must exist unless the statement says IF
// EXISTS.
func (a *analyser) drops(r Ref, ifExists bool) {
	if !ifExists {
		a.require(true, r)
	}
	a.effect(false, r)
}

func (a *analyser) alter() {
	c := a.c
	a.ch.Understood = true
	kind := relationKind(c)
	if kind == "" && c.Accept("SEQUENCE") {
		kind = Sequence
	}
	if kind == "" {
		a.ch.Understood, a.ch.Invertible = false, false
		return
	}
	ifExists := c.Accept("IF", "EXISTS")
	c.Accept("ONLY")
	schema, name, ok := a.name()
	if !ok {
		a.ch.Understood, a.ch.Invertible = false, false
		return
	}
	obj := Ref{Kind: kind, Schema: schema, Name: name}
	if !ifExists {
		a.require(true, obj)
	}
	if kind != Table {
		if c.Accept("RENAME", "TO") {
			if _, nn, ok := a.name(); ok {
				a.rename(obj, nn)
				return
			}
		}
		a.ch.Understood, a.ch.Invertible = false, false
		return
	}
	var inverses []string
	for _, action := range a.actions() {
		inv, ok := a.tableAction(obj, &Cursor{T: action})
		if !ok {
			a.ch.Invertible = false
		}
		inverses = append(inverses, inv...)
	}
	// The actions are undone in reverse order, in one statement each.
	for i := len(inverses) - 1; i >= 0; i-- {
		a.ch.Inverse = append(a.ch.Inverse, inverses[i])
	}
}

// rename records obj renamed to newName and its inverse.
func (a *analyser) rename(obj Ref, newName string) {
	to := obj
	to.Name = newName
	a.require(false, to)
	a.effect(false, obj)
	a.effect(true, to)
	word := strings.ToUpper(string(obj.Kind))
	switch {
	case obj.Kind == Table && a.d.HasRenameTable():
		a.ch.Inverse = append(a.ch.Inverse, "RENAME TABLE "+a.qualified(to.Schema, newName)+" TO "+a.qualified(obj.Schema, obj.Name))
	default:
		a.ch.Inverse = append(a.ch.Inverse, "ALTER "+word+" "+a.qualified(to.Schema, newName)+" RENAME TO "+a.ident(obj.Name))
	}
}

func (a *analyser) renameTables() {
	c := a.c
	a.ch.Understood = true
	var inverses []string
	touched := map[Ref]bool{}
	for {
		s, n, ok := a.name()
		if !ok || !c.Accept("TO") {
			break
		}
		ns, nn, ok := a.name()
		if !ok {
			break
		}
		from, to := Ref{Kind: Table, Schema: s, Name: n}, Ref{Kind: Table, Schema: ns, Name: nn}
		// A name an earlier pair of the statement renamed away or to
		// says nothing about the database before the statement
		// (RENAME TABLE a TO tmp, b TO a, tmp TO b).
		if !touched[from.Key(a.d)] {
			a.require(true, from)
		}
		if !touched[to.Key(a.d)] {
			a.require(false, to)
		}
		touched[from.Key(a.d)], touched[to.Key(a.d)] = true, true
		a.effect(false, from)
		a.effect(true, to)
		inverses = append(inverses, a.qualified(ns, nn)+" TO "+a.qualified(s, n))
		if !c.AcceptPunct(',') {
			break
		}
	}
	if len(inverses) == 0 {
		a.ch.Understood, a.ch.Invertible = false, false
		return
	}
	for i, j := 0, len(inverses)-1; i < j; i, j = i+1, j-1 {
		inverses[i], inverses[j] = inverses[j], inverses[i]
	}
	a.ch.Inverse = []string{"RENAME TABLE " + strings.Join(inverses, ", ")}
}

// dml reads the table of INSERT, UPDATE, DELETE or TRUNCATE: it must
// exist, and with an INSERT column list, so must the columns.
func (a *analyser) dml(insert bool) {
	c := a.c
	a.ch.DML, a.ch.Understood, a.ch.Invertible = true, true, false
	s, n, ok := a.name()
	if !ok {
		a.ch.Understood = false
		return
	}
	t := Ref{Kind: Table, Schema: s, Name: n}
	a.require(true, t)
	if insert && c.AcceptPunct('(') {
		for _, item := range a.items() {
			if len(item) == 1 && (item[0].Quoted || item[0].Upper != "") && item[0].Text != "" {
				name := item[0].Text
				if !item[0].Quoted {
					name = a.d.StoredName(name, false)
				}
				a.require(true, Ref{Kind: Column, Schema: s, Table: n, Name: name})
			}
		}
	}
}
