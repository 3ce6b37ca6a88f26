package lint

import (
	"strconv"
	"strings"

	"github.com/ferrymigrate/ferry/internal/ddl"
)

// statement updates what the checker knows of the schema with what one
// statement does (read by ddl.Actions) and reports the risky changes.
func (c *checker) statement(actions []ddl.Action) {
	for _, a := range actions {
		switch a := a.(type) {
		case ddl.DropSchemas:
			c.dropSchemas(a)
		case ddl.DropTables:
			c.dropTables(a)
		case ddl.AlterTable:
			c.alter(a)
		case ddl.CreateSchema:
			key := a.Name.Key(c.d)
			if _, ok := c.schemas[key]; !ok || !a.IfNotExists {
				c.schemas[key] = c.seq
			}
		case ddl.CreateTable:
			c.createTable(a)
		case ddl.CreateUniqueIndex:
			c.createUniqueIndex(a)
		case ddl.CreateView:
			c.cancels["view:"+a.Name.TableKey(c.d)] = c.stmt
		case ddl.Update:
			// The columns an UPDATE sets count as backfilled for the rest
			// of the file.
			tkey := a.Table.TableKey(c.d)
			for _, k := range a.Set {
				c.filled[colKey(tkey, k)] = true
			}
		case ddl.InsertSelect:
			// The rows are copied, so a DROP TABLE later in the same file
			// (a table rebuild: copy, drop, rename back) loses nothing.
			c.copied[a.From.TableKey(c.d)] = true
		}
	}
}

