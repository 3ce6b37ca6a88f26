// Package testdb gives integration tests fresh, real databases: one new
// PostgreSQL or MariaDB/MySQL database per call on the local test servers, or a
// new SQLite file, each dropped or removed when the test ends. It also builds
// legacy golang-migrate states with golang-migrate's own library (see
// migrate.go), so that tests can check what ferry makes of them.
//
// It is meant to be imported from _test.go files only.
//
// Servers are found through the environment variables FERRY_TEST_POSTGRES and
// FERRY_TEST_MYSQL (golang-migrate URL spelling). A server that cannot be
// reached fails the test with t.Fatalf; it is never skipped. Messages never
// show a password from those URLs.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"
)

// Environment variables that override the default server URLs.
const (
	EnvPostgres = "FERRY_TEST_POSTGRES"
	EnvMySQL    = "FERRY_TEST_MYSQL"
)

// Default server URLs, used when the environment variables are unset or empty.
const (
	DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	DefaultMySQLURL    = "mysql://root:@tcp(127.0.0.1:3306)/test"
)

// Dialect names, as in DB.Dialect.
const (
	Postgres = "postgres"
	MySQL    = "mysql"
	SQLite   = "sqlite"
)

// dbUpHint tells how to start the local servers. The path is relative to the
// repository root.
const dbUpHint = "start the local servers with `bash ../shared/scripts/db-up.sh` (from the repository root)"

// connectTimeout bounds every attempt to reach a server.
const connectTimeout = 15 * time.Second

// PostgresServerURL returns the golang-migrate URL of the PostgreSQL server that
// tests use: $FERRY_TEST_POSTGRES, or DefaultPostgresURL when that is unset or
// empty. Its database is only used to create and drop the fresh databases.
func PostgresServerURL() string {
	if v := os.Getenv(EnvPostgres); v != "" {
		return v
	}
	return DefaultPostgresURL
}

// MySQLServerURL returns the golang-migrate URL of the MySQL/MariaDB server that
// tests use: $FERRY_TEST_MYSQL, or DefaultMySQLURL when that is unset or empty.
// It has the form mysql://user:pass@tcp(host:port)/dbname?params, that is
// "mysql://" followed by a go-sql-driver DSN.
func MySQLServerURL() string {
	if v := os.Getenv(EnvMySQL); v != "" {
		return v
	}
	return DefaultMySQLURL
}

// Dialects returns the dialects New accepts: {"postgres", "mysql", "sqlite"}.
// The slice is new on every call.
func Dialects() []string {
	return []string{Postgres, MySQL, SQLite}
}

// DB is one fresh, empty database that belongs to one test.
type DB struct {
	// Dialect is "postgres", "mysql" or "sqlite".
	Dialect string
	// Name is the database name (ferry_test_<16 hex digits>); for sqlite the
	// absolute path of the database file.
	Name string
	// URL is the golang-migrate URL of the fresh database:
	// postgres://...?sslmode=disable, mysql://user:pass@tcp(host:port)/name, or
	// sqlite:///abs/path.db. Custom x-... parameters of the server URL are kept.
	URL string
	// SQL is an open handle to the fresh database through ferry's drivers
	// (pgx/v5 stdlib "pgx", go-sql-driver "mysql", modernc "sqlite"). It is
	// closed in t.Cleanup, before the database is dropped.
	SQL *sql.DB
}

// New returns a fresh database of the given dialect (one of Dialects()); an
// unknown dialect fails the test.
func New(t testing.TB, dialect string) *DB {
	t.Helper()
	switch dialect {
	case Postgres:
		return NewPostgres(t)
	case MySQL:
		return NewMySQL(t)
	case SQLite:
		return NewSQLite(t)
	}
	t.Fatalf("testdb: unknown dialect %q (want one of %q)", dialect, Dialects())
	return nil
}

