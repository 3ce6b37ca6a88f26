package ddl

import (
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/engine"
)

// Inverses and requirements that broke recovery (see
// doctor/recovery_contract_db_test.go).
func TestInverses(t *testing.T) {
	pg, my, lite := engine.Postgres, engine.MySQL, engine.SQLite
	cases := []struct {
		d          engine.Dialect
		sql        string
		requires   string
		inverse    string
		invertible bool
	}{
		// A name an earlier pair renamed says nothing about the database
		// before the statement.
		{my, "RENAME TABLE a1 TO a2, a2 TO a3", "+table a1; -table a2; -table a3", "RENAME TABLE `a3` TO `a2`, `a2` TO `a1`", true},
		{my, "RENAME TABLE a TO tmp, b TO a, tmp TO b", "+table a; -table tmp; +table b", "RENAME TABLE `b` TO `tmp`, `a` TO `b`, `tmp` TO `a`", true},
		{my, "RENAME TABLE a1 TO a2, c1 TO c2", "+table a1; -table a2; +table c1; -table c2", "RENAME TABLE `c2` TO `c1`, `a2` TO `a1`", true},
		// A column renamed to its own name in another case: the same
		// column to MySQL and SQLite.
		{my, "ALTER TABLE `Items` RENAME COLUMN `Sku` TO `SKU`", "+table Items; +column Items.Sku", "ALTER TABLE `Items` RENAME COLUMN `SKU` TO `Sku`", true},
		{lite, `ALTER TABLE "Items" RENAME COLUMN "Sku" TO "SKU"`, "+table Items; +column Items.Sku", `ALTER TABLE "Items" RENAME COLUMN "SKU" TO "Sku"`, true},
		{pg, `ALTER TABLE "Items" RENAME COLUMN "Sku" TO "SKU"`, "+table Items; +column Items.Sku; -column Items.SKU", `ALTER TABLE "Items" RENAME COLUMN "SKU" TO "Sku"`, true},
		// SQLite writes the new name into the table's SQL as spelt: the
		// inverse spells the old name as the rename did.
		{lite, "ALTER TABLE orders RENAME COLUMN note TO memo", "+table orders; +column orders.note; -column orders.memo", `ALTER TABLE "orders" RENAME COLUMN "memo" TO note`, true},
		// PostgreSQL functions overload: another f_two may exist, and the
		// inverse drops this one.
		{pg, "CREATE FUNCTION f_two(a integer) RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$", "", `DROP FUNCTION "f_two"(a integer)`, true},
		{pg, "CREATE FUNCTION app.f(IN a numeric(10, 2) DEFAULT 1, b text = 'x', \"C\" character varying) RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$", "",
			`DROP FUNCTION "app"."f"(IN a numeric ( 10 , 2 ), b text, "C" character varying)`, true},
		// text[] reads as text and a quoted name: no inverse rather than
		// a wrong one.
		{pg, "CREATE FUNCTION f(b text[]) RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$", "", "", false},
		{pg, "CREATE FUNCTION f() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$", "", `DROP FUNCTION "f"()`, true},
		{pg, "CREATE PROCEDURE p(a integer) LANGUAGE sql AS $$ SELECT 1 $$", "", `DROP PROCEDURE "p"(a integer)`, true},
		{my, "CREATE FUNCTION f_one() RETURNS integer DETERMINISTIC RETURN 1", "-function f_one", "DROP FUNCTION `f_one`", true},
		// A primary key leaves its columns NOT NULL when dropped.
		{pg, "ALTER TABLE orders ADD CONSTRAINT orders_pk PRIMARY KEY (id)", "+table orders; -constraint orders_pk on orders", "", false},
		{pg, "ALTER TABLE orders ADD CONSTRAINT orders_uq UNIQUE (id)", "+table orders; -constraint orders_uq on orders", `ALTER TABLE "orders" DROP CONSTRAINT "orders_uq"`, true},
	}
	for _, c := range cases {
		ch := Analyse(c.d, c.sql)
		if got := facts(ch.Requires); got != c.requires {
			t.Errorf("%s\nrequires %s\nwant     %s", c.sql, got, c.requires)
		}
		if got := strings.Join(ch.Inverse, "; "); got != c.inverse || ch.Invertible != c.invertible {
			t.Errorf("%s\ninverse %q (invertible %v)\nwant    %q (%v)", c.sql, got, ch.Invertible, c.inverse, c.invertible)
		}
	}
}

// CREATE INDEX / TRIGGER IF NOT EXISTS and CREATE OR REPLACE TRIGGER may
// keep or replace an older object: no inverse may drop it.
func TestIndexTriggerIfNotExistsInverse(t *testing.T) {
	for _, c := range []struct {
		d   engine.Dialect
		sql string
	}{
		{engine.Postgres, `CREATE INDEX IF NOT EXISTS ix ON t (a)`},
		{engine.Postgres, `CREATE OR REPLACE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()`},
		{engine.MySQL, `CREATE INDEX IF NOT EXISTS ix ON t (a)`},
		{engine.SQLite, `CREATE INDEX IF NOT EXISTS ix ON t (a)`},
		{engine.SQLite, `CREATE TRIGGER IF NOT EXISTS tr AFTER INSERT ON t BEGIN SELECT 1; END`},
	} {
		if ch := Analyse(c.d, c.sql); ch.Invertible {
			t.Errorf("%s: inverse %q would drop an object the file may not have created", c.sql, ch.Inverse)
		}
	}
}
