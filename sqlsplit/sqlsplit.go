// Package sqlsplit splits migration files into the statements a database runs,
// per dialect, with byte spans that rebuild the file exactly.
//
// Statement text follows Atlas's per-driver scanner, so that statement hashes
// are interchangeable with Atlas revisions: the text is trimmed, comments
// before a statement are not part of it, the default ";" delimiter is kept and
// a custom delimiter (MySQL DELIMITER, "-- atlas:delimiter") is stripped.
// Where Atlas's scanner is wrong, sqlsplit is right and says so in
// docs/statements.md: PostgreSQL escape strings (E'\n') and nested block comments, a
// trailing "--" comment without a newline, a bare ";" (no statement), an
// unclosed block comment (an error, not statement text).
package sqlsplit

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Dialect selects the lexical rules.
type Dialect string

// Dialects.
const (
	Postgres Dialect = "postgres"
	MySQL    Dialect = "mysql" // MySQL and MariaDB
	SQLite   Dialect = "sqlite"
)

// ParseDialect accepts the dialect names and URL schemes people use.
func ParseDialect(s string) (Dialect, error) {
	switch strings.ToLower(s) {
	case "postgres", "postgresql", "pg", "pgx", "pgx4", "pgx5":
		return Postgres, nil
	case "mysql", "mariadb":
		return MySQL, nil
	case "sqlite", "sqlite3":
		return SQLite, nil
	}
	return "", fmt.Errorf("unknown dialect %q: use postgres, mysql (also for MariaDB) or sqlite", s)
}

// Statement is one statement of a file.
type Statement struct {
	Index int    // 1-based position in the file
	Text  string // the text as hashed and executed
	// Start and End are the byte span of the statement in the file, End
	// just past its delimiter (past the last non-space byte at end of file).
	Start, End int
	Line, Col  int // 1-based line and byte column of Start
	EndLine    int // line of the last byte of the span
	// Delimiter that ended the statement; empty at end of file.
	Delimiter string
	Kind      Kind
}

// Error is a file that cannot be split with confidence. Offset is a byte
// offset into the file; Line and Col are 1-based (Col counts bytes).
type Error struct {
	Line, Col, Offset int
	Msg               string
}

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

// DefaultDelimiter ends statements unless a file sets another.
const DefaultDelimiter = ";"

// Split splits src into statements. It returns an *Error for what it cannot
// split with confidence (unclosed quote, comment, dollar quote or
// parenthesis, an unexpected ")", an empty delimiter).
func Split(d Dialect, src []byte) ([]Statement, error) {
	s := &scanner{src: src, d: d, delim: DefaultDelimiter, line: 1}
	if err := s.directive(); err != nil {
		return nil, err
	}
	for {
		if err := s.gap(); err != nil {
			return nil, err
		}
		if s.pos >= len(s.src) {
			return s.stmts, nil
		}
		if err := s.statement(-1); err != nil {
			return nil, err
		}
	}
}

// Hashes returns the cumulative statement hashes Atlas records in
// partial_hashes: entry i is "h1:" + base64(SHA-256 of the texts of
// statements 1..i).
func Hashes(stmts []Statement) []string {
	out := make([]string, len(stmts))
	h := sha256.New()
	for i, st := range stmts {
		out[i] = cumulative(h, st.Text)
	}
	return out
}

func cumulative(h hash.Hash, text string) string {
	h.Write([]byte(text))
	return "h1:" + base64.StdEncoding.EncodeToString(h.Sum(nil))
}

type scanner struct {
	src   []byte
	d     Dialect
	delim string
	pos   int
	stmts []Statement
	// incremental line counting
	line, linePos, lineStart int
}

// directive applies a first-line "-- atlas:delimiter X" directive.
func (s *scanner) directive() error {
	first, _, found := bytes.Cut(s.src, []byte("\n"))
	rest, ok := bytes.CutPrefix(first, []byte("-- atlas:delimiter"))
	if !ok || len(rest) > 0 && rest[0] != ' ' {
		return nil
	}
	for _, b := range first {
		if b < ' ' || b > '~' {
			return nil // Atlas only reads printable ASCII directives
		}
	}
	d := strings.TrimSpace(string(rest))
	if d == "" {
		return s.errorAt(0, "empty delimiter in -- atlas:delimiter")
	}
	if !found {
		return s.errorAt(0, fmt.Sprintf("no input after -- atlas:delimiter %s", d))
	}
	s.delim = strings.NewReplacer(`\n`, "\n", `\r`, "\r", `\t`, "\t").Replace(d)
	s.pos = len(first) + 1
	return nil
}

