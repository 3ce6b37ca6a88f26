package ddl

import (
	"github.com/ferrymigrate/ferry/engine"
)

// Actions reads what the statement text (one statement, as split by
// sqlsplit for dialect d) does to tables and columns, for checks (see
// action.go): CREATE/DROP SCHEMA, DATABASE, TABLE, CREATE UNIQUE INDEX,
// ALTER TABLE (any number of comma-separated actions), MySQL's RENAME
// TABLE, CREATE VIEW, UPDATE (the columns it sets) and INSERT ... SELECT
// (the table it copies). Anything else, and what it cannot read, gives no
// action. Where Analyse tells which objects exist, Actions tells what
// their definitions say; both read the same tokens.
func Actions(d engine.Dialect, text string) []Action {
	r := &reader{d: d}
	c := NewCursor(d, text)
	switch {
	case c.Accept("DROP"):
		r.drop(c)
	case c.Accept("ALTER"):
		r.alter(c)
	case c.Accept("CREATE"):
		r.create(c)
	case c.Accept("RENAME"):
		if d.HasRenameTable() {
			r.renameTables(c)
		}
	case c.Accept("UPDATE"):
		r.update(c)
	case c.Accept("INSERT"), c.Accept("REPLACE"):
		r.insertSelect(c)
	}
	return r.out
}

// reader reads the actions of one statement.
type reader struct {
	d   engine.Dialect
	out []Action
}

// insertSelect reads INSERT ... SELECT ... FROM t.
func (r *reader) insertSelect(c *Cursor) {
	for !c.Done() {
		if c.next().Upper == "FROM" {
			if n, ok := c.written(); ok {
				r.out = append(r.out, InsertSelect{From: n})
			}
			return
		}
	}
}

// drop reads DROP SCHEMA, DROP DATABASE and DROP TABLE.
func (r *reader) drop(c *Cursor) {
	temporary := c.Accept("TEMPORARY") // MySQL
	switch w := c.acceptAny("SCHEMA", "DATABASE", "TABLE"); w {
	case "SCHEMA", "DATABASE":
		if !r.d.HasSchemas() {
			return
		}
		c.Accept("IF", "EXISTS")
		r.out = append(r.out, DropSchemas{Database: w == "DATABASE", Names: c.writtenList()})
	case "TABLE":
		c.Accept("IF", "EXISTS")
		r.out = append(r.out, DropTables{Temporary: temporary, Names: c.writtenList()})
	}
}

// alter reads ALTER TABLE and its comma-separated actions.
func (r *reader) alter(c *Cursor) {
	c.acceptAny("ONLINE", "OFFLINE") // MySQL
	c.Accept("IGNORE")
	if !c.Accept("TABLE") {
		return
	}
	c.Accept("IF", "EXISTS")
	c.Accept("ONLY")
	n, ok := c.written()
	if !ok {
		return
	}
	c.AcceptPunct('*')
	x := AlterTable{Table: n}
	for _, a := range elements(c.rest()) {
		x.Actions = r.tableAction(x.Actions, n, &Cursor{T: a})
	}
	r.out = append(r.out, x)
}

// tableAction appends to out what one action of ALTER TABLE table does.
func (r *reader) tableAction(out []TableAction, table Name, a *Cursor) []TableAction {
	switch {
	case a.Accept("ADD"):
		return r.add(out, a)
	case a.Peek().Upper == "DROP":
		return r.dropAction(out, a)
	case a.Accept("ALTER"):
		if r.d.IndexesInTables() && a.acceptAny("INDEX", "CHECK", "CONSTRAINT") != "" {
			return out
		}
		a.Accept("COLUMN")
		n, ok := a.writtenPart()
		if !ok {
			return out
		}
		switch {
		case a.Accept("SET", "NOT", "NULL"):
			return append(out, SetNotNull{Column: n})
		case a.Accept("DROP", "NOT", "NULL"):
			return append(out, DropNotNull{Column: n})
		}
	case a.Accept("MODIFY"): // MySQL
		a.Accept("COLUMN")
		if def, ok := r.columnDef(a.rest()); ok {
			return append(out, Redefine{Column: def})
		}
	case a.Accept("CHANGE"): // MySQL
		a.Accept("COLUMN")
		old, ok := a.writtenPart()
		if !ok {
			return out
		}
		if def, ok := r.columnDef(a.rest()); ok {
			return append(out, Redefine{From: old, Column: def})
		}
	case a.Accept("RENAME"):
		return r.rename(out, table, a)
	}
	return out
}

// isConstraintStart reports whether a table element or an ADD action that
// starts with t is a constraint or an index rather than a column.
func (r *reader) isConstraintStart(t Token) bool {
	switch t.Upper {
	case "CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK":
		return true
	case "EXCLUDE":
		return r.d.HasExclusionConstraints()
	case "INDEX", "KEY", "FULLTEXT", "SPATIAL":
		return r.d.IndexesInTables()
	}
	return false
}

