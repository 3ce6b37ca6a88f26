package lint

import (
	"strconv"
	"strings"
)

// statement reads one statement: it updates what the checker knows of the
// schema and reports the risky changes.
func (c *checker) statement(toks []token) {
	cur := &cursor{toks: toks}
	switch {
	case cur.kw("DROP"):
		c.drop(cur)
	case cur.kw("ALTER"):
		c.alter(cur)
	case cur.kw("CREATE"):
		c.create(cur)
	case cur.kw("RENAME"):
		if c.d.HasRenameTable() {
			c.renameTables(cur)
		}
	case cur.kw("UPDATE"):
		c.update(cur)
	case cur.kw("INSERT"), cur.kw("REPLACE"):
		c.insertSelect(cur)
	}
}

// insertSelect reads INSERT ... SELECT ... FROM t: the rows of t are
// copied, so a DROP TABLE t later in the same file (a table rebuild:
// copy, drop, rename back) loses nothing.
func (c *checker) insertSelect(cur *cursor) {
	for !cur.done() {
		if cur.next().is("FROM") {
			if n, ok := cur.name(); ok {
				c.copied[c.tableKey(n)] = true
			}
			return
		}
	}
}

// names reads a comma-separated list of names.
func names(cur *cursor) []objName {
	var out []objName
	for {
		n, ok := cur.name()
		if !ok {
			return out
		}
		out = append(out, n)
		if !cur.peek().punct(',') {
			return out
		}
		cur.next()
	}
}

// drop reads DROP SCHEMA, DROP DATABASE and DROP TABLE.
func (c *checker) drop(cur *cursor) {
	temporary := cur.kw("TEMPORARY") // MySQL
	switch w := cur.kwAny("SCHEMA", "DATABASE", "TABLE"); w {
	case "SCHEMA", "DATABASE":
		if !c.d.HasSchemas() {
			return
		}
		cur.kw("IF", "EXISTS")
		for _, n := range names(cur) {
			key := c.schemaKey(n)
			if seq, ok := c.schemas[key]; !ok || seq != c.seq {
				switch {
				case w == "SCHEMA":
					c.report(CodeDropSchema, "", "drops schema %q and everything in it: its tables and their rows are lost for good; back up what it holds and make sure no code uses it, then suppress this finding with \"-- ferry:nolint DS101\" before the statement", n)
				case c.d.DatabaseIsSchema():
					c.report(CodeDropSchema, "", "drops database %q (a schema, in MySQL) and every table in it: the tables and their rows are lost for good; back up what it holds and make sure no code uses it, then suppress this finding with \"-- ferry:nolint DS101\" before the statement", n)
				default:
					c.report(CodeDropSchema, "", "drops database %q and every schema and table in it: all its data is lost for good; back up what it holds and make sure no code uses it, then suppress this finding with \"-- ferry:nolint DS101\" before the statement", n)
				}
			}
			delete(c.schemas, key)
			defaultSchema := c.d.DefaultSchema() != "" && key == c.d.DefaultSchema()
			for k := range c.tables {
				if strings.HasPrefix(k, key+".") || defaultSchema && !strings.Contains(k, ".") {
					delete(c.tables, k)
				}
			}
		}
	case "TABLE":
		cur.kw("IF", "EXISTS")
		for _, n := range names(cur) {
			key := c.tableKey(n)
			if !temporary && c.existing(c.tables[key]) && !c.copied[key] {
				c.report(CodeDropTable, "", "drops table %q: its rows are lost for good, and code still using the table fails; stop using it in an earlier release and back up its rows (or rename it now and drop it later), then suppress this finding with \"-- ferry:nolint DS102\" before the statement", n)
			}
			delete(c.tables, key)
		}
	}
}

// alterTable is the table an ALTER TABLE statement changes.
type alterTable struct {
	name    objName
	key     string
	t       *table
	dropped map[string]bool // columns the statement drops, by fold
}

