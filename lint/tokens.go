package lint

import (
	"strings"

	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// tokKind is the kind of a token.
type tokKind uint8

const (
	tWord   tokKind = iota // an unquoted word: a keyword or a name
	tIdent                 // a quoted name, without its quotes
	tString                // a string literal (also dollar-quoted)
	tNumber                // a number
	tPunct                 // one byte of punctuation: ( ) , . ; = ...
)

// token is one token of a statement. For tIdent, text is the name without
// its quotes (doubled quotes undone); otherwise it is the text as written.
type token struct {
	kind tokKind
	text string
}

// is reports whether t is the keyword kw (case-insensitive, unquoted).
func (t token) is(kw string) bool { return t.kind == tWord && strings.EqualFold(t.text, kw) }

// punct reports whether t is the punctuation byte c.
func (t token) punct(c byte) bool { return t.kind == tPunct && len(t.text) == 1 && t.text[0] == c }

// name reports whether t can be (part of) a name.
func (t token) name() bool { return t.kind == tWord || t.kind == tIdent }

// kinds maps sqlsplit's token kinds to lint's.
var kinds = [...]tokKind{
	sqlsplit.Word:       tWord,
	sqlsplit.QuotedName: tIdent,
	sqlsplit.String:     tString,
	sqlsplit.Number:     tNumber,
	sqlsplit.Punct:      tPunct,
}

// tokenize reads the tokens of one statement with sqlsplit's lexer.
func tokenize(d engine.Dialect, s string) []token {
	toks := sqlsplit.Tokens(d, s)
	out := make([]token, len(toks))
	for i, t := range toks {
		text := t.Text
		if t.Kind == sqlsplit.QuotedName {
			text = t.Name()
		}
		out[i] = token{kinds[t.Kind], text}
	}
	return out
}
