package inspect

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/ferrymigrate/ferry/compat"
)

// PostgreSQL reads pg_catalog. Definitions come from the server's own
// deparsers (format_type, pg_get_expr, pg_get_constraintdef,
// pg_get_indexdef, pg_get_viewdef, pg_get_triggerdef), run with search_path
// set to the described schema, so that names in it are not qualified (with
// several schemas, search_path is empty and every name is qualified).
// Objects that belong to an extension are left out: the extension stands
// for them.

// pgNotExtension keeps the objects of a catalog (alias x, catalog cat) that
// no extension owns.
func pgNotExtension(x, cat string) string {
	return `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = '` + cat + `'::regclass AND e.objid = ` + x + `.oid AND e.deptype = 'e')`
}

const pgSeqOptions = `format('start %s increment %s min %s max %s cache %s%s', s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END)`

var (
	pgRelations = `SELECT c.oid::bigint, n.nspname, c.relname, c.relkind::text, c.relpersistence::text,
	COALESCE(array_to_string(c.reloptions, ', '), ''),
	COALESCE((SELECT string_agg(i.inhparent::regclass::text, ', ' ORDER BY i.inhseqno) FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid), ''),
	CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) ELSE '' END,
	CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) ELSE '' END,
	CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid, true) ELSE '' END,
	COALESCE((SELECT fs.srvname FROM pg_catalog.pg_foreign_table ft JOIN pg_catalog.pg_foreign_server fs ON fs.oid = ft.ftserver WHERE ft.ftrelid = c.oid), '')
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c') AND ` + pgNotExtension("c", "pg_catalog.pg_class")

	pgColumns = `SELECT a.attrelid::bigint, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
	COALESCE(pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), ''), a.attidentity::text, a.attgenerated::text,
	CASE WHEN a.attcollation <> t.typcollation THEN COALESCE((SELECT quote_ident(co.collname) FROM pg_catalog.pg_collation co WHERE co.oid = a.attcollation), '') ELSE '' END,
	COALESCE(` + pgSeqOptions + `, '')
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_catalog.pg_depend d ON a.attidentity <> '' AND d.classid = 'pg_catalog.pg_class'::regclass
	AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum AND d.deptype = 'i'
LEFT JOIN pg_catalog.pg_sequence s ON s.seqrelid = d.objid
WHERE n.nspname = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'f', 'c')
ORDER BY a.attrelid, a.attnum`

	// Not-null constraints (contype n, PostgreSQL 18) repeat the columns'
	// NOT NULL.
	pgConstraints = `SELECT con.conrelid::bigint, con.conname, pg_catalog.pg_get_constraintdef(con.oid)
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1) AND con.contype <> 'n'`

	// Indexes that back a primary key, unique or exclusion constraint are
	// described by the constraint.
	pgIndexes = `SELECT i.indrelid::bigint, ic.relname, pg_catalog.pg_get_indexdef(i.indexrelid), i.indisvalid,
	'CREATE ' || CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END || 'INDEX ' || quote_ident(ic.relname) || ' ON ',
	quote_ident(n.nspname) || '.' || quote_ident(c.relname) || ' '
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1) AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con
	WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x'))`

	pgTriggers = `SELECT t.tgrelid::bigint, t.tgname, pg_catalog.pg_get_triggerdef(t.oid), t.tgenabled::text,
	'CREATE ' || CASE WHEN t.tgconstraint <> 0 THEN 'CONSTRAINT ' ELSE '' END || 'TRIGGER ' || quote_ident(t.tgname) || ' ',
	' ON ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname) || ' '
FROM pg_catalog.pg_trigger t
JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1) AND NOT t.tgisinternal`

	// Sequences that implement identity columns are described by the
	// column.
	pgSequences = `SELECT n.nspname, c.relname, pg_catalog.format_type(s.seqtypid, NULL), ` + pgSeqOptions + `,
	COALESCE(tn.nspname, ''), COALESCE(tc.relname, ''), COALESCE(ta.attname, '')
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
LEFT JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
	AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjsubid > 0 AND d.deptype = 'a'
LEFT JOIN pg_catalog.pg_class tc ON tc.oid = d.refobjid
LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
LEFT JOIN pg_catalog.pg_attribute ta ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid
WHERE n.nspname = ANY($1) AND c.relkind = 'S' AND ` + pgNotExtension("c", "pg_catalog.pg_class") + `
	AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend i WHERE i.classid = 'pg_catalog.pg_class'::regclass AND i.objid = c.oid AND i.deptype = 'i')`

	pgEnums = `SELECT t.oid::bigint, n.nspname, t.typname, COALESCE(quote_literal(e.enumlabel), '')
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid
WHERE n.nspname = ANY($1) AND t.typtype = 'e' AND ` + pgNotExtension("t", "pg_catalog.pg_type") + `
ORDER BY t.oid, e.enumsortorder`

	pgDomains = `SELECT t.oid::bigint, n.nspname, t.typname, pg_catalog.format_type(t.typbasetype, t.typtypmod), t.typnotnull,
	COALESCE(t.typdefault, ''),
	CASE WHEN t.typcollation <> b.typcollation THEN COALESCE((SELECT quote_ident(co.collname) FROM pg_catalog.pg_collation co WHERE co.oid = t.typcollation), '') ELSE '' END
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
JOIN pg_catalog.pg_type b ON b.oid = t.typbasetype
WHERE n.nspname = ANY($1) AND t.typtype = 'd' AND ` + pgNotExtension("t", "pg_catalog.pg_type")

	pgDomainConstraints = `SELECT con.contypid::bigint, con.conname, pg_catalog.pg_get_constraintdef(con.oid)
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_type t ON t.oid = con.contypid
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = ANY($1) AND con.contype <> 'n'`

	pgExtensions = `SELECT extname FROM pg_catalog.pg_extension`
)

