package ddl

import (
	"strings"
)

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
		n, ifNotExists, ok := a.columnTarget(c, "IF", "NOT", "EXISTS")
		if !ok {
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
			a.dropChild(table, Constraint, c)
			return nil, false
		case c.Accept("INDEX"), c.Accept("KEY"):
			a.dropChild(table, Index, c)
			return nil, false
		case c.Accept("PRIMARY", "KEY"):
			return nil, false
		}
		n, ifExists, ok := a.columnTarget(c, "IF", "EXISTS")
		if !ok {
			return nil, false
		}
		a.drops(col(n), ifExists)
		a.ch.Destroys = true
		return nil, false
	case c.Accept("RENAME"):
		switch {
		case c.Accept("COLUMN"), c.Peek().Upper != "TO" && c.Peek().Upper != "AS" && c.I+1 < len(c.T) && c.T[c.I+1].Upper == "TO":
			fromTok := c.Peek()
			from, to, ok := a.renamePair(c)
			if !ok {
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
			from, to, ok := a.renamePair(c)
			if !ok {
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

// dropChild reads [IF EXISTS] name after ALTER TABLE ... DROP CONSTRAINT or
// DROP INDEX: the constraint or index of that kind is dropped.
func (a *analyser) dropChild(table Ref, kind Kind, c *Cursor) {
	ifExists := c.Accept("IF", "EXISTS")
	n, ok := c.Part(a.d)
	if !ok {
		a.ch.Understood = false
		return
	}
	a.drops(Ref{Kind: kind, Schema: table.Schema, Table: table.Name, Name: n}, ifExists)
}

// columnTarget reads [COLUMN] [guard] name after ADD or DROP, guard being
// IF [NOT] EXISTS; ok is false, and the statement not understood, when no
// name follows.
func (a *analyser) columnTarget(c *Cursor, guard ...string) (name string, guarded, ok bool) {
	c.Accept("COLUMN")
	guarded = c.Accept(guard...)
	if name, ok = c.Part(a.d); !ok {
		a.ch.Understood = false
	}
	return name, guarded, ok
}

// renamePair reads "from TO to" after RENAME [COLUMN | CONSTRAINT | INDEX];
// ok is false, and the statement not understood, when it is not that.
func (a *analyser) renamePair(c *Cursor) (from, to string, ok bool) {
	from, ok1 := c.Part(a.d)
	ok2 := c.Accept("TO")
	to, ok3 := c.Part(a.d)
	if !ok1 || !ok2 || !ok3 {
		a.ch.Understood = false
		return "", "", false
	}
	return from, to, true
}
