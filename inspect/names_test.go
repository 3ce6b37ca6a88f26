package inspect

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/internal/testdb"
)

// Names with quotes, backticks, dots and semicolons are read through query
// parameters or quoted, and come out quoted.
func TestAwkwardNames(t *testing.T) {
	ctx := context.Background()
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		db := testdb.NewPostgres(t)
		db.Exec(t,
			`CREATE SCHEMA "We""ird; sch.ema"`,
			`CREATE TABLE "We""ird; sch.ema"."Tab""le; x.y" ("Col`+"`"+`umn" integer PRIMARY KEY)`,
			`CREATE INDEX "Ix ""1" ON "We""ird; sch.ema"."Tab""le; x.y" ("Col`+"`"+`umn")`,
			`CREATE FUNCTION "We""ird; sch.ema".f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`,
			`CREATE TRIGGER "Tr ig" BEFORE INSERT ON "We""ird; sch.ema"."Tab""le; x.y" FOR EACH ROW EXECUTE FUNCTION "We""ird; sch.ema".f()`,
		)
		s := describe(t, db, engine.Postgres, Options{Schemas: []string{`We"ird; sch.ema`}})
		o := s.Object(KindTable, `"Tab""le; x.y"`)
		if o == nil {
			t.Fatalf("no table \"Tab\"\"le; x.y\" in:\n%s", s)
		}
		want := []string{
			"column \"Col`umn\" integer NOT NULL",
			"constraint \"Tab\"\"le; x.y_pkey\" PRIMARY KEY (\"Col`umn\")",
			"index \"Ix \"\"1\" USING btree (\"Col`umn\")",
			"trigger \"Tr ig\" BEFORE INSERT FOR EACH ROW EXECUTE FUNCTION f()",
		}
		if got := strings.Join(o.Lines, "\n"); got != strings.Join(want, "\n") {
			t.Errorf("lines:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
		}
	})
	t.Run("mysql", func(t *testing.T) {
		t.Parallel()
		db := testdb.NewMySQL(t)
		db.Exec(t,
			"CREATE TABLE `ta``ble; x.y` (`co\"l` int PRIMARY KEY, `n.o;te` text, KEY `i``x` (`n.o;te`(10)))",
			"CREATE VIEW `v``w` AS SELECT `co\"l` FROM `ta``ble; x.y`",
		)
		s := describe(t, db, engine.MySQL, Options{})
		o := s.Object(KindTable, "`ta``ble; x.y`")
		if o == nil {
			t.Fatalf("no table `ta``ble; x.y` in:\n%s", s)
		}
		text := strings.Join(o.Lines, "\n")
		for _, want := range []string{"column `co\"l` int(11) NOT NULL", "index `i``x` (`n.o;te`(10)) USING BTREE", "primary key (`co\"l`)"} {
			if !strings.Contains(text, want) {
				t.Errorf("no %q in:\n%s", want, text)
			}
		}
		v := s.Object(KindView, "`v``w`")
		if v == nil || strings.Contains(strings.Join(v.Lines, "\n"), db.Name) {
			t.Errorf("view `v``w` missing or naming its database:\n%s", s)
		}
	})
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		db := testdb.NewSQLite(t)
		// ATTACH holds for one connection: inspect through it.
		conn, err := db.SQL.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		other := filepath.Join(t.TempDir(), "other.db")
		for _, stmt := range []string{
			`ATTACH DATABASE ? AS "we""ird; x.y"`,
			`CREATE TABLE "we""ird; x.y"."ta""ble" ("co l" INTEGER PRIMARY KEY, "n;o" TEXT UNIQUE)`,
			`CREATE INDEX "we""ird; x.y"."i x" ON "ta""ble" ("n;o" DESC)`,
		} {
			var args []any
			if strings.Contains(stmt, "?") {
				args = []any{other}
			}
			if _, err := conn.ExecContext(ctx, stmt, args...); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
		s, err := Inspect(ctx, conn, engine.SQLite, Options{Schemas: []string{`we"ird; x.y`}})
		if err != nil {
			t.Fatal(err)
		}
		o := s.Object(KindTable, "`ta\"ble`")
		if o == nil {
			t.Fatalf("no table `ta\"ble` in:\n%s", s)
		}
		text := strings.Join(o.Lines, "\n")
		for _, want := range []string{"column `co l` INTEGER", "primary key (`co l`)", "unique (`n;o`)", "index `i x` CREATE INDEX \"i x\" ON \"ta\"\"ble\" (\"n;o\" DESC)"} {
			if !strings.Contains(text, want) {
				t.Errorf("no %q in:\n%s", want, text)
			}
		}
		if main := describe(t, db, engine.SQLite, Options{}); main.String() != "" {
			t.Errorf("main is empty, but describes as:\n%s", main)
		}
	})
}

// With several schemas, names are qualified and nothing leaks between
// schemas.
func TestSeveralSchemas(t *testing.T) {
	ctx := context.Background()
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		db := testdb.NewPostgres(t)
		db.Exec(t,
			`CREATE SCHEMA billing`,
			`CREATE TABLE public.customers (id integer PRIMARY KEY)`,
			`CREATE TABLE billing.invoices (id serial PRIMARY KEY, customer_id integer REFERENCES public.customers)`,
			`CREATE TABLE billing.schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL)`,
			`CREATE VIEW public.open_invoices AS SELECT id FROM billing.invoices`,
		)
		s := describe(t, db, engine.Postgres, Options{Schemas: []string{"public", "billing"}})
		for _, want := range []string{
			"table billing.invoices\n  column id integer NOT NULL DEFAULT nextval('billing.invoices_id_seq'::regclass)",
			"constraint invoices_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers(id)",
			"sequence billing.invoices_id_seq\n  type integer\n  start 1 increment 1 min 1 max 2147483647 cache 1\n  owned by billing.invoices.id",
			"table public.customers",
			"FROM billing.invoices",
		} {
			if !strings.Contains(s.String(), want) {
				t.Errorf("no %q in:\n%s", want, s)
			}
		}
		if strings.Contains(s.String(), "schema_migrations") {
			t.Errorf("schema_migrations described:\n%s", s)
		}
		one := describe(t, db, engine.Postgres, Options{}) // public
		if got := one.String(); !strings.Contains(got, "FROM billing.invoices") || strings.Contains(got, "table billing") {
			t.Errorf("public alone:\n%s", got)
		}
	})
	t.Run("mysql", func(t *testing.T) {
		t.Parallel()
		a, b := testdb.NewMySQL(t), testdb.NewMySQL(t)
		a.Exec(t, "CREATE TABLE customers (id int PRIMARY KEY)")
		b.Exec(t, "CREATE TABLE invoices (id int PRIMARY KEY, customer_id int, FOREIGN KEY (customer_id) REFERENCES `"+a.Name+"`.customers (id))")
		s, err := Inspect(ctx, a.SQL, engine.MySQL, Options{Schemas: []string{a.Name, b.Name}})
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"table " + a.Name + ".customers", "table " + b.Name + ".invoices", "REFERENCES " + a.Name + ".customers(id)"} {
			if !strings.Contains(s.String(), want) {
				t.Errorf("no %q in:\n%s", want, s)
			}
		}
		one := describe(t, b, engine.MySQL, Options{})
		if !strings.Contains(one.String(), "REFERENCES "+a.Name+".customers(id)") {
			t.Errorf("a reference to another database is not qualified:\n%s", one)
		}
	})
}