// alter reads ALTER TABLE and its comma-separated actions.
func (c *checker) alter(cur *cursor) {
	cur.kwAny("ONLINE", "OFFLINE") // MySQL
	cur.kw("IGNORE")
	if !cur.kw("TABLE") {
		return
	}
	cur.kw("IF", "EXISTS")
	cur.kw("ONLY")
	n, ok := cur.name()
	if !ok {
		return
	}
	if cur.peek().punct('*') {
		cur.next()
	}
	key := c.tableKey(n)
	x := &alterTable{name: n, key: key, t: c.lookup(key), dropped: map[string]bool{}}
	actions := splitTop(cur.rest())
	for _, a := range actions {
		if kind, target := c.dropTarget(&cursor{toks: a}); kind == "COLUMN" {
			x.dropped[c.foldName(target)] = true
		}
	}
	for _, a := range actions {
		c.alterAction(x, &cursor{toks: a})
	}
}

// foldName returns the key of an unqualified name.
func (c *checker) foldName(n objName) string {
	s, q := n.last()
	return c.fold(s, q)
}

// alterAction reads one action of ALTER TABLE.
func (c *checker) alterAction(x *alterTable, a *cursor) {
	switch {
	case a.kw("ADD"):
		c.alterAdd(x, a)
	case a.peek().is("DROP"):
		c.alterDrop(x, a)
	case a.kw("ALTER"):
		if c.d.IndexesInTables() && a.kwAny("INDEX", "CHECK", "CONSTRAINT") != "" {
			return
		}
		a.kw("COLUMN")
		n, ok := a.ident()
		if !ok {
			return
		}
		key := c.foldName(n)
		switch {
		case a.kw("SET", "NOT", "NULL"):
			c.setNotNull(x, n, "SET NOT NULL")
		case a.kw("DROP", "NOT", "NULL"):
			x.t.column(key).notNull = false
		}
	case a.kw("MODIFY"): // MySQL
		a.kw("COLUMN")
		def, ok := c.columnDef(a.rest())
		if !ok {
			return
		}
		if def.notNull {
			c.setNotNull(x, def.name, "MODIFY ... NOT NULL")
		}
		c.redefine(x, def)
	case a.kw("CHANGE"): // MySQL
		a.kw("COLUMN")
		old, ok := a.ident()
		if !ok {
			return
		}
		def, ok := c.columnDef(a.rest())
		if !ok {
			return
		}
		if c.foldName(old) != def.key {
			c.renameColumn(x, old, def.name)
		}
		if def.notNull {
			c.setNotNull(x, def.name, "CHANGE ... NOT NULL")
		}
		c.redefine(x, def)
	case a.kw("RENAME"):
		c.alterRename(x, a)
	}
}

// isConstraintStart reports whether a table element or an ADD action that
// starts with t is a constraint or an index rather than a column.
func (c *checker) isConstraintStart(t token) bool {
	for _, w := range [...]string{"CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK"} {
		if t.is(w) {
			return true
		}
	}
	if c.d.HasExclusionConstraints() && t.is("EXCLUDE") {
		return true
	}
	return c.d.IndexesInTables() && (t.is("INDEX") || t.is("KEY") || t.is("FULLTEXT") || t.is("SPATIAL"))
}

// alterAdd reads ADD [COLUMN] and ADD constraint.
func (c *checker) alterAdd(x *alterTable, a *cursor) {
	col := a.kw("COLUMN")
	if !col {
		if c.isConstraintStart(a.peek()) {
			c.addConstraintAction(x, a.rest())
			return
		}
		if a.peek().is("PARTITION") || a.peek().is("PERIOD") {
			return
		}
	}
	ifNotExists := a.kw("IF", "NOT", "EXISTS")
	if g, ok := a.group(); ok { // MySQL: ADD [COLUMN] (c1 def, c2 def)
		for _, el := range g {
			c.addColumn(x, el, ifNotExists)
		}
		return
	}
	c.addColumn(x, a.rest(), ifNotExists)
}