// NewPostgres creates the database ferry_test_<random hex> on the server of
// PostgresServerURL and returns it with an open handle. In t.Cleanup the handle
// is closed and the database dropped with DROP DATABASE ... WITH (FORCE), which
// also ends connections the test left open. An unreachable server fails the
// test (t.Fatalf), naming FERRY_TEST_POSTGRES and the db-up script.
func NewPostgres(t testing.TB) *DB {
	t.Helper()
	srv := parsePostgresServer(t)
	admin := openReachable(t, "pgx", srv.dsn(srv.u.Path), srv)
	defer admin.Close()

	name := randomName()
	create := `CREATE DATABASE "` + name + `"`
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		_, err = admin.ExecContext(ctx, create)
		cancel()
		// Concurrent CREATE DATABASE from template1 can fail with 55006
		// "source database is being accessed by other users"; try again.
		if err == nil || !strings.Contains(err.Error(), "55006") {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("testdb: create postgres database %s on %s: %s", name, srv.redacted(), srv.scrub(err.Error()))
	}

	d := &DB{Dialect: Postgres, Name: name, URL: srv.migrateURL(name)}
	t.Cleanup(func() {
		if d.SQL != nil {
			d.SQL.Close()
		}
		admin, err := sql.Open("pgx", srv.dsn(srv.u.Path))
		if err != nil {
			t.Errorf("testdb: drop postgres database %s: %s", name, srv.scrub(err.Error()))
			return
		}
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`); err != nil {
			t.Errorf("testdb: drop postgres database %s: %s", name, srv.scrub(err.Error()))
		}
	})
	d.SQL = openReachable(t, "pgx", srv.dsn("/"+name), srv)
	return d
}

// NewMySQL creates the database ferry_test_<random hex> on the server of
// MySQLServerURL and returns it with an open handle. In t.Cleanup the handle is
// closed and the database dropped with DROP DATABASE IF EXISTS. An unreachable
// server fails the test (t.Fatalf), naming FERRY_TEST_MYSQL and the db-up
// script.
func NewMySQL(t testing.TB) *DB {
	t.Helper()
	srv := parseMySQLServer(t)
	admin := openReachable(t, "mysql", srv.dsn(srv.cfg.DBName), srv)
	defer admin.Close()

	name := randomName()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE `"+name+"`"); err != nil {
		t.Fatalf("testdb: create mysql database %s on %s: %s", name, srv.redacted(), srv.scrub(err.Error()))
	}

	d := &DB{Dialect: MySQL, Name: name, URL: srv.migrateURL(name)}
	t.Cleanup(func() {
		if d.SQL != nil {
			d.SQL.Close()
		}
		admin, err := sql.Open("mysql", srv.dsn(srv.cfg.DBName))
		if err != nil {
			t.Errorf("testdb: drop mysql database %s: %s", name, srv.scrub(err.Error()))
			return
		}
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+name+"`"); err != nil {
			t.Errorf("testdb: drop mysql database %s: %s", name, srv.scrub(err.Error()))
		}
	})
	d.SQL = openReachable(t, "mysql", srv.dsn(name), srv)
	return d
}

// NewSQLite returns a fresh SQLite database: the file ferry.db in t.TempDir(),
// removed with that directory. Should the t.TempDir() path hold a character
// that golang-migrate's sqlite driver cannot take unchanged from a sqlite:// URL
// (it parses and re-encodes the URL: '%' breaks parsing, a space becomes %20;
// '%' and '#' come from subtest names), a private temporary directory with a
// plain name is used instead and removed in t.Cleanup. The handle sets
// busy_timeout to 5s and is closed in t.Cleanup.
func NewSQLite(t testing.TB) *DB {
	t.Helper()
	dir := t.TempDir()
	if !urlSafePath(dir) {
		var err error
		dir, err = os.MkdirTemp("", "ferry-testdb-")
		if err != nil {
			t.Fatalf("testdb: sqlite temp dir: %v", err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
	}
	path := filepath.Join(dir, "ferry.db")
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatalf("testdb: open sqlite %s: %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Ping(); err != nil {
		t.Fatalf("testdb: open sqlite %s: %v", path, err)
	}
	return &DB{Dialect: SQLite, Name: path, URL: "sqlite://" + path, SQL: db}
}

// URLWith returns d.URL with extra query parameters appended, given as key,
// value pairs: each key and value is query-escaped, and the first is joined
// with '?' when d.URL has no query yet, '&' otherwise. It works for the mysql://
// (go-sql-driver DSN) form too, where the query is what follows the first '?'
// after the last '/'. An odd number of arguments panics.
//
//	d.URLWith("x-migrations-table", "legacy_migrations")
func (d *DB) URLWith(kv ...string) string {
	return appendQuery(d.URL, kv...)
}

// Exec runs statements on d.SQL, one Exec call each and in order, and fails
// the test (t.Fatalf) at the first error.
func (d *DB) Exec(t testing.TB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := d.SQL.Exec(s); err != nil {
			t.Fatalf("testdb: %s: exec %q: %v", d.Dialect, s, err)
		}
	}
}

// appendQuery appends query parameters to a golang-migrate URL.
func appendQuery(u string, kv ...string) string {
	if len(kv)%2 != 0 {
		panic(fmt.Sprintf("testdb: URLWith needs key, value pairs, got %d arguments", len(kv)))
	}
	if len(kv) == 0 {
		return u
	}
	var b strings.Builder
	b.WriteString(u)
	sep := "?"
	if hasQuery(u) {
		sep = "&"
	}
	if strings.HasSuffix(u, "?") || strings.HasSuffix(u, "&") {
		sep = ""
	}
	for i := 0; i < len(kv); i += 2 {
		b.WriteString(sep)
		b.WriteString(url.QueryEscape(kv[i]))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(kv[i+1]))
		sep = "&"
	}
	return b.String()
}