// pgFunctions returns the query for pg_proc. From PostgreSQL 14 on, a
// SQL-standard body (BEGIN ATOMIC) is kept parsed, with object ids; its
// deparsed definition is hashed instead.
func pgFunctions(version int) string {
	body := `p.prosrc`
	if version >= 140000 {
		body = `CASE WHEN p.prosqlbody IS NOT NULL THEN pg_catalog.pg_get_functiondef(p.oid) ELSE p.prosrc END`
	}
	return `SELECT n.nspname, p.proname, p.prokind::text, pg_catalog.pg_get_function_identity_arguments(p.oid),
	COALESCE(pg_catalog.pg_get_function_result(p.oid), ''), l.lanname, p.provolatile::text, p.proisstrict, p.prosecdef,
	p.proleakproof, p.proparallel::text, COALESCE(array_to_string(p.proconfig, E'\n'), ''),
	COALESCE(` + body + `, ''), COALESCE(p.probin, ''),
	COALESCE((SELECT format('sfunc %s stype %s', a.aggtransfn, pg_catalog.format_type(a.aggtranstype, NULL))
		|| CASE WHEN a.aggfinalfn::oid <> 0 THEN ' finalfunc ' || a.aggfinalfn::text ELSE '' END
		|| COALESCE(' initcond ' || quote_literal(a.agginitval), '')
		FROM pg_catalog.pg_aggregate a WHERE a.aggfnoid = p.oid), '')
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_language l ON l.oid = p.prolang
WHERE n.nspname = ANY($1) AND ` + pgNotExtension("p", "pg_catalog.pg_proc")
}

func inspectPostgres(ctx context.Context, tx *sql.Tx, in *inspector) error {
	var version int
	if err := tx.QueryRowContext(ctx, `SELECT current_setting('server_version_num')::int`).Scan(&version); err != nil {
		return fmt.Errorf("read server version: %w", err)
	}
	if err := pgSchemas(ctx, tx, in); err != nil {
		return err
	}
	path := ""
	if len(in.schemas) == 1 {
		path = in.schemas[0]
	}
	if _, err := tx.ExecContext(ctx, `SELECT set_config('search_path', CASE WHEN $1 = '' THEN '' ELSE quote_ident($1) END, true)`, path); err != nil {
		return fmt.Errorf("set search_path: %w", err)
	}
	args := []any{in.schemas}
	if err := pgExtensionsOf(ctx, tx, in); err != nil {
		return err
	}
	rels, order, err := pgRelationsOf(ctx, tx, in, args)
	if err != nil {
		return err
	}
	for _, read := range []func(context.Context, *sql.Tx, *inspector, map[int64]*relation, []any) error{
		pgColumnsOf, pgConstraintsOf, pgIndexesOf, pgTriggersOf,
	} {
		if err := read(ctx, tx, in, rels, args); err != nil {
			return err
		}
	}
	for _, oid := range order {
		in.addRelation(rels[oid])
	}
	if err := pgSequencesOf(ctx, tx, in, args); err != nil {
		return err
	}
	if err := pgTypes(ctx, tx, in, args); err != nil {
		return err
	}
	return pgFunctionsOf(ctx, tx, in, version, args)
}

