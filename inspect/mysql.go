package inspect

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/ferrymigrate/ferry/compat"
)

// MySQL and MariaDB are read from information_schema. Which columns exist
// there differs between servers and versions (MySQL 8 has
// STATISTICS.EXPRESSION; MariaDB's CHECK_CONSTRAINTS has TABLE_NAME;
// MySQL 5.7 has no CHECK_CONSTRAINTS): the queries are chosen by looking
// the columns up, not by parsing version strings. Definitions are as the
// server stores them; a view's references to its own database are
// unqualified, as the server qualifies them with the database's name.

const (
	myTables = `SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, COALESCE(ENGINE, ''), COALESCE(TABLE_COLLATION, ''), COALESCE(CREATE_OPTIONS, '')
FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (%s)`

	myColumns = `SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA,
	COALESCE(COLLATION_NAME, ''), COALESCE(GENERATION_EXPRESSION, '')
FROM information_schema.COLUMNS WHERE TABLE_SCHEMA IN (%s)
ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION`

	myIndexes = `SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, NON_UNIQUE, COALESCE(COLUMN_NAME, ''), SUB_PART, COALESCE(COLLATION, ''), INDEX_TYPE, %s
FROM information_schema.STATISTICS WHERE TABLE_SCHEMA IN (%s)
ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`

	myForeignKeys = `SELECT k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME,
	k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE
FROM information_schema.KEY_COLUMN_USAGE k
JOIN information_schema.REFERENTIAL_CONSTRAINTS r
	ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME
WHERE k.TABLE_SCHEMA IN (%s) AND k.REFERENCED_TABLE_NAME IS NOT NULL
ORDER BY k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`

	// MariaDB: check constraints are named per table.
	myChecksMariaDB = `SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE, 'YES'
FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA IN (%s)`

	// MySQL 8: check constraints are named per database.
	myChecksMySQL = `SELECT tc.TABLE_SCHEMA, tc.TABLE_NAME, tc.CONSTRAINT_NAME, cc.CHECK_CLAUSE, %s
FROM information_schema.TABLE_CONSTRAINTS tc
JOIN information_schema.CHECK_CONSTRAINTS cc ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
WHERE tc.CONSTRAINT_TYPE = 'CHECK' AND tc.TABLE_SCHEMA IN (%s)`

	myViews = `SELECT TABLE_SCHEMA, TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION, SECURITY_TYPE
FROM information_schema.VIEWS WHERE TABLE_SCHEMA IN (%s)`

	myTriggers = `SELECT EVENT_OBJECT_SCHEMA, EVENT_OBJECT_TABLE, TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER,
	ACTION_ORIENTATION, ACTION_STATEMENT
FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA IN (%s)`

	myRoutines = `SELECT ROUTINE_SCHEMA, ROUTINE_TYPE, SPECIFIC_NAME, ROUTINE_NAME, COALESCE(DTD_IDENTIFIER, ''), ROUTINE_DEFINITION,
	IS_DETERMINISTIC, SQL_DATA_ACCESS, SECURITY_TYPE
FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA IN (%s)`

	myParameters = `SELECT SPECIFIC_SCHEMA, ROUTINE_TYPE, SPECIFIC_NAME, COALESCE(PARAMETER_MODE, ''), COALESCE(PARAMETER_NAME, ''), DTD_IDENTIFIER
FROM information_schema.PARAMETERS WHERE SPECIFIC_SCHEMA IN (%s) AND ORDINAL_POSITION > 0
ORDER BY SPECIFIC_SCHEMA, ROUTINE_TYPE, SPECIFIC_NAME, ORDINAL_POSITION`
)

type myKey struct{ schema, name string }