// dropSchemas checks DROP SCHEMA and DROP DATABASE.
func (c *checker) dropSchemas(a ddl.DropSchemas) {
	for _, n := range a.Names {
		key := n.Key(c.d)
		if seq, ok := c.schemas[key]; !ok || seq != c.seq {
			switch {
			case !a.Database:
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
}

// dropTables checks DROP TABLE.
func (c *checker) dropTables(a ddl.DropTables) {
	for _, n := range a.Names {
		key := n.TableKey(c.d)
		if !a.Temporary && c.existing(c.tables[key]) && !c.copied[key] {
			c.report(CodeDropTable, "", "drops table %q: its rows are lost for good, and code still using the table fails; stop using it in an earlier release and back up its rows (or rename it now and drop it later), then suppress this finding with \"-- ferry:nolint DS102\" before the statement", n)
		}
		delete(c.tables, key)
	}
}

// alterTable is the table an ALTER TABLE statement changes.
type alterTable struct {
	name    ddl.Name
	key     string
	t       *table
	dropped map[string]bool // columns the statement drops, by key
}

// alter checks ALTER TABLE and its actions (and MySQL's RENAME TABLE).
func (c *checker) alter(a ddl.AlterTable) {
	key := a.Table.TableKey(c.d)
	x := &alterTable{name: a.Table, key: key, t: c.lookup(key), dropped: map[string]bool{}}
	for _, act := range a.Actions {
		if d, ok := act.(ddl.DropColumn); ok {
			x.dropped[d.Column.Key(c.d)] = true
		}
	}
	for _, act := range a.Actions {
		c.alterAction(x, act)
	}
}

// alterAction checks one action of ALTER TABLE.
func (c *checker) alterAction(x *alterTable, act ddl.TableAction) {
	switch a := act.(type) {
	case ddl.AddColumn:
		c.addColumn(x, a.Column, a.IfNotExists)
	case ddl.AddConstraint:
		c.addConstraintAction(x, a.Constraint)
	case ddl.DropColumn:
		key := a.Column.Key(c.d)
		col := x.t.cols[key]
		if c.existing(x.t) && (col == nil || col.added != c.seq) {
			c.report(CodeDropColumn, "", "drops column %q of table %q: its values are lost for good, and code still reading or writing it fails; stop using the column in an earlier release (expand/contract) and back up its values, then suppress this finding with \"-- ferry:nolint DS103\" before the statement", a.Column, x.name)
		}
		delete(x.t.cols, key)
	case ddl.DropConstraint:
		c.dropConstraint(x, a.Name, a.ForeignKey)
	case ddl.SetNotNull:
		c.setNotNull(x, a.Column, "SET NOT NULL")
	case ddl.DropNotNull:
		x.t.column(a.Column.Key(c.d)).notNull = false
	case ddl.Redefine: // MySQL's MODIFY and CHANGE
		how := "MODIFY ... NOT NULL"
		if len(a.From.Parts) > 0 {
			how = "CHANGE ... NOT NULL"
			if a.From.Key(c.d) != a.Column.Key {
				c.renameColumn(x, a.From, a.Column.Name)
			}
		}
		if a.Column.NotNull {
			c.setNotNull(x, a.Column.Name, how)
		}
		col := x.t.column(a.Column.Key)
		col.notNull = a.Column.NotNull
		col.hasDefault = a.Column.HasDefault || a.Column.Filled
	case ddl.RenameTable:
		c.renameTable(x, a.To)
	case ddl.RenameColumn:
		c.renameColumn(x, a.From, a.To)
	case ddl.RenameConstraint:
		from, to := a.From.Key(c.d), a.To.Key(c.d)
		if x.t.cons[from] != nil {
			x.t.cons[to] = x.t.cons[from]
			delete(x.t.cons, from)
		}
	}
}

// addColumn checks a column ALTER TABLE adds.
func (c *checker) addColumn(x *alterTable, def ddl.ColumnDef, ifNotExists bool) {
	if ifNotExists && x.t.cols[def.Key] != nil {
		return
	}
	if c.existing(x.t) && def.NotNull && !def.HasDefault && !def.Filled {
		why, todo := "PostgreSQL rejects it as soon as the table has a row", "give it a DEFAULT, or create the column nullable, backfill it, then set NOT NULL"
		switch {
		case c.d.FillsImplicitDefaults():
			why = "MySQL fills the rows already there with the type's implicit default (0, '', or a zero date that strict mode rejects), rarely the value meant"
		case !c.d.CanAlterColumns():
			why, todo = "SQLite rejects it as soon as the table has a row", "give it a DEFAULT (SQLite cannot make a column NOT NULL later without rebuilding the table)"
		}
		c.report(CodeAddNotNull, "", "adds column %q to existing table %q as NOT NULL without a DEFAULT: %s; %s", def.Name, x.name, why, todo)
	}
	if x.t.cols == nil {
		x.t.cols = map[string]*column{}
	}
	c.addColumnDef(x.t, x.name.Key(c.d), def)
	// A column added back under a name that was renamed away keeps old code working.
	c.cancels["column:"+colKey(x.key, def.Key)] = c.stmt
}

// addColumnDef records a column the file adds to t (named tname, by key),
// with its inline foreign key and unique constraint.
func (c *checker) addColumnDef(t *table, tname string, def ddl.ColumnDef) {
	t.cols[def.Key] = &column{added: c.seq, notNull: def.NotNull, hasDefault: def.HasDefault || def.Filled}
	if def.ForeignKey && !c.d.IgnoresInlineReferences() {
		name := def.FKName
		if name == "" {
			name = c.fkName(t, tname, []string{def.Key})
		}
		c.addConstraint(t, name, true, []string{def.Key})
	}
	c.addConstraint(t, def.UniqueName, false, []string{def.Key})
}

// addConstraintAction checks ADD [CONSTRAINT name] {UNIQUE | PRIMARY KEY |
// FOREIGN KEY | CHECK | INDEX ...}.
func (c *checker) addConstraintAction(x *alterTable, cd ddl.ConstraintDef) {
	tname := x.name.Key(c.d)
	switch cd.Kind {
	case ddl.UniqueDef:
		if !cd.UsingIndex && c.existing(x.t) && !c.newColumns(x.t, cd.Columns.Keys) {
			what := "a unique constraint"
			if cd.NameDisplay != "" {
				what = "unique constraint " + strconv.Quote(cd.NameDisplay)
			}
			c.reportAddUnique(what, x.name, cd.Columns.Display)
		}
		name := cd.Name
		if name == "" {
			name = c.d.KeyName(tname, cd.Columns.Keys, "unique")
		}
		c.addConstraint(x.t, name, false, cd.Columns.Keys)
	case ddl.ForeignKeyDef:
		name := cd.Name
		if name == "" {
			name = c.fkName(x.t, tname, cd.Columns.Keys)
		}
		c.addConstraint(x.t, name, true, cd.Columns.Keys)
		// A foreign key added to the table in the same migration (the
		// same statement included) replaces the one dropped: CD101 says
		// to do exactly that.
		c.cancels["fk:"+x.key] = c.stmt
	case ddl.PrimaryKeyDef:
		if c.d.PrimaryKeyImpliesNotNull() {
			for _, k := range cd.Columns.Keys {
				if k != "" {
					x.t.column(k).notNull = true
				}
			}
		}
		c.addConstraint(x.t, cd.Name, false, cd.Columns.Keys)
	default:
		c.addConstraint(x.t, cd.Name, false, cd.Columns.Keys)
	}
}

// reportAddUnique reports adding a unique index or constraint (what) on
// an existing table over the columns display (as written).
func (c *checker) reportAddUnique(what string, table ddl.Name, display []string) {
	on := ""
	if len(display) > 0 {
		on = " (" + strings.Join(display, ", ") + ")"
	}
	c.report(CodeAddUnique, "", "adds %s on existing table %q%s: it fails if rows already hold duplicate values there; find and fix the duplicates first (GROUP BY the columns HAVING count(*) > 1), in an earlier statement or migration", what, table, on)
}

// dropConstraint reports dropping a foreign key that was there before the
// file, unless the statement also drops one of its columns (DS103 says
// that). DROP CONSTRAINT reports a constraint ferry has not seen created
// only if its name looks like a foreign key's.
func (c *checker) dropConstraint(x *alterTable, n ddl.Name, fk bool) {
	key := n.Key(c.d)
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

// renameTable reports and records renaming table x to "to".
func (c *checker) renameTable(x *alterTable, to ddl.Name) {
	if c.existing(x.t) {
		c.report(CodeRenameTable, "view:"+x.key, "renames table %q to %q: code still using the old name fails as soon as this runs; expand/contract: create the new table, dual-write, move reads, drop the old table later (or create a view named %q in the same migration)", x.name, to, x.name)
	}
	key := to.TableKey(c.d)
	delete(c.tables, x.key)
	c.tables[key] = x.t
	x.name, x.key = to, key
}

// renameColumn reports and records renaming a column of x.
func (c *checker) renameColumn(x *alterTable, from, to ddl.Name) {
	fk, tk := from.Key(c.d), to.Key(c.d)
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
func (c *checker) setNotNull(x *alterTable, n ddl.Name, how string) {
	key := n.Key(c.d)
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

// createTable checks CREATE TABLE: it records its columns, their
// nullability, and its foreign keys.
func (c *checker) createTable(a ddl.CreateTable) {
	key := a.Name.TableKey(c.d)
	if a.IfNotExists && c.tables[key] != nil {
		return // it exists: the statement does nothing
	}
	// A temporary table is new, like any table the file creates.
	t := &table{created: c.seq, cols: map[string]*column{}}
	c.tables[key] = t
	// A table renamed away earlier in the file is back under its name (a
	// rebuild): code using the name keeps working, as with a view.
	c.cancels["view:"+key] = c.stmt
	tname := a.Name.Key(c.d)
	for _, el := range a.Elements {
		switch el := el.(type) {
		case ddl.LikeTable:
			c.copyColumns(t, el.Table)
		case ddl.ConstraintDef:
			c.createConstraint(t, tname, el)
		case ddl.ColumnDef:
			c.addColumnDef(t, tname, el)
		}
	}
}

// copyColumns copies the columns of table src into t (CREATE TABLE LIKE).
func (c *checker) copyColumns(t *table, src ddl.Name) {
	s := c.tables[src.TableKey(c.d)]
	if s == nil {
		return
	}
	for k, col := range s.cols {
		t.cols[k] = &column{added: c.seq, notNull: col.notNull, hasDefault: col.hasDefault}
	}
}

// createConstraint records a table constraint of CREATE TABLE.
func (c *checker) createConstraint(t *table, tname string, cd ddl.ConstraintDef) {
	name := cd.Name
	switch cd.Kind {
	case ddl.PrimaryKeyDef:
		if c.d.PrimaryKeyImpliesNotNull() {
			for _, k := range cd.Columns.Keys {
				if k != "" {
					t.column(k).notNull = true
					t.cols[k].added = c.seq
				}
			}
		}
	case ddl.ForeignKeyDef:
		if name == "" {
			name = c.fkName(t, tname, cd.Columns.Keys)
		}
	}
	c.addConstraint(t, name, cd.Kind == ddl.ForeignKeyDef, cd.Columns.Keys)
}

// createUniqueIndex checks CREATE UNIQUE INDEX.
func (c *checker) createUniqueIndex(a ddl.CreateUniqueIndex) {
	t := c.tables[a.Table.TableKey(c.d)]
	if !c.existing(t) || t != nil && c.newColumns(t, a.Columns.Keys) {
		return
	}
	what := "a unique index"
	if len(a.Index.Parts) > 0 {
		what = "unique index " + strconv.Quote(a.Index.String())
	}
	c.reportAddUnique(what, a.Table, a.Columns.Display)
}
