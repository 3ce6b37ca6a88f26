package drift_test

import (
	"context"
	"errors"
	"maps"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/drift"
	"github.com/ferrymigrate/ferry/internal/scratch"
	"github.com/ferrymigrate/ferry/internal/testdb"
	"github.com/ferrymigrate/ferry/revision"
)

// migrations build users and orders (versions 1 and 2) and notes (3), in
// SQL that every dialect runs.
//
// Every PostgreSQL database also has the extension plpgsql: one object more.
var migrations = map[string]string{
	"1_users.up.sql":    "CREATE TABLE users (id int PRIMARY KEY, email varchar(100) NOT NULL);\n",
	"1_users.down.sql":  "DROP TABLE users;\n",
	"2_orders.up.sql":   "CREATE TABLE orders (id int PRIMARY KEY, user_id int NOT NULL);\nCREATE INDEX orders_user ON orders (user_id);\n",
	"2_orders.down.sql": "DROP TABLE orders;\n",
	"3_notes.up.sql":    "CREATE TABLE notes (id int PRIMARY KEY, body text);\n",
	"3_notes.down.sql":  "DROP TABLE notes;\n",
}

// devServers are the servers files are replayed on, by dialect.
var devServers = map[string]func() string{
	testdb.Postgres: testdb.PostgresServerURL,
	testdb.MySQL:    testdb.MySQLServerURL,
	testdb.SQLite:   func() string { return "sqlite://:memory:" },
}

// options names the folder dir, the database dbURL and the dev server devURL.
func options(t *testing.T, dir, dbURL, devURL string) drift.Options {
	t.Helper()
	o := drift.Options{Dir: os.DirFS(dir), DirPath: dir}
	var err error
	if o.Database, err = compat.ParseDatabaseURL(dbURL); err == nil {
		o.Dev, err = compat.ParseDatabaseURL(devURL)
	}
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// run compares the database at dbURL with the folder dir.
func run(t *testing.T, dir, dbURL, dialect string) (*drift.Report, error) {
	t.Helper()
	r, err := drift.Run(context.Background(), options(t, dir, dbURL, devServers[dialect]()))
	if r != nil {
		t.Logf("diff:\n%s", r.Diff)
		assertDropped(t, dialect, r.Scratch)
	}
	return r, err
}

// assertDropped checks that the scratch database name is gone from the
// server.
func assertDropped(t *testing.T, dialect, name string) {
	t.Helper()
	if !strings.HasPrefix(name, scratch.NamePrefix) {
		t.Errorf("scratch database %q, want a name starting with %s", name, scratch.NamePrefix)
	}
	if dialect == testdb.SQLite {
		return
	}
	q := `SELECT COUNT(*) FROM pg_database WHERE datname = $1`
	if dialect == testdb.MySQL {
		q = `SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?`
	}
	var n int
	if err := testdb.New(t, dialect).SQL.QueryRow(q, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("scratch database %s was not dropped", name)
	}
}

// TestDrift: a database built by golang-migrate to version 2 of 3 matches
// the files up to 2; changes made by hand are drift, and the diff names
// the object.
func TestDrift(t *testing.T) {
	dropIndex := map[string]string{
		testdb.Postgres: "DROP INDEX orders_user",
		testdb.MySQL:    "DROP INDEX orders_user ON orders",
		testdb.SQLite:   "DROP INDEX orders_user",
	}
	cases := []struct {
		name  string
		by    func(dialect string) string // the change made by hand
		wants []string                    // lines of the diff
	}{
		{"no drift", nil, nil},
		{"table dropped", func(string) string { return "DROP TABLE orders" }, []string{"-table orders"}},
		{"column added", func(string) string { return "ALTER TABLE users ADD COLUMN nickname varchar(20)" }, []string{"table users", "+  column nickname"}},
		{"index dropped", func(d string) string { return dropIndex[d] }, []string{"table orders", "-  index orders_user"}},
		{"table added", func(string) string { return "CREATE TABLE audit (id int)" }, []string{"+table audit"}},
	}
	for _, dialect := range testdb.Dialects() {
		for _, c := range cases {
			t.Run(dialect+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				dir := testdb.WriteDir(t, migrations)
				db := testdb.New(t, dialect)
				testdb.Steps(t, dir, db.URL, 2)
				if c.by != nil {
					db.Exec(t, c.by(dialect))
				}
				r, err := run(t, dir, db.URL, dialect)
				if err != nil {
					t.Fatal(err)
				}
				if r.Version == nil || *r.Version != 2 || r.VersionText != "2" || !strings.HasSuffix(r.VersionFrom, "schema_migrations") || r.Files != 2 || r.Statements != 3 {
					t.Errorf("version %v (%q) from %q, %d files, %d statements; want 2 from schema_migrations, 2 files, 3 statements", show(r.Version), r.VersionText, r.VersionFrom, r.Files, r.Statements)
				}
				if r.Drifted != (c.by != nil) || (r.Diff == "") == r.Drifted {
					t.Fatalf("drifted %v, diff %q", r.Drifted, r.Diff)
				}
				if want := objects(dialect, 2); !r.Drifted && (r.ExpectedObjects != want || r.LiveObjects != want) {
					t.Errorf("%d objects expected, %d live; want %d", r.ExpectedObjects, r.LiveObjects, want)
				}
				for _, want := range c.wants {
					if !hasLine(r.Diff, want) {
						t.Errorf("no diff line starting with %q in\n%s", want, r.Diff)
					}
				}
				if r.Drifted && !strings.HasPrefix(r.Diff, "--- "+dir+" at version 2 (expected)\n+++ "+r.Database+" (live)\n") {
					t.Errorf("diff header:\n%s", r.Diff)
				}
			})
		}
	}
}

