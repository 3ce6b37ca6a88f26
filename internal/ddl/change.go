package ddl

import (
	"fmt"
	"strings"

	"github.com/ferrymigrate/ferry/engine"
)

// Kind is a kind of schema object.
type Kind string

// Kinds of objects a statement can touch.
const (
	Table            Kind = "table"
	Column           Kind = "column"
	Constraint       Kind = "constraint"
	Index            Kind = "index"
	Trigger          Kind = "trigger"
	View             Kind = "view"
	MaterializedView Kind = "materialized view"
	Sequence         Kind = "sequence"
	Function         Kind = "function"
	Procedure        Kind = "procedure"
	Type             Kind = "type"
	Schema           Kind = "schema"
	Extension        Kind = "extension"
)

// Child reports whether objects of the kind belong to a table and vanish
// with it.
func (k Kind) Child() bool {
	return k == Column || k == Constraint || k == Index || k == Trigger
}

// Ref names one object. Names are as the dialect stores them: unquoted
// PostgreSQL names folded to lower case; MySQL and SQLite names as written
// (compare them with Key, which folds case where the dialect does).
type Ref struct {
	Kind   Kind   `json:"kind"`
	Schema string `json:"schema,omitempty"` // as written; empty is the default schema
	Table  string `json:"table,omitempty"`  // the table of a column, constraint, index or trigger
	Name   string `json:"name"`
}

func (r Ref) String() string {
	name := r.Name
	if r.Kind.Child() && r.Table != "" {
		if r.Kind == Column {
			name = r.Table + "." + r.Name
		} else {
			name = r.Name + " on " + r.Table
		}
	}
	if r.Schema != "" && !r.Kind.Child() {
		name = r.Schema + "." + name
	}
	return string(r.Kind) + " " + name
}

// Key returns the reference normalised for comparison in dialect d: MySQL
// and SQLite fold case, procedures share functions' namespace, and a
// PostgreSQL index is known by its name alone (its table is not part of
// its identity).
func (r Ref) Key(d engine.Dialect) Ref {
	if d.CaseInsensitiveNames() {
		r.Schema, r.Table, r.Name = strings.ToLower(r.Schema), strings.ToLower(r.Table), strings.ToLower(r.Name)
	}
	if !d.HasSchemas() {
		r.Schema = ""
	}
	if r.Kind == Procedure && d.ProceduresAreFunctions() {
		r.Kind = Function
	}
	if r.Kind == Index && !d.IndexNamesPerTable() || r.Kind == Trigger && !d.TriggerNamesPerTable() {
		r.Table = "" // unique per schema
	}
	return r
}

// Fact is an object existing or not.
type Fact struct {
	Ref    Ref  `json:"object"`
	Exists bool `json:"exists"`
	// Maybe marks an object the server may create on its own (MySQL's
	// index for a foreign key without one): afterwards it may or may not
	// exist.
	Maybe bool `json:"maybe,omitempty"`
	// Kept marks an object that exists afterwards but may have existed
	// before, untouched (CREATE ... IF NOT EXISTS).
	Kept bool `json:"kept,omitempty"`
	// Implicit marks what the server does on its own, beyond what the
	// statement spells out: an index renamed to the name of the
	// constraint that takes it over, a name it makes up, an object a DROP
	// takes with it.
	Implicit bool `json:"implicit,omitempty"`
	// Columns are, for an index or constraint the statement creates, the
	// columns its definition names (with an expression or a predicate,
	// every name in it: a DROP COLUMN of any of them takes the object
	// along on PostgreSQL); nil when not read.
	Columns []string `json:"columns,omitempty"`
}

func (f Fact) String() string {
	if f.Exists {
		return f.Ref.String() + " exists"
	}
	return f.Ref.String() + " does not exist"
}