// add reads ADD [COLUMN] and ADD constraint.
func (r *reader) add(out []TableAction, a *Cursor) []TableAction {
	if !a.Accept("COLUMN") {
		if r.isConstraintStart(a.Peek()) {
			return append(out, AddConstraint{Constraint: r.constraintDef(a.rest())})
		}
		if a.Peek().Upper == "PARTITION" || a.Peek().Upper == "PERIOD" {
			return out
		}
	}
	ifNotExists := a.Accept("IF", "NOT", "EXISTS")
	cols := [][]Token{a.rest()}
	if g, ok := a.group(); ok { // MySQL: ADD [COLUMN] (c1 def, c2 def)
		cols = g
	}
	for _, el := range cols {
		if def, ok := r.columnDef(el); ok {
			out = append(out, AddColumn{Column: def, IfNotExists: ifNotExists})
		}
	}
	return out
}

// dropAction reads DROP [COLUMN], DROP CONSTRAINT and DROP FOREIGN KEY;
// dropping anything else (an index, a primary key, a check, a partition)
// is no action.
func (r *reader) dropAction(out []TableAction, a *Cursor) []TableAction {
	if !a.Accept("DROP") {
		return out
	}
	kind := "COLUMN"
	switch {
	case a.Accept("COLUMN"):
	case a.Accept("CONSTRAINT"):
		kind = "CONSTRAINT"
	case r.d.IndexesInTables() && a.Accept("FOREIGN", "KEY"):
		kind = "FOREIGN"
	case r.d.IndexesInTables() && a.acceptAny("INDEX", "KEY", "PRIMARY", "CHECK", "PARTITION", "SYSTEM", "PERIOD") != "":
		return out
	}
	a.Accept("IF", "EXISTS")
	n, ok := a.writtenPart()
	switch {
	case !ok:
		return out
	case kind == "COLUMN":
		return append(out, DropColumn{Column: n})
	}
	return append(out, DropConstraint{Name: n, ForeignKey: kind == "FOREIGN"})
}

// rename reads RENAME TO, RENAME [COLUMN] and RENAME CONSTRAINT.
func (r *reader) rename(out []TableAction, table Name, a *Cursor) []TableAction {
	switch {
	case a.Accept("COLUMN"):
	case a.Accept("CONSTRAINT"):
		if from, to, ok := writtenPair(a); ok {
			out = append(out, RenameConstraint{From: from, To: to})
		}
		return out
	case r.d.IndexesInTables() && a.acceptAny("INDEX", "KEY") != "":
		return out
	case a.acceptAny("TO", "AS") != "" || !a.peekIs(1, "TO"):
		// RENAME TO, RENAME AS, MySQL's RENAME new_name: the table.
		if to, ok := a.written(); ok {
			out = append(out, r.renameTable(table, to))
		}
		return out
	}
	if from, to, ok := writtenPair(a); ok {
		out = append(out, RenameColumn{From: from, To: to})
	}
	return out
}

// writtenPair reads "from [TO] to", two unqualified names.
func writtenPair(a *Cursor) (from, to Name, ok bool) {
	from, ok1 := a.writtenPart()
	a.Accept("TO")
	to, ok2 := a.writtenPart()
	return from, to, ok1 && ok2
}

// renameTable renames table to "to", which stays in table's schema where
// the dialect keeps it there.
func (r *reader) renameTable(table, to Name) RenameTable {
	if s, q, ok := table.Qualifier(); ok && len(to.Parts) == 1 && r.d.RenameStaysInSchema() {
		to = Name{Parts: []string{s, to.Parts[0]}, Quoted: []bool{q, to.Quoted[0]}}
	}
	return RenameTable{To: to}
}

// renameTables reads MySQL's RENAME TABLE a TO b [, c TO d ...].
func (r *reader) renameTables(c *Cursor) {
	if c.acceptAny("TABLE", "TABLES") == "" {
		return
	}
	for _, el := range elements(c.rest()) {
		e := &Cursor{T: el}
		from, ok1 := e.written()
		e.Accept("TO")
		to, ok2 := e.written()
		if ok1 && ok2 {
			r.out = append(r.out, AlterTable{Table: from, Actions: []TableAction{r.renameTable(from, to)}})
		}
	}
}

