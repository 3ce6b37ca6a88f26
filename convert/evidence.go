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
// What the server drops on its own (the indexes of a dropped column or
// materialized view, an index a constraint takes over) comes from
// ddl.Engine, which reads every statement too.
func expected(d engine.Dialect, files []fileStatements) []Object {
	eng := ddl.NewEngine(d)
	var order []key
	objs := map[key]Object{}
	norm := func(k key) key {
		if d != engine.Postgres {
			k.schema, k.name = strings.ToLower(k.schema), strings.ToLower(k.name)
		}
		if k.kind == "procedure" {
			k.kind = "function"
		}
		return k
	}
	remove := func(k key) {
		delete(objs, k)
		for kk, o := range objs {
			dependent := (o.Kind == "index" || o.Kind == "trigger") && k.kind == "table" && strings.EqualFold(o.Table, k.name)
			inSchema := k.kind == "schema" && strings.EqualFold(kk.schema, k.name)
			if dependent || inSchema {
				delete(objs, kk)
			}
		}
	}
	for _, f := range files {
		for _, st := range f.stmts {
			ch := analyse(d, st.Text)
			if ch.create != nil {
				o := *ch.create
				o.File, o.Line = f.name, st.Line
				k := norm(key{o.Kind, o.Schema, o.Name})
				if _, seen := objs[k]; !seen {
					order = append(order, k)
				}
				objs[k] = o
			}
			for _, k := range ch.drops {
				remove(norm(k))
			}
			for _, f := range eng.Apply(ddl.Analyse(d, st.Text)).Effects {
				if f.Implicit && !f.Exists && (f.Ref.Kind == ddl.Index || f.Ref.Kind == ddl.Trigger) {
					remove(norm(key{string(f.Ref.Kind), f.Ref.Schema, f.Ref.Name}))
				}
			}
			for _, r := range ch.renames {
				from, to := norm(r[0]), norm(r[1])
				o, ok := objs[from]
				if !ok {
					continue // renamed an object we did not see created: no evidence
				}
				delete(objs, from)
				o.Schema, o.Name = r[1].schema, r[1].name
				objs[to] = o
				for i, k := range order { // keep the creation position
					if k == from {
						order[i] = to
					}
				}
				for kk, dep := range objs {
					if strings.EqualFold(dep.Table, r[0].name) && (dep.Kind == "index" || dep.Kind == "trigger") {
						dep.Table = r[1].name
						objs[kk] = dep
					}
				}
			}
		}
	}
	var out []Object
	seen := map[key]bool{}
	for _, k := range order {
		if o, ok := objs[k]; ok && !seen[k] {
			seen[k] = true
			out = append(out, o)
		}
	}
	return out
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