// Change is what one statement does.
type Change struct {
	// Understood is true when Effects lists every object the statement
	// creates, drops or renames. A statement that is not understood may
	// still have Requires.
	Understood bool
	// Effects hold after the statement succeeded, in order.
	Effects []Fact
	// Requires must hold before the statement for it to succeed.
	Requires []Fact
	// Inverse undoes the statement; Invertible is false when ferry cannot
	// write one (DROP, DML, OR REPLACE, changes of a column's definition).
	Inverse    []string
	Invertible bool
	// Destroys: running the statement deletes data. InverseDestroys:
	// running the inverse does (undoing CREATE TABLE drops the table).
	Destroys        bool
	InverseDestroys bool
	// DML changes rows only; TxControl is BEGIN, COMMIT and the like.
	DML       bool
	TxControl bool
	// Mentions are the object names the statement mentions, for matching
	// an error message.
	Mentions []string
	// ForeignKeys are the foreign keys the statement declares: the
	// referenced table needs a key on those columns.
	ForeignKeys []ForeignKey
	// Unnamed are the keys, foreign keys, checks and indexes the statement
	// declares without a name: the server makes one up (see Engine).
	Unnamed []Unnamed
	// Opaque are the objects the statement creates without spelling out
	// what they hold (CREATE TABLE ... AS, LIKE, INHERITS, PARTITION OF):
	// they exist afterwards, but their columns are the server's, so
	// Effects does not claim them (and Understood is false).
	Opaque []Ref
}

// Unnamed is a key, foreign key, check or index declared without a name.
type Unnamed struct {
	Table Ref // the table it is declared on
	// What is "primary key", "unique", "foreign key", "check" or "index".
	What string
	// Columns are its columns (a check: the column it is declared with,
	// none at table level); nil when not plain columns.
	Columns []string
	// Inline: declared in a column's definition (MySQL ignores an inline
	// REFERENCES; MariaDB makes a foreign key of it).
	Inline bool
}

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
var keyword = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`ADD ALTER AND AS ASC BEGIN BIGINT BOOLEAN BY CASCADE CHECK COLUMN COMMIT CONSTRAINT CREATE
		DEFAULT DELETE DESC DROP EXISTS FOREIGN FROM FUNCTION IF IN INDEX INSERT INT INTEGER INTO KEY NOT NULL ON OR
		PRIMARY REFERENCES RENAME REPLACE RETURNS SELECT SET TABLE TEXT TO TRIGGER TYPE UNIQUE UPDATE VALUES VARCHAR VIEW
		WHERE WITH SERIAL BIGSERIAL TIMESTAMP TIMESTAMPTZ NOW CURRENT_TIMESTAMP TRUE FALSE ENGINE CHARSET UTF8MB4 INNODB`) {
		keyword[w] = true
	}
}

// name reads [schema.]name.
func (a *analyser) name() (schema, name string, ok bool) { return a.c.Name(a.d) }

// ident quotes a name for generated SQL.
func (a *analyser) ident(s string) string { return a.d.QuoteIdent(s) }

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

// tableBody reads the columns and named constraints of CREATE TABLE, and
// the tables its foreign keys reference.
func (a *analyser) tableBody(table Ref) {
	c := a.c
	if !c.AcceptPunct('(') {
		return // CREATE TABLE ... AS / LIKE: the columns are the server's
	}
	for _, item := range a.items() {
		ic := &Cursor{T: item}
		a.references(ic, table)
		ic.I = 0
		switch {
		case ic.Accept("CONSTRAINT"):
			if _, n, ok := ic.Name(a.d); ok {
				a.effect(true, a.constraintRef(table, n, keyWhat[ic.Peek().Upper]))
				a.ch.Effects[len(a.ch.Effects)-1].Columns = a.keyColumns(ic.T[ic.I:])
				a.foreignKeyIndex(table, n, ic)
			}
		case ic.Peek().Upper == "FOREIGN":
			a.foreignKeyIndex(table, "", ic)
			a.unnamed(table, ic)
		case ic.Peek().Upper == "PRIMARY" || ic.Peek().Upper == "UNIQUE" || ic.Peek().Upper == "CHECK" || ic.Peek().Upper == "KEY" || ic.Peek().Upper == "INDEX":
			a.unnamed(table, ic)
		case ic.Accept("FULLTEXT"), ic.Accept("SPATIAL"), ic.Accept("EXCLUDE"), ic.Accept("LIKE"), ic.Accept("PERIOD"):
		default:
			if col, ok := ic.Part(a.d); ok {
				a.effect(true, Ref{Kind: Column, Schema: table.Schema, Table: table.Name, Name: col})
				a.columnConstraints(table, col, ic)
			}
		}
	}
}