func inspectMySQL(ctx context.Context, tx *sql.Tx, in *inspector) error {
	var current sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT DATABASE()`).Scan(&current); err != nil {
		return fmt.Errorf("read current database: %w", err)
	}
	if len(in.schemas) == 0 {
		if !current.Valid || current.String == "" {
			return compat.ErrNoDatabaseName
		}
		in.schemas = []string{current.String}
	}
	args := make([]any, len(in.schemas))
	for i, s := range in.schemas {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?`, s).Scan(&n); err != nil {
			return fmt.Errorf("read information_schema.SCHEMATA: %w", err)
		}
		if n == 0 {
			return &SchemaNotFoundError{Schema: s}
		}
		args[i] = s
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")
	q := func(format string, extra ...any) string {
		return fmt.Sprintf(format, append(extra, marks)...)
	}
	has := func(table, column string) (bool, error) {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'information_schema' AND TABLE_NAME = ? AND COLUMN_NAME = ?`, table, column).Scan(&n)
		if err != nil {
			return false, fmt.Errorf("read information_schema.COLUMNS: %w", err)
		}
		return n > 0, nil
	}

	t, err := myTablesOf(ctx, tx, in, q, args)
	if err != nil {
		return err
	}
	if err := myColumnsOf(ctx, tx, in, t, q, args); err != nil {
		return err
	}
	if err := myIndexesOf(ctx, tx, in, t.rels, q, args, has); err != nil {
		return err
	}
	if err := myForeignKeysOf(ctx, tx, in, t.rels, q, args); err != nil {
		return err
	}
	if err := myChecks(ctx, tx, in, t.rels, q, args, has); err != nil {
		return err
	}
	if err := myViewsOf(ctx, tx, t.rels, q, args); err != nil {
		return err
	}
	if err := myTriggersOf(ctx, tx, in, t.rels, q, args); err != nil {
		return err
	}
	for _, k := range t.order {
		in.addRelation(t.rels[k])
	}
	if err := mySequencesOf(ctx, tx, in, t.sequences); err != nil {
		return err
	}
	return myRoutinesOf(ctx, tx, in, q, args)
}

// myCatalog is what information_schema.TABLES lists: the tables and views
// by name in catalog order, each table's default collation, the sequences.
type myCatalog struct {
	rels       map[myKey]*relation
	collations map[myKey]string
	order      []myKey
	sequences  []myKey
}

// myTablesOf reads the tables, views and sequences of the schemas.
func myTablesOf(ctx context.Context, tx *sql.Tx, in *inspector, q func(string, ...any) string, args []any) (*myCatalog, error) {
	t := &myCatalog{rels: map[myKey]*relation{}, collations: map[myKey]string{}}
	rels, collations := t.rels, t.collations
	if err := query(ctx, tx, "information_schema.TABLES", q(myTables), args, func(r *sql.Rows) error {
		var schema, name, typ, engine, collation, options string
		if err := r.Scan(&schema, &name, &typ, &engine, &collation, &options); err != nil {
			return err
		}
		k := myKey{schema, name}
		switch typ {
		case "SEQUENCE":
			t.sequences = append(t.sequences, k)
			return nil
		case "VIEW":
			rels[k] = &relation{kind: KindView, schema: schema, name: name}
		case "BASE TABLE", "SYSTEM VERSIONED":
			if in.excluded(name) {
				return nil
			}
			rel := &relation{kind: KindTable, schema: schema, name: name}
			if typ == "SYSTEM VERSIONED" {
				rel.head = append(rel.head, "system versioned")
			}
			rel.head = append(rel.head, "engine "+engine, "collation "+collation)
			if options != "" {
				rel.head = append(rel.head, "options "+options)
			}
			rels[k] = rel
			collations[k] = collation
		default:
			return nil
		}
		t.order = append(t.order, k)
		return nil
	}); err != nil {
		return nil, err
	}

	return t, nil
}

// myColumnsOf adds the columns of the tables read; a column's collation is
// shown where it differs from its table's.
func myColumnsOf(ctx context.Context, tx *sql.Tx, in *inspector, t *myCatalog, q func(string, ...any) string, args []any) error {
	rels, collations := t.rels, t.collations
	return query(ctx, tx, "information_schema.COLUMNS", q(myColumns), args, func(r *sql.Rows) error {
		var schema, table, name, typ, nullable, extra, collation, generation string
		var def sql.NullString
		if err := r.Scan(&schema, &table, &name, &typ, &nullable, &def, &extra, &collation, &generation); err != nil {
			return err
		}
		k := myKey{schema, table}
		rel := rels[k]
		if rel == nil || rel.kind != KindTable {
			return nil
		}
		col := "column " + in.ident(name) + " " + typ
		if collation != "" && collation != collations[k] {
			col += " COLLATE " + collation
		}
		if nullable == "NO" {
			col += " NOT NULL"
		}
		var stored string
		for _, g := range []string{"VIRTUAL GENERATED", "STORED GENERATED"} {
			if strings.Contains(extra, g) {
				extra = strings.TrimSpace(strings.Replace(extra, g, "", 1))
				stored = strings.Fields(g)[0]
			}
		}
		switch {
		case stored != "":
			col += " GENERATED ALWAYS AS (" + generation + ") " + stored
		case def.Valid:
			col += " DEFAULT " + def.String
		}
		if extra != "" {
			col += " " + extra
		}
		rel.columns = append(rel.columns, col)
		return nil
	})
}

// myForeignKeysOf adds the foreign keys, their columns in key order.
func myForeignKeysOf(ctx context.Context, tx *sql.Tx, in *inspector, rels map[myKey]*relation, q func(string, ...any) string, args []any) error {
	type fk struct {
		rel                       *relation
		name, refSchema, refTable string
		cols, refCols             []string
		onUpdate, onDelete        string
	}
	fks := map[[3]string]*fk{}
	var fkOrder [][3]string
	if err := query(ctx, tx, "information_schema.KEY_COLUMN_USAGE", q(myForeignKeys), args, func(r *sql.Rows) error {
		var schema, table, name, col, refSchema, refTable, refCol, onUpdate, onDelete string
		if err := r.Scan(&schema, &table, &name, &col, &refSchema, &refTable, &refCol, &onUpdate, &onDelete); err != nil {
			return err
		}
		rel := rels[myKey{schema, table}]
		if rel == nil {
			return nil
		}
		k := [3]string{schema, table, name}
		f := fks[k]
		if f == nil {
			f = &fk{rel: rel, name: name, refSchema: refSchema, refTable: refTable, onUpdate: onUpdate, onDelete: onDelete}
			fks[k] = f
			fkOrder = append(fkOrder, k)
		}
		f.cols = append(f.cols, in.ident(col))
		f.refCols = append(f.refCols, in.ident(refCol))
		return nil
	}); err != nil {
		return err
	}
	for _, k := range fkOrder {
		f := fks[k]
		ref := in.ref(f.refSchema, f.refTable)
		f.rel.constraints = append(f.rel.constraints, fmt.Sprintf("constraint %s FOREIGN KEY (%s) REFERENCES %s(%s) ON UPDATE %s ON DELETE %s",
			in.ident(f.name), strings.Join(f.cols, ", "), ref, strings.Join(f.refCols, ", "), f.onUpdate, f.onDelete))
	}
	return nil
}

// myViewsOf adds each view's security, check option and definition.
func myViewsOf(ctx context.Context, tx *sql.Tx, rels map[myKey]*relation, q func(string, ...any) string, args []any) error {
	return query(ctx, tx, "information_schema.VIEWS", q(myViews), args, func(r *sql.Rows) error {
		var schema, name, def, check, security string
		if err := r.Scan(&schema, &name, &def, &check, &security); err != nil {
			return err
		}
		rel := rels[myKey{schema, name}]
		if rel == nil {
			return nil
		}
		rel.head = append(rel.head, "security "+security)
		if check != "NONE" {
			rel.head = append(rel.head, "with "+check+" check option")
		}
		def = strings.ReplaceAll(def, "`"+strings.ReplaceAll(schema, "`", "``")+"`.", "")
		rel.tail = append([]string{"as"}, indent(def)...)
		return nil
	})
}

