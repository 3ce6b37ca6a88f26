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
	for _, s := range d.Legacy().Create(t.Schema, t.Name) {
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
	ls := d.Legacy()
	name := ls.Table(t.Schema, t.Name)
	del, ins := `DELETE FROM `+name, ls.Insert(name)
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
