package sqlsplit

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/finding"
)

// Finding codes about statements; see docs/findings.md.
const (
	CodeCannotSplit  = "FM401"
	CodeMixedNoTx    = "FM402"
	CodeTxControl    = "FM403"
	CodeNoStatements = "FM404"
	CodeDelimiter    = "FM405"
)

// FileOptions describe how golang-migrate runs a file.
type FileOptions struct {
	Name    string // file name, for findings
	Version string // version as written, for findings
	// MultiStatement is golang-migrate's x-multi-statement (PostgreSQL): the
	// driver splits the file on ";" and runs the parts one by one.
	MultiStatement bool
}

// Findings splits a migration file and reports what matters for running it
// with golang-migrate and ferry: a file that cannot be split, a PostgreSQL
// file that mixes statements PostgreSQL refuses in a transaction block with
// others (golang-migrate sends the file as one query, an implicit
// transaction), explicit transaction control, and a file with no statements
// (only comments). Blank files are the directory reader's finding, not these.
// It returns the statements when the file could be split.
func Findings(d engine.Dialect, src []byte, o FileOptions) ([]Statement, []finding.Finding) {
	add := func(fs []finding.Finding, sev finding.Severity, code string, line int, msg string) []finding.Finding {
		return append(fs, finding.Finding{Code: code, Severity: sev, Message: msg, File: o.Name, Line: line, Version: o.Version})
	}
	var out []finding.Finding
	stmts, err := Split(d, src)
	if err != nil {
		line := 0
		var se *Error
		if errors.As(err, &se) {
			line = se.Line
		}
		return nil, add(out, finding.Error, CodeCannotSplit, line,
			fmt.Sprintf("%v: ferry cannot tell the statements of %s apart, so it will not run or track it; fix the SQL there", err, o.Name))
	}
	if len(stmts) == 0 {
		if strings.TrimSpace(string(src)) != "" {
			out = add(out, finding.Warning, CodeNoStatements, 1,
				fmt.Sprintf("%s holds only comments: it changes nothing, yet golang-migrate records its version; ferry records it with 0 statements", o.Name))
		}
		return stmts, out
	}
	for _, st := range stmts {
		if st.Delimiter != "" && st.Delimiter != DefaultDelimiter {
			out = add(out, finding.Error, CodeDelimiter, st.Line,
				fmt.Sprintf("%s uses the delimiter %q (statement %d, line %d), a client-side command golang-migrate does not understand: it sends the file as is and the server rejects it; write the body without DELIMITER (golang-migrate sends the whole file in one go)", o.Name, st.Delimiter, st.Index, st.Line))
			break
		}
	}
	for _, st := range stmts {
		if st.Kind.Has(KindTxControl) {
			out = add(out, finding.Warning, CodeTxControl, st.Line,
				fmt.Sprintf("%s controls transactions itself (statement %d at line %d: %s); ferry runs such a file statement by statement outside a transaction", o.Name, st.Index, st.Line, firstLine(st.Text)))
			break
		}
	}
	if d == engine.Postgres && !o.MultiStatement && len(stmts) > 1 {
		for _, st := range stmts {
			if st.Kind.Has(KindNoTx) {
				out = add(out, finding.Error, CodeMixedNoTx, st.Line,
					fmt.Sprintf("%s: PostgreSQL refuses %s (statement %d of %d, line %d) inside a transaction block, and golang-migrate sends the whole file as one query, which runs as one; move it into a file of its own (or use x-multi-statement=true)", o.Name, firstLine(st.Text), st.Index, len(stmts), st.Line))
				break
			}
		}
	}
	return stmts, out
}

func firstLine(s string) string {
	l, _, cut := strings.Cut(s, "\n")
	if len(l) > 60 {
		l, cut = l[:60], true
	}
	if cut {
		l += " ..."
	}
	return l
}