// addColumn reads the definition of a column ALTER TABLE adds.
func (c *checker) addColumn(x *alterTable, toks []token, ifNotExists bool) {
	def, ok := c.columnDef(toks)
	if !ok || ifNotExists && x.t.cols[def.key] != nil {
		return
	}
	if c.existing(x.t) && def.notNull && !def.hasDefault && !def.filled {
		why, todo := "PostgreSQL rejects it as soon as the table has a row", "give it a DEFAULT, or create the column nullable, backfill it, then set NOT NULL"
		switch {
		case c.d.FillsImplicitDefaults():
			why = "MySQL fills the rows already there with the type's implicit default (0, '', or a zero date that strict mode rejects), rarely the value meant"
		case !c.d.CanAlterColumns():
			why, todo = "SQLite rejects it as soon as the table has a row", "give it a DEFAULT (SQLite cannot make a column NOT NULL later without rebuilding the table)"
		}
		c.report(CodeAddNotNull, "", "adds column %q to existing table %q as NOT NULL without a DEFAULT: %s; %s", def.name, x.name, why, todo)
	}
	if x.t.cols == nil {
		x.t.cols = map[string]*column{}
	}
	x.t.cols[def.key] = &column{added: c.seq, notNull: def.notNull, hasDefault: def.hasDefault || def.filled}
	// A column added back under a name that was renamed away keeps old code working.
	c.cancels["column:"+colKey(x.key, def.key)] = c.stmt
	tname := c.foldName(x.name)
	if def.fk && !c.d.IgnoresInlineReferences() {
		name := def.fkName
		if name == "" {
			name = c.fkName(x.t, tname, []string{def.key})
		}
		c.addConstraint(x.t, name, true, []string{def.key})
	}
	c.addConstraint(x.t, def.uniqueName, false, []string{def.key})
}

// redefine records a MySQL MODIFY or CHANGE column definition.
func (c *checker) redefine(x *alterTable, def colDef) {
	col := x.t.column(def.key)
	col.notNull = def.notNull
	col.hasDefault = def.hasDefault || def.filled
}

// addConstraintAction reads ADD [CONSTRAINT name] {UNIQUE | PRIMARY KEY |
// FOREIGN KEY | CHECK | INDEX ...}.
func (c *checker) addConstraintAction(x *alterTable, toks []token) {
	cd := c.tableConstraint(toks)
	tname := c.foldName(x.name)
	switch cd.kind {
	case "UNIQUE":
		if !cd.usingIndex && c.existing(x.t) && !c.newColumns(x.t, cd.cols) {
			on := ""
			if len(cd.display) > 0 {
				on = " (" + strings.Join(cd.display, ", ") + ")"
			}
			what := "a unique constraint"
			if cd.nameDisplay != "" {
				what = "unique constraint " + strconv.Quote(cd.nameDisplay)
			}
			c.report(CodeAddUnique, "", "adds %s on existing table %q%s: it fails if rows already hold duplicate values there; find and fix the duplicates first (GROUP BY the columns HAVING count(*) > 1), in an earlier statement or migration", what, x.name, on)
		}
		name := cd.name
		if name == "" {
			name = c.d.KeyName(tname, cd.cols, "unique")
		}
		c.addConstraint(x.t, name, false, cd.cols)
	case "FOREIGN":
		name := cd.name
		if name == "" {
			name = c.fkName(x.t, tname, cd.cols)
		}
		c.addConstraint(x.t, name, true, cd.cols)
		// A foreign key added to the table in the same migration (the
		// same statement included) replaces the one dropped: CD101 says
		// to do exactly that.
		c.cancels["fk:"+x.key] = c.stmt
	case "PRIMARY":
		if c.d.PrimaryKeyImpliesNotNull() {
			for _, k := range cd.cols {
				if k != "" {
					x.t.column(k).notNull = true
				}
			}
		}
		c.addConstraint(x.t, cd.name, false, cd.cols)
	default:
		c.addConstraint(x.t, cd.name, false, cd.cols)
	}
}

