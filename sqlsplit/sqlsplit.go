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

	"github.com/ferrymigrate/ferry/engine"
)

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
func Split(d engine.Dialect, src []byte) ([]Statement, error) {
	s := &scanner{src: src, str: string(src), d: d, delim: DefaultDelimiter, line: 1}
	if err := s.directive(); err != nil {
		return nil, err
	}
	// Most statements end with a delimiter: size the result once.
	s.stmts = make([]Statement, 0, bytes.Count(src, []byte(s.delim))+1)
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
	src      []byte
	str      string // src as a string: statement texts are substrings of it
	d        engine.Dialect
	delim    string
	pos      int
	stmts    []Statement
	cls      *[256]byte // byte classes for delim
	base     *[256]byte // byte classes without a delimiter
	clsDelim string
	// incremental line counting
	line, linePos, lineStart int
	// routineHeader's answer for the statement at hdrAt-1 (0: none yet)
	hdrAt int
	hdrOK bool
	// startsBodyStatement's progress through the inner statement at body.from
	body bodyTokens
}

// directive applies a first-line "-- atlas:delimiter X" directive.
func (s *scanner) directive() error {
	first, _, found := bytes.Cut(s.src, []byte("\n"))
	// A CRLF file: Atlas reads the directive up to the "\r".
	line := bytes.TrimSuffix(first, []byte("\r"))
	rest, ok := bytes.CutPrefix(line, []byte("-- atlas:delimiter"))
	if !ok || len(rest) > 0 && rest[0] != ' ' {
		return nil
	}
	for _, b := range line {
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
		case s.lineComment(s.pos):
			s.pos = lineEnd(src, s.pos)
		case c == '/' && s.pos+1 < len(src) && src[s.pos+1] == '*' && !s.executableComment(s.pos):
			end, err := s.blockComment(s.pos)
			if err != nil {
				return err
			}
			s.pos = end
		case s.d == engine.MySQL && s.delimiterCommand():
			if err := s.setDelimiterCommand(); err != nil {
				return err
			}
		case strings.HasPrefix(string(src[s.pos:min(len(src), s.pos+len(s.delim))]), s.delim):
			s.pos += len(s.delim) // an empty statement: nothing runs
		case c >= utf8.RuneSelf: // after the delimiter, which may start with such a byte
			r, w := utf8.DecodeRune(src[s.pos:])
			if !unicode.IsSpace(r) {
				return nil
			}
			s.pos += w
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

// Byte classes of the statement scanner; everything else is plain.
const (
	clsPlain byte = iota
	clsSingle
	clsDouble
	clsBacktick
	clsBracket
	clsDash
	clsHash
	clsSlash
	clsDollar
	clsOpen
	clsClose
	clsWord  // a letter that may start a keyword: BEGIN, CASE, END, E'...'
	clsDelim // the first byte of the delimiter
)

// classes returns the byte class table for a dialect and delimiter.
func classes(d engine.Dialect, delim string) *[256]byte {
	var t [256]byte
	t['\''], t['"'], t['-'], t['/'], t['('], t[')'] = clsSingle, clsDouble, clsDash, clsSlash, clsOpen, clsClose
	for _, c := range "BCEbce" {
		t[c] = clsWord
	}
	switch d {
	case engine.Postgres:
		t['$'] = clsDollar
	case engine.MySQL:
		t['`'], t['#'] = clsBacktick, clsHash
	case engine.SQLite:
		t['`'], t['['] = clsBacktick, clsBracket
	}
	t[delim[0]] = clsDelim
	return &t
}

// statement scans one statement starting at s.pos. BEGINs at offsets up to
// noBlock do not open compound blocks (-1: all may).
func (s *scanner) statement(noBlock int) error {
	src := s.src
	start := s.pos
	var (
		depth, openParen int
		blocks           []byte // open BEGIN ('B') and CASE ('C') of compound blocks
		blockAt          = -1   // offset of the outermost BEGIN
		bodyStmt         = -1   // start of the current statement inside a block
		retries          int    // scans again after a BEGIN without END
		wordStart        = -1   // start of the last keyword candidate
		wordEnd          = -1
	)
	if s.cls == nil || s.clsDelim != s.delim {
		s.cls, s.clsDelim = classes(s.d, s.delim), s.delim
		s.base = classes(s.d, "\x00")
	}
	cls, base := s.cls, s.base
	useBlocks := s.delim == DefaultDelimiter
	delim := []byte(s.delim)
rescan:
	i := start
	for i < len(src) {
		c := src[i]
		k := cls[c]
		if k == clsPlain {
			i++
			continue
		}
		if k == clsDelim {
			if depth == 0 && !hasBegin(blocks) && bytes.HasPrefix(src[i:], delim) {
				s.emit(start, i+len(delim), s.delim)
				return nil
			}
			if depth == 0 && len(blocks) > 0 {
				bodyStmt = i + len(delim) // a ";" inside a block
				if s.nestedRoutine(bodyStmt) {
					break // no block holds one: scan again
				}
			}
			if k = base[c]; k == clsPlain {
				i++
				continue
			}
		}
		switch k {
		case clsSingle:
			escapes := s.d == engine.MySQL || s.d == engine.Postgres && wordEnd == i && wordEnd-wordStart == 1 && (src[wordStart] == 'E' || src[wordStart] == 'e')
			end, err := s.skipQuote(i, '\'', escapes)
			if err != nil {
				return err
			}
			i = end
		case clsDouble:
			end, err := s.skipQuote(i, '"', s.d == engine.MySQL)
			if err != nil {
				return err
			}
			i = end
		case clsBacktick:
			end, err := s.skipQuote(i, '`', false)
			if err != nil {
				return err
			}
			i = end
		case clsBracket:
			j := bytes.IndexByte(src[i+1:], ']')
			if j < 0 {
				return s.errorAt(i, "unclosed identifier [")
			}
			i += j + 2
		case clsDash, clsHash:
			if s.lineComment(i) {
				i = lineEnd(src, i)
			} else {
				i++
			}
		case clsSlash:
			if i+1 < len(src) && src[i+1] == '*' {
				end, err := s.blockComment(i)
				if err != nil {
					return err
				}
				i = end
			} else {
				i++
			}
		case clsDollar:
			end, err := s.skipDollar(i)
			if err != nil {
				return err
			}
			i = end
		case clsOpen:
			if depth == 0 {
				openParen = i
			}
			depth++
			i++
		case clsClose:
			if depth == 0 {
				return s.errorAt(i, "unexpected )")
			}
			depth--
			i++
		case clsWord:
			if i > 0 && isIdent(src[i-1]) {
				i++ // inside a word
				continue
			}
			j := i + 1
			for j < len(src) && isIdent(src[j]) && !(cls[src[j]] == clsDelim && bytes.HasPrefix(src[j:], delim)) {
				j++
			}
			w := src[i:j]
			if useBlocks && (i == 0 || src[i-1] != '.') && len(w) >= 3 && len(w) <= 5 {
				switch {
				case equalFold(w, "BEGIN") && i > noBlock && s.opensBlock(start, bodyStmt, i, j, depth, blocks):
					if len(blocks) == 0 {
						blockAt = i
					}
					blocks = append(blocks, 'B')
					bodyStmt = j
				case equalFold(w, "CASE") && len(blocks) > 0:
					blocks = append(blocks, 'C')
				case equalFold(w, "END") && len(blocks) > 0 && !s.endsOtherConstruct(j) && (blocks[len(blocks)-1] == 'C' || s.endsBlock(j)):
					blocks = blocks[:len(blocks)-1]
					j = s.skipEndCase(j)
				}
			}
			wordStart, wordEnd = i, j
			i = j
		default:
			i++
		}
	}
	switch {
	case hasBegin(blocks):
		// No END for this BEGIN: it was a plain word. Scan again without
		// it and the BEGINs before it (their blocks, if any, ended).
		// After a few failures there is no block (a bound for files
		// full of BEGINs: each attempt scans to the end of the file).
		if retries++; retries > maxBlockRetries {
			blockAt = len(src)
		}
		noBlock = blockAt
		depth, blocks, blockAt, bodyStmt, wordStart, wordEnd = 0, blocks[:0], -1, -1, -1, -1
		goto rescan
	case depth > 0:
		return s.errorAt(openParen, "unclosed (")
	}
	s.emit(start, len(src), "")
	return nil
}

// maxBlockRetries bounds how often a statement is scanned again after a
// BEGIN without END.
const maxBlockRetries = 4

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
	if delim == "" {
		end = start + len(bytes.TrimRightFunc(s.src[start:end], unicode.IsSpace))
	}
	text := s.str[start:end]
	if delim != DefaultDelimiter && delim != "" {
		text = strings.TrimSuffix(text, delim)
	}
	t := strings.TrimSpace(text)
	if t == "" {
		return
	}
	line, col := s.lineCol(start)
	endLine, _ := s.lineCol(max(start, end-1))
	s.stmts = append(s.stmts, Statement{Index: len(s.stmts) + 1, Text: t, Start: start, End: end, Line: line, Col: col, EndLine: endLine, Delimiter: delim, Kind: classify(s.d, t)})
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
