package sqlsplit

import (
	"bytes"
	"strings"

	"github.com/ferrymigrate/ferry/engine"
)

func hasBegin(blocks []byte) bool { return bytes.IndexByte(blocks, 'B') >= 0 }

// opensBlock decides whether the BEGIN word at i..j, in the statement that
// starts at start, opens a compound block: PostgreSQL BEGIN ATOMIC in
// CREATE FUNCTION or PROCEDURE; MySQL and SQLite BEGIN ... END bodies at the
// top level of a statement that creates a stored program (elsewhere BEGIN is
// a transaction or a column named begin), and MariaDB's BEGIN NOT ATOMIC.
// Inside a block, bodyStmt is where the current inner statement starts.
func (s *scanner) opensBlock(start, bodyStmt, i, j, depth int, blocks []byte) bool {
	var buf [2]string
	next := s.nextWords(j, buf[:0])
	switch s.d {
	case engine.Postgres:
		return depth == 0 && len(next) > 0 && strings.EqualFold(next[0], "ATOMIC") && s.routineHeader(start)
	default:
		if len(blocks) > 0 {
			// A nested block (MySQL only: SQLite trigger bodies hold none)
			// starts a statement: a word or a label follows its BEGIN,
			// never an operator (SET begin = 1).
			return s.d == engine.MySQL && s.wordFollows(j) && s.startsBodyStatement(bodyStmt, i)
		}
		if depth != 0 || j >= len(s.src) || !isSpaceByte(s.src[j]) {
			return false
		}
		if i == start { // the statement starts with BEGIN
			return s.d == engine.MySQL && len(next) == 2 && strings.EqualFold(next[0], "NOT") && strings.EqualFold(next[1], "ATOMIC")
		}
		return s.routineHeader(start)
	}
}

// routineHeader reports whether the statement at start creates a stored
// program whose body may be a BEGIN ... END block. PostgreSQL: CREATE [OR
// REPLACE] {FUNCTION | PROCEDURE}. SQLite: CREATE [TEMP | TEMPORARY]
// TRIGGER. MySQL and MariaDB: CREATE [OR REPLACE] [DEFINER = user]
// [AGGREGATE] {PROCEDURE | FUNCTION | TRIGGER | EVENT}, ALTER [DEFINER =
// user] EVENT.
func (s *scanner) routineHeader(start int) bool {
	if s.hdrAt != start+1 {
		s.hdrAt, s.hdrOK = start+1, s.routineKind(start) != ""
	}
	return s.hdrOK
}

// routineKind returns what the statement at start creates, in upper case,
// if it is a stored program whose body may be a BEGIN ... END block (see
// routineHeader), else "".
func (s *scanner) routineKind(start int) string {
	t := &headerTokens{s: s, i: start}
	verb := t.next()
	if verb != "CREATE" && !(s.d == engine.MySQL && verb == "ALTER") {
		return ""
	}
	w := t.next()
	if s.d == engine.SQLite {
		if w == "TEMP" || w == "TEMPORARY" {
			w = t.next()
		}
		return kindIf(w == "TRIGGER", w)
	}
	if w == "OR" && verb == "CREATE" {
		if t.next() != "REPLACE" {
			return ""
		}
		w = t.next()
	}
	if s.d == engine.Postgres {
		return kindIf(w == "FUNCTION" || w == "PROCEDURE", w)
	}
	if w == "DEFINER" {
		if t.next() != "=" {
			return ""
		}
		t.next() // user or role name, CURRENT_USER, CURRENT_ROLE
		w = t.next()
		if w == "(" { // CURRENT_USER()
			if t.next() != ")" {
				return ""
			}
			w = t.next()
		}
		if w == "@" {
			t.host()
			w = t.next()
		}
	}
	if w == "AGGREGATE" && verb == "CREATE" {
		w = t.next()
	}
	switch w {
	case "EVENT":
		return w
	case "PROCEDURE", "FUNCTION", "TRIGGER":
		return kindIf(verb == "CREATE", w)
	}
	return ""
}

func kindIf(ok bool, kind string) string {
	if ok {
		return kind
	}
	return ""
}

// nestedRoutine reports a CREATE PROCEDURE, FUNCTION or TRIGGER at offset
// at (past white space and comments), which no block may hold: the BEGIN
// that opened the block was a name.
func (s *scanner) nestedRoutine(at int) bool {
	t := &headerTokens{s: s, i: at}
	if !t.skip() || s.src[t.i]|0x20 != 'c' {
		return false
	}
	switch s.routineKind(t.i) {
	case "PROCEDURE", "FUNCTION", "TRIGGER":
		return true
	}
	return false
}

// headerTokens reads the first tokens of a statement for routineHeader.
type headerTokens struct {
	s *scanner
	i int
}

// next returns the next token, skipping white space and comments: a word
// (upper-cased if it is one of headerKeywords), a quoted name or string
// with its quotes, or one other byte; "" at the end or at an unclosed quote
// or comment.
func (t *headerTokens) next() string {
	src := t.s.src
	if !t.skip() {
		return ""
	}
	c := src[t.i]
	switch {
	case c == '\'' || c == '"' || c == '`':
		end, err := t.s.skipQuote(t.i, c, t.s.d == engine.MySQL && c != '`')
		if err != nil {
			return ""
		}
		tok := t.s.text(t.i, end)
		t.i = end
		return tok
	case isIdent(c):
		j := t.i + 1
		for j < len(src) && isIdent(src[j]) {
			j++
		}
		tok := keyword(t.s.text(t.i, j))
		t.i = j
		return tok
	}
	t.i++
	return string(c)
}

