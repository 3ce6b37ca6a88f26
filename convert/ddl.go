package convert

import (
	"strings"

	"github.com/ferrymigrate/ferry/sqlsplit"
)

// Object is a schema object that the migrations create.
type Object struct {
	Kind   string `json:"kind"`             // table, view, materialized view, index, sequence, function, procedure, type, trigger, schema, extension
	Schema string `json:"schema,omitempty"` // as written; empty means the default schema
	Name   string `json:"name"`
	Table  string `json:"table,omitempty"` // for indexes and triggers on MySQL
	File   string `json:"file"`            // the file that created it
	Line   int    `json:"line"`
}

// key identifies an object by kind and normalised name.
type key struct{ kind, schema, name string }

// ddlToken is one token of a statement's head: a word (Upper set), a
// quoted identifier (Quoted set) or one punctuation byte.
type ddlToken struct {
	Text   string // as written, without quotes
	Upper  string // upper-cased word; empty for quoted names and punctuation
	Quoted bool
	Punct  byte
}

// tokens returns up to n tokens of a statement, skipping comments.
func tokens(text string, n int) []ddlToken {
	var out []ddlToken
	i := 0
	for i < len(text) && len(out) < n {
		c := text[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
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
			out = append(out, ddlToken{Text: b.String(), Quoted: true})
			i = j + 1
		case isWordByte(c):
			j := i
			for j < len(text) && isWordByte(text[j]) {
				j++
			}
			out = append(out, ddlToken{Text: text[i:j], Upper: strings.ToUpper(text[i:j])})
			i = j
		default:
			out = append(out, ddlToken{Punct: c})
			i++
		}
	}
	return out
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c >= 0x80
}

// cursor walks tokens.
type cursor struct {
	t []ddlToken
	i int
}

func (c *cursor) peek() ddlToken {
	if c.i < len(c.t) {
		return c.t[c.i]
	}
	return ddlToken{}
}

// accept consumes the given keywords in order, or nothing.
func (c *cursor) accept(words ...string) bool {
	for k, w := range words {
		if c.i+k >= len(c.t) || c.t[c.i+k].Upper != w {
			return false
		}
	}
	c.i += len(words)
	return true
}

// skipUntil advances past the first of the given keywords; it reports
// which one, or "" when none follows.
func (c *cursor) skipUntil(words ...string) string {
	for c.i < len(c.t) {
		u := c.t[c.i].Upper
		c.i++
		for _, w := range words {
			if u == w {
				return w
			}
		}
	}
	return ""
}

// relationKind reads the relation kinds that DROP and ALTER share, or
// returns "".
func (c *cursor) relationKind() string {
	switch {
	case c.accept("TABLE"):
		return "table"
	case c.accept("MATERIALIZED", "VIEW"):
		return "materialized view"
	case c.accept("VIEW"):
		return "view"
	case c.accept("INDEX"):
		c.accept("CONCURRENTLY")
		return "index"
	}
	return ""
}

// kind reads the object kinds that CREATE and DROP share, or returns "".
func (c *cursor) kind() string {
	switch {
	case c.accept("SEQUENCE"):
		return "sequence"
	case c.accept("FUNCTION"):
		return "function"
	case c.accept("PROCEDURE"):
		return "procedure"
	case c.accept("TYPE"), c.accept("DOMAIN"):
		return "type"
	case c.accept("TRIGGER"):
		return "trigger"
	case c.accept("SCHEMA"):
		return "schema"
	case c.accept("EXTENSION"):
		return "extension"
	}
	return ""
}

// name reads [schema.]name; ok is false when no name follows.
func (c *cursor) name(d sqlsplit.Dialect) (schema, name string, ok bool) {
	part := func() (string, bool) {
		t := c.peek()
		if t.Quoted {
			c.i++
			return t.Text, true
		}
		if t.Upper != "" {
			c.i++
			if d == sqlsplit.Postgres {
				return strings.ToLower(t.Text), true
			}
			return t.Text, true
		}
		return "", false
	}
	first, ok := part()
	if !ok {
		return "", "", false
	}
	if c.peek().Punct == '.' {
		c.i++
		second, ok := part()
		if !ok {
			return "", "", false
		}
		return first, second, true
	}
	return "", first, true
}

