package ddl

import (
	"strings"

	"github.com/ferrymigrate/ferry/engine"
)

// This file holds the statement model that checks read (lint): what a
// statement does to tables, columns and their definitions, at the level
// of detail a check needs (nullability, defaults, keys), with names as
// written. Actions (read.go) reads it.

// Name is a name as a statement writes it: its parts, schema first, and
// whether each was quoted.
type Name struct {
	Parts  []string
	Quoted []bool
}

// String returns the name as written, without quotes: "public.users".
func (n Name) String() string { return strings.Join(n.Parts, ".") }

// last returns the unqualified part of the name.
func (n Name) last() (string, bool) {
	if len(n.Parts) == 0 {
		return "", false
	}
	return n.Parts[len(n.Parts)-1], n.Quoted[len(n.Quoted)-1]
}

// Qualifier returns the schema part of the name and whether it was
// quoted; ok is false for an unqualified name.
func (n Name) Qualifier() (schema string, quoted, ok bool) {
	if len(n.Parts) < 2 {
		return "", false, false
	}
	return n.Parts[len(n.Parts)-2], n.Quoted[len(n.Quoted)-2], true
}

// Fold returns the key of one part of a name, for comparing names as
// checks do: PostgreSQL folds unquoted names to lower case and keeps
// quoted ones; MySQL (on case-insensitive file systems and with
// lower_case_table_names) and SQLite compare names without case, and so
// does ferry.
func Fold(d engine.Dialect, part string, quoted bool) string {
	if quoted && !d.CaseInsensitiveNames() {
		return part
	}
	return strings.ToLower(part)
}

// Key returns the key of the unqualified part of the name (see Fold); a
// schema's key, or a column's.
func (n Name) Key(d engine.Dialect) string {
	s, q := n.last()
	return Fold(d, s, q)
}

// TableKey returns the key of a table's name: the folded name, qualified
// by its folded schema unless that is the default one (public, main).
func (n Name) TableKey(d engine.Dialect) string {
	key := n.Key(d)
	if s, sq, ok := n.Qualifier(); ok {
		s = Fold(d, s, sq)
		if s != d.DefaultSchema() || s == "" {
			key = s + "." + key
		}
	}
	return key
}

// Action is one thing a statement does, as Actions reads it: one of
// DropSchemas, DropTables, AlterTable, CreateSchema, CreateTable,
// CreateUniqueIndex, CreateView, Update and InsertSelect.
type Action interface{ action() }

// DropSchemas is DROP SCHEMA, or DROP DATABASE (Database set), where the
// dialect has schemas.
type DropSchemas struct {
	Database bool
	Names    []Name
}

// DropTables is DROP [TEMPORARY] TABLE.
type DropTables struct {
	Temporary bool // MySQL's DROP TEMPORARY TABLE
	Names     []Name
}

// AlterTable is ALTER TABLE and its actions, in order, or one rename of
// MySQL's RENAME TABLE (a RenameTable action). A table altered exists.
type AlterTable struct {
	Table   Name
	Actions []TableAction
}

// CreateSchema is CREATE SCHEMA or CREATE DATABASE.
type CreateSchema struct {
	Name        Name
	IfNotExists bool
}

// CreateTable is CREATE TABLE with its elements in order; CREATE TABLE
// ... LIKE src (MySQL) has one element, a LikeTable.
type CreateTable struct {
	Name        Name
	IfNotExists bool
	Elements    []Element
}

// CreateUniqueIndex is CREATE UNIQUE INDEX. Index is zero when unnamed;
// the table is in the index's schema where the dialect says so (SQLite).
type CreateUniqueIndex struct {
	Index, Table Name
	Columns      IndexColumns
}

// CreateView is CREATE VIEW (not a materialized one).
type CreateView struct{ Name Name }

// Update is UPDATE t SET ...: the columns it sets, by key.
type Update struct {
	Table Name
	Set   []string
}

// InsertSelect is INSERT ... SELECT ... FROM t: rows of From are copied.
type InsertSelect struct{ From Name }

