package testdb

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/golang-migrate/migrate/v4"
	_ "github.com/golang-migrate/migrate/v4/database/mysql"    // mysql://
	_ "github.com/golang-migrate/migrate/v4/database/pgx/v5"   // pgx5://
	_ "github.com/golang-migrate/migrate/v4/database/postgres" // postgres://, postgresql:// (lib/pq)
	_ "github.com/golang-migrate/migrate/v4/database/sqlite"   // sqlite:// (modernc)
	"github.com/golang-migrate/migrate/v4/source/iofs"
)

// The helpers below build legacy golang-migrate states with golang-migrate's
// own library (v4), so that tests can check how ferry reads and adopts them.
//
// dbURL is passed to golang-migrate unchanged, and its scheme picks the
// driver: postgres:// and postgresql:// use golang-migrate's lib/pq driver,
// pgx5:// its pgx/v5 driver, mysql:// (mysql://user:pass@tcp(host:port)/dbname)
// and sqlite:// (sqlite:///abs/path.db, modernc) theirs. DB.URL and
// DB.URLWith give suitable URLs; golang-migrate options such as
// x-migrations-table go in its query. Note that golang-migrate's drivers create
// their migrations table (schema_migrations by default) as soon as they open
// the database, even for Version.
//
// Each helper opens its own migrate.Migrate on dir and closes it before
// returning; only Migrator hands one out.

// WriteDir writes files (file name -> content) into a new directory under
// t.TempDir() and returns its path. Names may contain '/' to make
// subdirectories.
func WriteDir(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatalf("testdb: WriteDir: %v", err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatalf("testdb: WriteDir: %v", err)
		}
	}
	return dir
}

// Migrator opens golang-migrate with the migrations in dir (read through
// source/iofs, so any path works) and the database dbURL. dbURL is passed
// through unchanged and its scheme picks golang-migrate's driver: postgres://
// and postgresql:// lib/pq, pgx5:// pgx/v5, mysql:// and sqlite:// (modernc);
// opening creates golang-migrate's migrations table. The instance is closed in
// t.Cleanup; a failure to open fails the test. Up, Steps, UpExpectError and
// Version open and close their own instance instead.
func Migrator(t testing.TB, dir, dbURL string) *migrate.Migrate {
	t.Helper()
	m := openMigrate(t, dir, dbURL)
	t.Cleanup(func() { closeMigrate(t, m) })
	return m
}

// Up runs golang-migrate's Up on dir and dbURL; ErrNoChange counts as success,
// any other error fails the test.
func Up(t testing.TB, dir, dbURL string) {
	t.Helper()
	m := openMigrate(t, dir, dbURL)
	defer closeMigrate(t, m)
	if err := m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		t.Fatalf("testdb: golang-migrate up on %s: %v", redactURL(dbURL), err)
	}
}

// Steps runs golang-migrate's Steps(n) on dir and dbURL (n < 0 migrates down);
// ErrNoChange counts as success, any other error (including ErrShortLimit, when
// fewer than |n| migrations were there to apply) fails the test.
func Steps(t testing.TB, dir, dbURL string, n int) {
	t.Helper()
	m := openMigrate(t, dir, dbURL)
	defer closeMigrate(t, m)
	if err := m.Steps(n); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		t.Fatalf("testdb: golang-migrate steps %d on %s: %v", n, redactURL(dbURL), err)
	}
}

// UpExpectError runs golang-migrate's Up on dir and dbURL and returns the
// error it must give (a failing migration file, say, after which
// golang-migrate leaves the database dirty at that file's version). Success or
// ErrNoChange fails the test.
func UpExpectError(t testing.TB, dir, dbURL string) error {
	t.Helper()
	m := openMigrate(t, dir, dbURL)
	defer closeMigrate(t, m)
	err := m.Up()
	if err == nil || errors.Is(err, migrate.ErrNoChange) {
		t.Fatalf("testdb: golang-migrate up on %s: want an error, got %v", redactURL(dbURL), err)
	}
	return err
}

// Version returns golang-migrate's Version() for dbURL: the version and dirty
// flag of its migrations table. When no version is recorded (ErrNilVersion) it
// returns nilVersion true, with version 0 and dirty false. Any other error
// fails the test. Opening creates the migrations table if it is missing.
func Version(t testing.TB, dir, dbURL string) (version uint, dirty bool, nilVersion bool) {
	t.Helper()
	m := openMigrate(t, dir, dbURL)
	defer closeMigrate(t, m)
	version, dirty, err := m.Version()
	if errors.Is(err, migrate.ErrNilVersion) {
		return 0, false, true
	}
	if err != nil {
		t.Fatalf("testdb: golang-migrate version on %s: %v", redactURL(dbURL), err)
	}
	return version, dirty, false
}

func openMigrate(t testing.TB, dir, dbURL string) *migrate.Migrate {
	t.Helper()
	src, err := iofs.New(os.DirFS(dir), ".")
	if err != nil {
		t.Fatalf("testdb: golang-migrate source %s: %v", dir, err)
	}
	m, err := migrate.NewWithSourceInstance("iofs", src, dbURL)
	if err != nil {
		src.Close()
		t.Fatalf("testdb: golang-migrate open %s: %s", redactURL(dbURL), scrubURLSecrets(err.Error(), dbURL))
	}
	return m
}

func closeMigrate(t testing.TB, m *migrate.Migrate) {
	t.Helper()
	srcErr, dbErr := m.Close()
	if srcErr != nil || dbErr != nil {
		t.Errorf("testdb: golang-migrate close: source: %v, database: %v", srcErr, dbErr)
	}
}
