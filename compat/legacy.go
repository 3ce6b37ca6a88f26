package compat

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/ferrymigrate/ferry/engine"
)

// TableRef names a table; Schema is the PostgreSQL schema or MySQL database,
// empty for SQLite.
type TableRef struct {
	Schema string `json:"schema,omitempty"`
	Name   string `json:"name"`
}

// String returns schema.table for display, quoting parts that need it.
func (t TableRef) String() string {
	if t.Schema == "" {
		return displayIdent(t.Name)
	}
	return displayIdent(t.Schema) + "." + displayIdent(t.Name)
}

func displayIdent(s string) string {
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
		}
	}
	return s
}

// NilVersion is golang-migrate's "no version" (-1).
const NilVersion int64 = -1

// LegacyState is what golang-migrate's bookkeeping says about a database.
type LegacyState struct {
	// Table is where golang-migrate keeps its row for this URL.
	Table TableRef
	// TableExists is false when the table is absent (golang-migrate would
	// create it and report no version).
	TableExists bool
	// Rows is the number of rows (more than one is a corrupted table;
	// golang-migrate silently reads whichever comes first).
	Rows int
	// Version is the recorded version, or NilVersion.
	Version int64
	// Dirty is the dirty flag of the row.
	Dirty bool
	// OtherTables are other tables shaped like schema_migrations, with their
	// rows: on PostgreSQL in any schema of the database (the "$user"
	// search_path trap), on MySQL and SQLite in the same database (a changed
	// x-migrations-table); leftovers either way.
	OtherTables []OtherTable
	// Lock tells whether a golang-migrate run holds its lock right now.
	Lock LockState
}

// OtherTable is a schema_migrations-shaped table that golang-migrate does not
// use for this URL.
type OtherTable struct {
	Table   TableRef `json:"table"`
	Rows    int      `json:"rows"`
	Version int64    `json:"version"` // NilVersion when there is none
	Dirty   bool     `json:"dirty"`
}

// LockState describes golang-migrate's lock for this database.
type LockState struct {
	// Detectable is false where no other process can see the lock (SQLite:
	// golang-migrate's lock lives inside its process).
	Detectable bool `json:"detectable"`
	// NoLock is x-no-lock=true: golang-migrate runs without its lock.
	NoLock bool      `json:"no_lock,omitempty"`
	Keys   []LockKey `json:"keys"`
	Held   bool      `json:"held"`
	// Holder is the server's identifier of the session holding it (a
	// PostgreSQL backend pid or a MySQL connection id, or the lock table),
	// when Held.
	Holder string `json:"holder,omitempty"`
}