// objects is the number of objects of a database with tables tables.
func objects(dialect string, tables int) int {
	if dialect == testdb.Postgres {
		return tables + 1 // plpgsql
	}
	return tables
}

// show prints a version.
func show(v *uint64) any {
	if v == nil {
		return "none"
	}
	return *v
}

// hasLine reports whether a line of diff starts with prefix, or, for a
// prefix without a "+" or "-", a context line or a hunk header names it.
func hasLine(diff, prefix string) bool {
	for l := range strings.SplitSeq(diff, "\n") {
		if strings.HasPrefix(l, prefix) || strings.HasPrefix(l, " "+prefix) || strings.HasPrefix(l, "@@") && strings.HasSuffix(l, "@@ "+prefix) {
			return true
		}
	}
	return false
}

// TestCustomMigrationsTable: golang-migrate's table under its
// x-migrations-table name is bookkeeping, not drift.
func TestCustomMigrationsTable(t *testing.T) {
	testdb.ForEach(t, testdb.Dialects(), func(t *testing.T, dialect string) {
		dir := testdb.WriteDir(t, migrations)
		db := testdb.New(t, dialect)
		u := db.URLWith("x-migrations-table", "legacy_versions")
		testdb.Up(t, dir, u)
		r, err := run(t, dir, u, dialect)
		if err != nil {
			t.Fatal(err)
		}
		if r.Drifted || !strings.HasSuffix(r.VersionFrom, "legacy_versions") || r.Version == nil || *r.Version != 3 || r.LiveObjects != objects(dialect, 3) {
			t.Errorf("drifted %v, version %v from %q, %d live objects\n%s", r.Drifted, show(r.Version), r.VersionFrom, r.LiveObjects, r.Diff)
		}
	})
}

// TestVersionSources: without golang-migrate's table, the newest revision
// applied completely is the version (a partial one is a note); without
// either, the database is compared with the empty schema.
func TestVersionSources(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect+"/revisions", func(t *testing.T) {
			t.Parallel()
			dir := testdb.WriteDir(t, migrations)
			db := testdb.New(t, dialect)
			testdb.Steps(t, dir, db.URL, 2)
			db.Exec(t, "DROP TABLE schema_migrations")
			store := db.Store(t)
			if err := store.Create(ctx, db.SQL); err != nil {
				t.Fatal(err)
			}
			now := time.Now().UTC().Truncate(time.Second)
			rows := []revision.Row{
				{Version: "1", Description: "users", Type: revision.TypeExecute, Applied: 1, Total: 1, ExecutedAt: now, Hash: "h1", OperatorVersion: "test"},
				{Version: "2", Description: "orders", Type: revision.TypeExecute, Applied: 4, Total: 4, ExecutedAt: now, Hash: "h2", OperatorVersion: "test"},
				{Version: "3", Description: "notes", Type: revision.TypeExecute, Applied: 0, Total: 1, ExecutedAt: now, Error: "boom", ErrorStmt: "CREATE TABLE notes", Hash: "h3", PartialHashes: []string{}, OperatorVersion: "test"},
			}
			if err := store.Insert(ctx, db.SQL, rows); err != nil {
				t.Fatal(err)
			}
			r, err := run(t, dir, db.URL, dialect)
			if err != nil {
				t.Fatal(err)
			}
			if r.Drifted || r.Version == nil || *r.Version != 2 || r.VersionFrom != store.String() {
				t.Errorf("drifted %v, version %v from %q; want 2 from %s\n%s", r.Drifted, show(r.Version), r.VersionFrom, store, r.Diff)
			}
			if len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "version 3 ran 0 of 1 statements") {
				t.Errorf("notes %q", r.Notes)
			}
		})
		t.Run(dialect+"/none", func(t *testing.T) {
			t.Parallel()
			dir := testdb.WriteDir(t, migrations)
			db := testdb.New(t, dialect)
			r, err := run(t, dir, db.URL, dialect)
			if err != nil {
				t.Fatal(err)
			}
			if r.Drifted || r.Version != nil || r.VersionFrom != "" || r.Files != 0 || r.ExpectedObjects != objects(dialect, 0) {
				t.Errorf("drifted %v, version %v from %q, %d files, %d objects expected\n%s", r.Drifted, show(r.Version), r.VersionFrom, r.Files, r.ExpectedObjects, r.Diff)
			}
			db.Exec(t, "CREATE TABLE made_by_hand (id int)")
			if r, err = run(t, dir, db.URL, dialect); err != nil {
				t.Fatal(err)
			}
			if !r.Drifted || !hasLine(r.Diff, "+table made_by_hand") || !strings.HasPrefix(r.Diff, "--- "+dir+" with no version applied (expected)") {
				t.Errorf("drifted %v\n%s", r.Drifted, r.Diff)
			}
		})
	}
}

