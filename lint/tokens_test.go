package lint

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

func TestTokenize(t *testing.T) {
	kinds := map[sqlsplit.TokenKind]string{tWord: "w", tIdent: "i", tString: "s", tNumber: "n", tPunct: "p"}
	for _, tc := range []struct {
		name string
		d    engine.Dialect
		src  string
		want string // kind:text, space-separated
	}{
		{"words and punctuation", engine.Postgres, "ALTER TABLE s.t ADD c int;", "w:ALTER w:TABLE w:s p:. w:t w:ADD w:c w:int p:;"},
		{"quoted names", engine.Postgres, `DROP TABLE "My ""T""".x`, `w:DROP w:TABLE i:My "T" p:. w:x`},
		{"comments", engine.Postgres, "DROP /* a /* nested */ b */ TABLE -- x\n t", "w:DROP w:TABLE w:t"},
		{"strings", engine.Postgres, `SELECT 'it''s', E'a\'b', $f$ DROP TABLE x $f$, $1`, `w:SELECT s:'it''s' p:, s:E'a\'b' p:, s:$f$ DROP TABLE x $f$ p:, p:$ n:1`},
		{"backquotes and hash comments", engine.MySQL, "DROP TABLE `a``b` # x\n, \"c\"", "w:DROP w:TABLE i:a`b p:, i:c"},
		{"mysql escapes", engine.MySQL, `SELECT 'a\'b', 1--2`, `w:SELECT s:'a\'b' p:, n:1 p:- p:- n:2`},
		{"executable comment", engine.MySQL, "DROP TABLE /*!32312 IF EXISTS*/ t /* x */", "w:DROP w:TABLE w:IF w:EXISTS w:t"},
		{"brackets", engine.SQLite, "DROP TABLE [my table]", "w:DROP w:TABLE i:my table"},
		{"numbers", engine.SQLite, "x(10, 2.5)", "w:x p:( n:10 p:, n:2.5 p:)"},
	} {
		t.Run(string(tc.d)+"/"+tc.name, func(t *testing.T) {
			var got []string
			for _, tok := range tokenize(tc.d, tc.src) {
				got = append(got, kinds[tok.kind]+":"+tok.text)
			}
			if g := strings.Join(got, " "); g != tc.want {
				t.Errorf("tokenize(%q)\n got %s\nwant %s", tc.src, g, tc.want)
			}
		})
	}
}

func TestDirectiveArgs(t *testing.T) {
	for _, tc := range []struct {
		comment string
		ok      bool
		args    []string
	}{
		{"-- ferry:nolint", true, nil},
		{"--atlas:nolint DS101", true, []string{"DS101"}},
		{"# atlas:nolint destructive", true, []string{"destructive"}},
		{"/* ferry:nolint DS103, MF103 */", true, []string{"DS103", "MF103"}},
		{"/* ferry:nolint DS103\n more text */", true, []string{"DS103"}},
		{"-- ferry:nolintx", false, nil},
		{"-- see ferry:nolint", false, nil},
		{"-- atlas:lint", false, nil},
	} {
		t.Run(tc.comment, func(t *testing.T) {
			args, ok := directiveArgs(tc.comment)
			if ok != tc.ok || !slices.Equal(args, tc.args) {
				t.Errorf("directiveArgs(%q) = %q, %v; want %q, %v", tc.comment, args, ok, tc.args, tc.ok)
			}
		})
	}
}

func TestFileComments(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want []string
	}{
		{"-- atlas:nolint\n\nDROP TABLE t;", []string{"-- atlas:nolint"}},
		{"-- atlas:nolint\r\n\r\nDROP TABLE t;", []string{"-- atlas:nolint"}},
		{"-- a\n-- ferry:nolint DS102\n  \nDROP TABLE t;", []string{"-- a", "-- ferry:nolint DS102"}},
		{"-- ferry:nolint\nDROP TABLE t;", nil},
		{"\n-- ferry:nolint\n\nDROP TABLE t;", nil},
		{"DROP TABLE t;", nil},
	} {
		t.Run(fmt.Sprintf("%q", tc.src), func(t *testing.T) {
			if got := fileComments(engine.Postgres, tc.src); !slices.Equal(got, tc.want) {
				t.Errorf("fileComments = %q, want %q", got, tc.want)
			}
		})
	}
}
