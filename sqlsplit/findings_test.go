package sqlsplit_test

import (
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

func TestFindings(t *testing.T) {
	cases := []struct {
		name    string
		dialect engine.Dialect
		src     string
		multi   bool
		want    []string // codes
	}{
		{"clean", engine.Postgres, "CREATE TABLE t (a int);\nCREATE INDEX i ON t (a);\n", false, nil},
		{"cannot split", engine.Postgres, "SELECT 'x;\n", false, []string{sqlsplit.CodeCannotSplit}},
		{"concurrently mixed", engine.Postgres, "CREATE TABLE t (a int);\nCREATE INDEX CONCURRENTLY i ON t (a);\n", false, []string{sqlsplit.CodeMixedNoTx}},
		{"concurrently mixed with x-multi-statement", engine.Postgres, "CREATE TABLE t (a int);\nCREATE INDEX CONCURRENTLY i ON t (a);\n", true, nil},
		{"concurrently alone", engine.Postgres, "CREATE INDEX CONCURRENTLY i ON t (a);\n", false, nil},
		{"transaction control", engine.SQLite, "BEGIN;\nCREATE TABLE t (a int);\nCOMMIT;\n", false, []string{sqlsplit.CodeTxControl}},
		{"comments only", engine.MySQL, "-- nothing yet\n", false, []string{sqlsplit.CodeNoStatements}},
		{"blank is the folder reader's finding", engine.MySQL, "  \n", false, nil},
		{"DELIMITER in a golang-migrate file", engine.MySQL, "DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; END//\nDELIMITER ;\n", false, []string{sqlsplit.CodeDelimiter}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, fs := sqlsplit.Findings(c.dialect, []byte(c.src), sqlsplit.FileOptions{Name: "1_x.up.sql", Version: "1", MultiStatement: c.multi})
			var got []string
			for _, f := range fs {
				got = append(got, f.Code)
				if f.File != "1_x.up.sql" || f.Version != "1" || f.Message == "" {
					t.Errorf("finding without its place: %+v", f)
				}
				if f.Code == sqlsplit.CodeCannotSplit && strings.Count(f.Message, "1_x.up.sql") != 1 {
					t.Errorf("the file is named more than once: %s", f.Message)
				}
			}
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("codes = %v, want %v", got, c.want)
			}
		})
	}
}
