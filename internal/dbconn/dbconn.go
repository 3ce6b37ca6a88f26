// Package dbconn opens database handles for golang-migrate URLs with ferry's
// own drivers: pgx/v5 (stdlib), go-sql-driver/mysql and modernc.org/sqlite.
// It never goes through golang-migrate's drivers, which create tables and take
// locks when they open.
package dbconn

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/engine"
)

// Mode says whether the handle may write.
type Mode int

// Modes.
const (
	ReadWrite Mode = iota
	// ReadOnly opens SQLite files read-only and never creates one; on
	// servers, callers use READ ONLY transactions.
	ReadOnly
)

// ConnectError is a failure to reach or log in to a database. Its message
// names the redacted URL and never contains the password.
type ConnectError struct {
	URL string // redacted
	Msg string // the driver's message, redacted
	Err error
}

func (e *ConnectError) Error() string { return "connect to " + e.URL + ": " + e.Msg }
func (e *ConnectError) Unwrap() error { return e.Err }

// MissingFileError is a SQLite URL naming a file that does not exist.
// golang-migrate would create an empty database there.
type MissingFileError struct{ Path string }

func (e *MissingFileError) Error() string {
	return fmt.Sprintf("SQLite database %s does not exist (golang-migrate would create an empty one)", e.Path)
}

// Open opens and pings a handle for u. The caller closes it.
func Open(ctx context.Context, u *compat.DatabaseURL, mode Mode) (*sql.DB, error) {
	db, err := open(u, mode)
	if err != nil {
		return nil, &ConnectError{URL: u.Redacted(), Msg: u.Redact(err.Error()), Err: err}
	}
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, &ConnectError{URL: u.Redacted(), Msg: u.Redact(err.Error()), Err: err}
	}
	return db, nil
}

func open(u *compat.DatabaseURL, mode Mode) (*sql.DB, error) {
	openWith, err := engine.PerEngine[opener]{Postgres: openPostgres, MySQL: openMySQL, SQLite: openSQLite}.For(u.Dialect)
	if err != nil {
		return nil, err
	}
	return openWith(u, mode)
}

// opener opens a handle with the driver ferry links for one engine.
type opener func(u *compat.DatabaseURL, mode Mode) (*sql.DB, error)

func openPostgres(u *compat.DatabaseURL, _ Mode) (*sql.DB, error) {
	return sql.Open("pgx", u.DriverDSN())
}

func openMySQL(u *compat.DatabaseURL, _ Mode) (*sql.DB, error) {
	cfg := u.MySQLConfig()
	// Interpolate parameters client-side: no prepare round trip per
	// bookkeeping statement, and several statements in one round trip
	// (the URL enables multi-statements, as golang-migrate does).
	cfg.InterpolateParams = true
	if name := u.Options["tls"]; name != "" {
		tc, err := mysqlTLS(u.Options)
		if err != nil {
			return nil, err
		}
		cfg.TLS = tc
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(conn), nil
}

func openSQLite(u *compat.DatabaseURL, mode Mode) (*sql.DB, error) {
	dsn := u.DriverDSN()
	if mode == ReadOnly {
		if _, err := os.Stat(u.Database); errors.Is(err, fs.ErrNotExist) {
			return nil, &MissingFileError{Path: u.Database}
		}
		dsn = readOnlySQLite(dsn)
	} else if !strings.Contains(dsn, "busy_timeout") {
		// Wait for another writer (ferry or golang-migrate) instead of
		// failing with "database is locked".
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		dsn += sep + "_pragma=busy_timeout(30000)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// readOnlySQLite turns a golang-migrate SQLite path (with optional driver
// parameters) into a read-only SQLite URI.
func readOnlySQLite(dsn string) string {
	path, query, _ := strings.Cut(dsn, "?")
	q, _ := url.ParseQuery(query)
	q.Set("mode", "ro")
	if strings.HasPrefix(path, "file:") {
		return path + "?" + q.Encode()
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// mysqlTLS builds the TLS configuration golang-migrate registers for a
// custom tls= name from x-tls-ca, x-tls-cert, x-tls-key and
// x-tls-insecure-skip-verify.
func mysqlTLS(opts map[string]string) (*tls.Config, error) {
	pem, err := os.ReadFile(opts["x-tls-ca"])
	if err != nil {
		return nil, fmt.Errorf("read x-tls-ca: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("x-tls-ca %s holds no PEM certificate", opts["x-tls-ca"])
	}
	tc := &tls.Config{RootCAs: pool}
	cert, key := opts["x-tls-cert"], opts["x-tls-key"]
	if cert != "" || key != "" {
		if cert == "" || key == "" {
			return nil, errors.New("x-tls-cert and x-tls-key go together")
		}
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return nil, fmt.Errorf("load x-tls-cert/x-tls-key: %w", err)
		}
		tc.Certificates = []tls.Certificate{pair}
	}
	if s := opts["x-tls-insecure-skip-verify"]; s != "" {
		tc.InsecureSkipVerify, _ = strconv.ParseBool(s)
	}
	return tc, nil
}
