package status_test

import (
	"context"
	"database/sql"
	"maps"
	"os"
	"testing"
	"time"

	"github.com/golang-migrate/migrate/v4/database"
	"github.com/golang-migrate/migrate/v4/database/postgres"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/finding"
	"github.com/ferrymigrate/ferry/internal/testdb"
	"github.com/ferrymigrate/ferry/revision"
	"github.com/ferrymigrate/ferry/status"
)

var okFiles = map[string]string{
	"1_users.up.sql":    "CREATE TABLE users (id int PRIMARY KEY, email varchar(100));\n",
	"1_users.down.sql":  "DROP TABLE users;\n",
	"2_orders.up.sql":   "CREATE TABLE orders (id int PRIMARY KEY, user_id int);\n",
	"2_orders.down.sql": "DROP TABLE orders;\n",
	"3_items.up.sql":    "CREATE TABLE items (id int PRIMARY KEY);\n",
	"3_items.down.sql":  "DROP TABLE items;\n",
}

func run(t *testing.T, dir, rawURL string) *status.Report {
	t.Helper()
	u, err := compat.ParseDatabaseURL(rawURL)
	if err != nil {
		t.Fatalf("parse %s: %v", rawURL, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := status.Run(ctx, status.Options{Dir: os.DirFS(dir), DirPath: dir, Database: u})
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	return r
}

func codes(r *status.Report) map[string]finding.Severity {
	m := map[string]finding.Severity{}
	for _, f := range r.Findings {
		m[f.Code] = f.Severity
	}
	return m
}

type want struct {
	tableExists bool
	version     *int64
	dirty       bool
	action      status.ActionKind
	next        *uint64
	pending     int
	table       string // "" = don't check
	codes       []string
}

func i64(v int64) *int64   { return &v }
func u64(v uint64) *uint64 { return &v }

func check(t *testing.T, r *status.Report, w want) {
	t.Helper()
	l := r.Legacy
	if l == nil {
		t.Fatal("no legacy state in report")
	}
	if l.TableExists != w.tableExists {
		t.Errorf("table exists = %v, want %v", l.TableExists, w.tableExists)
	}
	samePtr(t, "version", l.Version, w.version)
	if l.Dirty != w.dirty {
		t.Errorf("dirty = %v, want %v", l.Dirty, w.dirty)
	}
	if r.Action == nil || r.Action.Kind != w.action {
		t.Errorf("action = %+v, want kind %s", r.Action, w.action)
	}
	samePtr(t, "next", r.Next, w.next)
	if len(r.Pending) != w.pending {
		t.Errorf("pending = %d (%+v), want %d", len(r.Pending), r.Pending, w.pending)
	}
	if w.table != "" && l.Table != w.table {
		t.Errorf("table = %s, want %s", l.Table, w.table)
	}
	got := codes(r)
	for _, c := range w.codes {
		if _, ok := got[c]; !ok {
			t.Errorf("finding %s missing; findings: %+v", c, r.Findings)
		}
	}
	for c := range got {
		if c >= "FM200" && c < "FM300" && !contains(w.codes, c) {
			t.Errorf("unexpected finding %s: %+v", c, r.Findings)
		}
	}
}

// samePtr fails the test unless got and want are both nil or point at
// equal values.
func samePtr[T comparable](t *testing.T, what string, got, want *T) {
	t.Helper()
	switch {
	case (got == nil) != (want == nil):
		t.Errorf("%s = %v, want %v", what, ptr(got), ptr(want))
	case got != nil && *got != *want:
		t.Errorf("%s = %v, want %v", what, *got, *want)
	}
}

func ptr[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

// TestLegacyStates builds each legacy state with golang-migrate's own library
// and checks what ferry status reads, on every dialect.
func TestLegacyStates(t *testing.T) {
	testdb.ForEach(t, testdb.Dialects(), func(t *testing.T, dialect string) {
		t.Run("no table", func(t *testing.T) {
			db := testdb.New(t, dialect)
			dir := testdb.WriteDir(t, okFiles)
			r := run(t, dir, db.URL)
			check(t, r, want{action: status.ActionApply, next: u64(1), pending: 3})
		})
		t.Run("empty table", func(t *testing.T) {
			db := testdb.New(t, dialect)
			dir := testdb.WriteDir(t, okFiles)
			if _, _, nilV := testdb.Version(t, dir, db.URL); !nilV {
				t.Fatal("golang-migrate reports a version on a fresh database")
			}
			r := run(t, dir, db.URL)
			check(t, r, want{tableExists: true, action: status.ActionApply, next: u64(1), pending: 3})
		})
		t.Run("clean", func(t *testing.T) {
			db := testdb.New(t, dialect)
			dir := testdb.WriteDir(t, okFiles)
			testdb.Steps(t, dir, db.URL, 2)
			r := run(t, dir, db.URL)
			check(t, r, want{tableExists: true, version: i64(2), action: status.ActionApply, next: u64(3), pending: 1})
			if r.Legacy.FileExists == nil || !*r.Legacy.FileExists {
				t.Errorf("file_exists = %v, want true", ptr(r.Legacy.FileExists))
			}
		})
		t.Run("up to date", func(t *testing.T) {
			db := testdb.New(t, dialect)
			dir := testdb.WriteDir(t, okFiles)
			testdb.Up(t, dir, db.URL)
			r := run(t, dir, db.URL)
			check(t, r, want{tableExists: true, version: i64(3), action: status.ActionNoChange})
		})
		t.Run("dirty from a failing up", func(t *testing.T) {
			db := testdb.New(t, dialect)
			files := maps.Clone(okFiles)
			files["4_bad.up.sql"] = "CREATE TABLE four (id int);\nTHIS IS NOT SQL;\n"
			dir := testdb.WriteDir(t, files)
			testdb.UpExpectError(t, dir, db.URL)
			if v, dirty, _ := testdb.Version(t, dir, db.URL); v != 4 || !dirty {
				t.Fatalf("golang-migrate: version %d dirty %v, want 4 dirty", v, dirty)
			}
			r := run(t, dir, db.URL)
			check(t, r, want{tableExists: true, version: i64(4), dirty: true, action: status.ActionDirty, codes: []string{status.CodeDirty}})
		})
		t.Run("nil version dirty from a failing down", func(t *testing.T) {
			db := testdb.New(t, dialect)
			dir := testdb.WriteDir(t, map[string]string{
				"1_a.up.sql":   "CREATE TABLE a (id int);\n",
				"1_a.down.sql": "DROP TABLE does_not_exist;\n",
			})
			testdb.Up(t, dir, db.URL)
			m := testdb.Migrator(t, dir, db.URL)
			if err := m.Steps(-1); err == nil {
				t.Fatal("the failing down file succeeded")
			}
			r := run(t, dir, db.URL)
			check(t, r, want{tableExists: true, dirty: true, action: status.ActionDirty, codes: []string{status.CodeDirty}})
		})
		t.Run("custom table", func(t *testing.T) {
			db := testdb.New(t, dialect)
			dir := testdb.WriteDir(t, okFiles)
			url := db.URLWith("x-migrations-table", "my_versions")
			testdb.Steps(t, dir, url, 1)
			r := run(t, dir, url)
			check(t, r, want{tableExists: true, version: i64(1), action: status.ActionApply, next: u64(2), pending: 2})
			if r.Legacy.Table == "" || !containsStr(r.Legacy.Table, "my_versions") {
				t.Errorf("table = %s, want my_versions", r.Legacy.Table)
			}
			// The default table does not exist: golang-migrate without the
			// option sees no version.
			r = run(t, dir, db.URL)
			// my_versions is shaped like schema_migrations: a finding.
			check(t, r, want{action: status.ActionApply, next: u64(1), pending: 3, codes: []string{status.CodeOtherTable}})
		})
		// golang-migrate's sqlite driver splices the table name into SQL
		// unquoted, so it cannot create such a table: servers only.
		t.Run("table name with quote, dot and semicolon", func(t *testing.T) {
			if dialect == testdb.SQLite {
				return
			}
			db := testdb.New(t, dialect)
			dir := testdb.WriteDir(t, okFiles)
			url := db.URLWith("x-migrations-table", `sm"x;y.z`)
			testdb.Steps(t, dir, url, 2)
			r := run(t, dir, url)
			check(t, r, want{tableExists: true, version: i64(2), action: status.ActionApply, next: u64(3), pending: 1})
			if !containsStr(r.Legacy.Table, `"sm""x;y.z"`) {
				t.Errorf("table = %s, want the quoted name", r.Legacy.Table)
			}
		})
		t.Run("version without file", func(t *testing.T) {
			db := testdb.New(t, dialect)
			dir := testdb.WriteDir(t, okFiles)
			testdb.Up(t, dir, db.URL)
			os.Remove(dir + "/3_items.up.sql")
			os.Remove(dir + "/3_items.down.sql")
			r := run(t, dir, db.URL)
			check(t, r, want{tableExists: true, version: i64(3), action: status.ActionMissingFile, codes: []string{status.CodeNoFileForRow}})
			if r.Legacy.FileExists == nil || *r.Legacy.FileExists {
				t.Errorf("file_exists = %v, want false", ptr(r.Legacy.FileExists))
			}
			if m := testdb.Migrator(t, dir, db.URL); m.Up() == nil {
				t.Error("golang-migrate's Up succeeded; status says it fails")
			}
		})
		t.Run("two rows", func(t *testing.T) {
			db := testdb.New(t, dialect)
			dir := testdb.WriteDir(t, okFiles)
			testdb.Steps(t, dir, db.URL, 1)
			if dialect == testdb.SQLite {
				db.Exec(t, "DROP INDEX version_unique")
			}
			db.Exec(t, "INSERT INTO schema_migrations (version, dirty) VALUES (2, false)")
			r := run(t, dir, db.URL)
			if r.Legacy.Rows != 2 || r.Action.Kind != status.ActionBrokenTable {
				t.Errorf("rows = %d action = %s, want 2 and broken-table", r.Legacy.Rows, r.Action.Kind)
			}
			if codes(r)[status.CodeManyRows] != finding.Error {
				t.Errorf("FM204 missing: %+v", r.Findings)
			}
		})
	})
}

func containsStr(s, sub string) bool {
	return len(s) >= len(sub) && (s == sub || len(sub) == 0 || indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// TestPostgresTablePlacement covers search_path, quoted "schema"."table" and
// the $user trap, each set up by golang-migrate itself.
func TestPostgresTablePlacement(t *testing.T) {
	t.Parallel()
	t.Run("search_path", func(t *testing.T) {
		db := testdb.NewPostgres(t)
		db.Exec(t, "CREATE SCHEMA app")
		dir := testdb.WriteDir(t, okFiles)
		url := db.URLWith("search_path", "app")
		testdb.Steps(t, dir, url, 2)
		r := run(t, dir, url)
		check(t, r, want{tableExists: true, version: i64(2), action: status.ActionApply, next: u64(3), pending: 1, table: "app.schema_migrations"})
		// Without search_path golang-migrate looks in public: no version
		// there, and ferry points at the table in app.
		r = run(t, dir, db.URL)
		check(t, r, want{action: status.ActionApply, next: u64(1), pending: 3, table: "public.schema_migrations", codes: []string{status.CodeOtherTable}})
	})
	t.Run("quoted schema and table", func(t *testing.T) {
		db := testdb.NewPostgres(t)
		db.Exec(t, `CREATE SCHEMA "Ops"`)
		dir := testdb.WriteDir(t, okFiles)
		url := db.URLWith("x-migrations-table", `"Ops"."Versions.v1"`, "x-migrations-table-quoted", "true")
		testdb.Steps(t, dir, url, 1)
		r := run(t, dir, url)
		check(t, r, want{tableExists: true, version: i64(1), action: status.ActionApply, next: u64(2), pending: 2, table: `"Ops"."Versions.v1"`})
	})
	t.Run("unquoted table with a dot", func(t *testing.T) {
		db := testdb.NewPostgres(t)
		dir := testdb.WriteDir(t, okFiles)
		url := db.URLWith("x-migrations-table", "ops.versions")
		testdb.Steps(t, dir, url, 1)
		r := run(t, dir, url)
		check(t, r, want{tableExists: true, version: i64(1), action: status.ActionApply, next: u64(2), pending: 2, table: `public."ops.versions"`})
	})
	t.Run("no schema", func(t *testing.T) {
		db := testdb.NewPostgres(t)
		dir := testdb.WriteDir(t, okFiles)
		u, err := compat.ParseDatabaseURL(db.URLWith("search_path", "missing"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = status.Run(context.Background(), status.Options{Dir: os.DirFS(dir), DirPath: dir, Database: u})
		var ns *compat.NoSchemaError
		if !asErr(err, &ns) {
			t.Fatalf("error = %v, want NoSchemaError", err)
		}
	})
}

// TestLockHeld has golang-migrate's own drivers hold their lock and checks
// that status reports it, without waiting for it.
func TestLockHeld(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		new  func(testing.TB) *testdb.DB
		hold func(t *testing.T, db *testdb.DB) func()
	}{
		{"postgres url form", testdb.NewPostgres, holdURL},
		{"pgx5 url form", testdb.NewPostgres, func(t *testing.T, db *testdb.DB) func() {
			return holdURL(t, &testdb.DB{URL: "pgx5" + db.URL[len("postgres"):]})
		}},
		{"postgres library form", testdb.NewPostgres, func(t *testing.T, db *testdb.DB) func() {
			sqlDB, err := sql.Open("pgx", pgDSN(db.URL))
			if err != nil {
				t.Fatal(err)
			}
			drv, err := postgres.WithInstance(sqlDB, &postgres.Config{})
			if err != nil {
				t.Fatal(err)
			}
			if err := drv.Lock(); err != nil {
				t.Fatal(err)
			}
			return func() { _ = drv.Unlock(); _ = drv.Close() }
		}},
		{"mysql", testdb.NewMySQL, holdURL},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := c.new(t)
			dir := testdb.WriteDir(t, okFiles)
			testdb.Steps(t, dir, db.URL, 1)
			r := run(t, dir, db.URL)
			if r.Legacy.Lock.Held {
				t.Fatal("lock reported held before anyone took it")
			}
			release := c.hold(t, db)
			r = run(t, dir, db.URL)
			release()
			if !r.Legacy.Lock.Held || codes(r)[status.CodeLockHeld] != finding.Warning {
				t.Errorf("lock not reported: %+v %+v", r.Legacy.Lock, r.Findings)
			}
		})
	}
}

func holdURL(t *testing.T, db *testdb.DB) func() {
	drv, err := database.Open(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	if err := drv.Lock(); err != nil {
		t.Fatal(err)
	}
	return func() { _ = drv.Unlock(); _ = drv.Close() }
}

func pgDSN(url string) string { return url }

func asErr[T error](err error, target *T) bool {
	for err != nil {
		if e, ok := err.(T); ok {
			*target = e
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

// TestLockVariants covers the pgx (v4) table lock strategy, x-no-lock, the
// full row count of a corrupted table and a dirty row while a run holds the
// lock.
func TestLockVariants(t *testing.T) {
	t.Parallel()
	t.Run("pgx table lock", func(t *testing.T) {
		db := testdb.NewPostgres(t)
		dir := testdb.WriteDir(t, okFiles)
		testdb.Steps(t, dir, db.URL, 1)
		url := "pgx4" + db.URL[len("postgres"):] + "&x-lock-strategy=table"
		r := run(t, dir, url)
		if r.Legacy.Lock.Held {
			t.Fatal("held before anyone took it")
		}
		// What golang-migrate's pgx driver writes while it holds the lock.
		key, _ := database.GenerateAdvisoryLockId("/" + db.Name)
		db.Exec(t, "CREATE TABLE schema_lock (lock_id bigint NOT NULL PRIMARY KEY)", "INSERT INTO schema_lock VALUES ("+key+")")
		r = run(t, dir, url)
		if !r.Legacy.Lock.Held || codes(r)[status.CodeLockHeld] == "" {
			t.Fatalf("table lock not reported: %+v", r.Legacy.Lock)
		}
	})
	t.Run("x-no-lock", func(t *testing.T) {
		db := testdb.NewMySQL(t)
		dir := testdb.WriteDir(t, okFiles)
		testdb.Steps(t, dir, db.URL, 1)
		for value, want := range map[string]bool{"true": true, "1": true, "0": false, "false": false} {
			r := run(t, dir, db.URLWith("x-no-lock", value))
			if r.Legacy.Lock.NoLock != want || !r.Legacy.Lock.Detectable {
				t.Errorf("x-no-lock=%s: %+v", value, r.Legacy.Lock)
			}
		}
	})
	t.Run("three rows", func(t *testing.T) {
		db := testdb.NewSQLite(t)
		dir := testdb.WriteDir(t, okFiles)
		testdb.Steps(t, dir, db.URL, 1)
		db.Exec(t, "DROP INDEX version_unique", "INSERT INTO schema_migrations VALUES (2, 0), (3, 0)")
		if r := run(t, dir, db.URL); r.Legacy.Rows != 3 {
			t.Errorf("rows = %d, want 3", r.Legacy.Rows)
		}
	})
	t.Run("dirty while a run holds the lock", func(t *testing.T) {
		db := testdb.NewPostgres(t)
		dir := testdb.WriteDir(t, okFiles)
		testdb.Steps(t, dir, db.URL, 1)
		db.Exec(t, "UPDATE schema_migrations SET version = 2, dirty = true")
		release := holdURL(t, db)
		r := run(t, dir, db.URL)
		release()
		if r.Action.Kind != status.ActionDirty || !containsStr(r.Action.Message, "wait for it to finish") || containsStr(r.Action.Message, "migrate force") {
			t.Errorf("action = %+v", r.Action)
		}
	})
}

// TestUnfinishedApply: where ferry apply stopped part-way (golang-migrate's
// row dirty on purpose), status points at ferry apply, not at a force.
func TestUnfinishedApply(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testdb.NewSQLite(t)
	dir := testdb.WriteDir(t, okFiles)
	testdb.Steps(t, dir, db.URL, 2)
	store := db.Store(t)
	if err := store.Create(ctx, db.SQL); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	rows := []revision.Row{
		{Version: "1", Description: "users", Type: revision.TypeResolved, Applied: 1, Total: 1, ExecutedAt: now, Hash: "a", OperatorVersion: "t"},
		{Version: "2", Description: "orders", Type: revision.TypeResolved, Applied: 1, Total: 1, ExecutedAt: now, Hash: "b", OperatorVersion: "t"},
		{Version: "3", Description: "items", Type: revision.TypeExecute, Applied: 1, Total: 2, ExecutedAt: now, Hash: "c", Error: "boom", ErrorStmt: "SELECT x;", PartialHashes: []string{"h1:x"}, OperatorVersion: "t"},
	}
	if err := store.Insert(ctx, db.SQL, rows); err != nil {
		t.Fatal(err)
	}
	if err := compat.WriteLegacy(ctx, db.SQL, engine.SQLite, compat.TableRef{Name: "schema_migrations"}, 3, true); err != nil {
		t.Fatal(err)
	}
	r := run(t, dir, db.URL)
	if r.Revisions == nil || r.Revisions.Rows != 3 || r.Revisions.Unfinished == nil || r.Revisions.Unfinished.Applied != 1 {
		t.Fatalf("revisions = %+v", r.Revisions)
	}
	if !containsStr(r.Action.Message, "run ferry apply again: it resumes at statement 2") || containsStr(r.Action.Message, "migrate force") {
		t.Errorf("action = %s", r.Action.Message)
	}
}