// create reads CREATE TABLE, CREATE UNIQUE INDEX, CREATE SCHEMA or
// DATABASE, and CREATE VIEW.
func (r *reader) create(c *Cursor) {
	c.Accept("OR", "REPLACE")
	var unique bool
	for {
		w := c.acceptAny("UNIQUE", "TEMP", "TEMPORARY", "UNLOGGED", "GLOBAL", "LOCAL", "VIRTUAL", "ONLINE", "OFFLINE")
		if w == "" {
			break
		}
		unique = unique || w == "UNIQUE"
	}
	switch {
	case c.Accept("TABLE"):
		r.createTable(c)
	case c.Accept("INDEX"):
		if unique {
			r.createUniqueIndex(c)
		}
	case c.acceptAny("SCHEMA", "DATABASE") != "":
		ifNotExists := c.Accept("IF", "NOT", "EXISTS")
		if n, ok := c.written(); ok {
			r.out = append(r.out, CreateSchema{Name: n, IfNotExists: ifNotExists})
		}
	default:
		// CREATE [OR REPLACE] [ALGORITHM = ...] [DEFINER = ...] [SQL SECURITY ...] [RECURSIVE] VIEW
		for !c.Done() {
			t := c.next()
			switch {
			case t.Upper == "MATERIALIZED", t.Upper == "AS", t.Punct == '(':
				return
			case t.Upper == "VIEW":
				c.Accept("IF", "NOT", "EXISTS")
				if n, ok := c.written(); ok {
					r.out = append(r.out, CreateView{Name: n})
				}
				return
			}
		}
	}
}

// createTable reads CREATE TABLE: its columns, constraints and LIKE
// elements.
func (r *reader) createTable(c *Cursor) {
	ct := CreateTable{IfNotExists: c.Accept("IF", "NOT", "EXISTS")}
	n, ok := c.written()
	if !ok {
		return
	}
	ct.Name = n
	switch {
	case c.Accept("LIKE"): // MySQL
		if src, ok := c.written(); ok {
			ct.Elements = append(ct.Elements, LikeTable{Table: src})
		}
	case c.Peek().Punct == '(':
		g, _ := c.group()
		for _, el := range g {
			if e := r.element(el); e != nil {
				ct.Elements = append(ct.Elements, e)
			}
		}
	}
	r.out = append(r.out, ct)
}

// element reads one element of CREATE TABLE's list: a column, a table
// constraint or LIKE; nil when it reads none.
func (r *reader) element(el []Token) Element {
	if el[0].Upper == "LIKE" {
		e := &Cursor{T: el[1:]}
		if src, ok := e.written(); ok {
			return LikeTable{Table: src}
		}
		return nil
	}
	if r.isConstraintStart(el[0]) {
		return r.constraintDef(el)
	}
	if def, ok := r.columnDef(el); ok {
		return def
	}
	return nil
}

// createUniqueIndex reads the rest of CREATE UNIQUE INDEX.
func (r *reader) createUniqueIndex(c *Cursor) {
	c.Accept("CONCURRENTLY")
	c.Accept("IF", "NOT", "EXISTS")
	var index Name
	if c.Peek().Upper != "ON" {
		index, _ = c.written()
	}
	for !c.Done() && c.Peek().Upper != "ON" {
		c.next() // MySQL: USING BTREE
	}
	if !c.Accept("ON") {
		return
	}
	c.Accept("ONLY")
	n, ok := c.written()
	if !ok {
		return
	}
	if s, q, ok := index.Qualifier(); ok && r.d.IndexNameCarriesSchema() && len(n.Parts) == 1 {
		// SQLite: the schema qualifies the index, and the table is in it.
		n = Name{Parts: []string{s, n.Parts[0]}, Quoted: []bool{q, n.Quoted[0]}}
	}
	for !c.Done() && c.Peek().Punct != '(' {
		c.I++
	}
	g, _ := c.group()
	r.out = append(r.out, CreateUniqueIndex{Index: index, Table: n, Columns: r.indexColumns(g)})
}

// update reads UPDATE t SET c = ...: the columns it sets.
func (r *reader) update(c *Cursor) {
	if c.Accept("OR") {
		c.next() // SQLite: OR REPLACE, OR IGNORE, ...
	}
	c.Accept("LOW_PRIORITY")
	c.Accept("IGNORE")
	c.Accept("ONLY")
	n, ok := c.written()
	if !ok {
		return
	}
	for !c.Done() && c.Peek().Upper != "SET" {
		if _, ok := c.group(); !ok {
			c.next()
		}
	}
	if !c.Accept("SET") {
		return
	}
	u := Update{Table: n}
	for _, el := range elements(setList(c.rest())) {
		e := &Cursor{T: el}
		if g, ok := e.group(); ok { // (a, b) = (...)
			for _, part := range g {
				if len(part) > 0 && part[0].namePart() {
					last := part[len(part)-1]
					u.Set = append(u.Set, Fold(r.d, last.text(), last.Quoted))
				}
			}
			continue
		}
		if col, ok := e.written(); ok {
			u.Set = append(u.Set, col.Key(r.d))
		}
	}
	r.out = append(r.out, u)
}

