package sqlsplit

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/ferrymigrate/ferry/engine"
)

// Verify proves a split of src: the spans are in order and inside the file,
// spans plus the gaps between them rebuild src byte for byte, each text is
// its span without the custom delimiter and surrounding white space, and
// every gap holds nothing but white space, comments, DELIMITER commands and
// delimiters. It returns an error describing the first violation.
func Verify(d engine.Dialect, src []byte, stmts []Statement) error {
	var rebuilt bytes.Buffer
	delims := map[string]bool{DefaultDelimiter: true}
	prev := 0
	for i, st := range stmts {
		if st.Start < prev || st.End <= st.Start || st.End > len(src) {
			return fmt.Errorf("statement %d: span [%d,%d) out of order or outside the file (previous end %d, size %d)", i+1, st.Start, st.End, prev, len(src))
		}
		if st.Delimiter != "" {
			delims[st.Delimiter] = true
		}
		if err := verifyGap(d, src[prev:st.Start], delims); err != nil {
			return fmt.Errorf("before statement %d (line %d): %w", i+1, st.Line, err)
		}
		raw := src[st.Start:st.End]
		if st.Delimiter != "" && st.Delimiter != DefaultDelimiter {
			raw = bytes.TrimSuffix(raw, []byte(st.Delimiter))
		}
		if want := strings.TrimSpace(string(raw)); st.Text != want {
			return fmt.Errorf("statement %d: text %q does not match its span %q", i+1, st.Text, want)
		}
		rebuilt.Write(src[prev:st.Start])
		rebuilt.Write(src[st.Start:st.End])
		prev = st.End
	}
	if err := verifyGap(d, src[prev:], delims); err != nil {
		return fmt.Errorf("after the last statement: %w", err)
	}
	rebuilt.Write(src[prev:])
	if !bytes.Equal(rebuilt.Bytes(), src) {
		return fmt.Errorf("spans and gaps do not rebuild the file")
	}
	return nil
}

// verifyGap checks that gap holds only what may separate statements.
func verifyGap(d engine.Dialect, gap []byte, delims map[string]bool) error {
	s := &scanner{src: gap, d: d, delim: DefaultDelimiter, line: 1}
	if err := s.directive(); err != nil {
		return err
	}
	for {
		if err := s.gap(); err != nil {
			return err
		}
		if s.pos >= len(gap) {
			return nil
		}
		skipped := false
		for dl := range delims {
			if bytes.HasPrefix(gap[s.pos:], []byte(dl)) {
				s.pos += len(dl)
				skipped = true
				break
			}
		}
		if !skipped {
			return fmt.Errorf("gap holds statement text at byte %d: %q", s.pos, snippet(gap[s.pos:]))
		}
	}
}

func snippet(b []byte) string {
	if len(b) > 40 {
		b = b[:40]
	}
	return string(b)
}
