package engine

// ReferenceRule is what a foreign key needs on the columns it references.
type ReferenceRule int

const (
	// ReferenceUnchecked: the engine checks nothing when a foreign key is
	// declared (SQLite).
	ReferenceUnchecked ReferenceRule = iota
	// ReferenceUniqueSet: a primary key, unique constraint or unique
	// index (not partial) on exactly those columns, the primary key when
	// none are named (PostgreSQL).
	ReferenceUniqueSet
	// ReferenceIndexPrefix: an index whose first columns are those; the
	// columns must be named (MySQL, MariaDB).
	ReferenceIndexPrefix
)

// Catalog is what one engine's catalog shows and how it compares names.
type Catalog struct {
	// FoldCase: object names compare case-insensitively (ferry lowercases
	// them); PostgreSQL compares them as stored.
	FoldCase bool
	// Schemas: the engine has schemas (MySQL: databases) statements name.
	Schemas bool
	// SingleSchema: every object is in the one schema (SQLite's main).
	SingleSchema bool
	// Extensions: the engine has extensions (PostgreSQL).
	Extensions bool
	// ConstraintNames: the catalog keeps constraint names.
	ConstraintNames bool
	// ConstraintIndexes: a PRIMARY KEY, UNIQUE or EXCLUDE constraint comes
	// with an index of its name that the description lists only as the
	// constraint (PostgreSQL).
	ConstraintIndexes bool
	// IndexesAreKeys: every index, unique or not, is a key a foreign key
	// can use (MySQL).
	IndexesAreKeys bool
	// ForeignKeysTakeIndexes: a foreign key may take over an index a
	// statement made (dropping the one the server made for it), which then
	// cannot be dropped (MySQL).
	ForeignKeysTakeIndexes bool
	// PartialIndexes: an index can have a WHERE clause (PostgreSQL).
	PartialIndexes bool
	// References is what a foreign key needs on the referenced columns.
	References ReferenceRule
	// SchemasQuery lists the schemas (MySQL: databases); empty when the
	// engine has none.
	SchemasQuery string
	// CaseTablesQuery reads lower_case_table_names, whose 0 makes table
	// names case-sensitive (MySQL on Linux); empty elsewhere.
	CaseTablesQuery string
	// CurrentSchemaQuery names the schema unqualified names resolve to (a
	// NULL reads as none); empty when the engine has one schema.
	CurrentSchemaQuery string
	// ObjectsQueries list the user's objects as (kind, schema, name) rows;
	// kind is one of table, view, materialized view, index, sequence,
	// function, type, trigger, schema, extension.
	ObjectsQueries []string
}

// Catalog returns what d's catalog shows.
func (d Dialect) Catalog() Catalog { return d.engine().catalog() }

type catalogFacts interface{ catalog() Catalog }
