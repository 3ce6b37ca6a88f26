package compat

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/golang-migrate/migrate/v4/database"

	"github.com/ferrymigrate/ferry/engine"
)

// golangMigrateLockID is golang-migrate's own lock key function.
func golangMigrateLockID(t *testing.T, db string, names ...string) string {
	t.Helper()
	id, err := database.GenerateAdvisoryLockId(db, names...)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// lockNames are database, schema and table names to derive keys from.
func lockNames() []struct{ db, schema, table string } {
	out := []struct{ db, schema, table string }{
		{"mydb", "public", "schema_migrations"},
		{"postgres", "public", "schema_migrations"},
		{"app", "migrate", "versions"},
		{"", "", ""},
		{"db", "", "schema_migrations"},
		{"db", "public", ""},
		{"ünïcödé", "schéma", "täble"},
		{"with space", "my schema", "my table"},
		{`quo"te`, `sch"ema`, "ta`ble"},
		{"a\x00b", "c\x00d", "e"},
		{"dot.ted", "s.s", "t.t"},
		{"very_long_database_name_that_goes_on_and_on_and_on_for_a_while", "public", "schema_migrations"},
	}
	r := rand.New(rand.NewSource(42))
	const alphabet = "abcxyz_0189ABC-. /\"é"
	word := func() string {
		b := make([]rune, r.Intn(20))
		runes := []rune(alphabet)
		for i := range b {
			b[i] = runes[r.Intn(len(runes))]
		}
		return string(b)
	}
	for range 200 {
		out = append(out, struct{ db, schema, table string }{word(), word(), word()})
	}
	return out
}

func TestPostgresLockKeys(t *testing.T) {
	for i, n := range lockNames() {
		t.Run(fmt.Sprintf("%03d/%q.%q.%q", i, n.db, n.schema, n.table), func(t *testing.T) {
			// golang-migrate's URL form keys on the URL path ("/mydb"); the
			// library form (postgres.WithInstance without DatabaseName) on
			// current_database() ("mydb").
			urlKey := golangMigrateLockID(t, "/"+n.db, n.schema, n.table)
			libKey := golangMigrateLockID(t, n.db, n.schema, n.table)

			keys := PostgresLockKeys(n.db, "/"+n.db, n.schema, n.table)
			want := []LockKey{{Key: urlKey, Form: "url"}}
			if libKey != urlKey {
				want = append(want, LockKey{Key: libKey, Form: "library"})
			}
			if fmt.Sprint(keys) != fmt.Sprint(want) {
				t.Errorf("PostgresLockKeys(%q, %q, ...) = %v, want %v", n.db, "/"+n.db, keys, want)
			}

			// Without a URL path golang-migrate asks the server for the name.
			keys = PostgresLockKeys(n.db, "", n.schema, n.table)
			if want := []LockKey{{Key: libKey, Form: "library"}}; fmt.Sprint(keys) != fmt.Sprint(want) {
				t.Errorf("PostgresLockKeys(%q, \"\", ...) = %v, want %v", n.db, keys, want)
			}

			// pgx (v4) with x-lock-strategy=table keys on the database name only.
			if got, want := PostgresTableLockKey("/"+n.db), golangMigrateLockID(t, "/"+n.db); got != want {
				t.Errorf("PostgresTableLockKey(%q) = %s, want %s", "/"+n.db, got, want)
			}
			if got, want := PostgresTableLockKey(n.db), golangMigrateLockID(t, n.db); got != want {
				t.Errorf("PostgresTableLockKey(%q) = %s, want %s", n.db, got, want)
			}

			// MySQL: GET_LOCK(GenerateAdvisoryLockId(db + ":" + table)).
			if got, want := MySQLLockName(n.db, n.table), golangMigrateLockID(t, n.db+":"+n.table); got != want {
				t.Errorf("MySQLLockName(%q, %q) = %s, want %s", n.db, n.table, got, want)
			}
		})
	}
}

// TestPostgresLockKeysSameName: a URL path equal to the database name (which
// golang-migrate never produces, but a caller may pass) gives one key.
func TestPostgresLockKeysSameName(t *testing.T) {
	keys := PostgresLockKeys("db", "db", "public", "schema_migrations")
	if len(keys) != 1 || keys[0].Form != "url" || keys[0].Key != golangMigrateLockID(t, "db", "public", "schema_migrations") {
		t.Errorf("PostgresLockKeys = %v", keys)
	}
}

// TestLockKeysFromURL derives keys the way ferry does from a parsed URL.
func TestLockKeysFromURL(t *testing.T) {
	tests := []struct {
		name, raw      string
		current        string // current_database()
		schema         string // the migrations table's schema
		wantURL        string // name golang-migrate's URL form keys on
		wantTable      string
		mysqlLockInput string
	}{
		{name: "postgres default", raw: "postgres://u:p@h/mydb", current: "mydb", schema: "public", wantURL: "/mydb", wantTable: "schema_migrations"},
		{name: "pgx5 custom table", raw: "pgx5://h/app?x-migrations-table=versions", current: "app", schema: "public", wantURL: "/app", wantTable: "versions"},
		{name: "postgres quoted", raw: `postgres://h/app?x-migrations-table="migrate"."v"&x-migrations-table-quoted=true`, current: "app", schema: "migrate", wantURL: "/app", wantTable: "v"},
		{name: "mysql", raw: "mysql://u:p@tcp(h)/shop?x-migrations-table=mig", mysqlLockInput: "shop:mig"},
		{name: "mysql default table", raw: "mysql://u:p@tcp(h)/shop", mysqlLockInput: "shop:schema_migrations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := ParseDatabaseURL(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			if u.Dialect == engine.MySQL {
				if got, want := MySQLLockName(u.Database, u.MigrationsTable), golangMigrateLockID(t, tt.mysqlLockInput); got != want {
					t.Errorf("MySQLLockName = %s, want %s", got, want)
				}
				return
			}
			table := u.MigrationsTable
			if u.TableQuoted {
				table = u.QuotedTable
			}
			if u.URLPath != tt.wantURL || table != tt.wantTable {
				t.Fatalf("URLPath %q table %q, want %q %q", u.URLPath, table, tt.wantURL, tt.wantTable)
			}
			keys := PostgresLockKeys(tt.current, u.URLPath, tt.schema, table)
			if keys[0].Key != golangMigrateLockID(t, tt.wantURL, tt.schema, tt.wantTable) {
				t.Errorf("URL-form key %s, want golang-migrate's", keys[0].Key)
			}
		})
	}
}
