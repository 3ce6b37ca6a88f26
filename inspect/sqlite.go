package inspect

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// SQLite keeps each object's CREATE statement in sqlite_master; they are
// described by that statement (whitespace and comments normalized) and, for
// tables, by what the table pragmas report: columns, primary key, unique
// constraints and foreign keys. Check constraints, collations and table
// options show only in the statement. Internal objects (sqlite_sequence,
// sqlite_stat*, automatic indexes) are left out.

const (
	sqColumns     = `SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?, ?) ORDER BY cid`
	sqIndexList   = `SELECT name, origin FROM pragma_index_list(?, ?)`
	sqIndexInfo   = `SELECT COALESCE(name, '') FROM pragma_index_info(?, ?) ORDER BY seqno`
	sqForeignKeys = `SELECT id, "table", "from", "to", on_update, on_delete, "match" FROM pragma_foreign_key_list(?, ?) ORDER BY id, seq`
)

func inspectSQLite(ctx context.Context, tx *sql.Tx, in *inspector) error {
	if len(in.schemas) == 0 {
		in.schemas = []string{"main"}
	}
	attached := map[string]bool{}
	if err := query(ctx, tx, "pragma_database_list", `SELECT name FROM pragma_database_list`, nil, func(r *sql.Rows) error {
		var name string
		if err := r.Scan(&name); err != nil {
			return err
		}
		attached[strings.ToLower(name)] = true
		return nil
	}); err != nil {
		return err
	}
	for _, s := range in.schemas {
		if !attached[strings.ToLower(s)] {
			return &SchemaNotFoundError{Schema: s}
		}
		if err := sqSchema(ctx, tx, in, s); err != nil {
			return err
		}
	}
	return nil
}

func sqSchema(ctx context.Context, tx *sql.Tx, in *inspector, schema string) error {
	type entry struct{ typ, name, table, sql string }
	var entries []entry
	master := `"` + strings.ReplaceAll(schema, `"`, `""`) + `".sqlite_master`
	if err := query(ctx, tx, master, `SELECT type, name, tbl_name, COALESCE(sql, '') FROM `+master+` WHERE name NOT LIKE 'sqlite\_%' ESCAPE '\'`, nil, func(r *sql.Rows) error {
		var e entry
		if err := r.Scan(&e.typ, &e.name, &e.table, &e.sql); err != nil {
			return err
		}
		entries = append(entries, e)
		return nil
	}); err != nil {
		return err
	}

	tables := map[string]*relation{}
	var order []*relation
	for _, e := range entries {
		var rel *relation
		switch e.typ {
		case "table":
			if in.excluded(e.name) {
				continue
			}
			rel = &relation{kind: KindTable, schema: schema, name: e.name, head: []string{"sql " + normalizeSQL(e.sql)}}
			if !strings.HasPrefix(strings.ToUpper(e.sql), "CREATE VIRTUAL TABLE") {
				if err := sqTable(ctx, tx, in, schema, rel); err != nil {
					return err
				}
			}
			tables[strings.ToLower(e.name)] = rel
		case "view":
			rel = &relation{kind: KindView, schema: schema, name: e.name, head: []string{"sql " + normalizeSQL(e.sql)}}
		default:
			continue
		}
		order = append(order, rel)
	}
	for _, e := range entries {
		rel := tables[strings.ToLower(e.table)]
		if rel == nil || e.sql == "" {
			continue // an automatic index, or an object of a left-out table
		}
		switch e.typ {
		case "index":
			rel.indexes = append(rel.indexes, "index "+in.ident(e.name)+" "+normalizeSQL(e.sql))
		case "trigger":
			rel.triggers = append(rel.triggers, "trigger "+in.ident(e.name)+" "+normalizeSQL(e.sql))
		}
	}
	for _, rel := range order {
		in.addRelation(rel)
	}
	return nil
}

