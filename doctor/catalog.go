package doctor

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/inspect"
	"github.com/ferrymigrate/ferry/internal/ddl"
	"github.com/ferrymigrate/ferry/revision"
)

// catalog is the live schema as a set of objects, for probes.
type catalog struct {
	d engine.Dialect
	// facts are what the engine's catalog shows and how it compares names.
	facts engine.Catalog
	// current is the schema unqualified names resolve to (PostgreSQL
	// current_schema(), MySQL DATABASE()); objects elsewhere cannot be
	// probed, except schemas themselves.
	current string
	has     map[ddl.Ref]bool
	schemas map[string]bool
	// caseTables: table names are case-sensitive (MySQL/MariaDB with
	// lower_case_table_names = 0, the default on Linux).
	caseTables bool
	// implicit are child objects (constraints, indexes) the files name but
	// never create: the server may have made them with a table.
	implicit map[ddl.Ref]bool
	// keys are the primary keys, unique constraints and indexes of each
	// table (by table key); unreadable marks tables with a key line ferry
	// could not read.
	keys       map[ddl.Ref][]tableKey
	unreadable map[ddl.Ref]bool
	// foreign are the tables that have a foreign key.
	foreign map[ddl.Ref]bool
}

// tableKey is a key or index of a table.
type tableKey struct {
	columns []string // nil when a part is not a plain column (an expression, a prefix)
	primary bool
	unique  bool
	partial bool
}

// newCatalog indexes a description of the current schema and the list of
// schemas.
func newCatalog(d engine.Dialect, s *inspect.Schema, schemas []string, caseTables bool) *catalog {
	c := &catalog{d: d, facts: d.Catalog(), has: map[ddl.Ref]bool{}, schemas: map[string]bool{}, caseTables: caseTables, implicit: map[ddl.Ref]bool{},
		keys: map[ddl.Ref][]tableKey{}, unreadable: map[ddl.Ref]bool{}, foreign: map[ddl.Ref]bool{}}
	if len(s.Schemas) == 1 {
		c.current = s.Schemas[0]
	}
	for _, n := range schemas {
		c.schemas[c.fold(n)] = true
	}
	add := func(r ddl.Ref) { c.has[c.key(r)] = true }
	for _, o := range s.Objects {
		name := unquote(o.Name)
		var kind ddl.Kind
		switch o.Kind {
		case inspect.KindTable, inspect.KindForeignTable:
			kind = ddl.Table
		case inspect.KindView:
			kind = ddl.View
		case inspect.KindMaterializedView:
			kind = ddl.MaterializedView
		case inspect.KindSequence:
			kind = ddl.Sequence
		case inspect.KindFunction, inspect.KindAggregate:
			kind = ddl.Function
		case inspect.KindProcedure:
			kind = ddl.Procedure
		case inspect.KindEnum, inspect.KindDomain, inspect.KindType:
			kind = ddl.Type
		case inspect.KindExtension:
			kind = ddl.Extension
		default:
			continue
		}
		if kind == ddl.Function || kind == ddl.Procedure {
			if i := strings.IndexByte(name, '('); i >= 0 {
				name = name[:i]
			}
		}
		add(ddl.Ref{Kind: kind, Name: name})
		if kind != ddl.Table {
			continue
		}
		for _, l := range o.Lines {
			word, rest, ok := strings.Cut(l, " ")
			if !ok {
				continue
			}
			var ck ddl.Kind
			switch word {
			case "column":
				ck = ddl.Column
			case "constraint":
				ck = ddl.Constraint
			case "index":
				ck = ddl.Index
			case "trigger":
				ck = ddl.Trigger
			default:
				continue
			}
			add(ddl.Ref{Kind: ck, Table: name, Name: unquote(firstName(rest))})
			if ck == ddl.Constraint && c.facts.ConstraintIndexes {
				// The index behind a primary key, unique or exclusion
				// constraint has the constraint's name (the description
				// lists it as the constraint only).
				def := strings.TrimSpace(strings.TrimPrefix(rest, firstName(rest)))
				if strings.HasPrefix(def, "PRIMARY KEY") || strings.HasPrefix(def, "UNIQUE") || strings.HasPrefix(def, "EXCLUDE") {
					add(ddl.Ref{Kind: ddl.Index, Table: name, Name: unquote(firstName(rest))})
				}
			}
			if ck == ddl.Constraint && strings.Contains(rest, " FOREIGN KEY ") {
				c.foreign[c.key(ddl.Ref{Kind: ddl.Table, Name: name})] = true
			}
			if ck == ddl.Constraint || ck == ddl.Index {
				c.readKey(ddl.Ref{Kind: ddl.Table, Name: name}, ck, strings.TrimSpace(strings.TrimPrefix(rest, firstName(rest))))
			}
		}
		for _, l := range o.Lines {
			if rest, ok := strings.CutPrefix(l, "primary key "); ok {
				c.addKey(ddl.Ref{Kind: ddl.Table, Name: name}, rest, tableKey{primary: true, unique: true})
			}
		}
	}
	return c
}

