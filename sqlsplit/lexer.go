package sqlsplit

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ferrymigrate/ferry/engine"
)

// lineComment reports whether a line comment starts at i.
func (s *scanner) lineComment(i int) bool {
	src := s.src
	switch {
	case src[i] == '#':
		return s.d == engine.MySQL
	case src[i] == '-' && i+1 < len(src) && src[i+1] == '-':
		if s.d != engine.MySQL {
			return true
		}
		// MySQL needs white space or a control character after "--".
		return i+2 >= len(src) || src[i+2] <= ' '
	}
	return false
}

// executableComment reports a MySQL /*! ... */ comment, which MySQL and
// MariaDB run, or a MariaDB /*M! ... */ comment, which MariaDB runs.
func (s *scanner) executableComment(i int) bool {
	src := s.src
	return s.d == engine.MySQL && i+2 < len(src) && (src[i+2] == '!' || src[i+2] == 'M' && i+3 < len(src) && src[i+3] == '!')
}

func lineEnd(src []byte, i int) int {
	if j := bytes.IndexByte(src[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(src)
}

// blockComment returns the offset just past the block comment at i; on
// PostgreSQL block comments nest.
func (s *scanner) blockComment(i int) (int, error) {
	src := s.src
	if s.d != engine.Postgres {
		j := bytes.Index(src[i+2:], []byte("*/"))
		if j < 0 {
			return 0, s.errorAt(i, "unclosed block comment /*")
		}
		return i + 2 + j + 2, nil
	}
	depth := 0
	for j := i; j+1 < len(src); {
		switch {
		case src[j] == '/' && src[j+1] == '*':
			depth++
			j += 2
		case src[j] == '*' && src[j+1] == '/':
			depth--
			j += 2
			if depth == 0 {
				return j, nil
			}
		default:
			j++
		}
	}
	return 0, s.errorAt(i, "unclosed block comment /*")
}

func isIdent(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c >= utf8.RuneSelf
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v'
}

func equalFold(b []byte, upper string) bool {
	if len(b) != len(upper) {
		return false
	}
	for i := range b {
		c := b[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != upper[i] {
			return false
		}
	}
	return true
}

// skipQuote returns the offset just past the quoted string or identifier
// that opens at i. A doubled quote is part of the string; with escapes a
// backslash escapes the next byte.
func (s *scanner) skipQuote(i int, q byte, escapes bool) (int, error) {
	src := s.src
	j := i + 1
	for {
		var k int
		if escapes {
			k = bytes.IndexAny(src[j:], string([]byte{q, '\\'}))
		} else {
			k = bytes.IndexByte(src[j:], q)
		}
		if k < 0 {
			return 0, s.errorAt(i, fmt.Sprintf("unclosed quote %c", q))
		}
		j += k
		if src[j] == '\\' {
			j += 2
			if j > len(src) {
				return 0, s.errorAt(i, fmt.Sprintf("unclosed quote %c", q))
			}
			continue
		}
		if j+1 < len(src) && src[j+1] == q {
			j += 2
			continue
		}
		return j + 1, nil
	}
}

// skipDollar returns the offset past a PostgreSQL dollar-quoted string at i,
// or i+1 when the "$" does not open one ($1, a$b).
func (s *scanner) skipDollar(i int) (int, error) {
	src := s.src
	if i > 0 && isIdent(src[i-1]) {
		return i + 1, nil
	}
	j := i + 1
	if j < len(src) && (src[j] >= '0' && src[j] <= '9') {
		return i + 1, nil
	}
	for j < len(src) && src[j] != '$' && isIdent(src[j]) {
		j++
	}
	if j >= len(src) || src[j] != '$' {
		return i + 1, nil
	}
	tag := src[i : j+1]
	k := bytes.Index(src[j+1:], tag)
	if k < 0 {
		return 0, s.errorAt(i, fmt.Sprintf("unclosed dollar quote %s", tag))
	}
	return j + 1 + k + len(tag), nil
}

// TokenKind is the kind of a Token.
type TokenKind uint8

// Kinds of tokens.
const (
	Word       TokenKind = iota // an unquoted word: a keyword or a name
	QuotedName                  // a quoted name: "x", `x`, [x] (SQLite)
	String                      // a string literal, dollar-quoted ones included
	Number                      // a number
	Punct                       // one byte of punctuation: ( ) , . ; = ...
)

// Token is one token of a statement's text.
type Token struct {
	Kind TokenKind
	// Text is the token as written: a string or quoted name with its
	// quotes (and an E'...' string with its E).
	Text string
	// Start is the byte offset of the token in the statement's text.
	Start int
}

// Is reports whether t is the keyword kw (case-insensitive, unquoted).
func (t Token) Is(kw string) bool { return t.Kind == Word && strings.EqualFold(t.Text, kw) }

// Name returns a word as written and a quoted name without its quotes
// (doubled quotes undone); "" for other tokens.
func (t Token) Name() string {
	switch t.Kind {
	case Word:
		return t.Text
	case QuotedName:
		return unquote(t.Text)
	}
	return ""
}

// unquote returns a quoted name without its quotes, doubled quotes undone.
func unquote(s string) string {
	q := s[0]
	if q == '[' {
		return strings.TrimSuffix(s[1:], "]")
	}
	if len(s) >= 2 && s[len(s)-1] == q {
		s = s[1 : len(s)-1]
	} else {
		s = s[1:]
	}
	return strings.ReplaceAll(s, string([]byte{q, q}), string(q))
}

// Tokens returns the tokens of one statement's text (as Split returns it)
// in dialect d, skipping white space and comments. It reads quotes,
// comments and names exactly as Split does, and is lenient where Split
// would refuse a file: an unclosed quote or comment ends the statement.
// MySQL executable comments (/*! ... */, /*M! ... */) are read as the
// statement text they hold, as the server reads them.
func Tokens(d engine.Dialect, text string) []Token {
	s := &scanner{src: []byte(text), str: text, d: d}
	src := s.src
	out := make([]Token, 0, len(text)/5+1) // about one token per five bytes of DDL
	exec := false                          // inside an executable comment
	for i := 0; i < len(src); {
		c := src[i]
		end := i + 1
		kind := Punct
		switch {
		case isSpaceByte(c):
			i++
			continue
		case s.lineComment(i):
			i = lineEnd(src, i)
			continue
		case c == '*' && exec && i+1 < len(src) && src[i+1] == '/':
			exec = false
			i += 2
			continue
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			if s.executableComment(i) && !exec {
				exec = true
				i += bytes.IndexByte(src[i:], '!') + 1
				for i < len(src) && src[i] >= '0' && src[i] <= '9' {
					i++ // the server version
				}
				continue
			}
			e, err := s.blockComment(i)
			if err != nil {
				return out
			}
			i = e
			continue
		case c == '\'':
			kind, end = String, s.quoteEnd(i, '\'', d == engine.MySQL)
		case c == '"':
			kind, end = QuotedName, s.quoteEnd(i, '"', d == engine.MySQL)
		case c == '`' && d != engine.Postgres:
			kind, end = QuotedName, s.quoteEnd(i, '`', false)
		case c == '[' && d == engine.SQLite:
			kind, end = QuotedName, len(src)
			if j := bytes.IndexByte(src[i+1:], ']'); j >= 0 {
				end = i + j + 2
			}
		case c == '$' && d == engine.Postgres:
			e, err := s.skipDollar(i)
			switch {
			case err != nil:
				kind, end = String, len(src)
			case e > i+1:
				kind, end = String, e
			}
		case c >= '0' && c <= '9':
			kind = Number
			for end < len(src) && (isIdent(src[end]) || src[end] == '.') {
				end++
			}
		case isIdent(c) && c != '$':
			kind = Word
			for end < len(src) && isIdent(src[end]) {
				end++
			}
			if d == engine.Postgres && end == i+1 && c|0x20 == 'e' && end < len(src) && src[end] == '\'' {
				kind, end = String, s.quoteEnd(end, '\'', true) // E'...'
			}
		}
		out = append(out, Token{Kind: kind, Text: text[i:end], Start: i})
		i = end
	}
	return out
}

// quoteEnd returns the offset past the quoted text at i, or the end of
// the text when the quote is not closed.
func (s *scanner) quoteEnd(i int, q byte, escapes bool) int {
	end, err := s.skipQuote(i, q, escapes)
	if err != nil {
		return len(s.src)
	}
	return end
}

// Comments returns the comments in text, the gap between two statements,
// as written: line comments without their line end, block comments with
// their delimiters.
func Comments(d engine.Dialect, text string) []string {
	s := &scanner{src: []byte(text), str: text, d: d}
	var out []string
	for i := 0; i < len(text); {
		switch {
		case s.lineComment(i):
			j := lineEnd(s.src, i)
			out = append(out, strings.TrimRight(text[i:j], "\r\n"))
			i = j
		case text[i] == '/' && i+1 < len(text) && text[i+1] == '*':
			j, err := s.blockComment(i)
			if err != nil {
				j = len(text)
			}
			out = append(out, text[i:j])
			i = j
		default:
			i++
		}
	}
	return out
}

// StartsWithLineComment reports whether text starts with a line comment
// in dialect d.
func StartsWithLineComment(d engine.Dialect, text string) bool {
	s := &scanner{src: []byte(text), str: text, d: d}
	return text != "" && s.lineComment(0)
}
