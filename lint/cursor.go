package lint

import "strings"

// cursor reads a statement's tokens from left to right.
type cursor struct {
	toks []token
	i    int
}

// done reports whether all tokens have been read.
func (c *cursor) done() bool { return c.i >= len(c.toks) }

// peek returns the next token without reading it; the zero token (an empty
// word) at the end.
func (c *cursor) peek() token { return c.peekAt(0) }

// peekAt returns the token n places after the next one, or the zero token.
func (c *cursor) peekAt(n int) token {
	if c.i+n < len(c.toks) {
		return c.toks[c.i+n]
	}
	return token{}
}

// next reads one token.
func (c *cursor) next() token {
	t := c.peek()
	if !c.done() {
		c.i++
	}
	return t
}

// kw reads the keywords words if they come next, in that order, and
// reports whether they did; otherwise it reads nothing.
func (c *cursor) kw(words ...string) bool {
	for n, w := range words {
		if !c.peekAt(n).is(w) {
			return false
		}
	}
	c.i += len(words)
	return true
}

// kwAny reads the next token if it is one of the keywords words and returns
// it in upper case, else "".
func (c *cursor) kwAny(words ...string) string {
	for _, w := range words {
		if c.peek().is(w) {
			c.i++
			return w
		}
	}
	return ""
}

// name reads a name, schema-qualified or not ("s"."t", `db`.`t`, [t]).
func (c *cursor) name() (objName, bool) {
	var n objName
	for {
		t := c.peek()
		if !t.name() {
			return n, len(n.parts) > 0
		}
		c.i++
		n.parts = append(n.parts, t.text)
		n.quoted = append(n.quoted, t.kind == tIdent)
		if !c.peek().punct('.') {
			return n, true
		}
		c.i++
	}
}

// ident reads a single, unqualified name.
func (c *cursor) ident() (objName, bool) {
	t := c.peek()
	if !t.name() {
		return objName{}, false
	}
	c.i++
	return objName{parts: []string{t.text}, quoted: []bool{t.kind == tIdent}}, true
}

// skipTo reads tokens up to the first "(" at this level, and reports whether
// there is one; it stops at a word of stop (not read) or the end.
func (c *cursor) skipTo(stop ...string) bool {
	for !c.done() {
		t := c.peek()
		if t.punct('(') {
			return true
		}
		for _, w := range stop {
			if t.is(w) {
				return false
			}
		}
		c.i++
	}
	return false
}

// group reads a parenthesised group at "(" and returns its elements, the
// token runs between its top-level commas. It returns nil, false if no "("
// comes next.
func (c *cursor) group() ([][]token, bool) {
	if !c.peek().punct('(') {
		return nil, false
	}
	depth := 0
	start := c.i + 1
	for ; c.i < len(c.toks); c.i++ {
		t := c.toks[c.i]
		switch {
		case t.punct('('):
			depth++
		case t.punct(')'):
			depth--
			if depth == 0 {
				inner := c.toks[start:c.i]
				c.i++
				return splitTop(inner), true
			}
		}
	}
	return splitTop(c.toks[start:]), true
}

// rest returns the tokens not read yet.
func (c *cursor) rest() []token { return c.toks[min(c.i, len(c.toks)):] }

// splitTop splits toks at the commas outside parentheses. Empty runs are
// dropped.
func splitTop(toks []token) [][]token {
	var out [][]token
	depth, start := 0, 0
	for i, t := range toks {
		switch {
		case t.punct('('):
			depth++
		case t.punct(')'):
			depth--
		case t.punct(',') && depth == 0:
			if i > start {
				out = append(out, toks[start:i])
			}
			start = i + 1
		}
	}
	if start < len(toks) {
		out = append(out, toks[start:])
	}
	return out
}

// objName is a name as written: its parts, and whether each was quoted.
type objName struct {
	parts  []string
	quoted []bool
}

// String returns the name as written, without quotes: "public.users".
func (n objName) String() string { return strings.Join(n.parts, ".") }

// last returns the unqualified part of the name.
func (n objName) last() (string, bool) {
	if len(n.parts) == 0 {
		return "", false
	}
	return n.parts[len(n.parts)-1], n.quoted[len(n.quoted)-1]
}

// qualifier returns the schema part of the name, if any.
func (n objName) qualifier() (string, bool, bool) {
	if len(n.parts) < 2 {
		return "", false, false
	}
	return n.parts[len(n.parts)-2], n.quoted[len(n.quoted)-2], true
}
