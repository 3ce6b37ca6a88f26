// Package scratch gives ferry temporary databases on a development ("dev")
// server, on which it replays migration files to learn the schema they
// produce (baseline --from-dev, drift, doctor). A scratch database belongs to
// the caller that made it and is dropped by Close.
//
// On PostgreSQL and MySQL/MariaDB, New creates a database named
// NamePrefix+<16 hex digits> on the dev server, connecting as the dev URL's
// user; the dev URL's own database is only used to log in. On SQLite the
// scratch database is a private in-memory database and no file is touched.
package scratch

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/internal/dbconn"
)

// NamePrefix starts the name of every scratch database, so that a leftover
// one (after a crash, say) is easy to recognise and to drop by hand.
const NamePrefix = "ferry_scratch_"

// dropTimeout bounds Close's DROP DATABASE; it runs even when the caller's
// context is done.
const dropTimeout = time.Minute

// DB is a temporary database, dropped by Close.
//
// The embedded *sql.DB is limited to one open connection, so that session
// state (SET search_path, temporary tables, a MySQL USE) and an SQLite
// in-memory database persist from one call to the next. Use it from one
// goroutine at a time.
type DB struct {
	*sql.DB
	Dialect engine.Dialect
	// URL is the scratch database's own URL (on SQLite a sqlite URL naming
	// the in-memory database: sqlite://file:/<Name>?vfs=memdb, which opens
	// read-write only). It carries the dev URL's password: pass it to
	// dbconn.Open or a dump tool, print only URL.Redacted().
	URL *compat.DatabaseURL
	// Name is the scratch database's name.
	Name string

	dev   *compat.DatabaseURL
	admin *sql.DB // PostgreSQL, MySQL: the dev connection that drops the database
	drop  string  // the statement that drops it

	once     sync.Once
	closeErr error

	like  *compat.DatabaseURL // set by Mimic
	table compat.TableRef     // golang-migrate's table, set by Mimic
	tx    *sql.Tx             // the transaction of the file Run is running
}

// New creates an empty scratch database on the server dev names and opens
// it. For a sqlite dev URL (any path, e.g. sqlite://:memory:) it opens a
// private in-memory database instead; the path is ignored.
//
// Errors name the redacted dev URL: a *dbconn.ConnectError when the server
// cannot be reached, and, when the user may not create databases, a message
// saying which privilege is missing (PostgreSQL: CREATEDB; MySQL: CREATE on
// ferry_scratch_% databases). When New fails after creating the database, it
// drops it again.
func New(ctx context.Context, dev *compat.DatabaseURL) (*DB, error) {
	name := newName()
	switch {
	case !dev.Dialect.Known():
	case dev.Dialect.Embedded():
		return newSQLite(ctx, dev, name)
	default:
		return newOnServer(ctx, dev, name)
	}
	return nil, fmt.Errorf("scratch database on %s: unknown dialect %q", dev.Redacted(), dev.Dialect)
}

func newName() string {
	var r [8]byte
	_, _ = rand.Read(r[:]) // never fails (crypto/rand)
	return NamePrefix + hex.EncodeToString(r[:])
}

// server is what New needs to know of a dialect with a server.
type server struct {
	// create makes the database on admin and returns the statement that
	// drops it, also with an error when the database may exist anyway (a
	// cancelled CREATE DATABASE).
	create func(ctx context.Context, admin *sql.DB, dev *compat.DatabaseURL, name string) (drop string, err error)
	// url is the URL of the database name on dev's server.
	url func(dev *compat.DatabaseURL, name string) (*compat.DatabaseURL, error)
}

func newOnServer(ctx context.Context, dev *compat.DatabaseURL, name string) (*DB, error) {
	srv, _ := engine.PerEngine[server]{
		Postgres: server{create: createPostgres, url: postgresURL},
		MySQL:    server{create: createMySQL, url: mysqlURL},
	}.For(dev.Dialect)
	admin, err := dbconn.Open(ctx, dev, dbconn.ReadWrite)
	if err != nil {
		return nil, err
	}
	admin.SetMaxOpenConns(1)
	drop, err := srv.create(ctx, admin, dev, name)
	s := &DB{Dialect: dev.Dialect, Name: name, dev: dev, admin: admin, drop: drop}
	if err != nil {
		if drop != "" && ctx.Err() != nil {
			_ = s.close(ctx) // the server may have created it before the cancel
		} else {
			admin.Close()
		}
		return nil, err
	}
	if s.URL, err = srv.url(dev, name); err == nil {
		s.DB, err = dbconn.Open(ctx, s.URL, dbconn.ReadWrite)
	}
	if err != nil {
		err = fmt.Errorf("open scratch database %s on %s: %w", name, dev.Redacted(), err)
		if dropErr := s.close(ctx); dropErr != nil {
			return nil, fmt.Errorf("%w; %w", err, dropErr)
		}
		return nil, err
	}
	s.DB.SetMaxOpenConns(1)
	s.DB.SetMaxIdleConns(1)
	return s, nil
}

// Close closes the connection and drops the database; it returns the first
// call's result on later calls. It drops even when ctx is done (a cancelled
// run), waiting at most a minute. A failure to drop names the database and
// the statement to drop it by hand.
func (s *DB) Close(ctx context.Context) error {
	if s == nil {
		return nil
	}
	s.once.Do(func() { s.closeErr = s.close(ctx) })
	return s.closeErr
}

func (s *DB) close(ctx context.Context) error {
	var closeErr error
	if s.DB != nil {
		closeErr = s.DB.Close() // on SQLite this frees the in-memory database
	}
	if s.admin == nil {
		if closeErr != nil {
			return fmt.Errorf("close scratch database %s: %w", s.Name, closeErr)
		}
		return nil
	}
	defer s.admin.Close()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), dropTimeout)
	defer cancel()
	if _, err := s.admin.ExecContext(ctx, s.drop); err != nil {
		return fmt.Errorf("drop scratch database %s on %s (drop it by hand: %s): %w", s.Name, s.dev.Redacted(), s.drop, err)
	}
	if closeErr != nil {
		return fmt.Errorf("close scratch database %s on %s (dropped): %w", s.Name, s.dev.Redacted(), closeErr)
	}
	return nil
}

// ReplayError is a statement of a migration file that failed on the scratch
// database.
type ReplayError struct {
	File      string
	Statement int // 1-based index in the file, as sqlsplit numbers it
	Line      int // 1-based line of its first byte
	Err       error
}

func (e *ReplayError) Error() string {
	return fmt.Sprintf("replay %s: statement %d (line %d): %v", e.File, e.Statement, e.Line, e.Err)
}

func (e *ReplayError) Unwrap() error { return e.Err }
