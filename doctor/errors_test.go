package doctor

import (
	"slices"
	"testing"

	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

func TestErrorNames(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		// golang-migrate echoes the file; its quoted values are not names.
		{`migration failed: relation "nosuch" does not exist in line 3: INSERT INTO settings VALUES ('orders', 'on'); INSERT INTO nosuch (id) VALUES (1); (details: ERROR: relation "nosuch" does not exist (SQLSTATE 42P01))`, []string{"nosuch"}},
		{`migration failed in line 0: ALTER TABLE users ADD COLUMN email varchar(100); (details: Error 1060 (42S21): Duplicate column name 'email')`, []string{"email"}},
		{`migration failed in line 0: DROP TABLE nosuch; (details: Error 1051 (42S02): Unknown table 'ferry_test_1.nosuch')`, []string{"ferry_test_1.nosuch", "nosuch"}},
		{`SQL logic error: no such table: nosuch (1) in line 0: INSERT INTO nosuch (id) VALUES (1);`, []string{"nosuch"}},
		{`SQL logic error: duplicate column name: email (1) in line 0: ALTER TABLE users ADD COLUMN email varchar(100);`, []string{"email"}},
		{`SQL logic error: table orders already exists (1)`, []string{"orders"}},
		{`ERROR: column "email" of relation "users" already exists (SQLSTATE 42701)`, []string{"email", "users"}},
		{`connection reset by peer`, nil},
	}
	for _, c := range cases {
		if got := errorNames(c.text); !slices.Equal(got, c.want) {
			t.Errorf("%s\n got %q\nwant %q", c.text, got, c.want)
		}
	}
}

func TestAllowedPrefixes(t *testing.T) {
	split := func(d engine.Dialect, src string) []sqlsplit.Statement {
		st, err := sqlsplit.Split(d, []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	pg := split(engine.Postgres, "BEGIN; CREATE TABLE a (i int); COMMIT; BEGIN; CREATE TABLE b (i int); COMMIT; CREATE TABLE c (i int);")
	cases := []struct {
		sem   semantics
		stmts []sqlsplit.Statement
		want  []int
	}{
		{wholeFile, pg, []int{0, 7}},
		{commitBlocks, pg, []int{0, 3, 6, 7}},
		{perStatement, pg[:3], []int{0, 1, 2, 3}},
		{wholeFile, nil, []int{0}},
	}
	for _, c := range cases {
		if got := allowedPrefixes(c.sem, c.stmts); !slices.Equal(got, c.want) {
			t.Errorf("semantics %d, %d statements: %v, want %v", c.sem, len(c.stmts), got, c.want)
		}
	}
}