// gap skips what lies between statements: white space, comments, bare
// delimiters and (MySQL) DELIMITER commands.
func (s *scanner) gap() error {
	src := s.src
	for s.pos < len(src) {
		c := src[s.pos]
		switch {
		case c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			s.pos++
		case c >= utf8.RuneSelf:
			r, w := utf8.DecodeRune(src[s.pos:])
			if !unicode.IsSpace(r) {
				return nil
			}
			s.pos += w
		case s.lineComment(s.pos):
			s.pos = lineEnd(src, s.pos)
		case c == '/' && s.pos+1 < len(src) && src[s.pos+1] == '*' && !s.executableComment(s.pos):
			end, err := s.blockComment(s.pos)
			if err != nil {
				return err
			}
			s.pos = end
		case s.d == MySQL && s.delimiterCommand():
			if err := s.setDelimiterCommand(); err != nil {
				return err
			}
		case strings.HasPrefix(string(src[s.pos:min(len(src), s.pos+len(s.delim))]), s.delim):
			s.pos += len(s.delim) // an empty statement: nothing runs
		default:
			return nil
		}
	}
	return nil
}

// lineComment reports whether a line comment starts at i.
func (s *scanner) lineComment(i int) bool {
	src := s.src
	switch {
	case src[i] == '#':
		return s.d == MySQL
	case src[i] == '-' && i+1 < len(src) && src[i+1] == '-':
		if s.d != MySQL {
			return true
		}
		// MySQL needs white space or a control character after "--".
		return i+2 >= len(src) || src[i+2] <= ' '
	}
	return false
}

// executableComment reports a MySQL /*! ... */ comment, which MySQL runs.
func (s *scanner) executableComment(i int) bool {
	return s.d == MySQL && i+2 < len(s.src) && s.src[i+2] == '!'
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
	if s.d != Postgres {
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

// delimiterCommand reports a MySQL client DELIMITER command at s.pos.
func (s *scanner) delimiterCommand() bool {
	const cmd = "delimiter"
	src := s.src
	if len(src)-s.pos <= len(cmd) || !strings.EqualFold(string(src[s.pos:s.pos+len(cmd)]), cmd) {
		return false
	}
	next := src[s.pos+len(cmd)]
	return next == ' ' || next == '\t'
}

func (s *scanner) setDelimiterCommand() error {
	start := s.pos
	end := lineEnd(s.src, s.pos)
	d := strings.TrimSpace(string(s.src[s.pos+len("delimiter") : end]))
	if len(d) >= 2 && d[0] == '\'' && d[len(d)-1] == '\'' {
		d = strings.ReplaceAll(d[1:len(d)-1], "''", "'")
	}
	if d == "" {
		return s.errorAt(start, "DELIMITER without a delimiter")
	}
	s.delim = d
	s.pos = end
	return nil
}

func isIdent(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c >= utf8.RuneSelf
}

// statement scans one statement starting at s.pos. noBlock is the offset of
// a BEGIN that must not open a compound block (after a failed attempt), or -1.
func (s *scanner) statement(noBlock int) error {
	src := s.src
	start := s.pos
	var (
		depth, openParen int
		blocks           []byte // open BEGIN ('B') and CASE ('C') of compound blocks
		blockAt          = -1   // offset of the outermost BEGIN
		words            int    // words seen at the top of the statement
		wordStart        = -1   // start of the last word
		wordEnd          = -1
		prevWord         string
	)
	useBlocks := s.delim == DefaultDelimiter
	delim := []byte(s.delim)
	// A delimiter such as $$ or // may end a word: look for it inside words.
	delimInWords := isIdent(delim[0])
	i := start
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\'':
			escapes := s.d == MySQL || s.d == Postgres && wordEnd == i && wordEnd-wordStart == 1 && (src[wordStart] == 'E' || src[wordStart] == 'e')
			end, err := s.skipQuote(i, '\'', escapes)
			if err != nil {
				return err
			}
			i = end
		case c == '"':
			end, err := s.skipQuote(i, '"', s.d == MySQL)
			if err != nil {
				return err
			}
			i = end
		case c == '`' && s.d != Postgres:
			end, err := s.skipQuote(i, '`', false)
			if err != nil {
				return err
			}
			i = end
		case c == '[' && s.d == SQLite:
			j := bytes.IndexByte(src[i+1:], ']')
			if j < 0 {
				return s.errorAt(i, "unclosed identifier [")
			}
			i += j + 2
		case c == delim[0] && depth == 0 && !hasBegin(blocks) && bytes.HasPrefix(src[i:], delim):
			s.emit(start, i+len(s.delim), s.delim)
			return nil
		case s.lineComment(i):
			i = lineEnd(src, i)
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end, err := s.blockComment(i)
			if err != nil {
				return err
			}
			i = end
		case c == '$' && s.d == Postgres:
			end, err := s.skipDollar(i)
			if err != nil {
				return err
			}
			i = end
		case c == '(':
			if depth == 0 {
				openParen = i
			}
			depth++
			i++
		case c == ')':
			if depth == 0 {
				return s.errorAt(i, "unexpected )")
			}
			depth--
			i++
		case isIdent(c):
			j := i + 1
			for j < len(src) && isIdent(src[j]) && !(delimInWords && src[j] == delim[0] && bytes.HasPrefix(src[j:], delim)) {
				j++
			}
			afterDot := i > 0 && src[i-1] == '.'
			w := src[i:j]
			if useBlocks && !afterDot && len(w) >= 3 && len(w) <= 6 {
				switch {
				case equalFold(w, "BEGIN") && i != noBlock && s.opensBlock(j, depth, words, blocks):
					if len(blocks) == 0 {
						blockAt = i
					}
					blocks = append(blocks, 'B')
				case equalFold(w, "CASE") && len(blocks) > 0:
					blocks = append(blocks, 'C')
				case equalFold(w, "END") && len(blocks) > 0 && !s.endsOtherConstruct(j):
					blocks = blocks[:len(blocks)-1]
				}
			}
			if depth == 0 {
				words++
			}
			prevWord = string(w)
			wordStart, wordEnd = i, j
			i = j
		default:
			i++
		}
	}
	_ = prevWord
	switch {
	case hasBegin(blocks):
		// No END for this BEGIN: it was a plain word. Scan again without it.
		return s.statement(blockAt)
	case depth > 0:
		return s.errorAt(openParen, "unclosed (")
	}
	s.emit(start, len(src), "")
	return nil
}

