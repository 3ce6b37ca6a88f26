package sqlsplit_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ferrymigrate/ferry/sqlsplit"
)

// FuzzSplit splits arbitrary input with every dialect: Split never panics,
// an error is an *sqlsplit.Error that points into the file, and a split
// that succeeds proves itself with Verify and keeps the span, position and
// index invariants. Each input is also read as a list of SQL tokens (one
// byte, one token of fuzzTokens), which reaches keyword, quote, comment and
// delimiter combinations that byte mutations rarely build. The corpus files
// are the seeds; failures found by the fuzzer stay in testdata/fuzz/FuzzSplit.
func FuzzSplit(f *testing.F) {
	for _, c := range loadCorpus(f) {
		f.Add(c.Src)
	}
	f.Add([]byte("-- atlas:delimiter \\n\\n\nSELECT 1;\n\nSELECT 2\n\n"))
	f.Add([]byte("DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; END//\nDELIMITER ;\n"))
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
	// Once endless recursion (stack overflow) on MySQL and SQLite.
	f.Add([]byte("UPDATE t SET begin = 1 WHERE begin > 0;\nSELECT 1;"))
	f.Add([]byte("CREATE PROCEDURE p() SELECT a, begin FROM t; SELECT begin x, begin y;"))
	f.Fuzz(func(t *testing.T, in []byte) {
		fuzzCheckSplit(t, in)
		fuzzCheckSplit(t, fuzzExpand(in))
	})
}

// fuzzTokens are the pieces fuzzExpand builds SQL-like text from.
var fuzzTokens = []string{
	" ", "\n", "\r\n", "\t", ";", ";;", "(", ")", ",", ".", ":", "=", "x", "t", "1", "é",
	"'", "''", "\"", "`", "[", "]", "\\", "E'", "e'", "U&'", "$", "$$", "$a$", "$1", "a$b",
	"--", "-- ", "--x", "#", "/*", "*/", "/*!", "/*M!", "*",
	"BEGIN", "begin", "END", "end", "CASE", "ATOMIC", "NOT", "IF", "LOOP", "WHILE", "REPEAT",
	"THEN", "ELSE", "DO", "DECLARE", "HANDLER", "FOR", "lbl:", "SELECT", "SET", "FROM",
	"CREATE", "ALTER", "OR", "REPLACE", "PROCEDURE", "FUNCTION", "TRIGGER", "EVENT",
	"TEMP", "DEFINER", "CURRENT_USER", "@", "`u`@`h`", "AGGREGATE",
	"DELIMITER ", "DELIMITER $$\n", "DELIMITER //\n", "DELIMITER ;\n", "//",
	"-- atlas:delimiter //\n", "-- atlas:delimiter \\n\\n\n", "\x00", "\xff",
}

// fuzzExpand reads in as token indexes into fuzzTokens.
func fuzzExpand(in []byte) []byte {
	var b bytes.Buffer
	for _, c := range in {
		b.WriteString(fuzzTokens[int(c)%len(fuzzTokens)])
	}
	return b.Bytes()
}

// checkSplit splits src with every dialect and checks the result.
func fuzzCheckSplit(t *testing.T, src []byte) {
	t.Helper()
	for _, d := range corpusDialects {
		stmts, err := sqlsplit.Split(d, src)
		if err != nil {
			var se *sqlsplit.Error
			if !errors.As(err, &se) {
				t.Fatalf("%s: error %T is not an *sqlsplit.Error: %v", d, err, err)
			}
			if se.Offset < 0 || se.Offset > len(src) {
				t.Fatalf("%s: error offset %d outside the file (size %d): %v", d, se.Offset, len(src), err)
			}
			line := 1 + bytes.Count(src[:se.Offset], []byte("\n"))
			col := se.Offset - (bytes.LastIndexByte(src[:se.Offset], '\n') + 1) + 1
			if se.Line != line || se.Col != col {
				t.Fatalf("%s: error at %d:%d, offset %d is %d:%d", d, se.Line, se.Col, se.Offset, line, col)
			}
			continue
		}
		if err := sqlsplit.Verify(d, src, stmts); err != nil {
			t.Fatalf("%s: Verify: %v\nstatements: %q", d, err, stmtTexts(stmts))
		}
		checkSplitInvariants(t, src, stmts)
	}
}
