package status_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ferrymigrate/ferry/internal/testdb"
	"github.com/ferrymigrate/ferry/status"
)

// snapshot lists the tables of the test database with the rows of every
// schema_migrations-like table, to prove that status changes nothing.
func snapshot(t *testing.T, db *testdb.DB) string {
	t.Helper()
	var q string
	switch db.Dialect {
	case testdb.Postgres:
		q = `SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`
	case testdb.MySQL:
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1`
	default:
		q = `SELECT name FROM sqlite_master ORDER BY 1`
	}
	out := db.Strings(t, q)
	var v, d int64
	if err := db.SQL.QueryRow(`SELECT version, CASE WHEN dirty THEN 1 ELSE 0 END FROM schema_migrations`).Scan(&v, &d); err == nil {
		out = append(out, fmt.Sprintf("row %d %d", v, d))
	}
	return strings.Join(out, "\n")
}

// TestStatusIsReadOnly shows that status creates nothing, writes nothing and
// takes no lock: on a fresh database golang-migrate's table is not created;
// on a migrated one nothing changes; PostgreSQL runs it in a database whose
// sessions are read-only; MySQL runs it as a user with SELECT only; SQLite
// leaves the file's bytes alone and never creates a missing file.
func TestStatusIsReadOnly(t *testing.T) {
	testdb.ForEach(t, testdb.Dialects(), func(t *testing.T, dialect string) {
		db := testdb.New(t, dialect)
		dir := testdb.WriteDir(t, okFiles)

		before := snapshot(t, db)
		run(t, dir, db.URL)
		if after := snapshot(t, db); after != before {
			t.Fatalf("status changed a fresh database:\nbefore %q\nafter  %q", before, after)
		}

		testdb.Steps(t, dir, db.URL, 2)
		url := db.URL
		switch dialect {
		case testdb.Postgres:
			db.Exec(t, `ALTER DATABASE "`+db.Name+`" SET default_transaction_read_only = on`)
		case testdb.MySQL:
			url = readOnlyMySQLUser(t, db)
		}
		var fileBefore []byte
		if dialect == testdb.SQLite {
			fileBefore = readFile(t, db.Name)
		}
		before = snapshot(t, db)
		r := run(t, dir, url)
		if r.Legacy.Version == nil || *r.Legacy.Version != 2 {
			t.Fatalf("status read version %v, want 2", ptr(r.Legacy.Version))
		}
		if after := snapshot(t, db); after != before {
			t.Fatalf("status changed the database:\nbefore %q\nafter  %q", before, after)
		}
		if dialect == testdb.SQLite && !bytes.Equal(fileBefore, readFile(t, db.Name)) {
			t.Fatal("status changed the SQLite file")
		}
	})
	t.Run("missing sqlite file", func(t *testing.T) {
		t.Parallel()
		path := t.TempDir() + "/absent.db"
		dir := testdb.WriteDir(t, okFiles)
		r := run(t, dir, "sqlite://"+path)
		if _, err := os.Stat(path); err == nil {
			t.Fatal("status created the SQLite file")
		}
		if codes(r)[status.CodeNoDatabaseFile] == "" {
			t.Errorf("FM206 missing: %+v", r.Findings)
		}
	})
	t.Run("does not wait for golang-migrate's lock", func(t *testing.T) {
		t.Parallel()
		for _, newDB := range []func(testing.TB) *testdb.DB{testdb.NewPostgres, testdb.NewMySQL} {
			db := newDB(t)
			dir := testdb.WriteDir(t, okFiles)
			testdb.Steps(t, dir, db.URL, 1)
			release := holdURL(t, db)
			u := db.ParsedURL(t)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			r, err := status.Run(ctx, status.Options{Dir: os.DirFS(dir), DirPath: dir, Database: u})
			cancel()
			release()
			if err != nil {
				t.Fatalf("%s: status while golang-migrate holds its lock: %v", db.Dialect, err)
			}
			if !r.Legacy.Lock.Held {
				t.Errorf("%s: lock not reported", db.Dialect)
			}
		}
	})
}

// readOnlyMySQLUser creates a user that may only SELECT in db and returns a
// URL that logs in as it.
func readOnlyMySQLUser(t *testing.T, db *testdb.DB) string {
	t.Helper()
	user := "ferry_ro_" + randomHex(t, 4)
	password := "Pw-" + randomHex(t, 8)
	db.Exec(t,
		fmt.Sprintf("CREATE USER '%s'@'%%' IDENTIFIED BY '%s'", user, password),
		fmt.Sprintf("GRANT SELECT ON `%s`.* TO '%s'@'%%'", db.Name, user),
	)
	t.Cleanup(func() { _, _ = db.SQL.Exec(fmt.Sprintf("DROP USER IF EXISTS '%s'@'%%'", user)) })
	// mysql://root:@tcp(host:port)/name -> mysql://user:password@tcp(host:port)/name
	_, rest, ok := strings.Cut(db.URL, "@")
	if !ok {
		t.Fatalf("unexpected MySQL URL form %s", db.URL)
	}
	return "mysql://" + user + ":" + password + "@" + rest
}

func randomHex(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
