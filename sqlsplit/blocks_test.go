package sqlsplit_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// TestBlockEdgeCases covers the BEGIN ... END heuristics case by case: what
// opens a block, what closes one, and inputs full of BEGINs that once made
// the splitter recurse without end or scan the file once per BEGIN.
func TestBlockEdgeCases(t *testing.T) {
	rep := strings.Repeat
	tests := []struct {
		name string
		d    engine.Dialect
		src  string
		want []string
	}{
		{
			name: "MySQL END CASE closes the CASE statement, not a block",
			d:    engine.MySQL,
			src:  "CREATE PROCEDURE p() BEGIN CASE WHEN 1 THEN SET @k = 1; ELSE SET @k = 2; END CASE; END;\nSELECT 1;",
			want: []string{"CREATE PROCEDURE p() BEGIN CASE WHEN 1 THEN SET @k = 1; ELSE SET @k = 2; END CASE; END;", "SELECT 1;"},
		},
		{
			name: "MySQL columns named begin and end outside stored programs",
			d:    engine.MySQL,
			src:  "ALTER TABLE t ADD begin int;\nALTER TABLE t ADD end int;\nSELECT begin FROM t;\nSELECT end FROM t;",
			want: []string{"ALTER TABLE t ADD begin int;", "ALTER TABLE t ADD end int;", "SELECT begin FROM t;", "SELECT end FROM t;"},
		},
		{
			name: "two columns named begin in one statement (once endless recursion)",
			d:    engine.MySQL,
			src:  "UPDATE t SET begin = 1 WHERE begin > 0;\nSELECT 1;",
			want: []string{"UPDATE t SET begin = 1 WHERE begin > 0;", "SELECT 1;"},
		},
		{
			name: "SQLite columns named begin and end outside triggers",
			d:    engine.SQLite,
			src:  "CREATE TABLE begin (a);\nCREATE TABLE end (b);",
			want: []string{"CREATE TABLE begin (a);", "CREATE TABLE end (b);"},
		},
		{
			name: "MySQL begin and end as names inside a body",
			d:    engine.MySQL,
			src:  "CREATE PROCEDURE p() BEGIN SELECT a, begin FROM t; SET end = 1; SELECT end FROM t; END;\nSELECT 2;",
			want: []string{"CREATE PROCEDURE p() BEGIN SELECT a, begin FROM t; SET end = 1; SELECT end FROM t; END;", "SELECT 2;"},
		},
		{
			name: "MySQL nested blocks after THEN, a label and a named handler",
			d:    engine.MySQL,
			src:  "CREATE PROCEDURE p() BEGIN DECLARE c CONDITION FOR 1062; DECLARE EXIT HANDLER FOR c BEGIN END; IF 1 THEN BEGIN END; END IF; l: BEGIN END l; END;\nSELECT 3;",
			want: []string{"CREATE PROCEDURE p() BEGIN DECLARE c CONDITION FOR 1062; DECLARE EXIT HANDLER FOR c BEGIN END; IF 1 THEN BEGIN END; END IF; l: BEGIN END l; END;", "SELECT 3;"},
		},
		{
			name: "MySQL DEFINER forms",
			d:    engine.MySQL,
			src:  "CREATE DEFINER = 'u'@'h' PROCEDURE p() BEGIN SELECT 1; END;\nCREATE DEFINER=u@127.0.0.1 TRIGGER g BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; END;",
			want: []string{"CREATE DEFINER = 'u'@'h' PROCEDURE p() BEGIN SELECT 1; END;", "CREATE DEFINER=u@127.0.0.1 TRIGGER g BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; END;"},
		},
		{
			name: "PostgreSQL BEGIN ATOMIC outside CREATE FUNCTION is a column and an alias",
			d:    engine.Postgres,
			src:  "BEGIN;\nSELECT begin atomic FROM t;\nEND;",
			want: []string{"BEGIN;", "SELECT begin atomic FROM t;", "END;"},
		},
		{
			name: "MariaDB executable comment /*M! is a statement",
			d:    engine.MySQL,
			src:  "/*M!100616 SET @x = 1 */;\n/* plain */;",
			want: []string{"/*M!100616 SET @x = 1 */;"},
		},
		{
			name: "atlas:delimiter directive in a CRLF file",
			d:    engine.Postgres,
			src:  "-- atlas:delimiter //\r\nSELECT 1;\r\n//\r\nSELECT 2\r\n",
			want: []string{"SELECT 1;", "SELECT 2"},
		},
		{
			name: "many single-statement procedures selecting a column named begin",
			d:    engine.MySQL,
			src:  rep("CREATE PROCEDURE p() SELECT begin FROM t;\n", 20000),
			want: repeatStmt("CREATE PROCEDURE p() SELECT begin FROM t;", 20000),
		},
		{
			name: "a procedure with many BEGINs and no END",
			d:    engine.MySQL,
			src:  "CREATE PROCEDURE p() " + rep("BEGIN x ", 20000),
			want: []string{strings.TrimSpace("CREATE PROCEDURE p() " + rep("BEGIN x ", 20000))},
		},
		{
			name: "a trigger with many BEGINs and no END",
			d:    engine.SQLite,
			src:  "CREATE TRIGGER g AFTER INSERT ON t " + rep("BEGIN SELECT 1; ", 5000),
			want: append([]string{"CREATE TRIGGER g AFTER INSERT ON t BEGIN SELECT 1;"}, repeatStmt("BEGIN SELECT 1;", 4999)...),
		},
		{
			name: "a function with many BEGIN ATOMIC and no END",
			d:    engine.Postgres,
			src:  "CREATE FUNCTION f() RETURNS int LANGUAGE sql " + rep("BEGIN ATOMIC SELECT 1; ", 5000),
			want: append([]string{"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1;"}, repeatStmt("BEGIN ATOMIC SELECT 1;", 4999)...),
		},
		{
			name: "deeply nested CASE inside a block",
			d:    engine.MySQL,
			src:  "CREATE PROCEDURE p() BEGIN SELECT " + rep("CASE WHEN 1 THEN ", 5000) + "1" + rep(" END", 5000) + "; END;\nSELECT 4;",
			want: []string{"CREATE PROCEDURE p() BEGIN SELECT " + rep("CASE WHEN 1 THEN ", 5000) + "1" + rep(" END", 5000) + "; END;", "SELECT 4;"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := []byte(tt.src)
			stmts, err := sqlsplit.Split(tt.d, src)
			if err != nil {
				t.Fatal(err)
			}
			if got := stmtTexts(stmts); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%d statements, want %d:\n%s", len(got), len(tt.want), firstTextDiff(got, tt.want))
			}
			if err := sqlsplit.Verify(tt.d, src, stmts); err != nil {
				t.Error(err)
			}
		})
	}
}

func repeatStmt(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// firstDiff shows the first statement where got and want differ.
func firstTextDiff(got, want []string) string {
	d := diffTexts(got, want)
	if i := strings.Index(d, "statement "); i >= 0 {
		d = d[i:]
		if j := strings.Index(d[1:], "\nstatement "); j >= 0 {
			d = d[:j+1]
		}
	}
	if len(d) > 2000 {
		d = d[:2000] + "..."
	}
	return d
}