// dropTarget reads what a DROP action drops: "COLUMN", "CONSTRAINT",
// "FOREIGN" (MySQL DROP FOREIGN KEY), or "" for anything else (an index, a
// primary key, a check, a partition), and its name.
func (c *checker) dropTarget(a *cursor) (string, objName) {
	if !a.kw("DROP") {
		return "", objName{}
	}
	kind := "COLUMN"
	switch {
	case a.kw("COLUMN"):
	case a.kw("CONSTRAINT"):
		kind = "CONSTRAINT"
	case c.d.IndexesInTables() && a.kw("FOREIGN", "KEY"):
		kind = "FOREIGN"
	case c.d.IndexesInTables() && a.kwAny("INDEX", "KEY", "PRIMARY", "CHECK", "PARTITION", "SYSTEM", "PERIOD") != "":
		return "", objName{}
	}
	a.kw("IF", "EXISTS")
	n, ok := a.ident()
	if !ok {
		return "", objName{}
	}
	return kind, n
}

// alterDrop reads DROP [COLUMN], DROP CONSTRAINT and DROP FOREIGN KEY.
func (c *checker) alterDrop(x *alterTable, a *cursor) {
	kind, n := c.dropTarget(a)
	key := c.foldName(n)
	switch kind {
	case "COLUMN":
		col := x.t.cols[key]
		if c.existing(x.t) && (col == nil || col.added != c.seq) {
			c.report(CodeDropColumn, "", "drops column %q of table %q: its values are lost for good, and code still reading or writing it fails; stop using the column in an earlier release (expand/contract) and back up its values, then suppress this finding with \"-- ferry:nolint DS103\" before the statement", n, x.name)
		}
		delete(x.t.cols, key)
	case "CONSTRAINT", "FOREIGN":
		c.dropConstraint(x, n, kind == "FOREIGN")
	}
}

// dropConstraint reports dropping a foreign key that was there before the
// file, unless the statement also drops one of its columns (DS103 says
// that). DROP CONSTRAINT reports a constraint ferry has not seen created
// only if its name looks like a foreign key's.
func (c *checker) dropConstraint(x *alterTable, n objName, fk bool) {
	key := c.foldName(n)
	con := x.t.cons[key]
	delete(x.t.cons, key)
	switch {
	case !c.existing(x.t), con != nil && (con.created == c.seq || !con.fk):
		return
	case con == nil && !fk && !looksLikeFK(key):
		return
	case con != nil:
		for _, k := range con.cols {
			if x.dropped[k] {
				return
			}
		}
	}
	const todo = "the database stops checking that its rows point at existing ones, so orphans can appear; if another constraint replaces it, add that one in the same migration, else make sure the application keeps the relation"
	if con == nil && !fk {
		c.report(CodeDropForeignKey, "fk:"+x.key, "drops constraint %q of table %q, a foreign key by its name: %s", n, x.name, todo)
		return
	}
	c.report(CodeDropForeignKey, "fk:"+x.key, "drops foreign key %q of table %q: %s", n, x.name, todo)
}

// alterRename reads RENAME TO, RENAME [COLUMN] and RENAME CONSTRAINT.
func (c *checker) alterRename(x *alterTable, a *cursor) {
	switch {
	case a.kw("COLUMN"):
	case a.kw("CONSTRAINT"):
		from, ok1 := a.ident()
		a.kw("TO")
		to, ok2 := a.ident()
		if ok1 && ok2 && x.t.cons[c.foldName(from)] != nil {
			x.t.cons[c.foldName(to)] = x.t.cons[c.foldName(from)]
			delete(x.t.cons, c.foldName(from))
		}
		return
	case c.d.IndexesInTables() && a.kwAny("INDEX", "KEY") != "":
		return
	case a.kwAny("TO", "AS") != "" || !a.peekAt(1).is("TO"):
		// RENAME TO, RENAME AS, MySQL's RENAME new_name: the table.
		if to, ok := a.name(); ok {
			c.renameTable(x, to)
		}
		return
	}
	from, ok1 := a.ident()
	a.kw("TO")
	to, ok2 := a.ident()
	if ok1 && ok2 {
		c.renameColumn(x, from, to)
	}
}

