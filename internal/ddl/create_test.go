package ddl

import (
	"testing"

	"github.com/ferrymigrate/ferry/engine"
)

// What a CREATE TABLE claims: the analyser must not overstate its effects.
// A CREATE TABLE whose columns come from elsewhere (a query, another
// table, a parent) must not claim the table with only the columns it
// lists: the doctor takes a new table's unnamed children as absent, and
// ruled out the true prefix (TestAdversarialStates/CreateTableLikeAs in doctor).
func TestCreateTableColumnsFromElsewhere(t *testing.T) {
	pg, my, lite := engine.Postgres, engine.MySQL, engine.SQLite
	cases := []struct {
		d   engine.Dialect
		sql string
	}{
		{pg, `CREATE TABLE t2 AS SELECT * FROM t`},
		{pg, `CREATE TABLE t2 (LIKE t INCLUDING ALL)`},
		{pg, `CREATE TABLE t2 (extra int, LIKE t)`},
		{pg, `CREATE TABLE c (x int) INHERITS (p)`},
		{pg, `CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (1) TO (10)`},
		{pg, `CREATE TABLE t2 (a, b) AS SELECT 1, 2`},
		{my, `CREATE TABLE t2 LIKE t`},
		{my, `CREATE TABLE t2 (LIKE t)`},
		{my, `CREATE TABLE t2 (extra int) SELECT * FROM t`},
		{my, `CREATE TABLE t2 (extra int) AS SELECT * FROM t`},
		{lite, `CREATE TABLE t2 AS SELECT * FROM t`},
	}
	for _, c := range cases {
		ch := Analyse(c.d, c.sql)
		if len(ch.Effects) != 0 || len(ch.Requires) != 0 || ch.Understood || ch.Invertible {
			t.Errorf("%s: effects %q requires %q understood %v invertible %v; want nothing claimed", c.sql, facts(ch.Effects), facts(ch.Requires), ch.Understood, ch.Invertible)
		}
	}
	// Tables that list their columns are still read.
	for _, c := range []struct {
		d       engine.Dialect
		sql     string
		effects string
	}{
		{pg, `CREATE TABLE t (id int, "like" text, CHECK (id > 0)) PARTITION BY RANGE (id)`, "+table t; +column t.id; +column t.like"},
		{pg, `CREATE TABLE t (a text DEFAULT 'AS', b text) WITH (fillfactor = 70)`, "+table t; +column t.a; +column t.b"},
		{my, "CREATE TABLE t (id int, note varchar(10) COMMENT 'LIKE x') ENGINE=InnoDB", "+table t; +column t.id; +column t.note"},
		{lite, `CREATE TABLE t (id integer PRIMARY KEY) WITHOUT ROWID`, "+table t; +column t.id"},
	} {
		if got := facts(Analyse(c.d, c.sql).Effects); got != c.effects {
			t.Errorf("%s\neffects %s\nwant    %s", c.sql, got, c.effects)
		}
	}
}

// CREATE TABLE IF NOT EXISTS of a table that already exists changes
// nothing: its listed columns may be missing, its other columns stay, and
// undoing it with DROP TABLE would drop a table the file did not create.
// The analyser claims the table and its listed columns only as Kept (true
// if the statement made the table now), and no inverse (it claimed the
// listed columns outright before, and the doctor then proved a wrong
// prefix: TestAdversarialStates/CreateIfNotExistsThenNew in doctor).
func TestCreateTableIfNotExists(t *testing.T) {
	for _, c := range []struct {
		d   engine.Dialect
		sql string
	}{
		{engine.Postgres, `CREATE TABLE IF NOT EXISTS t (id int, extra int)`},
		{engine.MySQL, "CREATE TABLE IF NOT EXISTS `t` (id int, extra int)"},
		{engine.SQLite, `CREATE TABLE IF NOT EXISTS t (id int, extra int)`},
	} {
		ch := Analyse(c.d, c.sql)
		for _, e := range ch.Effects {
			if !e.Kept {
				t.Errorf("%s: claims %s unconditionally (it holds only if the table was made now)", c.sql, e)
			}
		}
		if ch.Invertible {
			t.Errorf("%s: inverse %q undoes a table the file may not have created", c.sql, ch.Inverse)
		}
	}
}
