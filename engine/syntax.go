package engine

import (
	"strings"
)

// This file holds what ferry's SQL reader (internal/ddl) and lint need to
// know about how the engines read names and what they make up on their
// own. Each fact is one method with one answer per dialect.

// syntax is what differs between the dialects' SQL.
type syntax struct {
	// foldsToLower: unquoted names are stored in lower case (PostgreSQL);
	// elsewhere they are stored as written.
	foldsToLower bool
	// caseInsensitive: names differing only in case are one name (MySQL,
	// SQLite).
	caseInsensitive bool
	// maxNameBytes is the longest name the server stores, cutting longer
	// ones (0: it refuses them or has no limit).
	maxNameBytes int
	// identQuote opens and closes a quoted name in generated SQL.
	identQuote byte
	// databaseIsSchema: CREATE DATABASE creates a schema (MySQL).
	databaseIsSchema bool
	// keysAreIndexes: a primary key or unique constraint is an index
	// (MySQL), not a constraint with an index of its own.
	keysAreIndexes bool
	// keepsColumnConstraintNames: a name given to a constraint in a
	// column's definition is kept (not by SQLite).
	keepsColumnConstraintNames bool
	// noSchemas: a database has no schemas to qualify names with (SQLite).
	noSchemas bool
	// proceduresAreFunctions: procedures share functions' namespace
	// (PostgreSQL's pg_proc).
	proceduresAreFunctions bool
	// routinesOverload: functions of one name may differ by arguments.
	routinesOverload bool
	// indexNamesPerTable, triggerNamesPerTable: such names are unique per
	// table (and DROP names the table), not per schema.
	indexNamesPerTable, triggerNamesPerTable bool
	// foreignKeysNeedIndex: the server creates an index for a foreign key
	// when none starts with its columns (MySQL).
	foreignKeysNeedIndex bool
	// dropColumnNarrowsIndexes: DROP COLUMN takes the column out of the
	// indexes on it (MySQL) rather than dropping every index and
	// constraint whose definition names it (PostgreSQL).
	dropColumnNarrowsIndexes bool
	// renameTable: the engine has RENAME TABLE a TO b (MySQL).
	renameTable bool
	// schemaAsText: the schema is kept as the text of its CREATE
	// statements, which renames rewrite (SQLite).
	schemaAsText bool
	// primaryKeyIndex names the index of every primary key, "" when the
	// index takes the constraint's name.
	primaryKeyIndex string
}

// sqlFacts is what an engine's SQL says beyond its text, one entry per
// file of facts, written in <engine>_syntax.go: how it reads names
// (syntax), the names it makes up (naming.go) and what lint asks of its DDL
// (lint_syntax.go).
type sqlFacts interface {
	syntax() syntax
	naming() naming
	checks() checks
}

// facts returns the engine's facts; an unknown dialect has the defaults of
// noFacts.
func (d Dialect) facts() sqlFacts {
	if e := d.engine(); e != nil {
		return e
	}
	return noFacts{}
}

// noFacts are an unknown dialect's facts: names quoted as in standard SQL,
// nothing else known.
type noFacts struct{}

func (noFacts) syntax() syntax { return syntax{identQuote: '"'} }
func (noFacts) naming() naming { return naming{} }
func (noFacts) checks() checks { return checks{} }

// StoredName returns a name as the server stores it: PostgreSQL folds an
// unquoted name to lower case and keeps the first 63 bytes of any name
// (never cutting a UTF-8 character); MySQL and SQLite keep names as
// written (MySQL refuses names over 64 characters).
func (d Dialect) StoredName(name string, quoted bool) string {
	s := d.facts().syntax()
	if s.foldsToLower && !quoted {
		name = strings.ToLower(name)
	}
	if s.maxNameBytes > 0 {
		name = clip(name, s.maxNameBytes)
	}
	return name
}

// MaxNameBytes is the length at which the server cuts a longer name, 0
// when it does not cut names.
func (d Dialect) MaxNameBytes() int { return d.facts().syntax().maxNameBytes }

