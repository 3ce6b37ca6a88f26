package engine

import (
	"context"
	"database/sql"
	"fmt"
)

// An engine is what one Dialect knows, one concern per file, each
// declared in the file named for it and implemented in ENGINE_CONCERN.go:
//
//   - lock.go: session and transaction locks (Locker; one wait policy)
//   - tx.go: transaction rules, quoting, placeholders, names
//   - revisions.go: Atlas's revisions table
//   - legacy.go: golang-migrate's table and how its driver runs a file
//   - recoveries.go: ferry recover's audit table
//   - catalog.go: what the catalog shows and how names compare
//   - syntax.go, naming.go, lint_syntax.go: how its SQL reads names, the
//     names it makes up, what lint asks of its DDL (all in ENGINE_syntax.go)
//
// Adding an engine (CockroachDB, say) means a Dialect constant, a case in
// ParseDialect, in Dialect.engine and in PerEngine.For, and one file per
// concern for a new type; the compiler lists what is missing. The new
// PerEngine field is then filled where PerEngine is used outside this
// package: the drivers ferry links, the dump tools, golang-migrate's
// table readers.
type impl interface {
	lockSQL
	txRules
	revisionSQL
	legacySQL
	recoverySQL
	catalogFacts
	sqlFacts
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

// Placeholder returns the n-th (1-based) bound parameter marker of d.
func (d Dialect) Placeholder(n int) string { return d.engine().placeholder(n) }

// PerEngine is one value for each engine, for code outside the engine
// layer that is per engine for a reason of its own: the database drivers
// ferry links (internal/dbconn), the dump tools (baseline), golang-migrate's
// drivers (compat). Build it where it is used, with every field named; an
// added engine is an added field, and grep PerEngine lists what to fill.
type PerEngine[T any] struct {
	Postgres, MySQL, SQLite T
}

// For returns d's value, or an error for a dialect ferry does not support.
func (p PerEngine[T]) For(d Dialect) (T, error) {
	switch d {
	case Postgres:
		return p.Postgres, nil
	case MySQL:
		return p.MySQL, nil
	case SQLite:
		return p.SQLite, nil
	}
	var zero T
	return zero, fmt.Errorf("unknown dialect %q", d)
}