func (DropSchemas) action()       {}
func (DropTables) action()        {}
func (AlterTable) action()        {}
func (CreateSchema) action()      {}
func (CreateTable) action()       {}
func (CreateUniqueIndex) action() {}
func (CreateView) action()        {}
func (Update) action()            {}
func (InsertSelect) action()      {}

// Element is one element of CREATE TABLE's list: a ColumnDef, a
// ConstraintDef or a LikeTable.
type Element interface{ element() }

// LikeTable is LIKE src in CREATE TABLE: src's columns are copied.
type LikeTable struct{ Table Name }

func (ColumnDef) element()     {}
func (ConstraintDef) element() {}
func (LikeTable) element()     {}

// ColumnDef is what a column definition says, as far as checks go.
type ColumnDef struct {
	Name       Name
	Key        string // Name's key
	NotNull    bool   // NOT NULL, or PRIMARY KEY where that implies it
	HasDefault bool   // a DEFAULT other than NULL
	Filled     bool   // the database fills it: serial, identity, generated, AUTO_INCREMENT
	ForeignKey bool   // an inline REFERENCES
	FKName     string // its CONSTRAINT name, by key
	UniqueName string // the CONSTRAINT name of an inline UNIQUE, by key
}

// Constraint kinds of a ConstraintDef; "" is any other (CHECK, an index).
const (
	PrimaryKeyDef = "PRIMARY"
	UniqueDef     = "UNIQUE"
	ForeignKeyDef = "FOREIGN"
)

// ConstraintDef is what a table constraint (or MySQL index) definition
// says.
type ConstraintDef struct {
	Kind        string // PrimaryKeyDef, UniqueDef, ForeignKeyDef or ""
	Name        string // by key; "" if none
	NameDisplay string // as written
	Columns     IndexColumns
	UsingIndex  bool // PostgreSQL UNIQUE USING INDEX: the index exists already
}

// IndexColumns are the columns of a key or index: by key ("" for an
// expression) and as written.
type IndexColumns struct {
	Keys, Display []string
}

// TableAction is one action of ALTER TABLE: one of AddColumn,
// AddConstraint, DropColumn, DropConstraint, SetNotNull, DropNotNull,
// Redefine, RenameTable, RenameColumn and RenameConstraint.
type TableAction interface{ tableAction() }

// AddColumn is ADD [COLUMN] (one per column of MySQL's ADD (c1 ..., c2
// ...)).
type AddColumn struct {
	Column      ColumnDef
	IfNotExists bool
}

// AddConstraint is ADD [CONSTRAINT name] PRIMARY KEY, UNIQUE, FOREIGN
// KEY, CHECK or an index.
type AddConstraint struct{ Constraint ConstraintDef }

// DropColumn is DROP [COLUMN].
type DropColumn struct{ Column Name }

// DropConstraint is DROP CONSTRAINT, or MySQL's DROP FOREIGN KEY
// (ForeignKey set).
type DropConstraint struct {
	Name       Name
	ForeignKey bool
}

// SetNotNull is ALTER [COLUMN] c SET NOT NULL.
type SetNotNull struct{ Column Name }

// DropNotNull is ALTER [COLUMN] c DROP NOT NULL.
type DropNotNull struct{ Column Name }

// Redefine is MySQL's MODIFY (From zero) or CHANGE from: a column's
// whole definition replaced.
type Redefine struct {
	From   Name
	Column ColumnDef
}

// RenameTable renames the table; To is in the old name's schema where
// the dialect keeps it there.
type RenameTable struct{ To Name }

// RenameColumn is RENAME [COLUMN] from TO to.
type RenameColumn struct{ From, To Name }

// RenameConstraint is RENAME CONSTRAINT from TO to.
type RenameConstraint struct{ From, To Name }

func (AddColumn) tableAction()        {}
func (AddConstraint) tableAction()    {}
func (DropColumn) tableAction()       {}
func (DropConstraint) tableAction()   {}
func (SetNotNull) tableAction()       {}
func (DropNotNull) tableAction()      {}
func (Redefine) tableAction()         {}
func (RenameTable) tableAction()      {}
func (RenameColumn) tableAction()     {}
func (RenameConstraint) tableAction() {}