// pgExtensionsOf adds the installed extensions.
func pgExtensionsOf(ctx context.Context, tx *sql.Tx, in *inspector) error {
	return query(ctx, tx, "pg_extension", pgExtensions, nil, func(r *sql.Rows) error {
		var name string
		if err := r.Scan(&name); err != nil {
			return err
		}
		in.add(KindExtension, in.ident(name), nil)
		return nil
	})
}

// pgRelationsOf reads the tables, views, materialized views, foreign tables
// and composite types of the schemas, by oid, in catalog order.
func pgRelationsOf(ctx context.Context, tx *sql.Tx, in *inspector, args []any) (map[int64]*relation, []int64, error) {
	rels := map[int64]*relation{}
	var order []int64
	if err := query(ctx, tx, "pg_class", pgRelations, args, func(r *sql.Rows) error {
		var (
			oid                                                int64
			schema, name, kind, persistence, options, inherits string
			partKey, partBound, viewDef, server                string
		)
		if err := r.Scan(&oid, &schema, &name, &kind, &persistence, &options, &inherits, &partKey, &partBound, &viewDef, &server); err != nil {
			return err
		}
		if (kind == "r" || kind == "p") && in.excluded(name) {
			return nil
		}
		rel := &relation{schema: schema, name: name}
		switch kind {
		case "r", "p":
			rel.kind = KindTable
		case "f":
			rel.kind = KindForeignTable
			rel.head = append(rel.head, "server "+in.ident(server))
		case "c":
			rel.kind = KindType
		case "v":
			rel.kind = KindView
		case "m":
			rel.kind = KindMaterializedView
		}
		if persistence == "u" {
			rel.head = append(rel.head, "unlogged")
		}
		if inherits != "" {
			if partBound != "" {
				rel.head = append(rel.head, "partition of "+inherits+" "+partBound)
			} else {
				rel.head = append(rel.head, "inherits "+inherits)
			}
		}
		if partKey != "" {
			rel.head = append(rel.head, "partition by "+partKey)
		}
		if options != "" {
			rel.head = append(rel.head, "with ("+options+")")
		}
		if viewDef != "" {
			rel.tail = append([]string{"as"}, indent(viewDef)...)
		}
		rels[oid] = rel
		order = append(order, oid)
		return nil
	}); err != nil {
		return nil, nil, err
	}

	return rels, order, nil
}

// pgColumnsOf adds the columns of the relations read.
func pgColumnsOf(ctx context.Context, tx *sql.Tx, in *inspector, rels map[int64]*relation, args []any) error {
	return query(ctx, tx, "pg_attribute", pgColumns, args, func(r *sql.Rows) error {
		var (
			oid                                                        int64
			name, typ, def, identity, generated, collation, seqOptions string
			notNull                                                    bool
		)
		if err := r.Scan(&oid, &name, &typ, &notNull, &def, &identity, &generated, &collation, &seqOptions); err != nil {
			return err
		}
		rel := rels[oid]
		if rel == nil {
			return nil
		}
		col := "column " + in.ident(name) + " " + typ
		if collation != "" {
			col += " COLLATE " + collation
		}
		if notNull {
			col += " NOT NULL"
		}
		switch {
		case generated == "s":
			col += " GENERATED ALWAYS AS (" + def + ") STORED"
		case generated == "v":
			col += " GENERATED ALWAYS AS (" + def + ") VIRTUAL"
		case def != "":
			col += " DEFAULT " + def
		}
		switch identity {
		case "a":
			col += " GENERATED ALWAYS AS IDENTITY (" + seqOptions + ")"
		case "d":
			col += " GENERATED BY DEFAULT AS IDENTITY (" + seqOptions + ")"
		}
		rel.columns = append(rel.columns, col)
		return nil
	})
}

// pgConstraintsOf adds the constraints of the relations read.
func pgConstraintsOf(ctx context.Context, tx *sql.Tx, in *inspector, rels map[int64]*relation, args []any) error {
	return pgConstraintsInto(ctx, tx, in, pgConstraints, args, rels)
}