// headerKeywords are the words that routineKind and startsBodyStatement
// look for.
var headerKeywords = [...]string{
	"CREATE", "ALTER", "OR", "REPLACE", "TEMP", "TEMPORARY", "DEFINER", "AGGREGATE",
	"PROCEDURE", "FUNCTION", "TRIGGER", "EVENT",
	"DECLARE", "HANDLER", "THEN", "ELSE", "DO", "LOOP", "REPEAT",
}

// keyword returns w in upper case if it is one of headerKeywords, else w
// as written (without allocating).
func keyword(w string) string {
	for _, k := range headerKeywords {
		if len(k) == len(w) && strings.EqualFold(k, w) {
			return k
		}
	}
	return w
}

// text returns src[i:j] as a string, a substring of s.str when it is set.
func (s *scanner) text(i, j int) string {
	if len(s.str) == len(s.src) {
		return s.str[i:j]
	}
	return string(s.src[i:j])
}

// host skips the host part of a MySQL account name after "@": a quoted
// name, or a run of name characters, dots and dashes (127.0.0.1).
func (t *headerTokens) host() {
	src := t.s.src
	if !t.skip() {
		return
	}
	if c := src[t.i]; c == '\'' || c == '"' || c == '`' {
		t.next()
		return
	}
	for t.i < len(src) && (isIdent(src[t.i]) || src[t.i] == '.' || src[t.i] == '-' || src[t.i] == '%') {
		t.i++
	}
}

// skip skips white space and comments; it reports whether a token follows.
func (t *headerTokens) skip() bool {
	src := t.s.src
	for t.i < len(src) {
		switch c := src[t.i]; {
		case isSpaceByte(c):
			t.i++
		case t.s.lineComment(t.i):
			t.i = lineEnd(src, t.i)
		case c == '/' && t.i+1 < len(src) && src[t.i+1] == '*':
			end, err := t.s.blockComment(t.i)
			if err != nil {
				return false
			}
			t.i = end
		default:
			return true
		}
	}
	return false
}

// endsOtherConstruct reports an END that closes IF, LOOP, WHILE, REPEAT or
// FOR rather than BEGIN or CASE.
func (s *scanner) endsOtherConstruct(j int) bool {
	var buf [1]string
	next := s.nextWords(j, buf[:0])
	if len(next) == 0 {
		return false
	}
	for _, w := range [...]string{"IF", "LOOP", "WHILE", "REPEAT", "FOR"} {
		if strings.EqualFold(next[0], w) {
			return true
		}
	}
	return false
}

// wordFollows reports whether a word or a backquoted name comes after
// offset j, past white space and comments.
func (s *scanner) wordFollows(j int) bool {
	t := &headerTokens{s: s, i: j}
	if !t.skip() {
		return false
	}
	c := s.src[t.i]
	return c == '`' || isIdent(c) && (c < '0' || c > '9')
}

// startsBodyStatement reports whether a BEGIN at i, inside a MySQL block
// whose current inner statement starts at from, opens a nested block: it is
// the first word of that statement, or follows a label, THEN, ELSE, DO,
// LOOP or REPEAT, or the condition of DECLARE ... HANDLER FOR. Elsewhere
// BEGIN is a name (SELECT id, begin FROM t).
func (s *scanner) startsBodyStatement(from, i int) bool {
	b := &s.body
	if b.from != from+1 || b.pos > i {
		*b = bodyTokens{from: from + 1, pos: from}
	}
	t := &headerTokens{s: s, i: b.pos}
	for t.skip() && t.i < i {
		tok := t.next()
		if tok == "" {
			break
		}
		if b.first == "" {
			b.first = tok
		}
		b.handler = b.handler || b.first == "DECLARE" && tok == "HANDLER"
		b.last = tok
	}
	b.pos = t.i
	switch b.last {
	case "", ":", "THEN", "ELSE", "DO", "LOOP", "REPEAT":
		return true
	}
	return b.handler
}

// bodyTokens is what startsBodyStatement has read of the inner statement
// that starts at from-1 (0: none), up to pos.
type bodyTokens struct {
	from, pos   int
	first, last string
	handler     bool
}

// endsBlock reports whether the END word ending at j can close a BEGIN
// block: on MySQL and SQLite the statement or the compound statement ends
// there, so ";" or the end of the file follows (on MySQL after an optional
// label). Elsewhere END is a name (SET end = 1, SELECT end FROM t).
func (s *scanner) endsBlock(j int) bool {
	if s.d == engine.Postgres {
		return true
	}
	t := &headerTokens{s: s, i: j}
	if !t.skip() {
		return true
	}
	if c := s.src[t.i]; s.d == engine.MySQL && (c == '`' || isIdent(c)) {
		t.next() // a label
		if !t.skip() {
			return true
		}
	}
	return s.src[t.i] == ';'
}

// skipEndCase returns the offset past the CASE of an "END CASE" whose END
// ends at j (the end of a MySQL CASE statement), else j: that CASE opens
// nothing.
func (s *scanner) skipEndCase(j int) int {
	src := s.src
	k := j
	for k < len(src) && isSpaceByte(src[k]) {
		k++
	}
	if k+4 <= len(src) && equalFold(src[k:k+4], "CASE") && (k+4 == len(src) || !isIdent(src[k+4])) {
		return k + 4
	}
	return j
}

// nextWords appends to out up to cap(out) words after offset j, separated
// only by white space; the words are substrings of the file, as written.
func (s *scanner) nextWords(j int, out []string) []string {
	src := s.src
	for len(out) < cap(out) {
		for j < len(src) && isSpaceByte(src[j]) {
			j++
		}
		k := j
		for k < len(src) && isIdent(src[k]) {
			k++
		}
		if k == j {
			break
		}
		out = append(out, s.str[j:k])
		j = k
	}
	return out
}