// ReadLegacy reads golang-migrate's state for u from db, a handle opened on
// the same URL. It locates the table exactly as golang-migrate's driver for
// u.Scheme would, never creates it, never takes a lock and writes nothing;
// on PostgreSQL and MySQL it reads inside a READ ONLY transaction. The
// caller should open SQLite databases read-only.
func ReadLegacy(ctx context.Context, db *sql.DB, u *DatabaseURL) (*LegacyState, error) {
	tx, err := db.BeginTx(ctx, u.Dialect.ReadOnlyTxOptions())
	if err != nil {
		return nil, fmt.Errorf("begin read-only transaction: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	return ReadLegacyTx(ctx, tx, u)
}

// ReadLegacyTx is ReadLegacy inside the caller's transaction, for writers
// that must check the state again under golang-migrate's lock.
func ReadLegacyTx(ctx context.Context, tx *sql.Tx, u *DatabaseURL) (*LegacyState, error) {
	read, err := engine.PerEngine[legacyReader]{Postgres: readPostgres, MySQL: readMySQL, SQLite: readSQLite}.For(u.Dialect)
	if err != nil {
		return nil, err
	}
	return read(ctx, tx, u)
}

// legacyReader reads golang-migrate's state where one engine's driver
// keeps it.
type legacyReader func(ctx context.Context, tx *sql.Tx, u *DatabaseURL) (*LegacyState, error)

// readRow counts the rows of a schema_migrations table (its qualified,
// quoted name) and reads the first one, as golang-migrate does (LIMIT 1).
func readRow(ctx context.Context, tx *sql.Tx, table string) (rows int, version int64, dirty bool, err error) {
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&rows); err != nil {
		return 0, 0, false, err
	}
	version = NilVersion
	if rows == 0 {
		return 0, version, false, nil
	}
	var v sql.NullInt64
	var d sql.NullBool
	if err := tx.QueryRowContext(ctx, `SELECT version, dirty FROM `+table+` LIMIT 1`).Scan(&v, &d); err != nil {
		return 0, 0, false, err
	}
	if v.Valid {
		version = v.Int64
	}
	return rows, version, d.Bool, nil
}

func quotePG(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteMySQL(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

func readPostgres(ctx context.Context, tx *sql.Tx, u *DatabaseURL) (*LegacyState, error) {
	var dbName string
	var schema sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT current_database(), current_schema()`).Scan(&dbName, &schema); err != nil {
		return nil, fmt.Errorf("read current schema: %w", err)
	}
	st := &LegacyState{Version: NilVersion}
	st.Table = TableRef{Schema: schema.String, Name: u.MigrationsTable}
	if u.TableQuoted && u.QuotedTable != "" {
		st.Table.Name = u.QuotedTable
		if u.QuotedSchema != "" {
			st.Table.Schema = u.QuotedSchema
		}
	}
	if st.Table.Schema == "" {
		return nil, &NoSchemaError{SearchPath: u.SearchPath}
	}
	st.Lock = LockState{Detectable: true, Keys: PostgresLockKeys(dbName, u.URLPath, st.Table.Schema, st.Table.Name)}
	const exists = `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'f', 'm'))`
	if err := tx.QueryRowContext(ctx, exists, st.Table.Schema, st.Table.Name).Scan(&st.TableExists); err != nil {
		return nil, fmt.Errorf("look up %s: %w", st.Table, err)
	}
	if st.TableExists {
		var err error
		st.Rows, st.Version, st.Dirty, err = readRow(ctx, tx, quotePG(st.Table.Schema)+`.`+quotePG(st.Table.Name))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", st.Table, err)
		}
	}
	const others = `SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
		  AND EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'version' AND a.atttypid = 'int8'::regtype AND NOT a.attisdropped)
		  AND EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'dirty' AND a.atttypid = 'bool'::regtype AND NOT a.attisdropped)
		  AND NOT (n.nspname = $1 AND c.relname = $2)
		ORDER BY 1, 2 LIMIT 50`
	refs, err := tableRefs(ctx, tx, others, st.Table.Schema, st.Table.Name)
	if err != nil {
		return nil, fmt.Errorf("list other schema_migrations tables: %w", err)
	}
	for _, ref := range refs {
		ot := OtherTable{Table: ref}
		ot.Rows, ot.Version, ot.Dirty, err = readRow(ctx, tx, quotePG(ref.Schema)+`.`+quotePG(ref.Name))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", ref, err)
		}
		st.OtherTables = append(st.OtherTables, ot)
	}
	if u.Options["x-lock-strategy"] == "table" {
		return st, readTableLock(ctx, tx, u, schema.String, dbName, st)
	}
	for _, k := range st.Lock.Keys {
		var pid sql.NullString
		const held = `SELECT min(pid)::text FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND granted
			AND database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
			AND classid = 0 AND objid::bigint = $1::bigint AND objsubid = 1`
		if err := tx.QueryRowContext(ctx, held, k.Key).Scan(&pid); err != nil {
			return nil, fmt.Errorf("read pg_locks: %w", err)
		}
		if pid.Valid {
			st.Lock.Held, st.Lock.Holder = true, "pid "+pid.String
			break
		}
	}
	return st, nil
}

// readTableLock reads the lock row golang-migrate's pgx (v4) driver writes
// with x-lock-strategy=table: a row in x-lock-table (default schema_lock, in
// the current schema) whose lock_id is the key of the database name.
func readTableLock(ctx context.Context, tx *sql.Tx, u *DatabaseURL, schema, dbName string, st *LegacyState) error {
	table := u.Options["x-lock-table"]
	if table == "" {
		table = "schema_lock"
	}
	name := u.URLPath
	if name == "" {
		name = dbName
	}
	key := PostgresTableLockKey(name)
	st.Lock.Keys = []LockKey{{Key: key, Form: "lock_table " + TableRef{Schema: schema, Name: table}.String()}}
	var exists bool
	const q = `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2)`
	if err := tx.QueryRowContext(ctx, q, schema, table).Scan(&exists); err != nil {
		return fmt.Errorf("look up lock table %s: %w", table, err)
	}
	if !exists {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+quotePG(schema)+`.`+quotePG(table)+` WHERE lock_id = $1`, key).Scan(&n); err != nil {
		return fmt.Errorf("read lock table %s: %w", table, err)
	}
	if n > 0 {
		st.Lock.Held, st.Lock.Holder = true, "a row in "+TableRef{Schema: schema, Name: table}.String()
	}
	return nil
}

// NoSchemaError is PostgreSQL's session having no current schema: the
// search_path names no schema that exists. golang-migrate fails with "no schema".
type NoSchemaError struct{ SearchPath string }

func (e *NoSchemaError) Error() string {
	if e.SearchPath == "" {
		return "the session has no current schema (the search_path names no existing schema); golang-migrate fails with \"no schema\""
	}
	return fmt.Sprintf("search_path=%s names no existing schema; golang-migrate fails with \"no schema\": create the schema or fix search_path in the URL", e.SearchPath)
}

func tableRefs(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]TableRef, error) {
	r, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []TableRef
	for r.Next() {
		var t TableRef
		if err := r.Scan(&t.Schema, &t.Name); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, r.Err()
}

// ErrNoDatabaseName is a MySQL URL without a database and a session without
// a default database; golang-migrate fails with "no database name".
var ErrNoDatabaseName = engine.ErrNoDatabaseName

func readMySQL(ctx context.Context, tx *sql.Tx, u *DatabaseURL) (*LegacyState, error) {
	dbName := u.Database
	if dbName == "" {
		var cur sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT DATABASE()`).Scan(&cur); err != nil {
			return nil, fmt.Errorf("read current database: %w", err)
		}
		if cur.String == "" {
			return nil, ErrNoDatabaseName
		}
		dbName = cur.String
	}
	st := &LegacyState{Version: NilVersion, Table: TableRef{Schema: dbName, Name: u.MigrationsTable}}
	const exists = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?`
	var n int
	if err := tx.QueryRowContext(ctx, exists, dbName, u.MigrationsTable).Scan(&n); err != nil {
		return nil, fmt.Errorf("look up %s: %w", st.Table, err)
	}
	st.TableExists = n > 0
	if st.TableExists {
		var err error
		st.Rows, st.Version, st.Dirty, err = readRow(ctx, tx, quoteMySQL(dbName)+"."+quoteMySQL(u.MigrationsTable))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", st.Table, err)
		}
	}
	const others = `SELECT table_schema, table_name FROM information_schema.columns
		WHERE table_schema = ?
		  AND ((column_name = 'version' AND data_type = 'bigint') OR (column_name = 'dirty' AND data_type IN ('tinyint', 'bit', 'boolean')))
		  AND NOT (table_schema = ? AND table_name = ?)
		GROUP BY table_schema, table_name HAVING COUNT(*) = 2 ORDER BY 1, 2 LIMIT 50`
	refs, err := tableRefs(ctx, tx, others, dbName, dbName, u.MigrationsTable)
	if err != nil {
		return nil, fmt.Errorf("list other schema_migrations tables: %w", err)
	}
	for _, ref := range refs {
		ot := OtherTable{Table: ref}
		ot.Rows, ot.Version, ot.Dirty, err = readRow(ctx, tx, quoteMySQL(ref.Schema)+"."+quoteMySQL(ref.Name))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", ref, err)
		}
		st.OtherTables = append(st.OtherTables, ot)
	}
	name := MySQLLockName(dbName, u.MigrationsTable)
	noLock, _ := strconv.ParseBool(u.Options["x-no-lock"])
	st.Lock = LockState{Detectable: true, NoLock: noLock, Keys: []LockKey{{Key: name, Form: "get_lock"}}}
	var holder sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT IS_USED_LOCK(?)`, name).Scan(&holder); err != nil {
		return nil, fmt.Errorf("read IS_USED_LOCK: %w", err)
	}
	if holder.Valid {
		st.Lock.Held, st.Lock.Holder = true, "connection "+holder.String
	}
	return st, nil
}