func (c *catalog) fold(s string) string {
	if !c.facts.FoldCase {
		return s
	}
	return strings.ToLower(s)
}

// observable reports whether a probe can tell if r exists: it must be in
// the described schema, and of a kind the description shows.
func (c *catalog) observable(r ddl.Ref) bool {
	if r.Kind == ddl.Schema {
		return c.facts.Schemas
	}
	if r.Kind == ddl.Extension && !c.facts.Extensions {
		return false
	}
	if r.Kind == ddl.Constraint && !c.facts.ConstraintNames {
		return false // SQLite keeps no constraint names
	}
	if r.Kind == ddl.Column && r.Table == "" {
		return false
	}
	return c.facts.SingleSchema || r.Schema == "" || c.fold(r.Schema) == c.fold(c.current)
}

// exists reports whether the live schema has r (observable refs only).
func (c *catalog) exists(r ddl.Ref) bool {
	if r.Kind == ddl.Schema {
		return c.schemas[c.fold(r.Name)]
	}
	return c.has[c.lookup(r)]
}

// lookup normalises r for the catalog: the current schema is the default
// one.
func (c *catalog) lookup(r ddl.Ref) ddl.Ref {
	r.Schema = ""
	return c.key(r)
}

// key normalises r as the dialect compares names (see ddl.Ref.Key), keeping
// the case of table names where the server does.
func (c *catalog) key(r ddl.Ref) ddl.Ref {
	k := r.Key(c.d)
	if c.caseTables {
		if r.Kind == ddl.Table || r.Kind == ddl.View {
			k.Name = r.Name
		}
		if r.Kind.Child() && k.Table != "" {
			k.Table = r.Table
		}
	}
	return k
}

// unquote removes inspect's quoting from a name.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '`') && s[len(s)-1] == s[0] {
		q := string(s[0])
		return strings.ReplaceAll(s[1:len(s)-1], q+q, q)
	}
	return s
}

// firstName returns the leading (possibly quoted) name of s.
func firstName(s string) string {
	if s == "" {
		return s
	}
	if q := s[0]; q == '"' || q == '`' {
		for i := 1; i < len(s); i++ {
			if s[i] == q {
				if i+1 < len(s) && s[i+1] == q {
					i++
					continue
				}
				return s[:i+1]
			}
		}
		return s
	}
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i]
	}
	return s
}

