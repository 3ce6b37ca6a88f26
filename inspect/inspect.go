// Package inspect describes the schema of a database as normalized,
// deterministic text, and diffs two descriptions.
//
// A description lists every object a migration can create: tables with their
// columns (in order), constraints, indexes and triggers; views and
// materialized views; sequences; functions and procedures (their bodies as
// SHA-256 hashes); enum and domain types; extensions. It leaves out
// what changes between two databases built the same way (object ids,
// creation times, owners, counters such as AUTO_INCREMENT and sequence
// positions) and the bookkeeping tables of golang-migrate and ferry. Two
// databases built by the same migrations on servers of the same version
// therefore describe identically, and any difference in their schemas shows
// as a difference in the text.
package inspect

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/engine"
)

// DefaultExcluded returns the bookkeeping tables every description leaves
// out: Atlas's and ferry's revisions table, ferry's recovery log, and
// golang-migrate's lock table (pgx driver, x-lock-strategy=table). Callers
// add a configured x-lock-table through Options.Exclude. golang-migrate's
// migrations table is not left out but trimmed (see Options.Migrations).
func DefaultExcluded() []string {
	return []string{"atlas_schema_revisions", "ferry_recoveries", "schema_lock"}
}

// Options choose what Inspect describes.
type Options struct {
	// Schemas are the PostgreSQL schemas, MySQL databases or SQLite schemas
	// ("main", or the name of an attached database) to describe. Empty means
	// the session's current one: current_schema(), DATABASE(), or main. With
	// more than one, object names are qualified with their schema.
	Schemas []string
	// Exclude names more tables to leave out besides DefaultExcluded(), such
	// as x-migrations-table or x-lock-table when they are configured. A
	// name matches a table of that name in any described schema: exactly on
	// PostgreSQL, ignoring case on MySQL and SQLite.
	Exclude []string
	// Migrations names golang-migrate's migrations table when the URL
	// configures one (x-migrations-table); schema_migrations is always one.
	// Such a table is described without what golang-migrate itself made:
	// its version and dirty columns, the key or unique index on version,
	// and the table's options (engine, collation, SQLite's CREATE text).
	// What the migration files added to it (columns, indexes, triggers)
	// stays, and a table with nothing else is left out, so that a database
	// golang-migrate created its table in and one it did not describe
	// alike. A name matches as in Exclude.
	Migrations []string
}

// OptionsFor returns the options that describe a database reached by u as
// golang-migrate sees it: its migrations table (x-migrations-table, or the
// table of x-migrations-table-quoted) trimmed, its x-lock-table left out.
// A scratch database that replays the files for u is described with the
// same options, so that the two compare.
func OptionsFor(u *compat.DatabaseURL) Options {
	o := Options{Migrations: []string{u.MigrationsTable}}
	if u.QuotedTable != "" {
		o.Migrations = append(o.Migrations, u.QuotedTable)
	}
	if t := u.Options["x-lock-table"]; t != "" {
		o.Exclude = append(o.Exclude, t)
	}
	return o
}

// SchemaNotFoundError is a schema of Options.Schemas that the database does
// not have.
type SchemaNotFoundError struct{ Schema string }

func (e *SchemaNotFoundError) Error() string { return "schema " + e.Schema + " does not exist" }

