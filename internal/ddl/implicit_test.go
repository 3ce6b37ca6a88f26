package ddl

import (
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/engine"
)

// PostgreSQL keeps the first 63 bytes of a name, never splitting a
// character; MySQL refuses longer names, so they are read as written.
func TestNamesTruncated(t *testing.T) {
	long := strings.Repeat("abcdefghij", 7) // 70 bytes
	cases := []struct {
		d    engine.Dialect
		sql  string
		want string
	}{
		{engine.Postgres, "CREATE INDEX " + long + " ON t (a)", "+index " + long[:63] + " on t"},
		{engine.Postgres, `ALTER TABLE t ADD CONSTRAINT "` + long + `" UNIQUE (a)`, "+constraint " + long[:63] + " on t"},
		{engine.Postgres, "CREATE TABLE " + strings.ToUpper(long) + " (a int)", "+table " + long[:63] + "; +column " + long[:63] + ".a"},
		// 62 ASCII bytes and a two-byte character: the character goes.
		{engine.Postgres, `CREATE TABLE "` + long[:62] + `é" (a int)`, "+table " + long[:62] + "; +column " + long[:62] + ".a"},
		{engine.MySQL, "CREATE INDEX " + long + " ON t (a)", "+index " + long + " on t"},
	}
	for _, c := range cases {
		if got := facts(Analyse(c.d, c.sql).Effects); got != c.want {
			t.Errorf("%s\ngot  %s\nwant %s", c.sql, got, c.want)
		}
	}
}

// ADD CONSTRAINT ... USING INDEX renames the index to the constraint's
// name; without a constraint name, the constraint takes the index's.
func TestUsingIndex(t *testing.T) {
	pg := engine.Postgres
	cases := []struct{ sql, requires, effects string }{
		{"ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX i", "+table t; +index i on t; -constraint t_pkey on t; -index t_pkey on t",
			"+constraint t_pkey on t; -index i on t; +index t_pkey on t"},
		{"ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX \"J\"", "+table t; +index J on t; -constraint u on t; -index u on t",
			"+constraint u on t; -index J on t; +index u on t"},
		{"ALTER TABLE t ADD UNIQUE USING INDEX k", "+table t; +index k on t; -constraint k on t", "+constraint k on t"},
		{"ALTER TABLE t ADD CONSTRAINT k PRIMARY KEY USING INDEX k", "+table t; +index k on t; -constraint k on t", "+constraint k on t"},
	}
	for _, c := range cases {
		ch := Analyse(pg, c.sql)
		if got := facts(ch.Requires); got != c.requires {
			t.Errorf("%s\nrequires %s\nwant     %s", c.sql, got, c.requires)
		}
		if got := facts(ch.Effects); got != c.effects {
			t.Errorf("%s\neffects %s\nwant    %s", c.sql, got, c.effects)
		}
		if ch.Invertible || !ch.Understood {
			t.Errorf("%s: invertible %v understood %v", c.sql, ch.Invertible, ch.Understood)
		}
	}
}

// implied runs statements through an engine and returns, per statement,
// the facts it added.
func implied(d engine.Dialect, stmts ...string) []string {
	e := NewEngine(d)
	var out []string
	for _, st := range stmts {
		var fs []Fact
		for _, f := range e.Apply(Analyse(d, st)).Effects {
			if f.Implicit {
				fs = append(fs, f)
			}
		}
		out = append(out, facts(fs))
	}
	return out
}