// schemaNames lists the schemas (PostgreSQL) or databases (MySQL).
func schemaNames(ctx context.Context, q revision.Querier, d engine.Dialect) ([]string, error) {
	query := d.Catalog().SchemasQuery
	if query == "" {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("list schemas: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("list schemas: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// caseSensitiveTables reports whether a MySQL/MariaDB server keeps table
// names case-sensitive (lower_case_table_names = 0).
func caseSensitiveTables(ctx context.Context, q revision.Querier, d engine.Dialect) (bool, error) {
	query := d.Catalog().CaseTablesQuery
	if query == "" {
		return false, nil
	}
	var n int
	if err := q.QueryRowContext(ctx, query).Scan(&n); err != nil {
		return false, fmt.Errorf("read lower_case_table_names: %w", err)
	}
	return n == 0, nil
}

// readKey reads the key a constraint or index line describes, after its
// name: PostgreSQL "PRIMARY KEY (a)", "UNIQUE (a, b)", "UNIQUE NULLS NOT
// DISTINCT (a)", "UNIQUE USING btree (a)" (an index), MySQL "UNIQUE (a)
// USING BTREE", "(a) USING BTREE". Other constraints (CHECK, FOREIGN KEY)
// and non-unique PostgreSQL indexes are not keys.
func (c *catalog) readKey(table ddl.Ref, kind ddl.Kind, def string) {
	k := tableKey{}
	switch {
	case strings.HasPrefix(def, "PRIMARY KEY "):
		k.primary, k.unique = true, true
	case strings.HasPrefix(def, "UNIQUE "):
		k.unique = true
	case kind == ddl.Index && c.facts.IndexesAreKeys:
	default:
		return
	}
	if kind == ddl.Index && c.facts.PartialIndexes && strings.Contains(def, " WHERE ") {
		k.partial = true
	}
	c.addKey(table, def, k)
}

// addKey reads the first parenthesised column list of def into k.
func (c *catalog) addKey(table ddl.Ref, def string, k tableKey) {
	tk := c.key(table)
	open := strings.IndexByte(def, '(')
	if open < 0 {
		c.unreadable[tk] = true
		return
	}
	depth, end := 0, -1
	for i := open; i < len(def) && end < 0; i++ {
		switch def[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				end = i
			}
		case '"', '`':
			if j := strings.IndexByte(def[i+1:], def[i]); j >= 0 {
				i += j + 1
			}
		}
	}
	if end < 0 {
		c.unreadable[tk] = true
		return
	}
	for part := range strings.SplitSeq(def[open+1:end], ", ") {
		part = strings.TrimSuffix(strings.TrimSuffix(part, " DESC"), " ASC")
		name := unquote(part)
		if name == part && strings.ContainsAny(part, " ()\"`") || name == "" {
			k.columns = nil
			break
		}
		k.columns = append(k.columns, c.fold(name))
	}
	c.keys[tk] = append(c.keys[tk], k)
}

// canBeReferenced reports whether a foreign key to columns of table can be
// declared: PostgreSQL needs a primary key or a unique constraint or
// unique index (not partial) on exactly those columns (the primary key
// when none are named); MySQL/MariaDB an index whose first columns are
// those, in order. known is false when ferry cannot tell (SQLite, which
// checks nothing when a foreign key is declared; a key it could not read;
// a table it cannot see).
func (c *catalog) canBeReferenced(table ddl.Ref, columns []string) (ok, known bool) {
	rule := c.facts.References
	if rule == engine.ReferenceUnchecked || !c.observable(table) || !c.exists(table) {
		return false, false
	}
	tk := c.lookup(table)
	if c.unreadable[tk] {
		return false, false
	}
	cols := make([]string, len(columns))
	for i, col := range columns {
		cols[i] = c.fold(col)
	}
	for _, k := range c.keys[tk] {
		if k.columns == nil {
			continue
		}
		switch {
		case rule == engine.ReferenceUniqueSet && len(cols) == 0:
			if k.primary {
				return true, true
			}
		case rule == engine.ReferenceUniqueSet:
			if k.unique && !k.partial && sameSet(k.columns, cols) {
				return true, true
			}
		case len(cols) > 0 && len(k.columns) >= len(cols) && sameSet(k.columns[:len(cols)], cols):
			return true, true // (in any order: InnoDB wants them in order, but ferry does not judge that)
		}
	}
	if rule == engine.ReferenceIndexPrefix && len(cols) == 0 {
		return false, false // MySQL needs the columns named; not a case to judge
	}
	return false, true
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// hasForeignKey reports whether the live table has a foreign key.
func (c *catalog) hasForeignKey(table ddl.Ref) bool { return c.foreign[c.lookup(table)] }
