package engine

import "strings"

// This file holds the facts lint's checks ask about a dialect's DDL: which
// clauses it has and what its server does with them.

// checks is what lint needs to know of a dialect.
type checks struct {
	// indexesInTables: indexes belong to the table definition: CREATE
	// TABLE lists them (INDEX, KEY, FULLTEXT, SPATIAL), ALTER TABLE adds,
	// alters, renames and drops them, and DROP FOREIGN KEY drops a
	// foreign key (MySQL).
	indexesInTables bool
	// indexPrefixLengths: an index column may take a prefix length,
	// name(10) (MySQL).
	indexPrefixLengths bool
	// exclusionConstraints: EXCLUDE constraints (PostgreSQL).
	exclusionConstraints bool
	// fillsImplicitDefaults: a NOT NULL column added without a DEFAULT is
	// filled with its type's implicit default (MySQL).
	fillsImplicitDefaults bool
	// noAlterColumn: a column's definition cannot change after it is
	// added, short of rebuilding the table (SQLite).
	noAlterColumn bool
	// ignoresInlineReferences: REFERENCES in a column's definition makes
	// no foreign key (MySQL).
	ignoresInlineReferences bool
	// primaryKeyNullable: a primary key does not make its columns NOT
	// NULL (SQLite).
	primaryKeyNullable bool
	// renameLeavesSchema: ALTER TABLE s.t RENAME TO u puts u in the
	// default schema, not in s (MySQL).
	renameLeavesSchema bool
	// indexNameCarriesSchema: CREATE INDEX s.i ON t puts i and names t in
	// schema s (SQLite).
	indexNameCarriesSchema bool
	// defaultSchema is the schema unqualified names are in when it has a
	// fixed name ("" for MySQL: the connection's database).
	defaultSchema string
	// serialTypes are the types whose columns the database fills from a
	// sequence, in upper case.
	serialTypes []string
}

// IndexesInTables reports whether indexes belong to the table definition
// (MySQL): CREATE TABLE lists them (INDEX, KEY, FULLTEXT, SPATIAL), ALTER
// TABLE adds, alters, renames and drops them, and ALTER TABLE ... DROP
// FOREIGN KEY drops a foreign key.
func (d Dialect) IndexesInTables() bool { return d.facts().checks().indexesInTables }

// IndexPrefixLengths reports whether an index column may take a prefix
// length, name(10) (MySQL).
func (d Dialect) IndexPrefixLengths() bool { return d.facts().checks().indexPrefixLengths }

// HasExclusionConstraints reports whether tables may have EXCLUDE
// constraints (PostgreSQL).
func (d Dialect) HasExclusionConstraints() bool { return d.facts().checks().exclusionConstraints }

// FillsImplicitDefaults reports whether the server fills a NOT NULL column
// added without a DEFAULT, or the NULLs of a column made NOT NULL outside
// strict mode, with its type's implicit default (MySQL) rather than
// refusing.
func (d Dialect) FillsImplicitDefaults() bool { return d.facts().checks().fillsImplicitDefaults }

// CanAlterColumns reports whether a column's definition (NOT NULL, its
// type) can change after it is added; SQLite must rebuild the table.
func (d Dialect) CanAlterColumns() bool { return !d.facts().checks().noAlterColumn }

// IgnoresInlineReferences reports whether REFERENCES in a column's
// definition makes no foreign key (MySQL).
func (d Dialect) IgnoresInlineReferences() bool { return d.facts().checks().ignoresInlineReferences }

// PrimaryKeyImpliesNotNull reports whether a primary key makes its columns
// NOT NULL (not on SQLite).
func (d Dialect) PrimaryKeyImpliesNotNull() bool { return !d.facts().checks().primaryKeyNullable }

// RenameStaysInSchema reports whether ALTER TABLE s.t RENAME TO u keeps
// the table in schema s; MySQL moves it to the default database.
func (d Dialect) RenameStaysInSchema() bool { return !d.facts().checks().renameLeavesSchema }

// IndexNameCarriesSchema reports whether the schema of an index's name is
// also its table's (SQLite: CREATE INDEX s.i ON t).
func (d Dialect) IndexNameCarriesSchema() bool { return d.facts().checks().indexNameCarriesSchema }

// DefaultSchema returns the name of the schema unqualified names are in,
// when it has a fixed one (PostgreSQL: public, SQLite: main), else "".
func (d Dialect) DefaultSchema() string { return d.facts().checks().defaultSchema }

// IsSerialType reports whether typ (as written) is a type whose columns
// the database fills from a sequence (PostgreSQL's serial types, MySQL's
// SERIAL).
func (d Dialect) IsSerialType(typ string) bool {
	for _, s := range d.facts().checks().serialTypes {
		if strings.EqualFold(typ, s) {
			return true
		}
	}
	return false
}
