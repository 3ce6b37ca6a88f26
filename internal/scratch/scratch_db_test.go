package scratch_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/internal/dbconn"
	"github.com/ferrymigrate/ferry/internal/scratch"
	"github.com/ferrymigrate/ferry/internal/testdb"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// devURL returns the dev server URL of a dialect: the test servers, and
// for SQLite the URL the docs suggest.
func devURL(t *testing.T, dialect string) *compat.DatabaseURL {
	t.Helper()
	switch dialect {
	case testdb.Postgres:
		return parse(t, testdb.PostgresServerURL())
	case testdb.MySQL:
		return parse(t, testdb.MySQLServerURL())
	}
	return parse(t, "sqlite://:memory:")
}

func parse(t *testing.T, raw string) *compat.DatabaseURL {
	t.Helper()
	u, err := compat.ParseDatabaseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// exists reports whether the server of dialect has a database called name.
func exists(t *testing.T, dialect, name string) bool {
	t.Helper()
	ctx := context.Background()
	admin, err := dbconn.Open(ctx, devURL(t, dialect), dbconn.ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	q := `SELECT COUNT(*) FROM pg_database WHERE datname = $1`
	if dialect == testdb.MySQL {
		q = `SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?`
	}
	var n int
	if err := admin.QueryRowContext(ctx, q, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func split(t *testing.T, d engine.Dialect, src string) []sqlsplit.Statement {
	t.Helper()
	stmts, err := sqlsplit.Split(engine.Dialect(d), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return stmts
}

// TestLifecycle: New creates an empty database, Run replays files on one
// session (a temporary table made by one file is seen by the next) with
// the files' own transaction control (PostgreSQL: the ROLLBACK of file 2
// undoes its INSERT and CREATE TABLE; MySQL: CREATE TABLE committed the
// INSERT and itself first), Close drops the database and may be called
// again.
func TestLifecycle(t *testing.T) {
	for _, dialect := range []string{testdb.Postgres, testdb.MySQL} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			s, err := scratch.New(ctx, devURL(t, dialect))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close(ctx) })
			if !strings.HasPrefix(s.Name, scratch.NamePrefix) || string(s.Dialect) != dialect {
				t.Errorf("name %q, dialect %q", s.Name, s.Dialect)
			}
			if !exists(t, dialect, s.Name) {
				t.Fatalf("%s does not exist after New", s.Name)
			}
			files := []struct{ name, sql string }{
				{"1_users.up.sql", "BEGIN;\nCREATE TABLE users (id int PRIMARY KEY);\nCREATE TEMPORARY TABLE seen (id int);\nCOMMIT;\n"},
				{"2_orders.up.sql", "START TRANSACTION;\nINSERT INTO seen VALUES (1);\nCREATE TABLE orders (id int, user_id int REFERENCES users (id));\nROLLBACK;\n"},
			}
			for i, f := range files {
				if err := s.Run(ctx, scratch.File{Name: f.name, Version: int64(i + 1), Statements: split(t, s.Dialect, f.sql)}, nil); err != nil {
					t.Fatal(err)
				}
			}
			want, table := 1, "orders" // MySQL: DDL commits
			if dialect == testdb.Postgres {
				want, table = 0, "users" // the file's ROLLBACK undid both
			}
			var n int
			if err := s.QueryRowContext(ctx, `SELECT COUNT(*) FROM seen`).Scan(&n); err != nil || n != want {
				t.Errorf("the temporary table of file 1 in file 2: %d rows (want %d), %v", n, want, err)
			}
			// The URL opens the same database on its own connection.
			other, err := dbconn.Open(ctx, s.URL, dbconn.ReadWrite)
			if err != nil {
				t.Fatal(err)
			}
			if err := other.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
				t.Errorf("%s through s.URL: %v", table, err)
			}
			other.Close()

			if err := s.Close(ctx); err != nil {
				t.Fatal(err)
			}
			if exists(t, dialect, s.Name) {
				t.Errorf("%s still exists after Close", s.Name)
			}
			if err := s.Close(ctx); err != nil {
				t.Errorf("second Close: %v", err)
			}
		})
	}
}

// TestFailedExecStillDrops: a failing statement is a *ReplayError naming
// file, statement and line, and Close drops the database anyway, also with
// a context that is already cancelled and with a session left open on it.
func TestFailedExecStillDrops(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			s, err := scratch.New(ctx, devURL(t, dialect))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close(context.Background()) })
			err = s.Run(ctx, scratch.File{Name: "2_b.up.sql", Version: 2, Statements: split(t, s.Dialect, "CREATE TABLE b (id int);\n\nINSERT INTO missing_table VALUES (1);\n")}, nil)
			var re *scratch.ReplayError
			if !errors.As(err, &re) {
				t.Fatalf("got %v, want a *ReplayError", err)
			}
			if re.File != "2_b.up.sql" || re.Statement != 2 || re.Line != 3 || re.Err == nil {
				t.Errorf("error names %s statement %d line %d (%v)", re.File, re.Statement, re.Line, re.Err)
			}
			if want := "replay 2_b.up.sql: statement 2 (line 3): "; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("message %q, want it to start with %q", err, want)
			}
			if dialect == testdb.SQLite {
				if err := s.Close(ctx); err != nil {
					t.Fatal(err)
				}
				return
			}
			left, err := dbconn.Open(ctx, s.URL, dbconn.ReadWrite) // a session the caller forgot
			if err != nil {
				t.Fatal(err)
			}
			defer left.Close()
			cancel()
			if err := s.Close(ctx); err != nil {
				t.Fatalf("Close with a cancelled context: %v", err)
			}
			if exists(t, dialect, s.Name) {
				t.Errorf("%s still exists after Close", s.Name)
			}
		})
	}
}