func readSQLite(ctx context.Context, tx *sql.Tx, u *DatabaseURL) (*LegacyState, error) {
	st := &LegacyState{Version: NilVersion, Table: TableRef{Name: u.MigrationsTable}}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE`, u.MigrationsTable).Scan(&n); err != nil {
		return nil, fmt.Errorf("look up %s: %w", st.Table, err)
	}
	st.TableExists = n > 0
	if st.TableExists {
		var err error
		st.Rows, st.Version, st.Dirty, err = readRow(ctx, tx, quotePG(u.MigrationsTable))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", st.Table, err)
		}
	}
	const others = `SELECT '', m.name FROM sqlite_master m
		WHERE m.type = 'table' AND m.name <> ? COLLATE NOCASE
		  AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'version')
		  AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'dirty')
		ORDER BY 2 LIMIT 50`
	refs, err := tableRefs(ctx, tx, others, u.MigrationsTable)
	if err != nil {
		return nil, fmt.Errorf("list other schema_migrations tables: %w", err)
	}
	for _, ref := range refs {
		ot := OtherTable{Table: ref}
		ot.Rows, ot.Version, ot.Dirty, err = readRow(ctx, tx, quotePG(ref.Name))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", ref, err)
		}
		st.OtherTables = append(st.OtherTables, ot)
	}
	return st, nil
}