// myTriggersOf adds the triggers of the tables read; bodies by hash.
func myTriggersOf(ctx context.Context, tx *sql.Tx, in *inspector, rels map[myKey]*relation, q func(string, ...any) string, args []any) error {
	return query(ctx, tx, "information_schema.TRIGGERS", q(myTriggers), args, func(r *sql.Rows) error {
		var schema, table, name, timing, event, orientation, statement string
		var actionOrder int64
		if err := r.Scan(&schema, &table, &name, &timing, &event, &actionOrder, &orientation, &statement); err != nil {
			return err
		}
		if rel := rels[myKey{schema, table}]; rel != nil {
			rel.triggers = append(rel.triggers, fmt.Sprintf("trigger %s %s %s FOR EACH %s order %d body %s",
				in.ident(name), timing, event, orientation, actionOrder, hash(statement)))
		}
		return nil
	})
}

// mySequencesOf adds MariaDB sequences with their options.
func mySequencesOf(ctx context.Context, tx *sql.Tx, in *inspector, sequences []myKey) error {
	for _, k := range sequences {
		var start, minimum, maximum, increment, cache, cycle string
		err := tx.QueryRowContext(ctx, `SELECT start_value, minimum_value, maximum_value, increment, cache_size, cycle_option FROM `+
			quoteMySQL(k.schema)+`.`+quoteMySQL(k.name)).Scan(&start, &minimum, &maximum, &increment, &cache, &cycle)
		if err != nil {
			return fmt.Errorf("read sequence %s.%s: %w", k.schema, k.name, err)
		}
		options := fmt.Sprintf("start %s increment %s min %s max %s cache %s", start, increment, minimum, maximum, cache)
		if cycle != "0" {
			options += " cycle"
		}
		in.add(KindSequence, in.name(k.schema, k.name), []string{options})
	}

	return nil
}