func TestEngine(t *testing.T) {
	pg, my := engine.Postgres, engine.MySQL
	long := strings.Repeat("t", 40)
	cases := []struct {
		name  string
		d     engine.Dialect
		stmts []string
		want  []string
	}{
		{"mysql reuses ibfk numbers", my, []string{
			"CREATE TABLE c (id int, pid int, qid int, FOREIGN KEY (pid) REFERENCES p (id), CONSTRAINT named FOREIGN KEY (qid) REFERENCES p (id))",
			"ALTER TABLE c DROP FOREIGN KEY c_ibfk_1",
			"ALTER TABLE c ADD FOREIGN KEY (pid) REFERENCES p (id)",
			"ALTER TABLE c ADD FOREIGN KEY (qid) REFERENCES p (id)",
			"ALTER TABLE c DROP FOREIGN KEY c_ibfk_1",
			"ALTER TABLE c ADD FOREIGN KEY (pid) REFERENCES p (id)",
		}, []string{"+constraint c_ibfk_1 on c", "", "+constraint c_ibfk_1 on c", "+constraint c_ibfk_2 on c", "", "+constraint c_ibfk_3 on c"}},
		{"mysql: a table the files did not make, or renamed, has unknown numbers", my, []string{
			"ALTER TABLE hand ADD FOREIGN KEY (pid) REFERENCES p (id)",
			"CREATE TABLE c (id int)", "RENAME TABLE c TO d", "ALTER TABLE d ADD FOREIGN KEY (id) REFERENCES p (id)",
			"CREATE TABLE e (id int, pid int REFERENCES p (id))", "ALTER TABLE e ADD FOREIGN KEY (id) REFERENCES p (id)",
		}, []string{"", "", "", "", "", ""}},
		{"mysql unnamed indexes are maybes named after their first column", my, []string{
			"CREATE TABLE c (id int, a int, UNIQUE (a), KEY (a, id))",
		}, []string{"?index a on c; ?index a on c"}},
		{"mysql drop column drops the indexes left without a column", my, []string{
			"CREATE TABLE c (id int, a int, b int)", "CREATE INDEX c_a ON c (a)", "CREATE INDEX c_ab ON c (a, b(10))",
			"ALTER TABLE c DROP COLUMN a", "ALTER TABLE c DROP COLUMN b",
		}, []string{"", "", "", "-index c_a on c", "-index c_ab on c"}},
		{"postgres names keys", pg, []string{
			"CREATE TABLE c (id int PRIMARY KEY, pid int REFERENCES p, email text UNIQUE, n int CHECK (n > 0), UNIQUE (pid, email), FOREIGN KEY (pid, n) REFERENCES q (a, b))",
			"CREATE TABLE " + long + " (" + long + "_column int UNIQUE)",
		}, []string{"+constraint c_pkey on c; +constraint c_pid_fkey on c; +constraint c_email_key on c; ?constraint c_n_check on c; +constraint c_pid_email_key on c; +constraint c_pid_n_fkey on c",
			"+constraint " + long[:29] + "_" + long[:29] + "_key on " + long}},
		{"postgres drop column takes what names it", pg, []string{
			"CREATE TABLE c (id int, pid int CONSTRAINT c_fk REFERENCES p, note text, CONSTRAINT c_ck CHECK (note <> ''), UNIQUE (id, pid))",
			"CREATE INDEX c_note ON c (lower(note)) WHERE id > 0", "CREATE INDEX c_id ON c (id)", "ALTER TABLE c RENAME COLUMN pid TO qid",
			"ALTER TABLE c DROP COLUMN qid", "ALTER TABLE c DROP COLUMN note",
		}, []string{"+constraint c_id_pid_key on c", "", "", "", "-constraint c_fk on c; -constraint c_id_pid_key on c", "-constraint c_ck on c; -index c_note on c"}},
		{"postgres drops of relations take their indexes and triggers", pg, []string{
			"CREATE MATERIALIZED VIEW mv AS SELECT 1 AS id", "CREATE UNIQUE INDEX mv_id ON mv (id)", "DROP MATERIALIZED VIEW mv",
			"CREATE VIEW v AS SELECT 1", "CREATE TRIGGER trg INSTEAD OF INSERT ON v FOR EACH ROW EXECUTE FUNCTION f()", "DROP VIEW v",
			"CREATE TABLE t (id int)", "CREATE INDEX t_id ON t (id)", "ALTER TABLE t RENAME TO u", "DROP TABLE u",
		}, []string{"", "", "-index mv_id on mv", "", "", "-trigger trg on v", "", "", "", "-index t_id on u"}},
		{"postgres renaming a key's index renames the key", pg, []string{
			"CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE)", "ALTER TABLE users RENAME TO accounts",
			"ALTER INDEX users_email_key RENAME TO accounts_email_key", "ALTER INDEX users_pkey RENAME TO accounts_pkey",
			"CREATE INDEX plain ON accounts (email)", "ALTER INDEX plain RENAME TO plainer",
		}, []string{"+constraint users_pkey on users; +constraint users_email_key on users", "",
			"-constraint users_email_key on accounts; +constraint accounts_email_key on accounts",
			"-constraint users_pkey on accounts; +constraint accounts_pkey on accounts", "", ""}},
		{"postgres drop index by name", pg, []string{
			"CREATE TABLE t (id int)", "CREATE INDEX t_id ON t (id)", "DROP INDEX t_id", "ALTER TABLE t DROP COLUMN id",
		}, []string{"", "", "", ""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := implied(c.d, c.stmts...)
			for i := range c.stmts {
				if got[i] != c.want[i] {
					t.Errorf("%s\ngot  %s\nwant %s", c.stmts[i], got[i], c.want[i])
				}
			}
		})
	}
}

// TestLaterClauseNeedsWhatAnEarlierGave: in a multi-clause ALTER TABLE, a
// clause that re-adds what an earlier clause dropped needs nothing of the
// state before the statement.
func TestLaterClauseNeedsWhatAnEarlierGave(t *testing.T) {
	for _, c := range []struct {
		d    engine.Dialect
		text string
	}{
		{engine.MySQL, "ALTER TABLE t DROP INDEX `k`, ADD INDEX `k` (k)"},
		{engine.Postgres, "ALTER TABLE t DROP CONSTRAINT t_k, ADD CONSTRAINT t_k UNIQUE (k, id)"},
	} {
		ch := Analyse(c.d, c.text)
		for _, f := range ch.Requires {
			if !f.Exists && (f.Ref.Name == "k" || f.Ref.Name == "t_k") {
				t.Errorf("%s requires %s", c.text, f)
			}
		}
	}
}
