package compat

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/ferrymigrate/ferry/engine"
)

// Execer runs statements; *sql.DB, *sql.Conn and *sql.Tx satisfy it.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// CreateLegacyTable creates golang-migrate's table at t exactly as
// golang-migrate's driver for d does, if it does not exist.
func CreateLegacyTable(ctx context.Context, q Execer, d engine.Dialect, t TableRef) error {
	var stmts []string
	switch d {
	case engine.Postgres:
		stmts = []string{`CREATE TABLE IF NOT EXISTS ` + quotePG(t.Schema) + `.` + quotePG(t.Name) + ` (version bigint not null primary key, dirty boolean not null)`}
	case engine.MySQL:
		stmts = []string{"CREATE TABLE IF NOT EXISTS " + quoteMySQL(t.Schema) + "." + quoteMySQL(t.Name) + " (version bigint not null primary key, dirty boolean not null)"}
	case engine.SQLite:
		stmts = []string{
			`CREATE TABLE IF NOT EXISTS ` + quotePG(t.Name) + ` (version uint64,dirty bool)`,
			`CREATE UNIQUE INDEX IF NOT EXISTS version_unique ON ` + quotePG(t.Name) + ` (version)`,
		}
	}
	for _, s := range stmts {
		if _, err := q.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("create %s: %w", t, err)
		}
	}
	return nil
}

// WriteLegacy sets golang-migrate's row to (version, dirty) the way
// golang-migrate's SetVersion does: the table is emptied, and a row is
// written unless the version is NilVersion and clean. Run it inside a
// transaction so that the table is never seen empty.
func WriteLegacy(ctx context.Context, q Execer, d engine.Dialect, t TableRef, version int64, dirty bool) error {
	var del, ins string
	switch d {
	case engine.Postgres:
		name := quotePG(t.Schema) + `.` + quotePG(t.Name)
		del, ins = `DELETE FROM `+name, `INSERT INTO `+name+` (version, dirty) VALUES ($1, $2)`
	case engine.MySQL:
		name := quoteMySQL(t.Schema) + "." + quoteMySQL(t.Name)
		del, ins = "DELETE FROM "+name, "INSERT INTO "+name+" (version, dirty) VALUES (?, ?)"
	default:
		name := quotePG(t.Name)
		del, ins = `DELETE FROM `+name, `INSERT INTO `+name+` (version, dirty) VALUES (?, ?)`
	}
	if _, err := q.ExecContext(ctx, del); err != nil {
		return fmt.Errorf("write %s: %w", t, err)
	}
	if version >= 0 || dirty {
		if _, err := q.ExecContext(ctx, ins, version, dirty); err != nil {
			return fmt.Errorf("write %s: %w", t, err)
		}
	}
	return nil
}
