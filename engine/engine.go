package engine

import (
	"context"
	"database/sql"
)

// An engine is what one Dialect knows, one concern per file
// (postgres_lock.go, mysql_revisions.go, ...). Adding an engine means a new
// type implementing every concern and one case in Dialect.engine.
type impl interface {
	lockSQL
	txRules
	revisionSQL
	legacySQL
	recoverySQL
	catalogFacts
}

type (
	postgres struct{}
	mysql    struct{}
	sqlite   struct{}
)

// engine returns the implementation of d, or nil for an unknown dialect.
func (d Dialect) engine() impl {
	switch d {
	case Postgres:
		return postgres{}
	case MySQL:
		return mysql{}
	case SQLite:
		return sqlite{}
	}
	return nil
}

// Known reports whether d is one of the dialects ferry supports.
func (d Dialect) Known() bool { return d.engine() != nil }

// Querier is what reads need of a *sql.DB, *sql.Conn or *sql.Tx.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// QuoteIdent quotes an identifier the way d's SQL does.
func (d Dialect) QuoteIdent(s string) string { return d.engine().quote(s) }

// Placeholder returns the n-th (1-based) bound parameter marker of d.
func (d Dialect) Placeholder(n int) string { return d.engine().placeholder(n) }
