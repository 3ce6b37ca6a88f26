package engine

import (
	"context"
	"errors"
	"time"
)

// ErrNoDatabaseName is a MySQL URL without a database and a session without
// a default database; golang-migrate fails with "no database name".
var ErrNoDatabaseName = errors.New("the URL names no database (mysql://user:password@tcp(host:port)/DBNAME); golang-migrate fails with \"no database name\"")

// RevisionsAt is what locates Atlas's revisions table: the
// --revisions-schema override and the URL's facts.
type RevisionsAt struct {
	Override   string // --revisions-schema, or empty
	SearchPath string // PostgreSQL: the URL's search_path
	Database   string // MySQL: the URL's database
	Default    string // PostgreSQL: the schema used when nothing names one
}

// RevisionsPlace is where the revisions table is.
type RevisionsPlace struct {
	Schema  string // PostgreSQL schema or MySQL database; empty for SQLite
	MariaDB bool   // the server is MariaDB (MySQL only)
}

// RevisionSQL is the SQL of Atlas's revisions table (atlas_schema_revisions)
// on one engine, exactly as Atlas writes it.
type RevisionSQL interface {
	// Locate finds the table's schema, asking the server only what it
	// must. It returns ErrNoDatabaseName when MySQL has no database.
	Locate(ctx context.Context, q Querier, at RevisionsAt) (RevisionsPlace, error)
	// Table is the qualified, quoted name of table name in schema.
	Table(schema, name string) string
	// TableExists counts the tables named name in schema.
	TableExists(schema, name string) (query string, args []any)
	// SchemaExists counts the schemas named schema; an empty query means
	// the engine has no schemas to create.
	SchemaExists(schema string) (query string, args []any)
	// CreateSchema creates schema if it does not exist.
	CreateSchema(schema string) string
	// CreateTable returns the statements that create the table as Atlas
	// defines it (and, on PostgreSQL, its schema first).
	CreateTable(schema, name string, p RevisionsPlace) []string
	// ReadTime is the expression that reads the timestamp column col.
	ReadTime(col string) string
	// WriteTime is the expression that writes a timestamp bound at
	// placeholder, holding TimeValue's value.
	WriteTime(placeholder string) string
	// TimeValue is the bound value of a timestamp.
	TimeValue(t time.Time) any
	// OnConflict is the clause that turns an INSERT into an update of the
	// row whose key already exists, setting cols.
	OnConflict(key string, cols []string) string
}

// Revisions returns d's SQL for Atlas's revisions table, or nil for an
// unknown dialect.
func (d Dialect) Revisions() RevisionSQL {
	e := d.engine()
	if e == nil {
		return nil
	}
	return e.revisions()
}

type revisionSQL interface{ revisions() RevisionSQL }