// pgConstraintsInto adds the constraints a query returns as (oid, name,
// definition) to the relations (tables or domains) they belong to.
func pgConstraintsInto(ctx context.Context, tx *sql.Tx, in *inspector, q string, args []any, rels map[int64]*relation) error {
	return query(ctx, tx, "pg_constraint", q, args, func(r *sql.Rows) error {
		var oid int64
		var name, def string
		if err := r.Scan(&oid, &name, &def); err != nil {
			return err
		}
		if rel := rels[oid]; rel != nil {
			rel.constraints = append(rel.constraints, "constraint "+in.ident(name)+" "+def)
		}
		return nil
	})
}

// pgIndexesOf adds the indexes of the relations read.
func pgIndexesOf(ctx context.Context, tx *sql.Tx, in *inspector, rels map[int64]*relation, args []any) error {
	return query(ctx, tx, "pg_index", pgIndexes, args, func(r *sql.Rows) error {
		var oid int64
		var name, def, prefix, table string
		var valid bool
		if err := r.Scan(&oid, &name, &def, &valid, &prefix, &table); err != nil {
			return err
		}
		rel := rels[oid]
		if rel == nil {
			return nil
		}
		// CREATE [UNIQUE] INDEX name ON [ONLY] schema.table USING ...: keep
		// what follows the table, which is all that can differ.
		rest, ok := strings.CutPrefix(def, prefix)
		only := ""
		if ok {
			if r, cut := strings.CutPrefix(rest, "ONLY "); cut {
				rest, only = r, "ONLY "
			}
			rest, ok = strings.CutPrefix(rest, table)
		}
		if !ok {
			rest = def
		} else if strings.HasPrefix(prefix, "CREATE UNIQUE") {
			rest = "UNIQUE " + only + rest
		} else {
			rest = only + rest
		}
		line := "index " + in.ident(name) + " " + rest
		if !valid {
			line += " INVALID"
		}
		rel.indexes = append(rel.indexes, line)
		return nil
	})
}

// pgTriggersOf adds the triggers of the relations read.
func pgTriggersOf(ctx context.Context, tx *sql.Tx, in *inspector, rels map[int64]*relation, args []any) error {
	return query(ctx, tx, "pg_trigger", pgTriggers, args, func(r *sql.Rows) error {
		var oid int64
		var name, def, enabled, prefix, on string
		if err := r.Scan(&oid, &name, &def, &enabled, &prefix, &on); err != nil {
			return err
		}
		rel := rels[oid]
		if rel == nil {
			return nil
		}
		// CREATE [CONSTRAINT] TRIGGER name BEFORE ... ON schema.table ...:
		// leave out the name and the table, which the line already gives.
		if rest, ok := strings.CutPrefix(def, prefix); ok {
			def = strings.Replace(rest, on, " ", 1)
			if strings.HasPrefix(prefix, "CREATE CONSTRAINT") {
				def = "CONSTRAINT " + def
			}
		}
		line := "trigger " + in.ident(name) + " " + def
		switch enabled {
		case "D":
			line += " DISABLED"
		case "R":
			line += " ENABLE REPLICA"
		case "A":
			line += " ENABLE ALWAYS"
		}
		rel.triggers = append(rel.triggers, line)
		return nil
	})
}

// pgSequencesOf adds the sequences, with the column that owns each.
func pgSequencesOf(ctx context.Context, tx *sql.Tx, in *inspector, args []any) error {
	return query(ctx, tx, "pg_sequence", pgSequences, args, func(r *sql.Rows) error {
		var schema, name, typ, options, tschema, table, column string
		if err := r.Scan(&schema, &name, &typ, &options, &tschema, &table, &column); err != nil {
			return err
		}
		lines := []string{"type " + typ, options}
		if table != "" {
			if in.excluded(table) {
				return nil
			}
			lines = append(lines, "owned by "+in.ref(tschema, table)+"."+in.ident(column))
		}
		in.add(KindSequence, in.name(schema, name), lines)
		return nil
	})
}

