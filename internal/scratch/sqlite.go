package scratch

import (
	"context"
	"fmt"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/internal/dbconn"
)

// newSQLite opens a private in-memory database: SQLite's memdb VFS with a
// name that starts with "/" is shared by the connections of this process
// that name it, and freed when the last of them closes. Nothing touches a
// file.
func newSQLite(ctx context.Context, dev *compat.DatabaseURL, name string) (*DB, error) {
	u, err := compat.ParseDatabaseURL("sqlite://file:/" + name + "?vfs=memdb")
	if err != nil {
		return nil, fmt.Errorf("in-memory scratch database for %s: %w", dev.Redacted(), err)
	}
	db, err := dbconn.Open(ctx, u, dbconn.ReadWrite)
	if err != nil {
		return nil, fmt.Errorf("in-memory scratch database for %s: %w", dev.Redacted(), err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	return &DB{DB: db, Dialect: engine.SQLite, URL: u, Name: name, dev: dev}, nil
}
