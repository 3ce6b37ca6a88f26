package sqlsplit

import (
	"strings"

	"github.com/ferrymigrate/ferry/engine"
)

// Kind classifies a statement for execution planning. It is a bit set.
type Kind uint8

// Kinds.
const (
	// KindTxControl starts, ends or marks a transaction (BEGIN, START
	// TRANSACTION, COMMIT, END, ROLLBACK, ABORT, SAVEPOINT, RELEASE, XA,
	// PREPARE TRANSACTION).
	KindTxControl Kind = 1 << iota
	// KindNoTx is refused by PostgreSQL inside a transaction block (CREATE
	// INDEX CONCURRENTLY, VACUUM, CREATE DATABASE, ...).
	KindNoTx
	// KindNoTxBeforePG12 is refused inside a transaction block by PostgreSQL
	// before version 12 (ALTER TYPE ... ADD VALUE).
	KindNoTxBeforePG12
)

// Has reports whether k includes all of flag.
func (k Kind) Has(flag Kind) bool { return k&flag == flag }

// String names the kinds set in k.
func (k Kind) String() string {
	var parts []string
	if k.Has(KindTxControl) {
		parts = append(parts, "transaction-control")
	}
	if k.Has(KindNoTx) {
		parts = append(parts, "no-transaction")
	}
	if k.Has(KindNoTxBeforePG12) {
		parts = append(parts, "no-transaction-before-pg12")
	}
	return strings.Join(parts, ",")
}

// classify returns the kind of a statement text. It does not allocate.
func classify(d engine.Dialect, text string) Kind {
	var buf [6]string
	w := leadingWords(text, buf[:0])
	if len(w) == 0 {
		return 0
	}
	at := func(i int) string {
		if i < len(w) {
			return w[i]
		}
		return ""
	}
	is := func(i int, word string) bool { return strings.EqualFold(at(i), word) }
	has := func(word string, from, to int) bool {
		for i := from; i < to && i < len(w); i++ {
			if strings.EqualFold(w[i], word) {
				return true
			}
		}
		return false
	}
	var k Kind
	switch {
	case is(0, "BEGIN"):
		if !(d == engine.MySQL && is(1, "NOT") && is(2, "ATOMIC")) {
			k |= KindTxControl
		}
	case is(0, "START"):
		if is(1, "TRANSACTION") {
			k |= KindTxControl
		}
	case is(0, "COMMIT"), is(0, "ROLLBACK"):
		k |= KindTxControl
		if d == engine.Postgres && is(1, "PREPARED") {
			k |= KindNoTx
		}
	case is(0, "END"):
		if d != engine.MySQL {
			k |= KindTxControl
		}
	case is(0, "ABORT"):
		if d == engine.Postgres {
			k |= KindTxControl
		}
	case is(0, "SAVEPOINT"), is(0, "RELEASE"):
		k |= KindTxControl
	case is(0, "XA"):
		if d == engine.MySQL {
			k |= KindTxControl
		}
	case is(0, "PREPARE"):
		if d == engine.Postgres && is(1, "TRANSACTION") {
			k |= KindTxControl
		}
	}
	if d != engine.Postgres {
		return k
	}
	switch {
	case is(0, "VACUUM"):
		k |= KindNoTx
	case is(0, "CREATE"), is(0, "DROP"):
		switch {
		case is(1, "DATABASE"), is(1, "TABLESPACE"), is(1, "SUBSCRIPTION"):
			k |= KindNoTx
		case has("INDEX", 1, 3) && has("CONCURRENTLY", 2, 4):
			k |= KindNoTx
		}
	case is(0, "REINDEX"):
		if has("CONCURRENTLY", 1, 6) || has("DATABASE", 1, 3) || has("SYSTEM", 1, 3) {
			k |= KindNoTx
		}
	case is(0, "ALTER"):
		switch {
		case is(1, "SYSTEM"):
			k |= KindNoTx
		case is(1, "DATABASE") && has("TABLESPACE", 3, 6) && has("SET", 3, 5):
			k |= KindNoTx
		case is(1, "TYPE") && is(3, "ADD") && is(4, "VALUE"):
			k |= KindNoTxBeforePG12
		}
	case is(0, "DISCARD"):
		if is(1, "ALL") {
			k |= KindNoTx
		}
	case is(0, "CLUSTER"):
		if len(w) == 1 || len(w) == 2 && strings.EqualFold(w[1], "VERBOSE") {
			k |= KindNoTx
		}
	}
	return k
}

// leadingWords appends to out up to cap(out) words at the start of text,
// skipping white space, comments, parentheses and commas. A quoted name
// counts as a word (without its quotes); other punctuation ends the scan.
// The words are substrings of text.
func leadingWords(text string, out []string) []string {
	i := 0
	for i < len(text) && len(out) < cap(out) {
		c := text[i]
		switch {
		case c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '(' || c == ')' || c == ',':
			i++
		case c == '-' && strings.HasPrefix(text[i:], "--"):
			j := strings.IndexByte(text[i:], '\n')
			if j < 0 {
				return out
			}
			i += j + 1
		case c == '/' && strings.HasPrefix(text[i:], "/*"):
			j := strings.Index(text[i+2:], "*/")
			if j < 0 {
				return out
			}
			i += j + 4
		case c == '"' || c == '`':
			j := strings.IndexByte(text[i+1:], c)
			if j < 0 {
				return out
			}
			out = append(out, text[i+1:i+1+j])
			i += j + 2
		case isIdent(c):
			j := i
			for j < len(text) && isIdent(text[j]) {
				j++
			}
			out = append(out, text[i:j])
			i = j
		default:
			return out
		}
	}
	return out
}