// Beginner opens transactions: a *sql.DB or a *sql.Conn.
type Beginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// Inspect describes the schema of db, in one read-only transaction (on
// PostgreSQL a repeatable-read one, so that the description is one
// snapshot) that it rolls back. It only reads catalogs, and may run
// concurrently with other calls on the same *sql.DB. Pass a *sql.Conn to
// describe what only one connection sees, such as an attached SQLite
// database.
//
// A schema of o.Schemas that does not exist is a *SchemaNotFoundError.
// Without o.Schemas, a PostgreSQL session without a current schema is a
// *compat.NoSchemaError and a MySQL session without a database
// compat.ErrNoDatabaseName. Other errors name the catalog that could not be
// read and wrap the driver's error.
func Inspect(ctx context.Context, db Beginner, d engine.Dialect, o Options) (*Schema, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if d == engine.Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	var inspect func(context.Context, *sql.Tx, *inspector) error
	switch d {
	case engine.Postgres:
		inspect = inspectPostgres
	case engine.MySQL:
		inspect = inspectMySQL
	case engine.SQLite:
		inspect = inspectSQLite
	default:
		return nil, fmt.Errorf("inspect: unknown dialect %q", d)
	}
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("inspect: begin read-only transaction: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	return inspectIn(ctx, tx, d, o, inspect)
}

// InspectTx describes the schema as the transaction tx sees it, including
// its own uncommitted changes (to verify DDL before committing it). It
// neither commits nor rolls back tx.
func InspectTx(ctx context.Context, tx *sql.Tx, d engine.Dialect, o Options) (*Schema, error) {
	switch d {
	case engine.Postgres:
		return inspectIn(ctx, tx, d, o, inspectPostgres)
	case engine.MySQL:
		return inspectIn(ctx, tx, d, o, inspectMySQL)
	case engine.SQLite:
		return inspectIn(ctx, tx, d, o, inspectSQLite)
	}
	return nil, fmt.Errorf("inspect: unknown dialect %q", d)
}

func inspectIn(ctx context.Context, tx *sql.Tx, d engine.Dialect, o Options, inspect func(context.Context, *sql.Tx, *inspector) error) (*Schema, error) {
	in := &inspector{dialect: d, schemas: slices.Clone(o.Schemas), exclude: append(DefaultExcluded(), o.Exclude...),
		migrations: append([]string{compat.DefaultMigrationsTable}, o.Migrations...)}
	if err := inspect(ctx, tx, in); err != nil {
		return nil, fmt.Errorf("inspect: %w", err)
	}
	s := &Schema{Dialect: d, Schemas: in.schemas, Objects: in.objects}
	s.sort()
	return s, nil
}

// Kind is a kind of schema object. Descriptions list kinds in the order of
// Kinds.
type Kind string

// Kinds of objects, in the order descriptions list them.
const (
	KindExtension        Kind = "extension"
	KindEnum             Kind = "enum"
	KindDomain           Kind = "domain"
	KindType             Kind = "type" // a composite type
	KindSequence         Kind = "sequence"
	KindTable            Kind = "table"
	KindForeignTable     Kind = "foreign table"
	KindView             Kind = "view"
	KindMaterializedView Kind = "materialized view"
	KindFunction         Kind = "function"
	KindProcedure        Kind = "procedure"
	KindAggregate        Kind = "aggregate"
)

// Kinds returns every kind in the order descriptions list them.
func Kinds() []Kind {
	return []Kind{KindExtension, KindEnum, KindDomain, KindType, KindSequence, KindTable, KindForeignTable,
		KindView, KindMaterializedView, KindFunction, KindProcedure, KindAggregate}
}

func (k Kind) rank() int {
	if i := slices.Index(Kinds(), k); i >= 0 {
		return i
	}
	return len(Kinds())
}

// Object is one schema object.
type Object struct {
	Kind Kind
	// Name identifies the object among those of its kind: quoted where the
	// dialect would need quotes, qualified with its schema when more than
	// one schema is described; functions and procedures carry their
	// argument types, as overloads share a name.
	Name string
	// Lines describe the object, in an order that does not depend on the
	// server: a table's columns in their order, then its constraints,
	// indexes and triggers, each group sorted by name. Lines of a nested
	// definition (a view's query) start with spaces.
	Lines []string
}

// Schema is the description of one database's schema.
type Schema struct {
	Dialect engine.Dialect
	// Schemas are the schemas described (see Options.Schemas), as resolved.
	Schemas []string
	// Objects are sorted by kind (in the order of Kinds), then name.
	Objects []Object
}

func (s *Schema) sort() {
	slices.SortStableFunc(s.Objects, func(a, b Object) int {
		if c := a.Kind.rank() - b.Kind.rank(); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
}

// String renders the description: one block per object, a header line
// "kind name" followed by the object's lines indented by two spaces, blocks
// separated by an empty line. The text ends with a newline unless there are
// no objects (or s is nil), when it is empty.
func (s *Schema) String() string {
	if s == nil {
		return ""
	}
	var b strings.Builder
	for i, o := range s.Objects {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(string(o.Kind) + " " + o.Name + "\n")
		for _, l := range o.Lines {
			b.WriteString("  " + l + "\n")
		}
	}
	return b.String()
}

// Object returns the object of the given kind and name, or nil.
func (s *Schema) Object(k Kind, name string) *Object {
	for i := range s.Objects {
		if s.Objects[i].Kind == k && s.Objects[i].Name == name {
			return &s.Objects[i]
		}
	}
	return nil
}

// inspector collects objects for one dialect.
type inspector struct {
	dialect    engine.Dialect
	schemas    []string // resolved by the dialect's inspect function
	exclude    []string
	migrations []string
	objects    []Object
}

func (in *inspector) add(k Kind, name string, lines []string) {
	in.objects = append(in.objects, Object{Kind: k, Name: name, Lines: lines})
}

// excluded reports whether a table of this name is bookkeeping.
func (in *inspector) excluded(table string) bool {
	return in.matches(in.exclude, table)
}

// matches reports whether table is one of names: exactly on PostgreSQL,
// ignoring case on MySQL and SQLite.
func (in *inspector) matches(names []string, table string) bool {
	for _, e := range names {
		if e == table || (in.dialect != engine.Postgres && strings.EqualFold(e, table)) {
			return true
		}
	}
	return false
}

// addRelation adds a table-like object; golang-migrate's table is trimmed
// to what the migration files added to it (Options.Migrations), and left
// out when that is nothing.
func (in *inspector) addRelation(rel *relation) {
	if rel.kind == KindTable && in.matches(in.migrations, rel.name) && !rel.trimGolangMigrate() {
		return
	}
	in.add(rel.kind, in.name(rel.schema, rel.name), rel.lines())
}

// name renders an object's name: schema-qualified when several schemas are
// described.
func (in *inspector) name(schema, object string) string {
	if len(in.schemas) > 1 {
		return in.ident(schema) + "." + in.ident(object)
	}
	return in.ident(object)
}

// ref renders a reference to an object: qualified when several schemas
// are described or when it is outside the one described.
func (in *inspector) ref(schema, object string) string {
	if len(in.schemas) > 1 || len(in.schemas) == 1 && schema != in.schemas[0] {
		return in.ident(schema) + "." + in.ident(object)
	}
	return in.ident(object)
}

// ident quotes an identifier unless it is a plain lowercase one, with the
// dialect's quotes (PostgreSQL's double quotes, backticks otherwise).
func (in *inspector) ident(s string) string {
	plain := s != ""
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || i > 0 && (r >= '0' && r <= '9' || r == '$')) {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	if in.dialect == engine.Postgres {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return "`" + strings.ReplaceAll(s, "`", "``") + "`"
}

// hash returns the SHA-256 of a body as "sha256:" and hex.
func hash(body string) string {
	sum := sha256.Sum256([]byte(body))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// indent splits a multi-line definition into lines indented by two spaces,
// without trailing blanks.
func indent(def string) []string {
	var out []string
	for l := range strings.SplitSeq(strings.TrimRight(def, " \t\n;"), "\n") {
		out = append(out, "  "+strings.TrimRight(l, " \t\r"))
	}
	return out
}

// query runs q and calls scan for each row; what names the catalog for
// errors.
func query(ctx context.Context, tx *sql.Tx, what, q string, args []any, scan func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("read %s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("read %s: %w", what, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s: %w", what, err)
	}
	return nil
}

// relation is a table-like object whose lines are gathered from several
// catalogs before it is added.
type relation struct {
	kind        Kind
	schema      string
	name        string // unquoted
	head        []string
	columns     []string
	constraints []string // sorted before output
	indexes     []string // sorted before output
	triggers    []string // sorted before output
	tail        []string
}

// trimGolangMigrate removes from golang-migrate's table what golang-migrate
// made: its options, the version and dirty columns, and the primary key or
// unique index on version. It reports whether anything is left.
func (r *relation) trimGolangMigrate() bool {
	r.head = nil
	r.columns = slices.DeleteFunc(r.columns, func(l string) bool {
		return strings.HasPrefix(l, "column version ") || strings.HasPrefix(l, "column dirty ") || l == "column version" || l == "column dirty"
	})
	ownKey := func(l string) bool {
		u := strings.ToUpper(l)
		return strings.Contains(u, "(VERSION)") && (strings.Contains(u, "PRIMARY KEY") || strings.Contains(u, "UNIQUE"))
	}
	r.constraints = slices.DeleteFunc(r.constraints, ownKey)
	r.indexes = slices.DeleteFunc(r.indexes, ownKey)
	return len(r.columns)+len(r.constraints)+len(r.indexes)+len(r.triggers)+len(r.tail) > 0
}

func (r *relation) lines() []string {
	var out []string
	out = append(out, r.head...)
	out = append(out, r.columns...)
	for _, group := range [][]string{r.constraints, r.indexes, r.triggers} {
		slices.Sort(group)
		out = append(out, group...)
	}
	return append(out, r.tail...)
}
