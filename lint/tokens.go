package lint

import (
	"strings"

	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// Kinds of tokens, as sqlsplit's lexer reads them.
const (
	tWord   = sqlsplit.Word       // an unquoted word: a keyword or a name
	tIdent  = sqlsplit.QuotedName // a quoted name, without its quotes
	tString = sqlsplit.String     // a string literal (also dollar-quoted)
	tNumber = sqlsplit.Number     // a number
	tPunct  = sqlsplit.Punct      // one byte of punctuation: ( ) , . ; = ...
)

// token is one token of a statement. For tIdent, text is the name without
// its quotes (doubled quotes undone); otherwise it is the text as written.
type token struct {
	kind sqlsplit.TokenKind
	text string
}

// is reports whether t is the keyword kw (case-insensitive, unquoted).
func (t token) is(kw string) bool { return t.kind == tWord && strings.EqualFold(t.text, kw) }

// punct reports whether t is the punctuation byte c.
func (t token) punct(c byte) bool { return t.kind == tPunct && len(t.text) == 1 && t.text[0] == c }

// name reports whether t can be (part of) a name.
func (t token) name() bool { return t.kind == tWord || t.kind == tIdent }

// tokenize reads the tokens of one statement with sqlsplit's lexer.
func tokenize(d engine.Dialect, s string) []token {
	toks := sqlsplit.Tokens(d, s)
	out := make([]token, len(toks))
	for i, t := range toks {
		text := t.Text
		if t.Kind == sqlsplit.QuotedName {
			text = t.Name()
		}
		out[i] = token{t.Kind, text}
	}
	return out
}
