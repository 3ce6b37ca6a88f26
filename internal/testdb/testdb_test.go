package testdb

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

var twoMigrations = map[string]string{
	"1_a.up.sql": "CREATE TABLE a (id int);",
	"2_b.up.sql": "CREATE TABLE b (id int);",
}

func withBad(files map[string]string) map[string]string {
	out := map[string]string{"3_bad.up.sql": "CREATE TABLE this is not sql;"}
	for k, v := range files {
		out[k] = v
	}
	return out
}

// migrateURLs returns the golang-migrate URLs to try for d: for postgres both
// the lib/pq (postgres://) and the pgx/v5 (pgx5://) driver.
func migrateURLs(d *DB) map[string]string {
	urls := map[string]string{"default": d.URL}
	if d.Dialect == Postgres {
		urls["pgx5"] = "pgx5://" + strings.TrimPrefix(d.URL, "postgres://")
	}
	return urls
}

func tableExists(t *testing.T, d *DB, table string) bool {
	t.Helper()
	var q string
	switch d.Dialect {
	case Postgres:
		q = "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1"
	case MySQL:
		q = "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?"
	case SQLite:
		q = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
	}
	var n int
	if err := d.SQL.QueryRow(q, table).Scan(&n); err != nil {
		t.Fatalf("%s: table lookup: %v", d.Dialect, err)
	}
	return n > 0
}

func TestFreshDatabase(t *testing.T) {
	for _, dialect := range Dialects() {
		t.Run(dialect, func(t *testing.T) {
			d := New(t, dialect)
			if d.Dialect != dialect || d.Name == "" || d.URL == "" || d.SQL == nil {
				t.Fatalf("incomplete DB: %+v", d)
			}
			if err := d.SQL.Ping(); err != nil {
				t.Fatalf("ping: %v", err)
			}
			var one int
			if err := d.SQL.QueryRow("SELECT 1").Scan(&one); err != nil || one != 1 {
				t.Fatalf("SELECT 1: %v, %d", err, one)
			}
			switch dialect {
			case Postgres:
				var name string
				if err := d.SQL.QueryRow("SELECT current_database()").Scan(&name); err != nil || name != d.Name {
					t.Fatalf("current_database() = %q, %v; want %q", name, err, d.Name)
				}
				if !strings.HasPrefix(d.URL, "postgres://") || !strings.Contains(d.URL, "/"+d.Name+"?") {
					t.Errorf("URL = %q", d.URL)
				}
			case MySQL:
				var name string
				if err := d.SQL.QueryRow("SELECT DATABASE()").Scan(&name); err != nil || name != d.Name {
					t.Fatalf("DATABASE() = %q, %v; want %q", name, err, d.Name)
				}
				if want := "mysql://root:@tcp(127.0.0.1:3306)/" + d.Name; MySQLServerURL() == DefaultMySQLURL && d.URL != want {
					t.Errorf("URL = %q, want %q", d.URL, want)
				}
			case SQLite:
				if d.URL != "sqlite://"+d.Name || !strings.HasPrefix(d.Name, "/") {
					t.Errorf("URL = %q, Name = %q", d.URL, d.Name)
				}
			}
			if !strings.HasPrefix(d.Name, "ferry_test_") && dialect != SQLite {
				t.Errorf("Name = %q", d.Name)
			}
			d.Exec(t, "CREATE TABLE t1 (id int)", "INSERT INTO t1 VALUES (1)")
			if !tableExists(t, d, "t1") {
				t.Errorf("t1 missing after Exec")
			}
			// Nothing else is in a fresh database.
			if tableExists(t, d, "schema_migrations") {
				t.Errorf("fresh database has schema_migrations")
			}
		})
	}
}

// eachDriver runs fn in a subtest per dialect and golang-migrate driver of
// it (migrateURLs), each on a fresh database and its URL for that driver.
func eachDriver(t *testing.T, fn func(t *testing.T, d *DB, u string)) {
	for _, dialect := range Dialects() {
		t.Run(dialect, func(t *testing.T) {
			probe := New(t, dialect)
			for driver := range migrateURLs(probe) {
				t.Run(driver, func(t *testing.T) {
					d := New(t, dialect)
					fn(t, d, migrateURLs(d)[driver])
				})
			}
		})
	}
}

