package lint

import (
	"strings"
	"unicode/utf8"

	"github.com/ferrymigrate/ferry/engine"
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

// tokenize reads the tokens of one statement, skipping white space and
// comments. It is lenient: sqlsplit has already checked that quotes and
// comments are closed, and an unclosed one just ends the statement here.
// MySQL executable comments (/*! ... */, /*M! ... */) are read as the
// statement text they hold.
func tokenize(d engine.Dialect, s string) []token {
	var (
		toks []token
		exec bool // inside a MySQL executable comment
	)
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '-' && strings.HasPrefix(s[i:], "--") && (d != engine.MySQL || i+2 >= len(s) || s[i+2] <= ' '),
			c == '#' && d == engine.MySQL:
			i = skipLine(s, i)
		case c == '*' && exec && strings.HasPrefix(s[i:], "*/"):
			exec = false
			i += 2
		case c == '/' && strings.HasPrefix(s[i:], "/*"):
			if d == engine.MySQL && !exec && (strings.HasPrefix(s[i:], "/*!") || strings.HasPrefix(s[i:], "/*M!")) {
				exec = true
				i += strings.IndexByte(s[i:], '!') + 1
				for i < len(s) && s[i] >= '0' && s[i] <= '9' {
					i++ // the version
				}
				continue
			}
			i = skipBlockComment(d, s, i)
		case c == '\'':
			escapes, start := d == engine.MySQL, i
			if n := len(toks); d == engine.Postgres && n > 0 && toks[n-1].kind == tWord && strings.EqualFold(toks[n-1].text, "E") && (s[i-1] == 'E' || s[i-1] == 'e') {
				escapes, start = true, i-1
				toks = toks[:n-1] // E'...' is one string
			}
			j := skipQuoted(s, i, '\'', escapes)
			toks = append(toks, token{tString, s[start:j]})
			i = j
		case c == '"' || c == '`':
			j := skipQuoted(s, i, c, c == '"' && d == engine.MySQL)
			toks = append(toks, token{tIdent, unquote(s[i:j], c)})
			i = j
		case c == '[' && d == engine.SQLite:
			j := strings.IndexByte(s[i+1:], ']')
			if j < 0 {
				return toks
			}
			toks = append(toks, token{tIdent, s[i+1 : i+1+j]})
			i += j + 2
		case c == '$' && d == engine.Postgres && dollarTag(s, i) != "":
			tag := dollarTag(s, i)
			j := strings.Index(s[i+len(tag):], tag)
			if j < 0 {
				return append(toks, token{tString, s[i:]})
			}
			end := i + len(tag) + j + len(tag)
			toks = append(toks, token{tString, s[i:end]})
			i = end
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && (isWordByte(s[j]) || s[j] == '.') {
				j++
			}
			toks = append(toks, token{tNumber, s[i:j]})
			i = j
		case isWordByte(c) && c != '$':
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			toks = append(toks, token{tWord, s[i:j]})
			i = j
		default:
			_, w := utf8.DecodeRuneInString(s[i:])
			toks = append(toks, token{tPunct, s[i : i+w]})
			i += w
		}
	}
	return toks
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c >= utf8.RuneSelf
}

// skipLine returns the offset past the line comment at i.
func skipLine(s string, i int) int {
	if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(s)
}

// skipBlockComment returns the offset past the block comment at i; on
// PostgreSQL block comments nest.
func skipBlockComment(d engine.Dialect, s string, i int) int {
	depth := 0
	for j := i; j+1 < len(s); {
		switch {
		case s[j] == '/' && s[j+1] == '*':
			depth++
			j += 2
		case s[j] == '*' && s[j+1] == '/':
			depth--
			j += 2
			if depth == 0 || d != engine.Postgres {
				return j
			}
		default:
			j++
		}
	}
	return len(s)
}

// skipQuoted returns the offset past the quoted text at i. A doubled quote
// is part of the text; with escapes a backslash escapes the next byte.
func skipQuoted(s string, i int, q byte, escapes bool) int {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			if escapes {
				j++
			}
		case q:
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(s)
}

// unquote returns a quoted name without its quotes.
func unquote(s string, q byte) string {
	if len(s) >= 2 && s[len(s)-1] == q {
		s = s[1 : len(s)-1]
	} else {
		s = s[1:]
	}
	return strings.ReplaceAll(s, string([]byte{q, q}), string(q))
}

// dollarTag returns the PostgreSQL dollar-quote tag ($$ or $tag$) that opens
// at i, or "".
func dollarTag(s string, i int) string {
	if i > 0 && isWordByte(s[i-1]) {
		return "" // a$b is a name
	}
	j := i + 1
	if j < len(s) && s[j] >= '0' && s[j] <= '9' {
		return "" // $1 is a parameter
	}
	for j < len(s) && s[j] != '$' && isWordByte(s[j]) {
		j++
	}
	if j >= len(s) || s[j] != '$' {
		return ""
	}
	return s[i : j+1]
}
