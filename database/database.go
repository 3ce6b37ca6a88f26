// Package database is a connected database: the handle, the URL it was
// opened from and the engine behind it. Library entry points (doctor,
// apply, convert) take a *DB instead of a handle and a URL apart.
package database

import (
	"context"
	"database/sql"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/internal/dbconn"
)

// DB is a connected database. SQL and URL describe the same database; a
// DB is as safe for concurrent use as its *sql.DB.
type DB struct {
	SQL *sql.DB
	URL *compat.DatabaseURL
}

// Mode says whether Open's handle may write.
type Mode = dbconn.Mode

// Modes.
const (
	ReadWrite = dbconn.ReadWrite
	// ReadOnly opens SQLite files read-only and never creates one; on
	// servers, ferry reads in READ ONLY transactions.
	ReadOnly = dbconn.ReadOnly
)

// Open opens and pings u with ferry's own drivers (never golang-migrate's,
// which create tables and take locks). It returns a *dbconn.ConnectError
// naming the redacted URL when the server cannot be reached, and a
// *dbconn.MissingFileError for a missing SQLite file opened ReadOnly. The
// caller closes the DB.
func Open(ctx context.Context, u *compat.DatabaseURL, mode Mode) (*DB, error) {
	db, err := dbconn.Open(ctx, u, mode)
	if err != nil {
		return nil, err
	}
	return &DB{SQL: db, URL: u}, nil
}

// Wrap makes a DB of a handle the caller opened on u, as it is: its
// driver settings and pool limits are left alone, and Close is the
// caller's. On MySQL, ferry's bookkeeping sends several statements in one
// round trip: the handle needs multiStatements=true (and benefits from
// interpolateParams=true), as Open sets them.
func Wrap(db *sql.DB, u *compat.DatabaseURL) *DB { return &DB{SQL: db, URL: u} }

// Dialect is the engine of the database.
func (d *DB) Dialect() engine.Dialect { return d.URL.Dialect }

// Close closes the handle.
func (d *DB) Close() error { return d.SQL.Close() }