// foreignKeyIndex records the index MySQL creates for a foreign key when
// no index starts with its columns: named after the constraint, or after
// its first column. Whether it did depends on the indexes there, so it is
// a maybe.
func (a *analyser) foreignKeyIndex(table Ref, name string, c *Cursor) {
	if !a.d.ForeignKeysNeedIndex() {
		return
	}
	start := c.I
	defer func() { c.I = start }()
	if !c.Accept("FOREIGN", "KEY") {
		return
	}
	if name == "" && c.Peek().Punct != '(' {
		name, _ = c.Part(a.d) // FOREIGN KEY index_name (cols)
	}
	if name == "" && c.AcceptPunct('(') {
		name, _ = c.Part(a.d)
	}
	if name != "" {
		a.ch.Effects = append(a.ch.Effects, Fact{Ref: Ref{Kind: Index, Schema: table.Schema, Table: table.Name, Name: name}, Exists: true, Maybe: true})
	}
}

// keyColumns reads the columns of a key, index, foreign key or check
// from its definition (toks, after its name): on MySQL the first name of
// each part of the first parenthesised list (a foreign key's own columns,
// an index's key parts); elsewhere every name of the definition up to a
// REFERENCES (an expression, INCLUDE and WHERE included), folded as the
// dialect folds them. Names of functions and keywords come along; they
// only matter if a column has the same name.
func (a *analyser) keyColumns(toks []Token) []string {
	var out []string
	if a.d.DropColumnNarrowsIndexes() {
		c := &Cursor{T: toks}
		for !c.Done() && c.Peek().Punct != '(' {
			c.I++
		}
		if !c.AcceptPunct('(') {
			return nil
		}
		for {
			n, ok := c.Part(a.d)
			if !ok {
				return nil // an expression
			}
			out = append(out, n)
			c.SkipParens() // a prefix length
			c.Accept("ASC")
			c.Accept("DESC")
			if !c.AcceptPunct(',') {
				break
			}
		}
		return out
	}
	for _, t := range toks {
		if t.Upper == "REFERENCES" {
			break
		}
		switch {
		case t.Quoted && t.Text != "":
			out = append(out, t.Text)
		case t.Upper != "" && !keyword[t.Upper]:
			out = append(out, a.d.StoredName(t.Text, false))
		}
	}
	return out
}

// unnamed records the key, foreign key, check or index at the cursor
// (PRIMARY KEY (...), UNIQUE [KEY] (...), FOREIGN KEY (...), CHECK (...),
// KEY/INDEX (...)) as declared without a name, unless a name follows the
// keywords (MySQL's UNIQUE KEY name (...)).
func (a *analyser) unnamed(table Ref, c *Cursor) {
	at := &Cursor{T: c.T, I: c.I}
	u := Unnamed{Table: table}
	switch {
	case at.Accept("PRIMARY", "KEY"):
		u.What = "primary key"
	case at.Accept("UNIQUE"):
		u.What = "unique"
		if !at.Accept("KEY") {
			at.Accept("INDEX")
		}
	case at.Accept("FOREIGN", "KEY"):
		u.What = "foreign key"
	case at.Accept("CHECK"):
		a.ch.Unnamed = append(a.ch.Unnamed, Unnamed{Table: table, What: "check"})
		return
	case at.Accept("KEY"), at.Accept("INDEX"):
		u.What = "index"
	default:
		return
	}
	if at.Peek().Punct != '(' {
		return // named (or not a plain list)
	}
	at.I++
	for {
		n, ok := at.Part(a.d)
		if !ok {
			return
		}
		u.Columns = append(u.Columns, n)
		at.SkipParens()
		at.Accept("ASC")
		at.Accept("DESC")
		if !at.AcceptPunct(',') {
			break
		}
	}
	if !at.AcceptPunct(')') {
		return
	}
	a.ch.Unnamed = append(a.ch.Unnamed, u)
}