// CaseInsensitiveNames reports whether names that differ only in case
// name one object (MySQL, SQLite), rather than two (PostgreSQL, which
// compares names as stored).
func (d Dialect) CaseInsensitiveNames() bool { return d.facts().syntax().caseInsensitive }

// SameName reports whether two stored names are one name to the server.
func (d Dialect) SameName(x, y string) bool {
	if d.CaseInsensitiveNames() {
		return strings.EqualFold(x, y)
	}
	return x == y
}

// QuoteName quotes a name as the statement reader (internal/ddl) writes
// names in the SQL it shows. ferry's own bookkeeping SQL quotes with each
// engine's quote (revisions.go, legacy.go), which differs on SQLite
// (backticks); SQLite reads both.
func (d Dialect) QuoteName(name string) string {
	q := string(d.facts().syntax().identQuote)
	return q + strings.ReplaceAll(name, q, q+q) + q
}

// DatabaseIsSchema reports whether CREATE DATABASE and DROP DATABASE
// create and drop a schema (MySQL), rather than a database beside the one
// migrated.
func (d Dialect) DatabaseIsSchema() bool { return d.facts().syntax().databaseIsSchema }

// PrimaryKeyIndexName returns the name the server gives every primary
// key's index (MySQL: PRIMARY), or "" when the index is the constraint.
func (d Dialect) PrimaryKeyIndexName() string { return d.facts().syntax().primaryKeyIndex }

// KeysAreIndexes reports whether a primary key or unique constraint is an
// index of the table (MySQL) rather than a constraint.
func (d Dialect) KeysAreIndexes() bool { return d.facts().syntax().keysAreIndexes }

// KeepsColumnConstraintNames reports whether the server keeps the name
// given to a constraint in a column's definition (CONSTRAINT name UNIQUE);
// SQLite does not.
func (d Dialect) KeepsColumnConstraintNames() bool {
	return d.facts().syntax().keepsColumnConstraintNames
}

// HasSchemas reports whether names can be qualified with a schema (SQLite:
// no; its attached databases are not migrated).
func (d Dialect) HasSchemas() bool { return !d.facts().syntax().noSchemas }

// ProceduresAreFunctions reports whether procedures share functions'
// namespace (PostgreSQL).
func (d Dialect) ProceduresAreFunctions() bool { return d.facts().syntax().proceduresAreFunctions }

// RoutinesOverload reports whether functions and procedures of one name
// may differ by their arguments (PostgreSQL), so that DROP FUNCTION needs
// the argument types.
func (d Dialect) RoutinesOverload() bool { return d.facts().syntax().routinesOverload }

// IndexNamesPerTable reports whether index names are unique per table, and
// DROP INDEX names the table (MySQL), rather than per schema.
func (d Dialect) IndexNamesPerTable() bool { return d.facts().syntax().indexNamesPerTable }

// TriggerNamesPerTable reports whether trigger names are unique per table,
// and DROP TRIGGER names the table (PostgreSQL), rather than per schema.
func (d Dialect) TriggerNamesPerTable() bool { return d.facts().syntax().triggerNamesPerTable }

// ForeignKeysNeedIndex reports whether the server creates an index for a
// foreign key when no index starts with its columns (MySQL), named after
// the constraint or its first column.
func (d Dialect) ForeignKeysNeedIndex() bool { return d.facts().syntax().foreignKeysNeedIndex }

// DropColumnNarrowsIndexes reports whether DROP COLUMN takes the column out
// of the indexes on it, dropping those left without a column (MySQL),
// rather than dropping every index and constraint whose definition names
// it (PostgreSQL).
func (d Dialect) DropColumnNarrowsIndexes() bool { return d.facts().syntax().dropColumnNarrowsIndexes }

// HasRenameTable reports whether the engine has RENAME TABLE a TO b
// (MySQL), which ferry writes rather than ALTER TABLE ... RENAME TO.
func (d Dialect) HasRenameTable() bool { return d.facts().syntax().renameTable }

// SchemaIsText reports whether the server keeps the schema as the text of
// its CREATE statements and rewrites that text on a rename (SQLite): a new
// name is stored as the rename spells it.
func (d Dialect) SchemaIsText() bool { return d.facts().syntax().schemaAsText }
