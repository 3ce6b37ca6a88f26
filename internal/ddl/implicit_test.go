package ddl

import (
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/sqlsplit"
)

// PostgreSQL keeps the first 63 bytes of a name, never splitting a
// character; MySQL refuses longer names, so they are read as written.
func TestNamesTruncated(t *testing.T) {
	long := strings.Repeat("abcdefghij", 7) // 70 bytes
	cases := []struct {
		d    sqlsplit.Dialect
		sql  string
		want string
	}{
		{sqlsplit.Postgres, "CREATE INDEX " + long + " ON t (a)", "+index " + long[:63] + " on t"},
		{sqlsplit.Postgres, `ALTER TABLE t ADD CONSTRAINT "` + long + `" UNIQUE (a)`, "+constraint " + long[:63] + " on t"},
		{sqlsplit.Postgres, "CREATE TABLE " + strings.ToUpper(long) + " (a int)", "+table " + long[:63] + "; +column " + long[:63] + ".a"},
		// 62 ASCII bytes and a two-byte character: the character goes.
		{sqlsplit.Postgres, `CREATE TABLE "` + long[:62] + `é" (a int)`, "+table " + long[:62] + "; +column " + long[:62] + ".a"},
		{sqlsplit.MySQL, "CREATE INDEX " + long + " ON t (a)", "+index " + long + " on t"},
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
	pg := sqlsplit.Postgres
	cases := []struct{ sql, requires, effects string }{
		{"ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX i", "+table t; +index i on t; -constraint t_pkey on t; -index t_pkey on t",
			"+constraint t_pkey on t; -index i on t"},
		{"ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX \"J\"", "+table t; +index J on t; -constraint u on t; -index u on t",
			"+constraint u on t; -index J on t"},
		{"ALTER TABLE t ADD UNIQUE USING INDEX k", "+table t; +index k on t; -constraint k on t", "+constraint k on t; -index k on t"},
		{"ALTER TABLE t ADD CONSTRAINT k PRIMARY KEY USING INDEX k", "+table t; +index k on t; -constraint k on t", "+constraint k on t; -index k on t"},
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
