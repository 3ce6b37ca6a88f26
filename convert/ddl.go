package convert

import (
	"strings"

	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/internal/ddl"
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

// relationKind reads the relation kinds that DROP and ALTER share, or
// returns "".
func relationKind(c *ddl.Cursor) string {
	switch {
	case c.Accept("TABLE"):
		return "table"
	case c.Accept("MATERIALIZED", "VIEW"):
		return "materialized view"
	case c.Accept("VIEW"):
		return "view"
	case c.Accept("INDEX"):
		c.Accept("CONCURRENTLY")
		return "index"
	}
	return ""
}

// kind reads the object kinds that CREATE and DROP share, or returns "".
func objectKind(c *ddl.Cursor) string {
	switch {
	case c.Accept("SEQUENCE"):
		return "sequence"
	case c.Accept("FUNCTION"):
		return "function"
	case c.Accept("PROCEDURE"):
		return "procedure"
	case c.Accept("TYPE"), c.Accept("DOMAIN"):
		return "type"
	case c.Accept("TRIGGER"):
		return "trigger"
	case c.Accept("SCHEMA"):
		return "schema"
	case c.Accept("EXTENSION"):
		return "extension"
	}
	return ""
}

// change is what one statement does to the set of objects.
type change struct {
	create  *Object
	drops   []key
	renames [][2]key
}

// analyse reads what a statement creates, drops or renames. Statements it
// does not recognise change nothing (they are not evidence either way).
func analyse(d engine.Dialect, text string) change {
	c := ddl.NewCursor(text, 40, d == engine.MySQL)
	var ch change
	switch {
	case c.Accept("CREATE"):
		c.Accept("OR", "REPLACE")
		for c.Accept("DEFINER") { // MySQL: DEFINER = user[@host]
			c.SkipUntil("PROCEDURE", "FUNCTION", "TRIGGER", "EVENT", "VIEW")
			c.I--
		}
		if c.Accept("GLOBAL") || c.Accept("LOCAL") || c.Accept("TEMP") || c.Accept("TEMPORARY") {
			return ch // temporary objects do not outlive the session
		}
		c.Accept("UNLOGGED")
		kind := ""
		switch {
		case c.Accept("TABLE"):
			kind = "table"
		case c.Accept("MATERIALIZED", "VIEW"):
			kind = "materialized view"
		case c.Accept("RECURSIVE", "VIEW"), c.Accept("VIEW"):
			kind = "view"
		case c.Accept("ALGORITHM"), c.Accept("SQL"):
			if c.SkipUntil("VIEW") == "VIEW" {
				kind = "view"
			}
		case c.Accept("UNIQUE", "INDEX"), c.Accept("INDEX"), c.Accept("FULLTEXT", "INDEX"), c.Accept("SPATIAL", "INDEX"):
			kind = "index"
			c.Accept("CONCURRENTLY")
		default:
			if kind = objectKind(c); kind == "" {
				return ch
			}
		}
		c.Accept("IF", "NOT", "EXISTS")
		schema, name, ok := c.Name(d == engine.Postgres)
		if !ok || kind == "index" && strings.EqualFold(name, "ON") {
			return ch // an unnamed index
		}
		o := &Object{Kind: kind, Schema: schema, Name: name}
		if kind == "index" || kind == "trigger" {
			if c.SkipUntil("ON") == "ON" {
				c.Accept("ONLY")
				ts, tn, _ := c.Name(d == engine.Postgres)
				o.Table = tn
				if o.Schema == "" {
					o.Schema = ts // a PostgreSQL index lives in its table's schema
				}
			}
		}
		ch.create = o
	case c.Accept("DROP"):
		kind := relationKind(c)
		if kind == "" {
			if kind = objectKind(c); kind == "" {
				return ch
			}
		}
		c.Accept("IF", "EXISTS")
		for {
			s, n, ok := c.Name(d == engine.Postgres)
			if !ok {
				break
			}
			ch.drops = append(ch.drops, key{kind, s, n})
			if c.Peek().Punct == '(' { // function signature
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
						break
					}
				}
			}
			if c.Peek().Punct != ',' {
				break
			}
			c.I++
		}
	case c.Accept("ALTER"):
		kind := relationKind(c)
		if kind == "" && c.Accept("SEQUENCE") {
			kind = "sequence"
		}
		if kind == "" {
			return ch
		}
		c.Accept("IF", "EXISTS")
		c.Accept("ONLY")
		s, n, ok := c.Name(d == engine.Postgres)
		if !ok {
			return ch
		}
		if c.Accept("RENAME", "TO") || c.Accept("RENAME", "AS") || d == engine.MySQL && c.Accept("RENAME") {
			ns, nn, ok := c.Name(d == engine.Postgres)
			if ok {
				if ns == "" {
					ns = s
				}
				ch.renames = append(ch.renames, [2]key{{kind, s, n}, {kind, ns, nn}})
			}
		}
	case c.Accept("RENAME", "TABLE"): // MySQL: RENAME TABLE a TO b, c TO d
		for {
			s, n, ok := c.Name(d == engine.Postgres)
			if !ok || !c.Accept("TO") {
				break
			}
			ns, nn, ok := c.Name(d == engine.Postgres)
			if !ok {
				break
			}
			ch.renames = append(ch.renames, [2]key{{"table", s, n}, {"table", ns, nn}})
			if c.Peek().Punct != ',' {
				break
			}
			c.I++
		}
	}
	return ch
}
