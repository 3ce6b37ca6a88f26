package sqlsplit

import "strings"

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

// classify returns the kind of a statement text.
func classify(d Dialect, text string) Kind {
	w := leadingWords(text, 6)
	if len(w) == 0 {
		return 0
	}
	at := func(i int) string {
		if i < len(w) {
			return w[i]
		}
		return ""
	}
	has := func(word string, from, to int) bool {
		for i := from; i < to && i < len(w); i++ {
			if w[i] == word {
				return true
			}
		}
		return false
	}
	var k Kind
	switch w[0] {
	case "BEGIN":
		if !(d == MySQL && at(1) == "NOT" && at(2) == "ATOMIC") {
			k |= KindTxControl
		}
	case "START":
		if at(1) == "TRANSACTION" {
			k |= KindTxControl
		}
	case "COMMIT", "ROLLBACK":
		k |= KindTxControl
		if d == Postgres && at(1) == "PREPARED" {
			k |= KindNoTx
		}
	case "END":
		if d != MySQL {
			k |= KindTxControl
		}
	case "ABORT":
		if d == Postgres {
			k |= KindTxControl
		}
	case "SAVEPOINT", "RELEASE":
		k |= KindTxControl
	case "XA":
		if d == MySQL {
			k |= KindTxControl
		}
	case "PREPARE":
		if d == Postgres && at(1) == "TRANSACTION" {
			k |= KindTxControl
		}
	}
	if d != Postgres {
		return k
	}
	switch w[0] {
	case "VACUUM":
		k |= KindNoTx
	case "CREATE", "DROP":
		switch {
		case at(1) == "DATABASE", at(1) == "TABLESPACE", at(1) == "SUBSCRIPTION":
			k |= KindNoTx
		case has("INDEX", 1, 3) && has("CONCURRENTLY", 2, 4):
			k |= KindNoTx
		}
	case "REINDEX":
		if has("CONCURRENTLY", 1, 6) || has("DATABASE", 1, 3) || has("SYSTEM", 1, 3) {
			k |= KindNoTx
		}
	case "ALTER":
		switch {
		case at(1) == "SYSTEM":
			k |= KindNoTx
		case at(1) == "DATABASE" && has("TABLESPACE", 3, 6) && has("SET", 3, 5):
			k |= KindNoTx
		case at(1) == "TYPE" && at(3) == "ADD" && at(4) == "VALUE":
			k |= KindNoTxBeforePG12
		}
	case "DISCARD":
		if at(1) == "ALL" {
			k |= KindNoTx
		}
	case "CLUSTER":
		if len(w) == 1 || len(w) == 2 && w[1] == "VERBOSE" {
			k |= KindNoTx
		}
	}
	return k
}

// leadingWords returns up to n upper-cased words at the start of text,
// skipping white space, comments, parentheses and commas. A quoted name
// counts as a word (its text, not upper-cased); other punctuation ends the
// scan.
func leadingWords(text string, n int) []string {
	var out []string
	i := 0
	for i < len(text) && len(out) < n {
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
			out = append(out, strings.ToUpper(text[i:j]))
			i = j
		default:
			return out
		}
	}
	return out
}
