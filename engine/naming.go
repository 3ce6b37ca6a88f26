package engine

import (
	"fmt"
	"strconv"
	"strings"
)

// This file holds the names the engines make up for keys declared without
// one, and what their DROP COLUMN takes along; internal/ddl's Engine
// applies them.

// naming is how a dialect names keys declared without a name.
type naming struct {
	// numberedForeignKeys: an unnamed foreign key is named
	// <table>_ibfk_<n>, n one more than the highest such number of the
	// table (MySQL).
	numberedForeignKeys bool
	// indexAfterColumn: an unnamed index or unique key takes its first
	// column's name, or _2, _3... after it (MySQL).
	indexAfterColumn bool
	// keyLabels: an unnamed key is named <table>_<columns>_<label>
	// (PostgreSQL's makeObjectName), per kind of key.
	keyLabels map[string]string
	// keyIndexSharesName: the index of a primary key, unique or exclusion
	// constraint shares its name, and renaming the one renames the other
	// (PostgreSQL).
	keyIndexSharesName bool
	// dropColumnDropsDependents: DROP COLUMN drops every index and
	// constraint whose definition names the column (PostgreSQL).
	dropColumnDropsDependents bool
}

// ForeignKeyName returns the name the server gives the n-th unnamed
// foreign key of table where it numbers them (MySQL: <table>_ibfk_<n>),
// else "".
func (d Dialect) ForeignKeyName(table string, n int) string {
	if !d.facts().naming().numberedForeignKeys {
		return ""
	}
	return fmt.Sprintf("%s_ibfk_%d", table, n)
}

// ForeignKeyNumber returns n when name is the n-th numbered foreign key
// name of table (see ForeignKeyName, compared without regard to case),
// else 0.
func (d Dialect) ForeignKeyNumber(table, name string) int {
	if !d.facts().naming().numberedForeignKeys {
		return 0
	}
	rest, ok := strings.CutPrefix(strings.ToLower(name), strings.ToLower(table)+"_ibfk_")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

// IndexNamedAfterColumn reports whether an unnamed index or unique key
// takes its first column's name, or that name with _2, _3... when it is
// taken (MySQL).
func (d Dialect) IndexNamedAfterColumn() bool { return d.facts().naming().indexAfterColumn }

// KeyName returns the name the server gives an unnamed key of table on
// columns, where it derives one from them (PostgreSQL: <table>_pkey,
// <table>_<cols>_key, <table>_<cols>_fkey, <table>_<col>_check, each part
// cut so that the name fits), else "". what is "primary key", "unique",
// "foreign key" or "check".
func (d Dialect) KeyName(table string, columns []string, what string) string {
	label := d.facts().naming().keyLabels[what]
	if label == "" {
		return ""
	}
	if what == "primary key" {
		return objectName(d.MaxNameBytes(), table, "", label)
	}
	return objectName(d.MaxNameBytes(), table, strings.Join(columns, "_"), label)
}

// KeyIndexSharesName reports whether the index of a primary key, unique
// or exclusion constraint shares the constraint's name, so that renaming
// the one renames the other (PostgreSQL).
func (d Dialect) KeyIndexSharesName() bool { return d.facts().naming().keyIndexSharesName }

// DropColumnDropsDependents reports whether DROP COLUMN drops every index
// and constraint whose definition names the column, an expression or
// predicate included (PostgreSQL). See also DropColumnNarrowsIndexes.
func (d Dialect) DropColumnDropsDependents() bool {
	return d.facts().naming().dropColumnDropsDependents
}

// objectName builds a name as PostgreSQL's makeObjectName does:
// name1_name2_label, the two names cut (the longer first) so that the
// whole fits maxBytes.
func objectName(maxBytes int, name1, name2, label string) string {
	overhead := len(label) + 1
	if name2 != "" {
		overhead++
	}
	avail := maxBytes - overhead
	n1, n2 := len(name1), len(name2)
	for n1+n2 > avail {
		if n1 > n2 {
			n1--
		} else {
			n2--
		}
	}
	name := clip(name1, n1)
	if name2 != "" {
		name += "_" + clip(name2, n2)
	}
	return name + "_" + label
}

// clip cuts s to at most n bytes, never inside a UTF-8 character.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