// hasQuery reports whether a golang-migrate URL already has a query part.
func hasQuery(u string) bool {
	if strings.HasPrefix(u, "mysql://") {
		// go-sql-driver DSN: the password and the address may hold '?' or '/';
		// the database name starts after the last '/'.
		rest := u[strings.LastIndex(u, "/")+1:]
		return strings.Contains(rest, "?")
	}
	if p, err := url.Parse(u); err == nil {
		return p.RawQuery != "" || p.ForceQuery
	}
	return strings.Contains(u, "?")
}

func randomName() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return "ferry_test_" + hex.EncodeToString(b[:])
}

// urlSafePath reports whether "sqlite://"+p means exactly the file p to
// golang-migrate's sqlite driver (which parses the URL and re-encodes it) and
// to net/url.
func urlSafePath(p string) bool {
	u, err := url.Parse("sqlite://" + p)
	return err == nil && u.Path == p && u.RawQuery == "" && u.Fragment == "" &&
		u.String() == "sqlite://"+p
}

// server is what openReachable needs to word its messages.
type server interface {
	env() string
	kind() string
	redacted() string
	scrub(string) string
}

// openReachable opens a handle and pings it; a failure is fatal and says how to
// start the servers.
func openReachable(t testing.TB, driver, dsn string, srv server) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
		err = db.PingContext(ctx)
		cancel()
		if err != nil {
			db.Close()
		}
	}
	if err != nil {
		t.Fatalf("testdb: %s server unreachable at %s (set by %s, or its default): %s\n"+
			"testdb: %s, or set %s to a reachable server",
			srv.kind(), srv.redacted(), srv.env(), srv.scrub(err.Error()), dbUpHint, srv.env())
	}
	return db
}

// scrubSecret replaces every spelling of secret in s by "xxxxx".
func scrubSecret(s string, secrets ...string) string {
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		s = strings.ReplaceAll(s, sec, "xxxxx")
		s = strings.ReplaceAll(s, url.QueryEscape(sec), "xxxxx")
		s = strings.ReplaceAll(s, url.PathEscape(sec), "xxxxx")
	}
	return s
}

// ---- PostgreSQL ----

type pgServer struct {
	u        *url.URL // scheme postgres, custom x-... parameters kept
	password []string // every spelling of passwords in the URL, for scrubbing
}

func parsePostgresServer(t testing.TB) *pgServer {
	t.Helper()
	raw := PostgresServerURL()
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the whole URL; show only the reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		t.Fatalf("testdb: %s is not a valid postgres URL: %v", EnvPostgres, err)
	}
	switch u.Scheme {
	case "postgres", "postgresql", "pgx5", "pgx":
		u.Scheme = "postgres"
	default:
		t.Fatalf("testdb: %s must be a postgres:// URL, got scheme %q", EnvPostgres, u.Scheme)
	}
	return &pgServer{u: u, password: urlPasswords(u)}
}

// urlPasswords returns the passwords in a URL's user info and its password
// query parameter.
func urlPasswords(u *url.URL) []string {
	var ps []string
	if p, ok := u.User.Password(); ok {
		ps = append(ps, p)
	}
	if p := u.Query().Get("password"); p != "" {
		ps = append(ps, p)
	}
	return ps
}

func (s *pgServer) env() string  { return EnvPostgres }
func (s *pgServer) kind() string { return "PostgreSQL" }