func TestLegacyClean(t *testing.T) {
	eachDriver(t, func(t *testing.T, d *DB, u string) {
		dir := WriteDir(t, twoMigrations)
		if v, dirty, nilV := Version(t, dir, u); !nilV || v != 0 || dirty {
			t.Fatalf("before Up: Version = %d, %v, nil=%v; want nil version", v, dirty, nilV)
		}
		Up(t, dir, u)
		if v, dirty, nilV := Version(t, dir, u); v != 2 || dirty || nilV {
			t.Fatalf("Version = %d, dirty=%v, nil=%v; want 2 clean", v, dirty, nilV)
		}
		Up(t, dir, u) // ErrNoChange is fine
		for _, tb := range []string{"a", "b", "schema_migrations"} {
			if !tableExists(t, d, tb) {
				t.Errorf("table %s missing", tb)
			}
		}
	})
}

func TestLegacySteps(t *testing.T) {
	for _, dialect := range Dialects() {
		t.Run(dialect, func(t *testing.T) {
			d := New(t, dialect)
			dir := WriteDir(t, twoMigrations)
			Steps(t, dir, d.URL, 1)
			if v, dirty, nilV := Version(t, dir, d.URL); v != 1 || dirty || nilV {
				t.Fatalf("Version = %d, dirty=%v, nil=%v; want 1 clean", v, dirty, nilV)
			}
			if tableExists(t, d, "b") {
				t.Errorf("b exists after one step")
			}
			m := Migrator(t, dir, d.URL)
			if err := m.Steps(1); err != nil {
				t.Fatalf("Migrator Steps: %v", err)
			}
			if v, _, err := m.Version(); err != nil || v != 2 {
				t.Fatalf("Migrator Version = %d, %v", v, err)
			}
		})
	}
}

func TestLegacyDirty(t *testing.T) {
	eachDriver(t, func(t *testing.T, d *DB, u string) {
		dir := WriteDir(t, withBad(twoMigrations))
		err := UpExpectError(t, dir, u)
		t.Logf("expected error: %v", err)
		if v, dirty, nilV := Version(t, dir, u); v != 3 || !dirty || nilV {
			t.Fatalf("Version = %d, dirty=%v, nil=%v; want 3 dirty", v, dirty, nilV)
		}
		if !tableExists(t, d, "b") {
			t.Errorf("b missing: migrations before the bad one should stay applied")
		}
	})
}

// TestCustomMigrationsTable checks that URLWith reaches golang-migrate.
func TestCustomMigrationsTable(t *testing.T) {
	for _, dialect := range Dialects() {
		t.Run(dialect, func(t *testing.T) {
			d := New(t, dialect)
			u := d.URLWith("x-migrations-table", "legacy_versions")
			dir := WriteDir(t, twoMigrations)
			Up(t, dir, u)
			if v, dirty, nilV := Version(t, dir, u); v != 2 || dirty || nilV {
				t.Fatalf("Version = %d, %v, %v", v, dirty, nilV)
			}
			if !tableExists(t, d, "legacy_versions") || tableExists(t, d, "schema_migrations") {
				t.Errorf("want legacy_versions and no schema_migrations")
			}
		})
	}
}

func TestCleanupDropsDatabase(t *testing.T) {
	for _, dialect := range []string{Postgres, MySQL} {
		t.Run(dialect, func(t *testing.T) {
			var name string
			t.Run("create", func(t *testing.T) {
				d := New(t, dialect)
				name = d.Name
				d.Exec(t, "CREATE TABLE keep_me (id int)")
				// A connection left open (as golang-migrate's would be) must not
				// stop the drop.
				Migrator(t, WriteDir(t, twoMigrations), d.URL)
			})
			if name == "" {
				t.Fatal("subtest made no database")
			}
			// A second fresh database doubles as an admin handle on the server.
			admin := New(t, dialect)
			var n int
			var err error
			switch dialect {
			case Postgres:
				err = admin.SQL.QueryRow("SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n)
			case MySQL:
				err = admin.SQL.QueryRow("SELECT count(*) FROM information_schema.schemata WHERE schema_name = ?", name).Scan(&n)
			}
			if err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("database %s still exists after cleanup", name)
			}
		})
	}
}

func TestSQLiteOddTempDir(t *testing.T) {
	// Duplicate subtest names get a "#01" suffix, which reaches t.TempDir().
	for i := 0; i < 2; i++ {
		t.Run("odd%name", func(t *testing.T) {
			if urlSafePath(t.TempDir()) {
				t.Fatalf("t.TempDir() %q is URL-safe; this test no longer covers the fallback", t.TempDir())
			}
			d := NewSQLite(t)
			if !urlSafePath(d.Name) {
				t.Fatalf("Name %q is not URL-safe", d.Name)
			}
			dir := WriteDir(t, twoMigrations)
			Up(t, dir, d.URL)
			if !tableExists(t, d, "b") {
				t.Fatalf("golang-migrate wrote elsewhere than %s", d.Name)
			}
		})
	}
}