// sqTable adds what the pragmas tell of a table.
func sqTable(ctx context.Context, tx *sql.Tx, in *inspector, schema string, rel *relation) error {
	what := func(pragma string) string { return pragma + "(" + rel.name + ")" }
	var pk []string // by position in the key
	if err := query(ctx, tx, what("pragma_table_xinfo"), sqColumns, []any{rel.name, schema}, func(r *sql.Rows) error {
		var name, typ string
		var notNull bool
		var def sql.NullString
		var pkPos, hidden int
		if err := r.Scan(&name, &typ, &notNull, &def, &pkPos, &hidden); err != nil {
			return err
		}
		col := "column " + in.ident(name)
		if typ != "" {
			col += " " + typ
		}
		if notNull {
			col += " NOT NULL"
		}
		if def.Valid {
			col += " DEFAULT " + def.String
		}
		switch hidden {
		case 1:
			col += " HIDDEN"
		case 2:
			col += " GENERATED VIRTUAL"
		case 3:
			col += " GENERATED STORED"
		}
		rel.columns = append(rel.columns, col)
		if pkPos > 0 {
			for len(pk) < pkPos {
				pk = append(pk, "")
			}
			pk[pkPos-1] = in.ident(name)
		}
		return nil
	}); err != nil {
		return err
	}
	if len(pk) > 0 {
		rel.constraints = append(rel.constraints, "primary key ("+strings.Join(pk, ", ")+")")
	}

	var unique []string
	if err := query(ctx, tx, what("pragma_index_list"), sqIndexList, []any{rel.name, schema}, func(r *sql.Rows) error {
		var name, origin string
		if err := r.Scan(&name, &origin); err != nil {
			return err
		}
		if origin == "u" {
			unique = append(unique, name)
		}
		return nil
	}); err != nil {
		return err
	}
	for _, ix := range unique {
		var cols []string
		if err := query(ctx, tx, what("pragma_index_info"), sqIndexInfo, []any{ix, schema}, func(r *sql.Rows) error {
			var col string
			if err := r.Scan(&col); err != nil {
				return err
			}
			cols = append(cols, in.ident(col))
			return nil
		}); err != nil {
			return err
		}
		rel.constraints = append(rel.constraints, "unique ("+strings.Join(cols, ", ")+")")
	}

	type fk struct {
		table, onUpdate, onDelete, match string
		from, to                         []string
	}
	var fks []*fk
	byID := map[int]*fk{}
	if err := query(ctx, tx, what("pragma_foreign_key_list"), sqForeignKeys, []any{rel.name, schema}, func(r *sql.Rows) error {
		var id int
		var table, from, onUpdate, onDelete, match string
		var to sql.NullString
		if err := r.Scan(&id, &table, &from, &to, &onUpdate, &onDelete, &match); err != nil {
			return err
		}
		f := byID[id]
		if f == nil {
			f = &fk{table: table, onUpdate: onUpdate, onDelete: onDelete, match: match}
			byID[id] = f
			fks = append(fks, f)
		}
		f.from = append(f.from, in.ident(from))
		if to.Valid {
			f.to = append(f.to, in.ident(to.String))
		}
		return nil
	}); err != nil {
		return err
	}
	for _, f := range fks {
		ref := in.ident(f.table)
		if len(f.to) > 0 {
			ref += "(" + strings.Join(f.to, ", ") + ")"
		}
		line := fmt.Sprintf("foreign key (%s) REFERENCES %s ON UPDATE %s ON DELETE %s", strings.Join(f.from, ", "), ref, f.onUpdate, f.onDelete)
		if f.match != "NONE" {
			line += " MATCH " + f.match
		}
		rel.constraints = append(rel.constraints, line)
	}
	return nil
}

// normalizeSQL puts a statement on one line: comments are dropped, runs of
// whitespace become one space, and no space is left after "(" or before ")"
// and ",". Quoted strings and identifiers are kept as they are.
func normalizeSQL(s string) string {
	var b strings.Builder
	end := 0 // of the previous token
	for _, t := range sqlsplit.Tokens(engine.SQLite, s) {
		// White space or a comment came before the token.
		if t.Start > end && b.Len() > 0 && t.Text[0] != ')' && t.Text[0] != ',' {
			if out := b.String(); out[len(out)-1] != '(' {
				b.WriteByte(' ')
			}
		}
		b.WriteString(t.Text)
		end = t.Start + len(t.Text)
	}
	return b.String()
}