func (s *pgServer) redacted() string {
	u := *s.u
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

func (s *pgServer) scrub(msg string) string { return scrubSecret(msg, s.password...) }

// dsn is the URL for pgx with the given path (database), without
// golang-migrate's x-... parameters, which pgx would send to the server.
func (s *pgServer) dsn(path string) string {
	u := *s.u
	u.Path, u.RawPath = path, ""
	q := u.Query()
	for k := range q {
		if strings.HasPrefix(k, "x-") {
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// migrateURL is the golang-migrate URL of database name: the server URL, as
// given, with its path replaced.
func (s *pgServer) migrateURL(name string) string {
	u := *s.u
	u.Path, u.RawPath = "/"+name, ""
	return u.String()
}

// ---- MySQL / MariaDB ----

type mysqlServer struct {
	raw      string        // the DSN part of the server URL, after "mysql://"
	cfg      *mysql.Config // parsed as golang-migrate does (user and password unescaped)
	password []string
}

func parseMySQLServer(t testing.TB) *mysqlServer {
	t.Helper()
	raw := MySQLServerURL()
	dsn, ok := strings.CutPrefix(raw, "mysql://")
	if !ok {
		t.Fatalf("testdb: %s must be a mysql:// URL (mysql://user:pass@tcp(host:port)/db)", EnvMySQL)
	}
	s := &mysqlServer{raw: dsn, password: mysqlPasswords(dsn)}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatalf("testdb: %s is not a valid mysql URL: %s", EnvMySQL, s.scrub(err.Error()))
	}
	// golang-migrate's mysql driver query-unescapes user and password.
	if u, err := url.QueryUnescape(cfg.User); err == nil {
		cfg.User = u
	}
	if p, err := url.QueryUnescape(cfg.Passwd); err == nil {
		cfg.Passwd = p
	}
	for k := range cfg.Params {
		if strings.HasPrefix(k, "x-") {
			delete(cfg.Params, k)
		}
	}
	s.cfg = cfg
	return s
}

// mysqlPasswords returns the password of a go-sql-driver DSN as written and
// query-unescaped (as golang-migrate reads it), found the way go-sql-driver
// finds it: between the first ':' and the last '@' before the last '/'.
func mysqlPasswords(dsn string) []string {
	i := strings.LastIndex(dsn, "/")
	if i < 0 {
		return nil
	}
	j := strings.LastIndex(dsn[:i], "@")
	if j < 0 {
		return nil
	}
	k := strings.Index(dsn[:j], ":")
	if k < 0 {
		return nil
	}
	p := dsn[k+1 : j]
	ps := []string{p}
	if up, err := url.QueryUnescape(p); err == nil && up != p {
		ps = append(ps, up)
	}
	return ps
}

func (s *mysqlServer) env() string  { return EnvMySQL }
func (s *mysqlServer) kind() string { return "MySQL/MariaDB" }

func (s *mysqlServer) redacted() string {
	dsn := s.raw
	if i := strings.LastIndex(dsn, "/"); i >= 0 {
		if j := strings.LastIndex(dsn[:i], "@"); j >= 0 {
			if k := strings.Index(dsn[:j], ":"); k >= 0 && k+1 < j {
				dsn = dsn[:k+1] + "xxxxx" + dsn[j:]
			}
		}
	}
	return s.scrub("mysql://" + dsn)
}

func (s *mysqlServer) scrub(msg string) string { return scrubSecret(msg, s.password...) }

// dsn is the go-sql-driver DSN for database name, without golang-migrate's
// x-... parameters (which go-sql-driver would send as system variables).
func (s *mysqlServer) dsn(name string) string {
	cfg := s.cfg.Clone()
	cfg.DBName = name
	return cfg.FormatDSN()
}

// migrateURL is the golang-migrate URL of database name: the server URL, as
// given, with its database name replaced.
func (s *mysqlServer) migrateURL(name string) string {
	i := strings.LastIndex(s.raw, "/")
	rest := s.raw[i+1:]
	query := ""
	if j := strings.Index(rest, "?"); j >= 0 {
		query = rest[j:]
	}
	return "mysql://" + s.raw[:i+1] + name + query
}

// ---- redaction of arbitrary golang-migrate URLs ----

// redactURL returns a golang-migrate URL with its password (user info, or a
// password query parameter) replaced by "xxxxx".
func redactURL(raw string) string {
	if dsn, ok := strings.CutPrefix(raw, "mysql://"); ok {
		return (&mysqlServer{raw: dsn, password: mysqlPasswords(dsn)}).redacted()
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "<unparsable URL>"
	}
	return scrubURLSecrets((&pgServer{u: u}).redacted(), raw)
}

// scrubURLSecrets replaces the passwords of a golang-migrate URL in msg.
func scrubURLSecrets(msg, raw string) string {
	if dsn, ok := strings.CutPrefix(raw, "mysql://"); ok {
		return scrubSecret(msg, mysqlPasswords(dsn)...)
	}
	u, err := url.Parse(raw)
	if err != nil {
		// Unparsable (golang-migrate's error then repeats it): take
		// scheme://user:pass@ by hand.
		_, rest, ok := strings.Cut(raw, "://")
		if !ok {
			return msg
		}
		if i := strings.IndexAny(rest, "/?#"); i >= 0 {
			rest = rest[:i]
		}
		if j := strings.LastIndex(rest, "@"); j >= 0 {
			if _, pass, ok := strings.Cut(rest[:j], ":"); ok {
				return scrubSecret(msg, pass)
			}
		}
		return msg
	}
	return scrubSecret(msg, urlPasswords(u)...)
}

// Strings runs q with args on the database and returns the first column of
// every row as text, in the order the query gives; no rows is nil. A query
// or a row that fails fails the test.
func (d *DB) Strings(t testing.TB, q string, args ...any) []string {
	t.Helper()
	rows, err := d.SQL.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}
