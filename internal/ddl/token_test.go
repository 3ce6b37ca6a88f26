package ddl

import (
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/engine"
)

// kind abbreviates the kind of a token: w (word), i (quoted name), s
// (string), n (number), p (punctuation).
func kind(t Token) string {
	switch {
	case t.Quoted:
		return "i"
	case t.String:
		return "s"
	case t.Number:
		return "n"
	case t.Punct != 0:
		return "p"
	}
	return "w"
}

func TestTokenize(t *testing.T) {
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
			for _, tok := range Tokens(tc.d, tc.src) {
				got = append(got, kind(tok)+":"+tok.text())
			}
			if g := strings.Join(got, " "); g != tc.want {
				t.Errorf("Tokens(%q)\n got %s\nwant %s", tc.src, g, tc.want)
			}
		})
	}
}
