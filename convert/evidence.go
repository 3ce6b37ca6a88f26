package convert

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/finding"
	"github.com/ferrymigrate/ferry/internal/ddl"
	"github.com/ferrymigrate/ferry/revision"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// CodeMissingObject is an object the migrations create that the live schema
// lacks.
const CodeMissingObject = "FM208"

// Evidence is what the live catalog says about the history: the objects the
// files up to the current version leave behind, and which are missing.
type Evidence struct {
	Checked int      `json:"checked"`
	Missing []Object `json:"missing,omitempty"`
}

// fileStatements is one up file, split.
type fileStatements struct {
	name  string
	stmts []sqlsplit.Statement
}

// expected replays the DDL of files in order and returns the objects left.
// What each statement creates, drops or renames, and what the server drops
// on its own (the indexes of a dropped column or materialized view, an
// index a constraint takes over), is ddl's reading, as doctor's.
func expected(d engine.Dialect, files []fileStatements) []Object {
	eng := ddl.NewEngine(d)
	var order []ddl.Ref
	objs := map[ddl.Ref]Object{}
	remove := func(k ddl.Ref) {
		delete(objs, k)
		for kk, o := range objs {
			dependent := (o.Kind == "index" || o.Kind == "trigger") && k.Kind == ddl.Table && strings.EqualFold(o.Table, k.Name)
			inSchema := k.Kind == ddl.Schema && strings.EqualFold(kk.Schema, k.Name)
			if dependent || inSchema {
				delete(objs, kk)
			}
		}
	}
	for _, f := range files {
		for _, st := range f.stmts {
			for _, s := range steps(eng.Apply(ddl.Analyse(d, st.Text))) {
				switch {
				case s.from == nil:
					k := key(d, *s.to)
					if _, seen := objs[k]; !seen {
						order = append(order, k)
					}
					objs[k] = Object{Kind: string(s.to.Kind), Schema: s.to.Schema, Name: s.to.Name, Table: s.to.Table, File: f.name, Line: st.Line}
				case s.to == nil:
					remove(key(d, *s.from))
				default:
					rename(objs, order, key(d, *s.from), key(d, *s.to), *s.from, *s.to)
				}
			}
		}
	}
	var out []Object
	seen := map[ddl.Ref]bool{}
	for _, k := range order {
		if o, ok := objs[k]; ok && !seen[k] {
			seen[k] = true
			out = append(out, o)
		}
	}
	return out
}

// rename moves the object known as from (key fromKey) to its new name,
// keeping its place in order, and the indexes and triggers of a renamed
// table with it. An object not seen created is no evidence either way.
func rename(objs map[ddl.Ref]Object, order []ddl.Ref, fromKey, toKey ddl.Ref, from, to ddl.Ref) {
	o, ok := objs[fromKey]
	if !ok {
		return
	}
	delete(objs, fromKey)
	o.Schema, o.Name = to.Schema, to.Name
	objs[toKey] = o
	for i, k := range order {
		if k == fromKey {
			order[i] = toKey
		}
	}
	for kk, dep := range objs {
		if strings.EqualFold(dep.Table, from.Name) && (dep.Kind == "index" || dep.Kind == "trigger") {
			dep.Table = to.Name
			objs[kk] = dep
		}
	}
}

// catalogEntry is one object of the live schema.
type catalogEntry struct{ kind, schema, name string }

// probe looks the objects up in the live catalog and returns the missing
// ones. defaultSchema resolves unqualified names.
func probe(ctx context.Context, q revision.Querier, d engine.Dialect, objs []Object) (*Evidence, error) {
	ev := &Evidence{Checked: len(objs)}
	if len(objs) == 0 {
		return ev, nil
	}
	entries, defaultSchema, err := catalog(ctx, q, d)
	if err != nil {
		return nil, fmt.Errorf("read the live catalog: %w", err)
	}
	have := map[catalogEntry]bool{}
	fold := d.Catalog().FoldCase
	for _, e := range entries {
		if fold {
			e.schema, e.name = strings.ToLower(e.schema), strings.ToLower(e.name)
		}
		have[e] = true
	}
	for _, o := range objs {
		schema := o.Schema
		if schema == "" {
			schema = defaultSchema
		}
		kind := o.Kind
		if kind == "procedure" {
			kind = "function"
		}
		e := catalogEntry{kind: kind, schema: schema, name: o.Name}
		switch kind {
		case "schema":
			e.schema = ""
		case "extension":
			e.schema = ""
		}
		if d.Catalog().SingleSchema {
			e.schema = ""
		}
		if fold {
			e.schema, e.name = strings.ToLower(e.schema), strings.ToLower(e.name)
		}
		if !have[e] {
			ev.Missing = append(ev.Missing, o)
		}
	}
	return ev, nil
}

// catalog lists the objects of the live schema, and the default schema.
func catalog(ctx context.Context, q revision.Querier, d engine.Dialect) ([]catalogEntry, string, error) {
	facts := d.Catalog()
	var defaultSchema string
	if facts.CurrentSchemaQuery != "" {
		var cur sql.NullString
		if err := q.QueryRowContext(ctx, facts.CurrentSchemaQuery).Scan(&cur); err != nil {
			return nil, "", err
		}
		defaultSchema = cur.String
	}
	var out []catalogEntry
	for _, query := range facts.ObjectsQueries {
		rows, err := q.QueryContext(ctx, query)
		if err != nil {
			return nil, "", err
		}
		for rows.Next() {
			var e catalogEntry
			if err := rows.Scan(&e.kind, &e.schema, &e.name); err != nil {
				rows.Close()
				return nil, "", err
			}
			out = append(out, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, "", err
		}
	}
	return out, defaultSchema, nil
}

// findings turns missing objects into findings.
func (ev *Evidence) findings() []finding.Finding {
	var out []finding.Finding
	for _, o := range ev.Missing {
		name := o.Name
		if o.Schema != "" {
			name = o.Schema + "." + o.Name
		}
		out = append(out, finding.Finding{Code: CodeMissingObject, Severity: finding.Warning, File: o.File, Line: o.Line,
			Message: fmt.Sprintf("%s (line %d) creates %s %s, but the database has none: its schema is not what the files produce (changed by hand, or the files changed since they ran)", o.File, o.Line, o.Kind, name)})
	}
	return out
}