func hasBegin(blocks []byte) bool { return bytes.IndexByte(blocks, 'B') >= 0 }

// opensBlock decides whether the BEGIN word ending at j opens a compound
// block: PostgreSQL BEGIN ATOMIC; MySQL and SQLite BEGIN ... END bodies at
// the top level of a statement that does not start with BEGIN (that is a
// transaction), except MariaDB's BEGIN NOT ATOMIC.
func (s *scanner) opensBlock(j, depth, words int, blocks []byte) bool {
	next := s.nextWords(j, 2)
	switch s.d {
	case Postgres:
		return depth == 0 && len(next) > 0 && next[0] == "ATOMIC"
	default:
		if len(blocks) > 0 {
			return true // nested BEGIN inside a body
		}
		if depth != 0 || j >= len(s.src) || !isSpaceByte(s.src[j]) {
			return false
		}
		if words == 0 {
			return s.d == MySQL && len(next) == 2 && next[0] == "NOT" && next[1] == "ATOMIC"
		}
		return true
	}
}

// endsOtherConstruct reports an END that closes IF, LOOP, WHILE, REPEAT or
// FOR rather than BEGIN or CASE.
func (s *scanner) endsOtherConstruct(j int) bool {
	next := s.nextWords(j, 1)
	if len(next) == 0 {
		return false
	}
	switch next[0] {
	case "IF", "LOOP", "WHILE", "REPEAT", "FOR":
		return true
	}
	return false
}

// nextWords returns up to n upper-cased words after offset j, separated only
// by white space.
func (s *scanner) nextWords(j, n int) []string {
	var out []string
	src := s.src
	for len(out) < n {
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
		out = append(out, strings.ToUpper(string(src[j:k])))
		j = k
	}
	return out
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

// emit records the statement spanning src[start:end].
func (s *scanner) emit(start, end int, delim string) {
	s.pos = end
	raw := s.src[start:end]
	if delim == "" {
		raw = bytes.TrimRightFunc(raw, unicode.IsSpace)
		end = start + len(raw)
	}
	text := raw
	if delim != DefaultDelimiter && delim != "" {
		text = bytes.TrimSuffix(text, []byte(delim))
	}
	t := strings.TrimSpace(string(text))
	if t == "" {
		return
	}
	line, col := s.lineCol(start)
	endLine, _ := s.lineCol(max(start, end-1))
	st := Statement{Index: len(s.stmts) + 1, Text: t, Start: start, End: end, Line: line, Col: col, EndLine: endLine, Delimiter: delim}
	st.Kind = classify(s.d, t)
	s.stmts = append(s.stmts, st)
}

// lineCol returns the line and column of offset p, counting incrementally
// from the last call (offsets only grow between calls).
func (s *scanner) lineCol(p int) (int, int) {
	if p < s.linePos {
		s.line, s.linePos, s.lineStart = 1, 0, 0
	}
	seg := s.src[s.linePos:p]
	if n := bytes.Count(seg, []byte("\n")); n > 0 {
		s.line += n
		s.lineStart = s.linePos + bytes.LastIndexByte(seg, '\n') + 1
	}
	s.linePos = p
	return s.line, p - s.lineStart + 1
}

func (s *scanner) errorAt(p int, msg string) error {
	line := 1 + bytes.Count(s.src[:p], []byte("\n"))
	col := p - (bytes.LastIndexByte(s.src[:p], '\n') + 1) + 1
	return &Error{Line: line, Col: col, Offset: p, Msg: msg}
}
