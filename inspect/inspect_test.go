package inspect

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/internal/udiff"

	"github.com/ferrymigrate/ferry/internal/testdb"
	"github.com/ferrymigrate/ferry/revision"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

func dialectCases() []dialectCase {
	return []dialectCase{
		{engine.Postgres, postgresBase, postgresData, postgresChanges},
		{engine.MySQL, mysqlBase, mysqlData, mysqlChanges},
		{engine.SQLite, sqliteBase, sqliteData, sqliteChanges},
	}
}

// newDB returns a fresh database and the case completed for its server:
// MariaDB adds sequences.
func newDB(t *testing.T, c dialectCase) (*testdb.DB, dialectCase) {
	t.Helper()
	db := testdb.New(t, string(c.dialect))
	if c.dialect == engine.MySQL {
		var version string
		if err := db.SQL.QueryRow(`SELECT VERSION()`).Scan(&version); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.ToLower(version), "mariadb") {
			c.base = append(slices.Clone(c.base), mariaDBBase...)
			c.data = append(slices.Clone(c.data), mariaDBData...)
			c.changes = append(slices.Clone(c.changes), mariaDBChanges...)
		}
	}
	return db, c
}

// twinDBs returns two fresh databases of c's dialect, both built from c.base
// as newDB adjusts it, and that adjusted case.
func twinDBs(t *testing.T, c dialectCase) (*testdb.DB, *testdb.DB, dialectCase) {
	t.Helper()
	a, c := newDB(t, c)
	b, _ := newDB(t, c)
	a.Exec(t, c.base...)
	b.Exec(t, c.base...)
	return a, b, c
}

func describe(t *testing.T, db *testdb.DB, d engine.Dialect, o Options) *Schema {
	t.Helper()
	s, err := Inspect(t.Context(), db.SQL, d, o)
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	return s
}

func TestSameBuildDescribesIdentically(t *testing.T) {
	for _, c := range dialectCases() {
		t.Run(string(c.dialect), func(t *testing.T) {
			t.Parallel()
			a, b, c := twinDBs(t, c)
			// Data moves counters on (AUTO_INCREMENT, sequences, identities,
			// sqlite_sequence) and fills statistics: none of it is schema.
			b.Exec(t, c.data...)
			da, db := describe(t, a, c.dialect, Options{}), describe(t, b, c.dialect, Options{})
			if d := Diff(da, db, "a", "b"); d != "" || da.String() != db.String() {
				t.Fatalf("same build, different descriptions:\n%s", d)
			}
			if again := describe(t, a, c.dialect, Options{}); again.String() != da.String() {
				t.Fatalf("two descriptions of one database differ:\n%s", Diff(da, again, "first", "second"))
			}
			if da.String() == "" {
				t.Fatal("empty description")
			}
			t.Logf("description:\n%s", da)
		})
	}
}

func TestEachKindOfObjectDiffers(t *testing.T) {
	for _, c := range dialectCases() {
		t.Run(string(c.dialect), func(t *testing.T) {
			t.Parallel()
			db, c := newDB(t, c)
			db.Exec(t, c.base...)
			base := describe(t, db, c.dialect, Options{})
			for _, ch := range c.changes {
				t.Run(ch.name, func(t *testing.T) {
					t.Parallel()
					variant, _ := newDB(t, c)
					variant.Exec(t, applyChange(t, c.base, ch)...)
					got := describe(t, variant, c.dialect, Options{})
					d := Diff(base, got, "base", ch.name)
					if d == "" {
						t.Fatalf("no difference after changing %s: %q -> %q", ch.name, ch.old, ch.new)
					}
					t.Logf("diff:\n%s", d)
					if !strings.Contains(changedLines(d), ch.mention) {
						t.Errorf("changed lines do not mention %q:\n%s", ch.mention, d)
					}
					want := slices.Sorted(slices.Values(ch.objects))
					if changed := changedObjects(base, got); !slices.Equal(changed, want) {
						t.Errorf("changed objects = %q, want %q:\n%s", changed, want, d)
					}
				})
			}
		})
	}
}

// applyChange returns the script with ch applied; old must occur exactly
// once in it.
func applyChange(t *testing.T, script []string, ch change) []string {
	t.Helper()
	out := slices.Clone(script)
	n := 0
	for i, s := range out {
		if k := strings.Count(s, ch.old); k > 0 {
			n += k
			out[i] = strings.Replace(s, ch.old, ch.new, 1)
		}
	}
	if n != 1 {
		t.Fatalf("change %s: %q occurs %d times in the script, want once", ch.name, ch.old, n)
	}
	return out
}

