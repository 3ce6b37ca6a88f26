// Package ddl reads what a migration statement does to a schema without a
// full SQL parser: the objects it creates, drops or renames, the objects
// that must (or must not) exist for it to succeed, and, where one exists,
// the statement that undoes it. It looks only at a statement's head and the
// top level of its parenthesised lists; whatever it does not recognise it
// reports as not understood, never as a guess.
package ddl

import (
	"strings"

	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// Token is one token of a statement: a word (Upper set), a quoted
// identifier (Quoted set), a string literal (String set) or one punctuation
// byte (Punct set). A number reads as a word with Number set.
type Token struct {
	Text   string // as written; a quoted name without its quotes
	Upper  string // upper-cased word; empty for quoted names and punctuation
	Quoted bool
	String bool
	Number bool
	Punct  byte
}

// word reports whether t is an unquoted word (not a number).
func (t Token) word() bool { return t.Upper != "" && !t.Number }

// text returns the token as read: punctuation as its byte, a quoted name
// without its quotes.
func (t Token) text() string {
	if t.Punct != 0 {
		return string(t.Punct)
	}
	return t.Text
}

// namePart reports whether t can be a part of a name as written: a word
// or a quoted name.
func (t Token) namePart() bool { return t.word() || t.Quoted }

// Tokens returns the tokens of a statement in dialect d, read by
// sqlsplit's lexer.
func Tokens(d engine.Dialect, text string) []Token {
	toks := sqlsplit.Tokens(d, text)
	out := make([]Token, len(toks))
	for i, t := range toks {
		switch t.Kind {
		case sqlsplit.Word:
			out[i] = Token{Text: t.Text, Upper: strings.ToUpper(t.Text)}
		case sqlsplit.Number:
			out[i] = Token{Text: t.Text, Upper: strings.ToUpper(t.Text), Number: true}
		case sqlsplit.QuotedName:
			out[i] = Token{Text: t.Name(), Quoted: true}
		case sqlsplit.String:
			out[i] = Token{Text: t.Text, String: true}
		default:
			out[i] = Token{Punct: t.Text[0]}
		}
	}
	return out
}

// Cursor walks tokens.
type Cursor struct {
	T []Token
	I int
}

// NewCursor reads the tokens of text in dialect d.
func NewCursor(d engine.Dialect, text string) *Cursor {
	return &Cursor{T: Tokens(d, text)}
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

// Part reads one name part, as the dialect stores it (see
// engine.Dialect.StoredName).
func (c *Cursor) Part(d engine.Dialect) (string, bool) {
	t := c.Peek()
	if t.Quoted && t.Text == "" {
		return "", false // "" names nothing (and an unclosed quote reads as one)
	}
	if !t.Quoted && t.Upper == "" {
		return "", false
	}
	c.I++
	return d.StoredName(t.Text, t.Quoted), true
}

// Name reads [schema.]name; ok is false when no name follows.
func (c *Cursor) Name(d engine.Dialect) (schema, name string, ok bool) {
	first, ok := c.Part(d)
	if !ok {
		return "", "", false
	}
	if c.Peek().Punct == '.' {
		c.I++
		second, ok := c.Part(d)
		if !ok {
			return "", "", false
		}
		return first, second, true
	}
	return "", first, true
}

// Split splits the tokens from the cursor at top-level commas, up to the
// ")" that closes the list the cursor is in (read too) or the end.
func (c *Cursor) Split() [][]Token {
	var out [][]Token
	start, depth := c.I, 0
	for ; c.I < len(c.T); c.I++ {
		t := c.T[c.I]
		if t.Quoted || t.String || t.Upper != "" {
			continue
		}
		switch t.Punct {
		case '(':
			depth++
		case ')':
			if depth == 0 {
				out = append(out, c.T[start:c.I])
				c.I++
				return out
			}
			depth--
		case ',':
			if depth == 0 {
				out = append(out, c.T[start:c.I])
				start = c.I + 1
			}
		}
	}
	return append(out, c.T[start:])
}

// acceptAny consumes the next token if it is one of the keywords words and
// returns that keyword, else "".
func (c *Cursor) acceptAny(words ...string) string {
	for _, w := range words {
		if c.Accept(w) {
			return w
		}
	}
	return ""
}

// next reads one token; the zero Token at the end.
func (c *Cursor) next() Token {
	t := c.Peek()
	if !c.Done() {
		c.I++
	}
	return t
}

// peekIs reports whether the token n places after the next one is the
// keyword w.
func (c *Cursor) peekIs(n int, w string) bool {
	return c.I+n < len(c.T) && c.T[c.I+n].Upper == w && !c.T[c.I+n].Number
}

// written reads a name as written, schema-qualified or not ("s"."t",
// `db`.`t`, [t]); ok is false when something else follows. At the end of
// the tokens it reads an empty part: a statement cut short names its
// object "" (lint has always read it so).
func (c *Cursor) written() (Name, bool) {
	var n Name
	for {
		t := c.Peek()
		if !t.namePart() && !c.Done() {
			return n, len(n.Parts) > 0
		}
		c.I++
		n.Parts = append(n.Parts, t.Text)
		n.Quoted = append(n.Quoted, t.Quoted)
		if c.Peek().Punct != '.' {
			return n, true
		}
		c.I++
	}
}

// writtenPart reads a single, unqualified name as written; at the end of
// the tokens, an empty one (see written).
func (c *Cursor) writtenPart() (Name, bool) {
	t := c.Peek()
	if !t.namePart() && !c.Done() {
		return Name{}, false
	}
	c.I++
	return Name{Parts: []string{t.Text}, Quoted: []bool{t.Quoted}}, true
}

// writtenList reads a comma-separated list of names as written.
func (c *Cursor) writtenList() []Name {
	var out []Name
	for {
		n, ok := c.written()
		if !ok {
			return out
		}
		out = append(out, n)
		if c.Peek().Punct != ',' {
			return out
		}
		c.I++
	}
}

// group reads the parenthesised group at "(" and returns its elements,
// the token runs between its top-level commas (an unclosed group runs to
// the end). It returns nil, false if no "(" comes next.
func (c *Cursor) group() ([][]Token, bool) {
	if c.Peek().Punct != '(' {
		return nil, false
	}
	depth := 0
	start := c.I + 1
	for ; c.I < len(c.T); c.I++ {
		switch c.T[c.I].Punct {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				inner := c.T[start:c.I]
				c.I++
				return elements(inner), true
			}
		}
	}
	return elements(c.T[start:]), true
}

// rest returns the tokens not read yet.
func (c *Cursor) rest() []Token { return c.T[min(c.I, len(c.T)):] }

// elements splits toks at the commas outside parentheses, dropping empty
// runs.
func elements(toks []Token) [][]Token {
	var out [][]Token
	depth, start := 0, 0
	for i, t := range toks {
		switch t.Punct {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				if i > start {
					out = append(out, toks[start:i])
				}
				start = i + 1
			}
		}
	}
	if start < len(toks) {
		out = append(out, toks[start:])
	}
	return out
}

// render returns tokens as text, with a space between two tokens that are
// not punctuation.
func render(toks []Token) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 && t.Punct == 0 && toks[i-1].Punct == 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.text())
	}
	return b.String()
}