// TestRefusals: what drift will not compare, and why.
func TestRefusals(t *testing.T) {
	t.Run("dirty", func(t *testing.T) {
		testdb.ForEach(t, testdb.Dialects(), func(t *testing.T, dialect string) {
			files := maps.Clone(migrations)
			files["3_notes.up.sql"] = "CREATE TABLE notes (id int PRIMARY KEY);\nINSERT INTO missing_table VALUES (1);\n"
			dir := testdb.WriteDir(t, files)
			db := testdb.New(t, dialect)
			testdb.UpExpectError(t, dir, db.URL)
			_, err := run(t, dir, db.URL, dialect)
			var de *drift.DirtyError
			if !errors.As(err, &de) || de.Version != 3 {
				t.Fatalf("got %v, want a DirtyError at 3", err)
			}
			if want := "is dirty at version 3: run ferry doctor --path " + dir + " --database '"; !strings.Contains(err.Error(), want) {
				t.Errorf("message %q does not contain %q", err, want)
			}
		})
	})
	t.Run("version without a file", func(t *testing.T) {
		dir := testdb.WriteDir(t, migrations)
		db := testdb.NewSQLite(t)
		testdb.Up(t, dir, db.URL)
		older := testdb.WriteDir(t, map[string]string{"1_users.up.sql": migrations["1_users.up.sql"]})
		_, err := run(t, older, db.URL, testdb.SQLite)
		var ue *drift.UnknownVersionError
		if !errors.As(err, &ue) || ue.Version != 3 {
			t.Fatalf("got %v, want an UnknownVersionError for 3", err)
		}
	})
	t.Run("folder golang-migrate refuses", func(t *testing.T) {
		dir := testdb.WriteDir(t, map[string]string{"1_a.up.sql": "SELECT 1;", "01_b.up.sql": "SELECT 1;"})
		_, err := run(t, dir, testdb.NewSQLite(t).URL, testdb.SQLite)
		var fe *drift.FolderError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), "see ferry status --path "+dir) {
			t.Fatalf("got %v, want a FolderError", err)
		}
	})
	t.Run("file that fails on the dev server", func(t *testing.T) {
		// The live database had a table made by hand that the file uses.
		dir := testdb.WriteDir(t, map[string]string{"1_v.up.sql": "CREATE TABLE a (id int);\nCREATE INDEX outside_id ON outside (id);\n"})
		db := testdb.NewSQLite(t)
		db.Exec(t, "CREATE TABLE outside (id int)")
		testdb.Up(t, dir, db.URL)
		_, err := run(t, dir, db.URL, testdb.SQLite)
		var re *scratch.ReplayError
		if !errors.As(err, &re) || re.File != "1_v.up.sql" || re.Statement != 2 || re.Line != 2 {
			t.Fatalf("got %v, want a ReplayError at 1_v.up.sql statement 2 line 2", err)
		}
	})
	t.Run("dev server of another engine", func(t *testing.T) {
		db := testdb.NewSQLite(t)
		_, err := drift.Run(context.Background(), options(t, t.TempDir(), db.URL, testdb.PostgresServerURL()))
		if err == nil || !strings.Contains(err.Error(), "same engine") {
			t.Fatalf("got %v", err)
		}
	})
}