// changedLines returns the removed and added lines of a unified diff.
func changedLines(diff string) string {
	var out []string
	for l := range strings.SplitSeq(diff, "\n") {
		if (strings.HasPrefix(l, "-") || strings.HasPrefix(l, "+")) && !strings.HasPrefix(l, "--- ") && !strings.HasPrefix(l, "+++ ") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// changedObjects returns the headers ("kind name") of the objects that are
// in one description only or differ between them, sorted.
func changedObjects(a, b *Schema) []string {
	text := func(o Object) string { return strings.Join(o.Lines, "\n") }
	in := map[string]string{}
	for _, o := range a.Objects {
		in[string(o.Kind)+" "+o.Name] = text(o)
	}
	var out []string
	for _, o := range b.Objects {
		h := string(o.Kind) + " " + o.Name
		if t, ok := in[h]; !ok || t != text(o) {
			out = append(out, h)
		}
		delete(in, h)
	}
	for h := range in {
		out = append(out, h)
	}
	slices.Sort(out)
	return out
}

func TestBookkeepingTablesAreLeftOut(t *testing.T) {
	noop := map[string]string{"1_noop.up.sql": "SELECT 1;", "1_noop.down.sql": "SELECT 1;"}
	bookkeeping := map[engine.Dialect][]string{
		engine.Postgres: {
			`CREATE TABLE ferry_recoveries (id serial PRIMARY KEY, note text NOT NULL)`,
			`CREATE INDEX ferry_recoveries_note ON ferry_recoveries (note)`,
			`CREATE TABLE schema_lock (lock_id bigint PRIMARY KEY)`,
		},
		engine.MySQL: {
			`CREATE TABLE ferry_recoveries (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, note varchar(100) NOT NULL, KEY ferry_recoveries_note (note))`,
			`CREATE TABLE schema_lock (lock_id bigint PRIMARY KEY)`,
		},
		engine.SQLite: {
			`CREATE TABLE ferry_recoveries (id INTEGER PRIMARY KEY AUTOINCREMENT, note TEXT NOT NULL)`,
			`CREATE INDEX ferry_recoveries_note ON ferry_recoveries (note)`,
			`CREATE TABLE schema_lock (lock_id INTEGER PRIMARY KEY)`,
		},
	}
	for _, c := range dialectCases() {
		t.Run(string(c.dialect), func(t *testing.T) {
			t.Parallel()
			plain, kept, c := twinDBs(t, c)

			// golang-migrate's own tables, under the default name and a
			// configured one.
			dir := testdb.WriteDir(t, noop)
			testdb.Up(t, dir, kept.URL)
			testdb.Up(t, dir, kept.URLWith("x-migrations-table", "legacy_migrations"))
			// Atlas's and ferry's revisions table, where the URL's schema
			// is (PostgreSQL's default would be a schema of its own).
			store := &revision.Store{Dialect: c.dialect}
			switch c.dialect {
			case engine.Postgres:
				store.Schema = "public"
			case engine.MySQL:
				store.Schema = kept.Name
			}
			if err := store.Create(t.Context(), kept.SQL); err != nil {
				t.Fatal(err)
			}
			kept.Exec(t, bookkeeping[c.dialect]...)

			want := describe(t, plain, c.dialect, Options{})
			got := describe(t, kept, c.dialect, Options{Exclude: []string{"legacy_migrations"}})
			if d := Diff(want, got, "without bookkeeping", "with bookkeeping"); d != "" {
				t.Errorf("bookkeeping tables are described:\n%s", d)
			}

			// Without Exclude, only the configured migrations table shows.
			got = describe(t, kept, c.dialect, Options{})
			if changed := changedObjects(want, got); !slices.Equal(changed, []string{"table legacy_migrations"}) {
				t.Errorf("without Exclude, changed objects = %q, want only the configured migrations table:\n%s",
					changed, Diff(want, got, "without bookkeeping", "with bookkeeping"))
			}
		})
	}
}

func TestUnknownSchema(t *testing.T) {
	for _, c := range dialectCases() {
		t.Run(string(c.dialect), func(t *testing.T) {
			t.Parallel()
			db, _ := newDB(t, c)
			_, err := Inspect(t.Context(), db.SQL, c.dialect, Options{Schemas: []string{"no_such_schema"}})
			var nf *SchemaNotFoundError
			if !errors.As(err, &nf) || nf.Schema != "no_such_schema" {
				t.Fatalf("err = %v, want SchemaNotFoundError for no_such_schema", err)
			}
		})
	}
}

func TestUnknownDialect(t *testing.T) {
	db := testdb.NewSQLite(t)
	if _, err := Inspect(t.Context(), db.SQL, "oracle", Options{}); err == nil || !strings.Contains(err.Error(), "oracle") {
		t.Fatalf("err = %v, want one naming the dialect", err)
	}
}

// TestSQLiteGolden pins the format: SQLite is embedded, so its description
// depends on nothing but the module's version.
func TestSQLiteGolden(t *testing.T) {
	db := testdb.NewSQLite(t)
	db.Exec(t, sqliteBase...)
	golden(t, "sqlite.golden", describe(t, db, engine.SQLite, Options{}).String())
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it):\n%s", path, udiff.Unified(path, "got", lines(string(want)), lines(got), 3, nil))
	}
}
