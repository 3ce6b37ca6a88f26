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