// pgFunctionsOf adds functions, procedures and aggregates; their bodies are
// compared by hash.
func pgFunctionsOf(ctx context.Context, tx *sql.Tx, in *inspector, version int, args []any) error {
	return query(ctx, tx, "pg_proc", pgFunctions(version), args, func(r *sql.Rows) error {
		var (
			schema, name, kind, identity, result, lang, volatility, parallel, config, body, bin, agg string
			strict, secdef, leakproof                                                                bool
		)
		if err := r.Scan(&schema, &name, &kind, &identity, &result, &lang, &volatility, &strict, &secdef, &leakproof, &parallel, &config, &body, &bin, &agg); err != nil {
			return err
		}
		k := KindFunction
		switch kind {
		case "p":
			k = KindProcedure
		case "a":
			k = KindAggregate
		}
		var lines []string
		if result != "" {
			lines = append(lines, "returns "+result)
		}
		lines = append(lines, "language "+lang)
		var attrs []string
		for _, a := range []struct {
			on   bool
			word string
		}{
			{kind == "w", "WINDOW"},
			{volatility == "i", "IMMUTABLE"},
			{volatility == "s", "STABLE"},
			{strict, "STRICT"},
			{secdef, "SECURITY DEFINER"},
			{leakproof, "LEAKPROOF"},
			{parallel == "s", "PARALLEL SAFE"},
			{parallel == "r", "PARALLEL RESTRICTED"},
		} {
			if a.on {
				attrs = append(attrs, a.word)
			}
		}
		if len(attrs) > 0 {
			lines = append(lines, strings.Join(attrs, " "))
		}
		if config != "" {
			for c := range strings.SplitSeq(config, "\n") {
				lines = append(lines, "set "+c)
			}
		}
		if agg != "" {
			lines = append(lines, agg)
		}
		if k != KindAggregate {
			if bin != "" {
				body += "\x00" + bin
			}
			lines = append(lines, "body "+hash(body))
		}
		in.add(k, in.name(schema, name)+"("+identity+")", lines)
		return nil
	})
}

// pgSchemas resolves and checks the schemas to describe.
func pgSchemas(ctx context.Context, tx *sql.Tx, in *inspector) error {
	if len(in.schemas) == 0 {
		var current sql.NullString
		var path string
		if err := tx.QueryRowContext(ctx, `SELECT current_schema(), current_setting('search_path')`).Scan(&current, &path); err != nil {
			return fmt.Errorf("read current schema: %w", err)
		}
		if !current.Valid {
			return &compat.NoSchemaError{SearchPath: path}
		}
		in.schemas = []string{current.String}
	}
	for _, s := range in.schemas {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_catalog.pg_namespace WHERE nspname = $1`, s).Scan(&n); err != nil {
			return fmt.Errorf("read pg_namespace: %w", err)
		}
		if n == 0 {
			return &SchemaNotFoundError{Schema: s}
		}
	}
	return nil
}

func pgTypes(ctx context.Context, tx *sql.Tx, in *inspector, args []any) error {
	type named struct {
		schema, name string
		lines        []string
	}
	enums := map[int64]*named{}
	var order []int64
	if err := query(ctx, tx, "pg_enum", pgEnums, args, func(r *sql.Rows) error {
		var oid int64
		var schema, name, label string
		if err := r.Scan(&oid, &schema, &name, &label); err != nil {
			return err
		}
		e := enums[oid]
		if e == nil {
			e = &named{schema: schema, name: name}
			enums[oid] = e
			order = append(order, oid)
		}
		if label != "" {
			e.lines = append(e.lines, "value "+label)
		}
		return nil
	}); err != nil {
		return err
	}
	for _, oid := range order {
		in.add(KindEnum, in.name(enums[oid].schema, enums[oid].name), enums[oid].lines)
	}

	domains := map[int64]*relation{}
	order = order[:0]
	if err := query(ctx, tx, "pg_type", pgDomains, args, func(r *sql.Rows) error {
		var oid int64
		var schema, name, base, def, collation string
		var notNull bool
		if err := r.Scan(&oid, &schema, &name, &base, &notNull, &def, &collation); err != nil {
			return err
		}
		d := &relation{schema: schema, name: name, head: []string{"type " + base}}
		if collation != "" {
			d.head = append(d.head, "COLLATE "+collation)
		}
		if notNull {
			d.head = append(d.head, "NOT NULL")
		}
		if def != "" {
			d.head = append(d.head, "DEFAULT "+def)
		}
		domains[oid] = d
		order = append(order, oid)
		return nil
	}); err != nil {
		return err
	}
	if err := pgConstraintsInto(ctx, tx, in, pgDomainConstraints, args, domains); err != nil {
		return err
	}
	for _, oid := range order {
		in.add(KindDomain, in.name(domains[oid].schema, domains[oid].name), domains[oid].lines())
	}
	return nil
}