// columnConstraints reads the constraints of a column definition in
// CREATE TABLE (the cursor after the column's name): a named one
// (CONSTRAINT name ...) is created on the column, an unnamed PRIMARY KEY,
// UNIQUE, REFERENCES or CHECK is named by the server.
func (a *analyser) columnConstraints(table Ref, col string, c *Cursor) {
	name := ""
	for ; !c.Done(); c.I++ {
		t := c.Peek()
		if t.Punct == '(' {
			c.SkipParens()
			c.I--
			continue
		}
		what := ""
		switch t.Upper {
		case "CONSTRAINT":
			c.I++
			if n, ok := c.Part(a.d); ok && a.d.KeepsColumnConstraintNames() {
				name = n
			}
			c.I--
			continue
		case "PRIMARY":
			what = "primary key"
		case "UNIQUE":
			what = "unique"
		case "REFERENCES":
			what = "foreign key"
		case "CHECK":
			what = "check"
		default:
			continue
		}
		if name != "" {
			r := a.constraintRef(table, name, what)
			cols := []string{col}
			if what == "check" {
				cols = append(cols, a.keyColumns(c.T[c.I:])...)
			}
			a.ch.Effects = append(a.ch.Effects, Fact{Ref: r, Exists: true, Columns: cols})
			name = ""
			continue
		}
		a.ch.Unnamed = append(a.ch.Unnamed, Unnamed{Table: table, What: what, Columns: []string{col}, Inline: true})
	}
}

// constraintRef names a constraint declared as name, of the kind what
// ("primary key", "unique", ...). Where keys are indexes (MySQL), a
// primary key or unique constraint is an index, and a primary key's
// index has the name the server gives them all.
func (a *analyser) constraintRef(table Ref, name, what string) Ref {
	r := Ref{Kind: Constraint, Schema: table.Schema, Table: table.Name, Name: name}
	if a.d.KeysAreIndexes() && (what == "unique" || what == "primary key") {
		r.Kind = Index
		if pk := a.d.PrimaryKeyIndexName(); what == "primary key" && pk != "" {
			r.Name = pk
		}
	}
	return r
}

// references requires the tables that REFERENCES clauses name (other than
// the table itself).
func (a *analyser) references(c *Cursor, self Ref) {
	for c.SkipUntil("REFERENCES") == "REFERENCES" {
		s, n, ok := c.Name(a.d)
		if !ok {
			continue
		}
		r := Ref{Kind: Table, Schema: s, Name: n}
		if r.Key(a.d) == (Ref{Kind: Table, Schema: self.Schema, Name: self.Name}).Key(a.d) {
			continue
		}
		a.require(true, r)
		fk := ForeignKey{Table: r}
		if c.Peek().Punct == '(' {
			c.I++
			for {
				col, ok := c.Part(a.d)
				if !ok {
					fk.Columns = nil
					break
				}
				fk.Columns = append(fk.Columns, col)
				if !c.AcceptPunct(',') {
					break
				}
			}
			if !c.AcceptPunct(')') {
				continue // not a plain column list
			}
		}
		a.ch.ForeignKeys = append(a.ch.ForeignKeys, fk)
	}
}

// ForeignKey is a REFERENCES clause: the referenced table and columns
// (none: its primary key).
type ForeignKey struct {
	Table   Ref
	Columns []string
}

// items splits the parenthesised list the cursor is in (after its "(")
// at top-level commas and leaves the cursor after the closing ")".
func (a *analyser) items() [][]Token {
	c := a.c
	var out [][]Token
	start, depth := c.I, 0
	for c.I < len(c.T) {
		t := c.T[c.I]
		if !t.Quoted && !t.String && t.Upper == "" {
			switch t.Punct {
			case '(':
				depth++
			case ')':
				if depth == 0 {
					out = append(out, c.T[start:c.I])
					c.I++
					return out
				}
				depth--
			case ',':
				if depth == 0 {
					out = append(out, c.T[start:c.I])
					start = c.I + 1
				}
			}
		}
		c.I++
	}
	return append(out, c.T[start:c.I])
}

// actions splits the rest of the statement at top-level commas.
func (a *analyser) actions() [][]Token {
	c := a.c
	var out [][]Token
	start, depth := c.I, 0
	for ; c.I < len(c.T); c.I++ {
		t := c.T[c.I]
		if t.Quoted || t.String || t.Upper != "" {
			continue
		}
		switch t.Punct {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, c.T[start:c.I])
				start = c.I + 1
			}
		}
	}
	return append(out, c.T[start:])
}