// TestSQLiteMemoryIsPrivate: every New on SQLite is its own in-memory
// database, reachable through its URL while open, gone after Close, and no
// file is created, not even at the dev URL's path.
func TestSQLiteMemoryIsPrivate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dev := parse(t, "sqlite://"+filepath.Join(dir, "dev.db"))
	a, err := scratch.New(ctx, dev)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(ctx)
	b, err := scratch.New(ctx, dev)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close(ctx)
	if a.Name == b.Name || a.URL.Redacted() == b.URL.Redacted() {
		t.Fatalf("two scratch databases share the name %s", a.Name)
	}
	if err := a.Run(ctx, scratch.File{Name: "1_a.up.sql", Version: 1, Statements: split(t, engine.SQLite, "CREATE TABLE a (id integer);")}, nil); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master`).Scan(&n); err != nil || n != 0 {
		t.Errorf("the second scratch database has %d objects (%v), want 0", n, err)
	}
	var file string
	if err := a.QueryRowContext(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&file); err != nil || file != "" {
		t.Errorf("main database file %q (%v), want none (in memory)", file, err)
	}
	viaURL, err := dbconn.Open(ctx, a.URL, dbconn.ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	if err := viaURL.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE name = 'a'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("through a.URL: table a counted %d (%v), want 1", n, err)
	}
	viaURL.Close()
	if err := a.Close(ctx); err != nil {
		t.Fatal(err)
	}
	again, err := dbconn.Open(ctx, a.URL, dbconn.ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if err := again.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master`).Scan(&n); err != nil || n != 0 {
		t.Errorf("after Close the memory database still has %d objects (%v)", n, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) > 0 {
		t.Errorf("files appeared next to the dev URL: %v", entries)
	}
	for _, p := range []string{a.Name, "/" + a.Name, "file:"} { // the working directory, and what the URL's path would name
		if _, err := os.Stat(p); err == nil {
			t.Errorf("a file %s appeared", p)
		}
	}
}

// TestNoCreatePrivilege: a user who may not create databases gets a message
// naming the privilege and the redacted dev URL, and nothing is left behind.
func TestNoCreatePrivilege(t *testing.T) {
	t.Run(testdb.Postgres, func(t *testing.T) {
		db := testdb.NewPostgres(t) // a handle on the server, to create a role
		role := "ferry_nocreatedb_" + strings.TrimPrefix(db.Name, "ferry_test_")
		db.Exec(t, `CREATE ROLE `+role+` LOGIN PASSWORD 'p4ss-w0rd'`)
		t.Cleanup(func() { db.Exec(t, `DROP ROLE IF EXISTS `+role) })
		dev := parse(t, strings.Replace(db.URL, "postgres@", role+":p4ss-w0rd@", 1))
		refused(t, dev, "CREATEDB", "ALTER ROLE "+`"`+role+`"`)
	})
	t.Run(testdb.MySQL, func(t *testing.T) {
		db := testdb.NewMySQL(t)
		user := "ferry_nocreate_" + strings.TrimPrefix(db.Name, "ferry_test_")[:8]
		db.Exec(t, "CREATE USER '"+user+"'@'%' IDENTIFIED BY 'p4ss-w0rd'")
		t.Cleanup(func() { db.Exec(t, "DROP USER IF EXISTS '"+user+"'@'%'") })
		// The user may not even use a database: the dev URL names none.
		raw := strings.Replace(testdb.MySQLServerURL(), "root:@", user+":p4ss-w0rd@", 1)
		slash := strings.LastIndex(raw, "/")
		query := ""
		if q := strings.Index(raw[slash:], "?"); q >= 0 {
			query = raw[slash+q:]
		}
		refused(t, parse(t, raw[:slash+1]+query), "CREATE privilege", "GRANT ALL ON `ferry\\_scratch\\_%`.* TO '"+user+"'@'%'")
	})
}

// refused checks that New fails on dev with a message that names the
// redacted URL and each of wants, and not the password p4ss-w0rd.
func refused(t *testing.T, dev *compat.DatabaseURL, wants ...string) {
	t.Helper()
	s, err := scratch.New(context.Background(), dev)
	if err == nil {
		_ = s.Close(context.Background())
		t.Fatal("New succeeded without the privilege")
	}
	msg := err.Error()
	t.Log(msg)
	for _, want := range append(wants, dev.Redacted()) {
		if !strings.Contains(msg, want) {
			t.Errorf("message does not name %q: %s", want, msg)
		}
	}
	if strings.Contains(msg, "p4ss-w0rd") {
		t.Errorf("message shows the password: %s", msg)
	}
}

// TestNonTransactionalStatement: a PostgreSQL file with CREATE INDEX
// CONCURRENTLY (which golang-migrate cannot run, but ferry apply and Atlas
// do, on its own) replays: the statement runs between the file's
// transactions.
func TestNonTransactionalStatement(t *testing.T) {
	ctx := context.Background()
	s, err := scratch.New(ctx, devURL(t, testdb.Postgres))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(ctx) })
	u, err := compat.ParseDatabaseURL(testdb.PostgresServerURL())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Mimic(ctx, u); err != nil {
		t.Fatal(err)
	}
	file := "CREATE TABLE g (id int);\nCREATE INDEX CONCURRENTLY g_id ON g (id);\nCREATE TABLE h (id int);\n"
	if err := s.Run(ctx, scratch.File{Name: "1_g.up.sql", Version: 1, Statements: split(t, s.Dialect, file)}, nil); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'g_id'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("index g_id: %d (%v)", n, err)
	}
}