// renameTable reports and records renaming table x to "to".
func (c *checker) renameTable(x *alterTable, to objName) {
	if s, q, ok := x.name.qualifier(); ok && len(to.parts) == 1 && c.d.RenameStaysInSchema() {
		// The new name is in the schema of the old one.
		to = objName{parts: []string{s, to.parts[0]}, quoted: []bool{q, to.quoted[0]}}
	}
	if c.existing(x.t) {
		c.report(CodeRenameTable, "view:"+x.key, "renames table %q to %q: code still using the old name fails as soon as this runs; expand/contract: create the new table, dual-write, move reads, drop the old table later (or create a view named %q in the same migration)", x.name, to, x.name)
	}
	key := c.tableKey(to)
	delete(c.tables, x.key)
	c.tables[key] = x.t
	x.name, x.key = to, key
}

// renameColumn reports and records renaming a column of x.
func (c *checker) renameColumn(x *alterTable, from, to objName) {
	fk, tk := c.foldName(from), c.foldName(to)
	col := x.t.cols[fk]
	if c.existing(x.t) && (col == nil || col.added != c.seq) {
		c.report(CodeRenameColumn, "column:"+colKey(x.key, fk), "renames column %q of table %q to %q: code still using the old name fails as soon as this runs; expand/contract: add the new column, dual-write and backfill it, move reads, drop the old column later", from, x.name, to)
	}
	if col != nil {
		delete(x.t.cols, fk)
		x.t.cols[tk] = col
	}
	if c.filled[colKey(x.key, fk)] {
		c.filled[colKey(x.key, tk)] = true
	}
}

// setNotNull reports making a column NOT NULL, unless it already was, the
// file added it with a DEFAULT, or an UPDATE earlier in the file set it.
func (c *checker) setNotNull(x *alterTable, n objName, how string) {
	key := c.foldName(n)
	col := x.t.cols[key]
	switch {
	case !c.existing(x.t):
	case col != nil && col.notNull:
	case col != nil && col.added == c.seq && col.hasDefault:
	case c.filled[colKey(x.key, key)]:
	default:
		why := "it fails if a row holds NULL there, and PostgreSQL holds an exclusive lock on the table while it checks every row"
		if c.d.FillsImplicitDefaults() {
			why = "in strict mode it fails if a row holds NULL there (otherwise MySQL silently replaces the NULLs with the type's implicit default), and the table is rebuilt"
		}
		c.report(CodeSetNotNull, "", "makes column %q of existing table %q NOT NULL (%s): %s; backfill first (UPDATE %s SET %s = ... WHERE %s IS NULL) earlier in this migration or in an earlier one, then suppress this finding with \"-- ferry:nolint MF104\" if it was done before", n, x.name, how, why, x.name, n, n)
	}
	x.t.column(key).notNull = true
}

// renameTables reads MySQL's RENAME TABLE a TO b [, c TO d ...].
func (c *checker) renameTables(cur *cursor) {
	if cur.kwAny("TABLE", "TABLES") == "" {
		return
	}
	for _, el := range splitTop(cur.rest()) {
		e := &cursor{toks: el}
		from, ok1 := e.name()
		e.kw("TO")
		to, ok2 := e.name()
		if !ok1 || !ok2 {
			continue
		}
		key := c.tableKey(from)
		c.renameTable(&alterTable{name: from, key: key, t: c.lookup(key)}, to)
	}
}