// setList returns the tokens of UPDATE's SET list: toks up to a WHERE,
// FROM, RETURNING, ORDER or LIMIT outside parentheses.
func setList(toks []Token) []Token {
	depth := 0
	for i, t := range toks {
		switch {
		case t.Punct == '(':
			depth++
		case t.Punct == ')':
			depth--
		case depth == 0 && t.word() && (t.Upper == "WHERE" || t.Upper == "FROM" || t.Upper == "RETURNING" || t.Upper == "ORDER" || t.Upper == "LIMIT"):
			return toks[:i]
		}
	}
	return toks
}

// columnDef reads a column definition: name, type, column constraints.
func (r *reader) columnDef(toks []Token) (ColumnDef, bool) {
	c := &Cursor{T: toks}
	n, ok := c.writtenPart()
	if !ok {
		return ColumnDef{}, false
	}
	def := ColumnDef{Name: n, Key: n.Key(r.d)}
	if t := c.Peek(); t.word() {
		def.Filled = r.d.IsSerialType(t.Text)
	}
	var pending string // a CONSTRAINT name, for the constraint that follows
	for !c.Done() {
		if _, ok := c.group(); ok {
			continue // type arguments, CHECK (...), DEFAULT (...)
		}
		t := c.next()
		if !t.word() {
			continue
		}
		name := pending
		pending = ""
		switch t.Upper {
		case "CONSTRAINT":
			if p, ok := c.writtenPart(); ok {
				pending = p.Key(r.d)
			}
		case "NOT":
			if c.Accept("NULL") {
				def.NotNull = true
			}
		case "DEFAULT":
			def.HasDefault = !c.Accept("NULL") || def.HasDefault
		case "PRIMARY":
			if c.Accept("KEY") && r.d.PrimaryKeyImpliesNotNull() {
				def.NotNull = true
			}
		case "GENERATED", "AS", "AUTO_INCREMENT", "AUTOINCREMENT":
			def.Filled = true
		case "REFERENCES":
			def.ForeignKey, def.FKName = true, name
			c.written()
		case "UNIQUE":
			def.UniqueName = name
		}
	}
	return def, true
}

// constraintDef reads [CONSTRAINT name] PRIMARY KEY | UNIQUE | FOREIGN
// KEY | CHECK ... (and MySQL's INDEX, KEY, FULLTEXT, SPATIAL).
func (r *reader) constraintDef(toks []Token) ConstraintDef {
	c := &Cursor{T: toks}
	var cd ConstraintDef
	if c.Accept("CONSTRAINT") && !r.isConstraintStart(c.Peek()) {
		if n, ok := c.writtenPart(); ok {
			cd.Name, cd.NameDisplay = n.Key(r.d), n.String()
		}
	}
	switch {
	case c.Accept("PRIMARY", "KEY"):
		cd.Kind = PrimaryKeyDef
	case c.Accept("UNIQUE"):
		cd.Kind = UniqueDef
		c.acceptAny("INDEX", "KEY")
		if c.Accept("USING", "INDEX") {
			cd.UsingIndex = true
			return cd
		}
	case c.Accept("FOREIGN", "KEY"):
		cd.Kind = ForeignKeyDef
	default:
		return cd
	}
	// Up to the column list: PostgreSQL NULLS [NOT] DISTINCT, MySQL's
	// index name and USING type.
	for !c.Done() && c.Peek().Punct != '(' {
		t := c.next()
		switch {
		case t.word() && t.Upper == "USING":
			c.next()
		case t.namePart() && r.d.IndexesInTables() && cd.Kind == UniqueDef && cd.Name == "":
			// MySQL names the constraint after the index.
			cd.Name, cd.NameDisplay = Fold(r.d, t.Text, t.Quoted), t.Text
		}
	}
	g, _ := c.group()
	cd.Columns = r.indexColumns(g)
	return cd
}

// indexColumns returns the columns of an index or key column list, by key
// and as written; an expression gives "" and its text.
func (r *reader) indexColumns(g [][]Token) IndexColumns {
	var cols IndexColumns
	for _, el := range g {
		k, d := "", render(el)
		switch {
		case !el[0].namePart():
		case len(el) > 1 && el[1].Punct == '(':
			// A function call, or a MySQL prefix length: name(10).
			if r.d.IndexPrefixLengths() && len(el) > 2 && el[2].Number {
				k, d = Fold(r.d, el[0].Text, el[0].Quoted), el[0].Text
			}
		case len(el) > 1 && !el[1].namePart():
		default:
			k, d = Fold(r.d, el[0].Text, el[0].Quoted), el[0].Text
		}
		cols.Keys, cols.Display = append(cols.Keys, k), append(cols.Display, d)
	}
	return cols
}
