package ddl

import (
	"fmt"
	"strings"

	"github.com/ferrymigrate/ferry/engine"
)

// Kind is a kind of schema object.
type Kind string

// Kinds of objects a statement can touch.
const (
	Table            Kind = "table"
	Column           Kind = "column"
	Constraint       Kind = "constraint"
	Index            Kind = "index"
	Trigger          Kind = "trigger"
	View             Kind = "view"
	MaterializedView Kind = "materialized view"
	Sequence         Kind = "sequence"
	Function         Kind = "function"
	Procedure        Kind = "procedure"
	Type             Kind = "type"
	Schema           Kind = "schema"
	Extension        Kind = "extension"
)

// Child reports whether objects of the kind belong to a table and vanish
// with it.
func (k Kind) Child() bool {
	return k == Column || k == Constraint || k == Index || k == Trigger
}

// Ref names one object. Names are as the dialect stores them: unquoted
// PostgreSQL names folded to lower case; MySQL and SQLite names as written
// (compare them with Key, which folds case where the dialect does).
type Ref struct {
	Kind   Kind   `json:"kind"`
	Schema string `json:"schema,omitempty"` // as written; empty is the default schema
	Table  string `json:"table,omitempty"`  // the table of a column, constraint, index or trigger
	Name   string `json:"name"`
}

func (r Ref) String() string {
	name := r.Name
	if r.Kind.Child() && r.Table != "" {
		if r.Kind == Column {
			name = r.Table + "." + r.Name
		} else {
			name = r.Name + " on " + r.Table
		}
	}
	if r.Schema != "" && !r.Kind.Child() {
		name = r.Schema + "." + name
	}
	return string(r.Kind) + " " + name
}

// Key returns the reference normalised for comparison in dialect d: MySQL
// and SQLite fold case, procedures share functions' namespace, and a
// PostgreSQL index is known by its name alone (its table is not part of
// its identity).
func (r Ref) Key(d engine.Dialect) Ref {
	if d.CaseInsensitiveNames() {
		r.Schema, r.Table, r.Name = strings.ToLower(r.Schema), strings.ToLower(r.Table), strings.ToLower(r.Name)
	}
	if !d.HasSchemas() {
		r.Schema = ""
	}
	if r.Kind == Procedure && d.ProceduresAreFunctions() {
		r.Kind = Function
	}
	if r.Kind == Index && !d.IndexNamesPerTable() || r.Kind == Trigger && !d.TriggerNamesPerTable() {
		r.Table = "" // unique per schema
	}
	return r
}

// Fact is an object existing or not.
type Fact struct {
	Ref    Ref  `json:"object"`
	Exists bool `json:"exists"`
	// Maybe marks an object the server may create on its own (MySQL's
	// index for a foreign key without one): afterwards it may or may not
	// exist.
	Maybe bool `json:"maybe,omitempty"`
	// Kept marks an object that exists afterwards but may have existed
	// before, untouched (CREATE ... IF NOT EXISTS).
	Kept bool `json:"kept,omitempty"`
	// Implicit marks what the server does on its own, beyond what the
	// statement spells out: an index renamed to the name of the
	// constraint that takes it over, a name it makes up, an object a DROP
	// takes with it.
	Implicit bool `json:"implicit,omitempty"`
	// Columns are, for an index or constraint the statement creates, the
	// columns its definition names (with an expression or a predicate,
	// every name in it: a DROP COLUMN of any of them takes the object
	// along on PostgreSQL); nil when not read.
	Columns []string `json:"columns,omitempty"`
}

func (f Fact) String() string {
	if f.Exists {
		return f.Ref.String() + " exists"
	}
	return f.Ref.String() + " does not exist"
}

// Change is what one statement does.
type Change struct {
	// Understood is true when Effects lists every object the statement
	// creates, drops or renames. A statement that is not understood may
	// still have Requires.
	Understood bool
	// Effects hold after the statement succeeded, in order.
	Effects []Fact
	// Requires must hold before the statement for it to succeed.
	Requires []Fact
	// Inverse undoes the statement; Invertible is false when ferry cannot
	// write one (DROP, DML, OR REPLACE, changes of a column's definition).
	Inverse    []string
	Invertible bool
	// Destroys: running the statement deletes data. InverseDestroys:
	// running the inverse does (undoing CREATE TABLE drops the table).
	Destroys        bool
	InverseDestroys bool
	// DML changes rows only; TxControl is BEGIN, COMMIT and the like.
	DML       bool
	TxControl bool
	// Mentions are the object names the statement mentions, for matching
	// an error message.
	Mentions []string
	// ForeignKeys are the foreign keys the statement declares: the
	// referenced table needs a key on those columns.
	ForeignKeys []ForeignKey
	// Unnamed are the keys, foreign keys, checks and indexes the statement
	// declares without a name: the server makes one up (see Engine).
	Unnamed []Unnamed
	// Opaque are the objects the statement creates without spelling out
	// what they hold (CREATE TABLE ... AS, LIKE, INHERITS, PARTITION OF):
	// they exist afterwards, but their columns are the server's, so
	// Effects does not claim them (and Understood is false).
	Opaque []Ref
}

// Unnamed is a key, foreign key, check or index declared without a name.
type Unnamed struct {
	Table Ref // the table it is declared on
	// What is "primary key", "unique", "foreign key", "check" or "index".
	What string
	// Columns are its columns (a check: the column it is declared with,
	// none at table level); nil when not plain columns.
	Columns []string
	// Inline: declared in a column's definition (MySQL ignores an inline
	// REFERENCES; MariaDB makes a foreign key of it).
	Inline bool
}

// ForeignKey is a REFERENCES clause: the referenced table and columns
// (none: its primary key).
type ForeignKey struct {
	Table   Ref
	Columns []string
}

// Describe renders a change for a person: what it creates and drops.
func Describe(ch Change) string {
	var parts []string
	for _, e := range ch.Effects {
		if e.Ref.Kind == Column && len(ch.Effects) > 1 && ch.Effects[0].Ref.Kind == Table || e.Implicit {
			continue // (what the server does on its own is not what the statement says)
		}
		verb := "creates"
		if !e.Exists {
			verb = "drops"
		}
		parts = append(parts, fmt.Sprintf("%s %s", verb, e.Ref))
	}
	return strings.Join(parts, ", ")
}