func TestURLWith(t *testing.T) {
	cases := []struct{ url, want string }{
		{"postgres://u@h:5432/db", "postgres://u@h:5432/db?x-migrations-table=a+b&k=%26%3D"},
		{"postgres://u@h:5432/db?sslmode=disable", "postgres://u@h:5432/db?sslmode=disable&x-migrations-table=a+b&k=%26%3D"},
		{"mysql://root:@tcp(127.0.0.1:3306)/db", "mysql://root:@tcp(127.0.0.1:3306)/db?x-migrations-table=a+b&k=%26%3D"},
		{"mysql://root:p?w@tcp(127.0.0.1:3306)/db", "mysql://root:p?w@tcp(127.0.0.1:3306)/db?x-migrations-table=a+b&k=%26%3D"},
		{"mysql://root:@tcp(127.0.0.1:3306)/db?parseTime=true", "mysql://root:@tcp(127.0.0.1:3306)/db?parseTime=true&x-migrations-table=a+b&k=%26%3D"},
		{"sqlite:///tmp/x.db", "sqlite:///tmp/x.db?x-migrations-table=a+b&k=%26%3D"},
	}
	for _, c := range cases {
		d := &DB{URL: c.url}
		if got := d.URLWith("x-migrations-table", "a b", "k", "&="); got != c.want {
			t.Errorf("URLWith(%q) = %q, want %q", c.url, got, c.want)
		}
	}
	if got := (&DB{URL: "sqlite:///x"}).URLWith(); got != "sqlite:///x" {
		t.Errorf("URLWith() = %q", got)
	}
}

func TestRedaction(t *testing.T) {
	t.Setenv(EnvPostgres, "postgres://user:s3cr%2Ft@127.0.0.1:1/test?sslmode=disable")
	t.Setenv(EnvMySQL, "mysql://user:s3cr%2Ft@tcp(127.0.0.1:1)/test")
	pg := parsePostgresServer(t)
	my := parseMySQLServer(t)
	for _, s := range []string{
		pg.redacted(), my.redacted(),
		pg.scrub("x s3cr/t y s3cr%2Ft"), my.scrub("x s3cr/t y s3cr%2Ft"),
		redactURL("mysql://user:s3cr%2Ft@tcp(h:1)/db"), redactURL("pgx5://u:s3cr%2Ft@h/db?password=s3cr%2Ft"),
		scrubURLSecrets(`parse "sqlite://u:s3cr@h/a%b"`, "sqlite://u:s3cr@h/a%b"),
	} {
		if strings.Contains(s, "s3cr") {
			t.Errorf("secret left in %q", s)
		}
	}
	if got := my.dsn("db"); !strings.Contains(got, "user:s3cr/t@") {
		t.Errorf("mysql dsn %q: want the unescaped password, as golang-migrate reads it", got)
	}
}

// TestUnreachableFails checks that an unreachable server fails (never skips)
// with a message naming the variable and the db-up script, without the
// password.
func TestUnreachableFails(t *testing.T) {
	for _, c := range []struct{ dialect, env, url string }{
		{Postgres, EnvPostgres, "postgres://postgres:hunter2@127.0.0.1:1/test?sslmode=disable"},
		{MySQL, EnvMySQL, "mysql://root:hunter2@tcp(127.0.0.1:1)/test"},
	} {
		t.Run(c.dialect, func(t *testing.T) {
			t.Setenv(c.env, c.url)
			rec := &recorder{TB: t}
			done := make(chan struct{})
			go func() { // Fatalf ends this goroutine via runtime.Goexit
				defer close(done)
				New(rec, c.dialect)
			}()
			<-done
			if rec.skipped || !rec.failed {
				t.Fatalf("skipped=%v failed=%v, want a failure", rec.skipped, rec.failed)
			}
			msg := rec.msg
			t.Logf("message: %s", msg)
			for _, want := range []string{c.env, "bash ../shared/scripts/db-up.sh"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message lacks %q", want)
				}
			}
			if strings.Contains(msg, "hunter2") {
				t.Errorf("message shows the password")
			}
		})
	}
}

// recorder catches Fatalf/Skip instead of ending the real test.
type recorder struct {
	testing.TB
	failed, skipped bool
	msg             string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = true
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recorder) Errorf(format string, args ...any) {
	r.failed = true
	r.msg += fmt.Sprintf(format, args...)
}
func (r *recorder) Skip(args ...any)     { r.skipped = true; runtime.Goexit() }
func (r *recorder) Skipf(string, ...any) { r.skipped = true; runtime.Goexit() }
func (r *recorder) SkipNow()             { r.skipped = true; runtime.Goexit() }
