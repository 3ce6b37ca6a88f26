// Package ddl reads what a migration statement does to a schema without a
// full SQL parser: the objects it creates, drops or renames, the objects
// that must (or must not) exist for it to succeed, and, where one exists,
// the statement that undoes it. It looks only at a statement's head and the
// top level of its parenthesised lists; whatever it does not recognise it
// reports as not understood, never as a guess.
package ddl

import (
	"strings"
	"unicode/utf8"
)

// Token is one token of a statement: a word (Upper set), a quoted
// identifier (Quoted set), a string literal (String set) or one punctuation
// byte (Punct set).
type Token struct {
	Text   string // as written, without quotes
	Upper  string // upper-cased word; empty for quoted names and punctuation
	Quoted bool
	String bool
	Punct  byte
}

// Tokens returns up to n tokens of a statement (all when n <= 0), skipping
// comments. backslash makes a backslash escape the next byte in a string
// literal, as MySQL does.
func Tokens(text string, n int, backslash bool) []Token {
	size := len(text)/5 + 1 // about one token per five bytes of DDL
	if n > 0 {
		size = min(size, n)
	}
	out := make([]Token, 0, size)
	i := 0
	for i < len(text) && (n <= 0 || len(out) < n) {
		c := text[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case strings.HasPrefix(text[i:], "--") || c == '#':
			j := strings.IndexByte(text[i:], '\n')
			if j < 0 {
				return out
			}
			i += j + 1
		case strings.HasPrefix(text[i:], "/*"):
			j := strings.Index(text[i+2:], "*/")
			if j < 0 {
				return out
			}
			i += j + 4
		case c == '\'':
			j := i + 1
			var b strings.Builder
			for j < len(text) {
				if backslash && text[j] == '\\' && j+1 < len(text) {
					b.WriteByte(text[j+1])
					j += 2
					continue
				}
				if text[j] == '\'' {
					if j+1 < len(text) && text[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(text[j])
				j++
			}
			out = append(out, Token{Text: b.String(), String: true})
			i = j + 1
		case c == '"' || c == '`' || c == '[':
			closer := c
			if c == '[' {
				closer = ']'
			}
			j := i + 1
			var b strings.Builder
			for j < len(text) {
				if text[j] == closer {
					if closer != ']' && j+1 < len(text) && text[j+1] == closer {
						b.WriteByte(closer)
						j += 2
						continue
					}
					break
				}
				b.WriteByte(text[j])
				j++
			}
			out = append(out, Token{Text: b.String(), Quoted: true})
			i = j + 1
		case c == '$' && dollarTag(text[i:]) != "":
			tag := dollarTag(text[i:])
			end := strings.Index(text[i+len(tag):], tag)
			if end < 0 {
				return out
			}
			out = append(out, Token{Text: text[i+len(tag) : i+len(tag)+end], String: true})
			i += len(tag) + end + len(tag)
		case isWordByte(c):
			j := i
			for j < len(text) && isWordByte(text[j]) {
				j++
			}
			out = append(out, Token{Text: text[i:j], Upper: strings.ToUpper(text[i:j])})
			i = j
		default:
			out = append(out, Token{Punct: c})
			i++
		}
	}
	return out
}

// dollarTag returns the PostgreSQL dollar-quote tag at the start of s
// ("$$" or "$name$"), or "".
func dollarTag(s string) string {
	for j := 1; j < len(s); j++ {
		c := s[j]
		if c == '$' {
			return s[:j+1]
		}
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 1 && c >= '0' && c <= '9') {
			return ""
		}
	}
	return ""
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c >= 0x80
}

// Cursor walks tokens.
type Cursor struct {
	T []Token
	I int
}

// NewCursor tokenizes up to n tokens of text (all when n <= 0); backslash
// as for Tokens.
func NewCursor(text string, n int, backslash bool) *Cursor {
	return &Cursor{T: Tokens(text, n, backslash)}
}

// Peek returns the next token, or the zero Token at the end.
func (c *Cursor) Peek() Token {
	if c.I < len(c.T) {
		return c.T[c.I]
	}
	return Token{}
}

// Done reports whether every token was read.
func (c *Cursor) Done() bool { return c.I >= len(c.T) }

// Accept consumes the given keywords in order, or nothing.
func (c *Cursor) Accept(words ...string) bool {
	for k, w := range words {
		if c.I+k >= len(c.T) || c.T[c.I+k].Upper != w {
			return false
		}
	}
	c.I += len(words)
	return true
}

// AcceptPunct consumes the punctuation byte p, or nothing.
func (c *Cursor) AcceptPunct(p byte) bool {
	if c.Peek().Punct == p && c.Peek().Upper == "" && !c.Peek().Quoted && !c.Peek().String {
		c.I++
		return true
	}
	return false
}

// SkipUntil advances past the first of the given keywords; it reports
// which one, or "" when none follows.
func (c *Cursor) SkipUntil(words ...string) string {
	for c.I < len(c.T) {
		u := c.T[c.I].Upper
		c.I++
		for _, w := range words {
			if u == w {
				return w
			}
		}
	}
	return ""
}

// SkipParens skips a balanced parenthesised group when one follows.
func (c *Cursor) SkipParens() {
	if c.Peek().Punct != '(' {
		return
	}
	depth := 0
	for c.I < len(c.T) {
		switch c.T[c.I].Punct {
		case '(':
			depth++
		case ')':
			depth--
		}
		c.I++
		if depth == 0 {
			return
		}
	}
}

// Part reads one name part: a quoted identifier as written, an unquoted
// word folded as the dialect folds it (lower case on PostgreSQL, as written
// elsewhere). PostgreSQL keeps the first 63 bytes of a longer name (see
// Truncate); MySQL refuses names over 64 characters, so they are kept.
func (c *Cursor) Part(postgres bool) (string, bool) {
	t := c.Peek()
	if t.Quoted {
		if t.Text == "" {
			return "", false // "" names nothing (and an unclosed quote reads as one)
		}
		c.I++
		if postgres {
			return Truncate(t.Text), true
		}
		return t.Text, true
	}
	if t.Upper != "" {
		c.I++
		if postgres {
			return Truncate(strings.ToLower(t.Text)), true
		}
		return t.Text, true
	}
	return "", false
}

// MaxNameBytes is the longest name PostgreSQL stores (NAMEDATALEN - 1).
const MaxNameBytes = 63

// Truncate cuts a PostgreSQL name as the server does: to its first 63
// bytes, never inside a UTF-8 character.
func Truncate(name string) string {
	if len(name) <= MaxNameBytes {
		return name
	}
	n := MaxNameBytes
	for n > 0 && !utf8.RuneStart(name[n]) {
		n--
	}
	return name[:n]
}

// Name reads [schema.]name; ok is false when no name follows.
func (c *Cursor) Name(postgres bool) (schema, name string, ok bool) {
	first, ok := c.Part(postgres)
	if !ok {
		return "", "", false
	}
	if c.Peek().Punct == '.' {
		c.I++
		second, ok := c.Part(postgres)
		if !ok {
			return "", "", false
		}
		return first, second, true
	}
	return "", first, true
}
