package testdb

import (
	"database/sql"
	"testing"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/internal/dbconn"
	"github.com/ferrymigrate/ferry/revision"
)

// ParsedURL returns d.URL parsed by compat.ParseDatabaseURL, as ferry's
// commands read --database; a URL that does not parse fails the test.
func (d *DB) ParsedURL(t testing.TB) *compat.DatabaseURL {
	t.Helper()
	u, err := compat.ParseDatabaseURL(d.URL)
	if err != nil {
		t.Fatalf("testdb: parse %s: %v", redactURL(d.URL), err)
	}
	return u
}

// Store returns the revision table of d where ferry looks for it by default
// (revision.Locate with no override); a failure to look fails the test.
func (d *DB) Store(t testing.TB) *revision.Store {
	t.Helper()
	s, err := revision.Locate(t.Context(), d.SQL, d.ParsedURL(t), "")
	if err != nil {
		t.Fatalf("testdb: locate the revision table: %v", err)
	}
	return s
}

// Connect opens dbURL as ferry's commands do: compat.ParseDatabaseURL, then
// dbconn.Open for reading and writing, with ferry's own session settings
// (MySQL multi-statement batches, for one). It returns the handle and the
// parsed URL; the caller closes the handle. A URL that does not parse or a
// database that cannot be opened fails the test.
//
// It is the one place where tests connect through ferry's code; the rest of
// this package reads the databases with plain SQL.
func Connect(t testing.TB, dbURL string) (*sql.DB, *compat.DatabaseURL) {
	t.Helper()
	return connect(t, dbURL, dbconn.ReadWrite)
}

// ConnectReadOnly is Connect for a session that only reads, as ferry's
// read-only commands (status, doctor) open theirs.
func ConnectReadOnly(t testing.TB, dbURL string) (*sql.DB, *compat.DatabaseURL) {
	t.Helper()
	return connect(t, dbURL, dbconn.ReadOnly)
}

func connect(t testing.TB, dbURL string, mode dbconn.Mode) (*sql.DB, *compat.DatabaseURL) {
	t.Helper()
	u, err := compat.ParseDatabaseURL(dbURL)
	if err != nil {
		t.Fatalf("testdb: parse %s: %v", redactURL(dbURL), err)
	}
	h, err := dbconn.Open(t.Context(), u, mode)
	if err != nil {
		t.Fatalf("testdb: open %s: %v", redactURL(dbURL), err)
	}
	return h, u
}

// SetLegacyRow writes golang-migrate's row of the database (its table as
// compat.ReadLegacy finds it for d.URL) to version and dirty, as
// `migrate force` would, or as a run killed mid-file leaves it. It fails the
// test when the row cannot be read or written.
func (d *DB) SetLegacyRow(t testing.TB, version int64, dirty bool) {
	t.Helper()
	u, err := compat.ParseDatabaseURL(d.URL)
	if err != nil {
		t.Fatalf("testdb: parse %s: %v", redactURL(d.URL), err)
	}
	st, err := compat.ReadLegacy(t.Context(), d.SQL, u)
	if err != nil {
		t.Fatalf("testdb: read golang-migrate's row: %v", err)
	}
	if err := compat.WriteLegacy(t.Context(), d.SQL, u.Dialect, st.Table, version, dirty); err != nil {
		t.Fatalf("testdb: write golang-migrate's row: %v", err)
	}
}