func (a *analyser) drop() {
	c := a.c
	a.ch.Invertible = false
	var kind Kind
	switch {
	case c.Accept("TABLE"):
		kind = Table
	case c.Accept("MATERIALIZED", "VIEW"):
		kind = MaterializedView
	case c.Accept("VIEW"):
		kind = View
	case c.Accept("INDEX"):
		c.Accept("CONCURRENTLY")
		kind = Index
	default:
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
		if !ifExists {
			a.require(true, r)
		}
		a.effect(false, r)
	}
}

func (a *analyser) alter() {
	c := a.c
	a.ch.Understood = true
	var kind Kind
	switch {
	case c.Accept("TABLE"):
		kind = Table
	case c.Accept("MATERIALIZED", "VIEW"):
		kind = MaterializedView
	case c.Accept("VIEW"):
		kind = View
	case c.Accept("INDEX"):
		kind = Index
	case c.Accept("SEQUENCE"):
		kind = Sequence
	default:
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

// tableAction reads one action of ALTER TABLE and returns its inverse
// statements; ok is false when it has none.
func (a *analyser) tableAction(table Ref, c *Cursor) (inverse []string, ok bool) {
	alter := "ALTER TABLE " + a.qualified(table.Schema, table.Name) + " "
	col := func(n string) Ref { return Ref{Kind: Column, Schema: table.Schema, Table: table.Name, Name: n} }
	switch {
	case c.Accept("ADD"):
		switch c.Peek().Upper {
		case "CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "INDEX", "KEY", "FULLTEXT", "SPATIAL", "EXCLUDE":
			return a.addConstraint(table, c, alter)
		}
		c.Accept("COLUMN")
		ifNotExists := c.Accept("IF", "NOT", "EXISTS")
		n, ok := c.Part(a.d)
		if !ok {
			a.ch.Understood = false
			return nil, false
		}
		if !ifNotExists {
			a.require(false, col(n))
		}
		a.references(c, table)
		a.effect(true, col(n))
		a.ch.InverseDestroys = true
		return []string{alter + "DROP COLUMN " + a.ident(n)}, !ifNotExists
	case c.Accept("DROP"):
		switch {
		case c.Accept("CONSTRAINT"), c.Accept("FOREIGN", "KEY"), c.Accept("CHECK"):
			ifExists := c.Accept("IF", "EXISTS")
			n, ok := c.Part(a.d)
			if !ok {
				a.ch.Understood = false
				return nil, false
			}
			r := Ref{Kind: Constraint, Schema: table.Schema, Table: table.Name, Name: n}
			if !ifExists {
				a.require(true, r)
			}
			a.effect(false, r)
			return nil, false
		case c.Accept("INDEX"), c.Accept("KEY"):
			ifExists := c.Accept("IF", "EXISTS")
			n, ok := c.Part(a.d)
			if !ok {
				a.ch.Understood = false
				return nil, false
			}
			r := Ref{Kind: Index, Schema: table.Schema, Table: table.Name, Name: n}
			if !ifExists {
				a.require(true, r)
			}
			a.effect(false, r)
			return nil, false
		case c.Accept("PRIMARY", "KEY"):
			return nil, false
		}
		c.Accept("COLUMN")
		ifExists := c.Accept("IF", "EXISTS")
		n, ok := c.Part(a.d)
		if !ok {
			a.ch.Understood = false
			return nil, false
		}
		if !ifExists {
			a.require(true, col(n))
		}
		a.effect(false, col(n))
		a.ch.Destroys = true
		return nil, false
	case c.Accept("RENAME"):
		switch {
		case c.Accept("COLUMN"), c.Peek().Upper != "TO" && c.Peek().Upper != "AS" && c.I+1 < len(c.T) && c.T[c.I+1].Upper == "TO":
			fromTok := c.Peek()
			from, ok1 := c.Part(a.d)
			ok2 := c.Accept("TO")
			to, ok3 := c.Part(a.d)
			if !ok1 || !ok2 || !ok3 {
				a.ch.Understood = false
				return nil, false
			}
			a.require(true, col(from))
			if !a.d.SameName(from, to) {
				a.require(false, col(to))
			}
			a.effect(false, col(from))
			a.effect(true, col(to))
			// SQLite writes the new name into the table's SQL as the
			// rename spells it: undo with the old name spelt as here.
			old := a.ident(from)
			if a.d.SchemaIsText() && !fromTok.Quoted {
				old = fromTok.Text
			}
			return []string{alter + "RENAME COLUMN " + a.ident(to) + " TO " + old}, true
		case c.Accept("CONSTRAINT"), c.Accept("INDEX"), c.Accept("KEY"):
			kind := Constraint
			word := "CONSTRAINT"
			if c.T[c.I-1].Upper != "CONSTRAINT" {
				kind, word = Index, "INDEX"
			}
			from, ok1 := c.Part(a.d)
			ok2 := c.Accept("TO")
			to, ok3 := c.Part(a.d)
			if !ok1 || !ok2 || !ok3 {
				a.ch.Understood = false
				return nil, false
			}
			r := Ref{Kind: kind, Schema: table.Schema, Table: table.Name, Name: from}
			nr := r
			nr.Name = to
			a.require(true, r)
			a.effect(false, r)
			a.effect(true, nr)
			return []string{alter + "RENAME " + word + " " + a.ident(to) + " TO " + a.ident(from)}, true
		default: // RENAME TO / RENAME AS / MySQL RENAME new
			c.Accept("TO")
			c.Accept("AS")
			ns, nn, ok := c.Name(a.d)
			if !ok {
				a.ch.Understood = false
				return nil, false
			}
			to := Ref{Kind: Table, Schema: ns, Name: nn}
			if to.Schema == "" {
				to.Schema = table.Schema
			}
			a.require(false, to)
			a.effect(false, table)
			a.effect(true, to)
			if a.d.HasRenameTable() {
				return []string{"RENAME TABLE " + a.qualified(to.Schema, nn) + " TO " + a.qualified(table.Schema, table.Name)}, true
			}
			if a.d.SchemaIsText() {
				// SQLite rewrites the stored CREATE TABLE with the new name
				// quoted: renaming back does not restore the schema as the
				// files leave it.
				return nil, false
			}
			return []string{"ALTER TABLE " + a.qualified(to.Schema, nn) + " RENAME TO " + a.ident(table.Name)}, true
		}
	case c.Accept("CHANGE"): // MySQL: CHANGE [COLUMN] old new definition
		c.Accept("COLUMN")
		from, ok1 := c.Part(a.d)
		to, ok2 := c.Part(a.d)
		if !ok1 || !ok2 {
			a.ch.Understood = false
			return nil, false
		}
		a.require(true, col(from))
		if !strings.EqualFold(from, to) {
			a.require(false, col(to))
			a.effect(false, col(from))
			a.effect(true, col(to))
		}
		return nil, false
	case c.Accept("ALTER"), c.Accept("MODIFY"):
		c.Accept("COLUMN")
		if n, ok := c.Part(a.d); ok {
			a.require(true, col(n))
		}
		return nil, false // a definition changed: nothing to probe by existence, no inverse
	}
	a.ch.Understood = false // OWNER TO, SET, ENABLE TRIGGER, ... : no object created or dropped, but unknown
	return nil, false
}

// addConstraint reads ADD [CONSTRAINT name] PRIMARY KEY / UNIQUE / FOREIGN
// KEY / CHECK / INDEX.
func (a *analyser) addConstraint(table Ref, c *Cursor, alter string) ([]string, bool) {
	name := ""
	if c.Accept("CONSTRAINT") {
		if c.Peek().Upper != "PRIMARY" && c.Peek().Upper != "UNIQUE" && c.Peek().Upper != "FOREIGN" && c.Peek().Upper != "CHECK" {
			n, ok := c.Part(a.d)
			if !ok {
				a.ch.Understood = false
				return nil, false
			}
			name = n
		}
	}
	kind := c.Peek().Upper
	start := c.I
	if kind == "FOREIGN" {
		a.foreignKeyIndex(table, name, c)
	}
	if kind == "PRIMARY" || kind == "UNIQUE" {
		if ix, ok := a.usingIndex(c); ok {
			return a.adoptIndex(table, name, ix)
		}
	}
	isIndex := kind == "INDEX" || kind == "KEY" || kind == "FULLTEXT" || kind == "SPATIAL"
	if isIndex {
		c.I++
		c.Accept("INDEX")
		c.Accept("KEY")
		if n, ok := c.Part(a.d); ok && c.Peek().Punct != 0 {
			name = n
		}
	}
	if kind == "UNIQUE" && a.d.KeysAreIndexes() {
		c.I++
		c.Accept("INDEX")
		c.Accept("KEY")
		if name == "" {
			if n, ok := c.Part(a.d); ok {
				name = n
			}
		}
		isIndex = true
	}
	cols := a.keyColumns(c.T[c.I:])
	a.references(c, table)
	if name == "" || kind == "PRIMARY" && a.d.PrimaryKeyIndexName() != "" {
		if name == "" {
			a.unnamed(table, &Cursor{T: c.T, I: start})
		}
		return nil, false // the server names it
	}
	invertible := true
	if kind == "PRIMARY" {
		// A primary key makes its columns NOT NULL, and dropping it
		// leaves them so; whether they were before is not in the
		// statement.
		invertible = false
	}
	r := Ref{Kind: Constraint, Schema: table.Schema, Table: table.Name, Name: name}
	if isIndex {
		r.Kind = Index
	}
	a.require(false, r)
	a.effect(true, r)
	a.ch.Effects[len(a.ch.Effects)-1].Columns = cols
	switch {
	case isIndex && a.d.KeysAreIndexes():
		return []string{alter + "DROP INDEX " + a.ident(name)}, true
	case kind == "FOREIGN" && a.d.ForeignKeysNeedIndex():
		// MySQL may have made an index for the key, which DROP FOREIGN
		// KEY leaves behind; whether it did is not in the statement.
		return nil, false
	default:
		return []string{alter + "DROP CONSTRAINT " + a.ident(name)}, invertible
	}
}

// usingIndex reads PostgreSQL's PRIMARY KEY USING INDEX name / UNIQUE
// USING INDEX name at the cursor (which does not move) and returns the
// index's name.
func (a *analyser) usingIndex(c *Cursor) (string, bool) {
	at := &Cursor{T: c.T, I: c.I}
	if !at.Accept("PRIMARY", "KEY") && !at.Accept("UNIQUE") {
		return "", false
	}
	if !at.Accept("USING", "INDEX") {
		return "", false
	}
	return at.Part(a.d)
}

// adoptIndex records ADD [CONSTRAINT name] PRIMARY KEY / UNIQUE USING
// INDEX ix: the constraint takes over the index, which PostgreSQL renames
// to the constraint's name (an unnamed constraint takes the index's). As
// everywhere else in this package, the index of a constraint is part of
// the constraint, not an index of its own: index ix is gone. The inverse
// would drop the index with the constraint: there is none.
func (a *analyser) adoptIndex(table Ref, name, ix string) ([]string, bool) {
	if name == "" {
		name = ix
	}
	from := Ref{Kind: Index, Schema: table.Schema, Table: table.Name, Name: ix}
	r := Ref{Kind: Constraint, Schema: table.Schema, Table: table.Name, Name: name}
	a.require(true, from)
	a.require(false, r)
	if name != ix {
		to := from
		to.Name = name
		a.require(false, to) // the renamed index would clash
	}
	a.effect(true, r)
	// The index becomes the constraint's and takes its name (it stays,
	// seen through the constraint, when the names are the same).
	if name != ix {
		to := from
		to.Name = name
		a.ch.Effects = append(a.ch.Effects, Fact{Ref: from, Exists: false, Implicit: true}, Fact{Ref: to, Exists: true, Implicit: true})
	}
	return nil, false
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

// Describe renders a change for a person: what it creates and drops.
func Describe(ch Change) string {
	var parts []string
	for _, e := range ch.Effects {
		if e.Ref.Kind == Column && len(ch.Effects) > 1 && ch.Effects[0].Ref.Kind == Table || e.Implicit {
			continue // (what the server does on its own is not what the statement says)
		}
		verb := "creates"
		if !e.Exists {
			verb = "drops"
		}
		parts = append(parts, fmt.Sprintf("%s %s", verb, e.Ref))
	}
	return strings.Join(parts, ", ")
}