func quoteMySQL(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

// myIndexesOf adds primary keys and indexes (unique ones included: MySQL
// makes no difference between a unique constraint and a unique index).
func myIndexesOf(ctx context.Context, tx *sql.Tx, in *inspector, rels map[myKey]*relation, q func(string, ...any) string, args []any, has func(string, string) (bool, error)) error {
	expression := "''"
	if ok, err := has("STATISTICS", "EXPRESSION"); err != nil {
		return err
	} else if ok {
		expression = "COALESCE(EXPRESSION, '')"
	}
	type index struct {
		rel       *relation
		name, typ string
		unique    bool
		parts     []string
	}
	indexes := map[[3]string]*index{}
	var order [][3]string
	if err := query(ctx, tx, "information_schema.STATISTICS", q(myIndexes, expression), args, func(r *sql.Rows) error {
		var schema, table, name, col, collation, typ, expr string
		var nonUnique int64
		var sub sql.NullInt64
		if err := r.Scan(&schema, &table, &name, &nonUnique, &col, &sub, &collation, &typ, &expr); err != nil {
			return err
		}
		rel := rels[myKey{schema, table}]
		if rel == nil || rel.kind != KindTable {
			return nil
		}
		k := [3]string{schema, table, name}
		ix := indexes[k]
		if ix == nil {
			ix = &index{rel: rel, name: name, typ: typ, unique: nonUnique == 0}
			indexes[k] = ix
			order = append(order, k)
		}
		part := in.ident(col)
		if col == "" {
			part = "(" + expr + ")"
		}
		if sub.Valid {
			part += "(" + strconv.FormatInt(sub.Int64, 10) + ")"
		}
		if collation == "D" {
			part += " DESC"
		}
		ix.parts = append(ix.parts, part)
		return nil
	}); err != nil {
		return err
	}
	for _, k := range order {
		ix := indexes[k]
		cols := "(" + strings.Join(ix.parts, ", ") + ")"
		switch {
		case ix.name == "PRIMARY":
			ix.rel.constraints = append(ix.rel.constraints, "primary key "+cols)
		case ix.unique:
			ix.rel.indexes = append(ix.rel.indexes, "index "+in.ident(ix.name)+" UNIQUE "+cols+" USING "+ix.typ)
		default:
			ix.rel.indexes = append(ix.rel.indexes, "index "+in.ident(ix.name)+" "+cols+" USING "+ix.typ)
		}
	}
	return nil
}

func myChecks(ctx context.Context, tx *sql.Tx, in *inspector, rels map[myKey]*relation, q func(string, ...any) string, args []any, has func(string, string) (bool, error)) error {
	var checks string
	if ok, err := has("CHECK_CONSTRAINTS", "TABLE_NAME"); err != nil {
		return err
	} else if ok {
		checks = q(myChecksMariaDB)
	} else if ok, err := has("CHECK_CONSTRAINTS", "CHECK_CLAUSE"); err != nil {
		return err
	} else if ok {
		enforced := "'YES'"
		if ok, err := has("TABLE_CONSTRAINTS", "ENFORCED"); err != nil {
			return err
		} else if ok {
			enforced = "tc.ENFORCED"
		}
		checks = q(myChecksMySQL, enforced)
	} else {
		return nil // no check constraints before MySQL 8.0.16
	}
	return query(ctx, tx, "information_schema.CHECK_CONSTRAINTS", checks, args, func(r *sql.Rows) error {
		var schema, table, name, clause, enforced string
		if err := r.Scan(&schema, &table, &name, &clause, &enforced); err != nil {
			return err
		}
		rel := rels[myKey{schema, table}]
		if rel == nil {
			return nil
		}
		line := "constraint " + in.ident(name) + " CHECK (" + clause + ")"
		if enforced == "NO" {
			line += " NOT ENFORCED"
		}
		rel.constraints = append(rel.constraints, line)
		return nil
	})
}

func myRoutinesOf(ctx context.Context, tx *sql.Tx, in *inspector, q func(string, ...any) string, args []any) error {
	params := map[[3]string][]string{}
	if err := query(ctx, tx, "information_schema.PARAMETERS", q(myParameters), args, func(r *sql.Rows) error {
		var schema, typ, specific, mode, name, dtd string
		if err := r.Scan(&schema, &typ, &specific, &mode, &name, &dtd); err != nil {
			return err
		}
		k := [3]string{schema, typ, specific}
		p := in.ident(name) + " " + dtd
		if mode != "" && typ == "PROCEDURE" {
			p = mode + " " + p
		}
		params[k] = append(params[k], p)
		return nil
	}); err != nil {
		return err
	}
	return query(ctx, tx, "information_schema.ROUTINES", q(myRoutines), args, func(r *sql.Rows) error {
		var schema, typ, specific, name, returns, deterministic, access, security string
		var body sql.NullString
		if err := r.Scan(&schema, &typ, &specific, &name, &returns, &body, &deterministic, &access, &security); err != nil {
			return err
		}
		k := KindFunction
		if typ == "PROCEDURE" {
			k = KindProcedure
		} else if typ != "FUNCTION" {
			return nil // MariaDB's packages (sql_mode=ORACLE)
		}
		var lines []string
		if k == KindFunction {
			lines = append(lines, "returns "+returns)
		}
		attrs := "NOT DETERMINISTIC"
		if deterministic == "YES" {
			attrs = "DETERMINISTIC"
		}
		lines = append(lines, attrs+" "+access+" SQL SECURITY "+security)
		if body.Valid {
			lines = append(lines, "body "+hash(body.String))
		} else {
			lines = append(lines, "body not visible to this user")
		}
		in.add(k, in.name(schema, name)+"("+strings.Join(params[[3]string{schema, typ, specific}], ", ")+")", lines)
		return nil
	})
}