// change is what one statement does to the set of objects.
type change struct {
	create  *Object
	drops   []key
	renames [][2]key
}

// analyse reads what a statement creates, drops or renames. Statements it
// does not recognise change nothing (they are not evidence either way).
func analyse(d sqlsplit.Dialect, text string) change {
	c := &cursor{t: tokens(text, 40)}
	var ch change
	switch {
	case c.accept("CREATE"):
		c.accept("OR", "REPLACE")
		for c.accept("DEFINER") { // MySQL: DEFINER = user[@host]
			c.skipUntil("PROCEDURE", "FUNCTION", "TRIGGER", "EVENT", "VIEW")
			c.i--
		}
		if c.accept("GLOBAL") || c.accept("LOCAL") || c.accept("TEMP") || c.accept("TEMPORARY") {
			return ch // temporary objects do not outlive the session
		}
		c.accept("UNLOGGED")
		kind := ""
		switch {
		case c.accept("TABLE"):
			kind = "table"
		case c.accept("MATERIALIZED", "VIEW"):
			kind = "materialized view"
		case c.accept("RECURSIVE", "VIEW"), c.accept("VIEW"):
			kind = "view"
		case c.accept("ALGORITHM"), c.accept("SQL"):
			if c.skipUntil("VIEW") == "VIEW" {
				kind = "view"
			}
		case c.accept("UNIQUE", "INDEX"), c.accept("INDEX"), c.accept("FULLTEXT", "INDEX"), c.accept("SPATIAL", "INDEX"):
			kind = "index"
			c.accept("CONCURRENTLY")
		default:
			if kind = c.kind(); kind == "" {
				return ch
			}
		}
		c.accept("IF", "NOT", "EXISTS")
		schema, name, ok := c.name(d)
		if !ok || kind == "index" && strings.EqualFold(name, "ON") {
			return ch // an unnamed index
		}
		o := &Object{Kind: kind, Schema: schema, Name: name}
		if kind == "index" || kind == "trigger" {
			if c.skipUntil("ON") == "ON" {
				c.accept("ONLY")
				ts, tn, _ := c.name(d)
				o.Table = tn
				if o.Schema == "" {
					o.Schema = ts // a PostgreSQL index lives in its table's schema
				}
			}
		}
		ch.create = o
	case c.accept("DROP"):
		kind := c.relationKind()
		if kind == "" {
			if kind = c.kind(); kind == "" {
				return ch
			}
		}
		c.accept("IF", "EXISTS")
		for {
			s, n, ok := c.name(d)
			if !ok {
				break
			}
			ch.drops = append(ch.drops, key{kind, s, n})
			if c.peek().Punct == '(' { // function signature
				depth := 0
				for c.i < len(c.t) {
					switch c.t[c.i].Punct {
					case '(':
						depth++
					case ')':
						depth--
					}
					c.i++
					if depth == 0 {
						break
					}
				}
			}
			if c.peek().Punct != ',' {
				break
			}
			c.i++
		}
	case c.accept("ALTER"):
		kind := c.relationKind()
		if kind == "" && c.accept("SEQUENCE") {
			kind = "sequence"
		}
		if kind == "" {
			return ch
		}
		c.accept("IF", "EXISTS")
		c.accept("ONLY")
		s, n, ok := c.name(d)
		if !ok {
			return ch
		}
		if c.accept("RENAME", "TO") || c.accept("RENAME", "AS") || d == sqlsplit.MySQL && c.accept("RENAME") {
			ns, nn, ok := c.name(d)
			if ok {
				if ns == "" {
					ns = s
				}
				ch.renames = append(ch.renames, [2]key{{kind, s, n}, {kind, ns, nn}})
			}
		}
	case c.accept("RENAME", "TABLE"): // MySQL: RENAME TABLE a TO b, c TO d
		for {
			s, n, ok := c.name(d)
			if !ok || !c.accept("TO") {
				break
			}
			ns, nn, ok := c.name(d)
			if !ok {
				break
			}
			ch.renames = append(ch.renames, [2]key{{"table", s, n}, {"table", ns, nn}})
			if c.peek().Punct != ',' {
				break
			}
			c.i++
		}
	}
	return ch
}