// create reads CREATE TABLE, CREATE UNIQUE INDEX, CREATE SCHEMA or
// DATABASE, and CREATE VIEW.
func (c *checker) create(cur *cursor) {
	cur.kw("OR", "REPLACE")
	// A temporary table is new, like any table the file creates.
	var unique bool
	for {
		w := cur.kwAny("UNIQUE", "TEMP", "TEMPORARY", "UNLOGGED", "GLOBAL", "LOCAL", "VIRTUAL", "ONLINE", "OFFLINE")
		if w == "" {
			break
		}
		unique = unique || w == "UNIQUE"
	}
	switch {
	case cur.kw("TABLE"):
		c.createTable(cur)
	case cur.kw("INDEX"):
		if unique {
			c.createUniqueIndex(cur)
		}
	case cur.kwAny("SCHEMA", "DATABASE") != "":
		ifNotExists := cur.kw("IF", "NOT", "EXISTS")
		if n, ok := cur.name(); ok {
			key := c.schemaKey(n)
			if _, ok := c.schemas[key]; !ok || !ifNotExists {
				c.schemas[key] = c.seq
			}
		}
	default:
		// CREATE [OR REPLACE] [ALGORITHM = ...] [DEFINER = ...] [SQL SECURITY ...] [RECURSIVE] VIEW
		for !cur.done() {
			t := cur.next()
			switch {
			case t.is("MATERIALIZED"), t.is("AS"), t.punct('('):
				return
			case t.is("VIEW"):
				cur.kw("IF", "NOT", "EXISTS")
				if n, ok := cur.name(); ok {
					c.cancels["view:"+c.tableKey(n)] = c.stmt
				}
				return
			}
		}
	}
}

// createTable reads CREATE TABLE: its columns, their nullability, and its
// foreign keys.
func (c *checker) createTable(cur *cursor) {
	ifNotExists := cur.kw("IF", "NOT", "EXISTS")
	n, ok := cur.name()
	if !ok {
		return
	}
	key := c.tableKey(n)
	if ifNotExists && c.tables[key] != nil {
		return // it exists: the statement does nothing
	}
	t := &table{created: c.seq, cols: map[string]*column{}}
	c.tables[key] = t
	// A table renamed away earlier in the file is back under its name (a
	// rebuild): code using the name keeps working, as with a view.
	c.cancels["view:"+key] = c.stmt
	tname := c.foldName(n)
	switch {
	case cur.kw("LIKE"): // MySQL
		if src, ok := cur.name(); ok {
			c.copyColumns(t, src)
		}
	case cur.peek().punct('('):
		g, _ := cur.group()
		for _, el := range g {
			c.createElement(t, tname, el)
		}
	}
}

// copyColumns copies the columns of table src into t (CREATE TABLE LIKE).
func (c *checker) copyColumns(t *table, src objName) {
	s := c.tables[c.tableKey(src)]
	if s == nil {
		return
	}
	for k, col := range s.cols {
		t.cols[k] = &column{added: c.seq, notNull: col.notNull, hasDefault: col.hasDefault}
	}
}

// createElement reads one element of CREATE TABLE's list: a column, a
// table constraint or LIKE.
func (c *checker) createElement(t *table, tname string, el []token) {
	if el[0].is("LIKE") {
		e := &cursor{toks: el[1:]}
		if src, ok := e.name(); ok {
			c.copyColumns(t, src)
		}
		return
	}
	if c.isConstraintStart(el[0]) {
		cd := c.tableConstraint(el)
		name := cd.name
		switch cd.kind {
		case "PRIMARY":
			if c.d.PrimaryKeyImpliesNotNull() {
				for _, k := range cd.cols {
					if k != "" {
						t.column(k).notNull = true
						t.cols[k].added = c.seq
					}
				}
			}
		case "FOREIGN":
			if name == "" {
				name = c.fkName(t, tname, cd.cols)
			}
		}
		c.addConstraint(t, name, cd.kind == "FOREIGN", cd.cols)
		return
	}
	def, ok := c.columnDef(el)
	if !ok {
		return
	}
	t.cols[def.key] = &column{added: c.seq, notNull: def.notNull, hasDefault: def.hasDefault || def.filled}
	if def.fk && !c.d.IgnoresInlineReferences() {
		name := def.fkName
		if name == "" {
			name = c.fkName(t, tname, []string{def.key})
		}
		c.addConstraint(t, name, true, []string{def.key})
	}
	c.addConstraint(t, def.uniqueName, false, []string{def.key})
}

