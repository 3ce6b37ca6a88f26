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