// createUniqueIndex reads the rest of CREATE UNIQUE INDEX.
func (c *checker) createUniqueIndex(cur *cursor) {
	cur.kw("CONCURRENTLY")
	cur.kw("IF", "NOT", "EXISTS")
	var index objName
	if !cur.peek().is("ON") {
		index, _ = cur.name()
	}
	for !cur.done() && !cur.peek().is("ON") {
		cur.next() // MySQL: USING BTREE
	}
	if !cur.kw("ON") {
		return
	}
	cur.kw("ONLY")
	n, ok := cur.name()
	if !ok {
		return
	}
	if s, q, ok := index.qualifier(); ok && c.d.IndexNameCarriesSchema() && len(n.parts) == 1 {
		// SQLite: the schema qualifies the index, and the table is in it.
		n = objName{parts: []string{s, n.parts[0]}, quoted: []bool{q, n.quoted[0]}}
	}
	cur.skipTo()
	g, _ := cur.group()
	cols, display := c.indexColumns(g)
	t := c.tables[c.tableKey(n)]
	if !c.existing(t) || t != nil && c.newColumns(t, cols) {
		return
	}
	what := "a unique index"
	if len(index.parts) > 0 {
		what = "unique index " + strconv.Quote(index.String())
	}
	on := ""
	if len(display) > 0 {
		on = " (" + strings.Join(display, ", ") + ")"
	}
	c.report(CodeAddUnique, "", "adds %s on existing table %q%s: it fails if rows already hold duplicate values there; find and fix the duplicates first (GROUP BY the columns HAVING count(*) > 1), in an earlier statement or migration", what, n, on)
}

// update reads UPDATE t SET c = ...: the columns it sets count as
// backfilled for the rest of the file.
func (c *checker) update(cur *cursor) {
	if cur.kw("OR") {
		cur.next() // SQLite: OR REPLACE, OR IGNORE, ...
	}
	cur.kw("LOW_PRIORITY")
	cur.kw("IGNORE")
	cur.kw("ONLY")
	n, ok := cur.name()
	if !ok {
		return
	}
	tkey := c.tableKey(n)
	for !cur.done() && !cur.peek().is("SET") {
		if _, ok := cur.group(); !ok {
			cur.next()
		}
	}
	if !cur.kw("SET") {
		return
	}
	var set []token
	depth := 0
	for _, t := range cur.rest() {
		if depth == 0 && (t.is("WHERE") || t.is("FROM") || t.is("RETURNING") || t.is("ORDER") || t.is("LIMIT")) {
			break
		}
		switch {
		case t.punct('('):
			depth++
		case t.punct(')'):
			depth--
		}
		set = append(set, t)
	}
	for _, el := range splitTop(set) {
		e := &cursor{toks: el}
		if g, ok := e.group(); ok { // (a, b) = (...)
			for _, part := range g {
				if len(part) > 0 && part[0].name() {
					c.filled[colKey(tkey, c.fold(part[len(part)-1].text, part[len(part)-1].kind == tIdent))] = true
				}
			}
			continue
		}
		if col, ok := e.name(); ok {
			c.filled[colKey(tkey, c.foldName(col))] = true
		}
	}
}
