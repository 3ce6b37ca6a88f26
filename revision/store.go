package revision

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/engine"
)

// Querier is what the store needs of a *sql.DB, *sql.Conn or *sql.Tx.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Execer is what writes need: *sql.DB, *sql.Conn, *sql.Tx, or a batch.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Store is the revisions table of one database.
type Store struct {
	Dialect engine.Dialect
	// Schema holds the table: a PostgreSQL schema or MySQL database; empty
	// for SQLite (main).
	Schema string
	// MariaDB selects MariaDB's definition of executed_at (MySQL only).
	MariaDB bool
}

// Locate returns the store for u: in override (--revisions-schema) when set;
// else in the schema the URL is bound to (PostgreSQL: the first schema of
// search_path; MySQL: the URL's database, or the session's); else, on
// PostgreSQL, in a schema named atlas_schema_revisions. It asks the server
// only what it must (MySQL's current database and flavour).
func Locate(ctx context.Context, q Querier, u *compat.DatabaseURL, override string) (*Store, error) {
	s := &Store{Dialect: u.Dialect}
	switch u.Dialect {
	case engine.Postgres:
		s.Schema = override
		if s.Schema == "" {
			s.Schema = firstSchema(u.SearchPath)
		}
		if s.Schema == "" {
			s.Schema = DefaultSchema
		}
	case engine.MySQL:
		s.Schema = override
		if s.Schema == "" {
			s.Schema = u.Database
		}
		var version string
		var current sql.NullString
		if err := q.QueryRowContext(ctx, `SELECT VERSION(), DATABASE()`).Scan(&version, &current); err != nil {
			return nil, fmt.Errorf("read server version: %w", err)
		}
		s.MariaDB = strings.Contains(strings.ToLower(version), "mariadb")
		if s.Schema == "" {
			s.Schema = current.String
		}
		if s.Schema == "" {
			return nil, compat.ErrNoDatabaseName
		}
	case engine.SQLite:
		if override != "" && override != "main" {
			return nil, fmt.Errorf("--revisions-schema %s: SQLite keeps the revisions table in main", override)
		}
	default:
		return nil, fmt.Errorf("unknown dialect %q", u.Dialect)
	}
	return s, nil
}

// firstSchema returns the first real schema of a search_path value.
func firstSchema(searchPath string) string {
	for _, p := range strings.Split(searchPath, ",") {
		p = strings.TrimSpace(p)
		if p == "" || p == "$user" || p == `"$user"` {
			continue
		}
		if len(p) >= 2 && p[0] == '"' && p[len(p)-1] == '"' {
			return strings.ReplaceAll(p[1:len(p)-1], `""`, `"`)
		}
		return strings.ToLower(p)
	}
	return ""
}

// Table returns the qualified, quoted table name.
func (s *Store) Table() string {
	switch s.Dialect {
	case engine.Postgres:
		return quotePG(s.Schema) + "." + quotePG(TableName)
	case engine.MySQL:
		return quoteMySQL(s.Schema) + "." + quoteMySQL(TableName)
	}
	return quoteMySQL(TableName)
}

// String names the table for people.
func (s *Store) String() string {
	if s.Schema == "" {
		return TableName
	}
	return s.Schema + "." + TableName
}

func quotePG(s string) string    { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
func quoteMySQL(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

// Exists reports whether the table exists.
func (s *Store) Exists(ctx context.Context, q Querier) (bool, error) {
	var n int
	var err error
	switch s.Dialect {
	case engine.Postgres:
		err = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`, s.Schema, TableName).Scan(&n)
	case engine.MySQL:
		err = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?`, s.Schema, TableName).Scan(&n)
	default:
		err = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, TableName).Scan(&n)
	}
	if err != nil {
		return false, fmt.Errorf("look up %s: %w", s, err)
	}
	return n > 0, nil
}

// CreateStatements returns the statements that create the table exactly as
// Atlas defines it (and, on PostgreSQL, its schema).
func (s *Store) CreateStatements() []string {
	switch s.Dialect {
	case engine.Postgres:
		return []string{
			`CREATE SCHEMA IF NOT EXISTS ` + quotePG(s.Schema),
			`CREATE TABLE ` + s.Table() + ` (
  "version" character varying NOT NULL,
  "description" character varying NOT NULL,
  "type" bigint NOT NULL DEFAULT 2,
  "applied" bigint NOT NULL DEFAULT 0,
  "total" bigint NOT NULL DEFAULT 0,
  "executed_at" timestamptz NOT NULL,
  "execution_time" bigint NOT NULL,
  "error" text NULL,
  "error_stmt" text NULL,
  "hash" character varying NOT NULL,
  "partial_hashes" jsonb NULL,
  "operator_version" character varying NOT NULL,
  CONSTRAINT "atlas_schema_revisions_pkey" PRIMARY KEY ("version")
)`,
		}
	case engine.MySQL:
		executedAt := "timestamp NOT NULL"
		if s.MariaDB {
			executedAt = "timestamp NULL DEFAULT NULL"
		}
		return []string{`CREATE TABLE ` + s.Table() + ` (
  ` + "`version`" + ` varchar(255) NOT NULL,
  ` + "`description`" + ` varchar(255) NOT NULL,
  ` + "`type`" + ` bigint unsigned NOT NULL DEFAULT 2,
  ` + "`applied`" + ` bigint NOT NULL DEFAULT 0,
  ` + "`total`" + ` bigint NOT NULL DEFAULT 0,
  ` + "`executed_at`" + ` ` + executedAt + `,
  ` + "`execution_time`" + ` bigint NOT NULL,
  ` + "`error`" + ` longtext NULL,
  ` + "`error_stmt`" + ` longtext NULL,
  ` + "`hash`" + ` varchar(255) NOT NULL,
  ` + "`partial_hashes`" + ` json NULL,
  ` + "`operator_version`" + ` varchar(255) NOT NULL,
  PRIMARY KEY (` + "`version`" + `)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`}
	}
	return []string{"CREATE TABLE `atlas_schema_revisions` (`version` text NOT NULL, `description` text NOT NULL, `type` integer NOT NULL DEFAULT (2), `applied` integer NOT NULL DEFAULT (0), `total` integer NOT NULL DEFAULT (0), `executed_at` datetime NOT NULL, `execution_time` integer NOT NULL, `error` text NULL, `error_stmt` text NULL, `hash` text NOT NULL, `partial_hashes` json NULL, `operator_version` text NOT NULL, PRIMARY KEY (`version`))"}
}

// createSchema creates the schema (PostgreSQL) or database (MySQL) of the
// table when it is missing. It checks first: CREATE SCHEMA IF NOT EXISTS
// needs the CREATE privilege on the database even when the schema exists,
// which application roles usually lack.
func (s *Store) createSchema(ctx context.Context, q Querier) error {
	var n int
	var err error
	switch s.Dialect {
	case engine.Postgres:
		err = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_catalog.pg_namespace WHERE nspname = $1`, s.Schema).Scan(&n)
	case engine.MySQL:
		err = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?`, s.Schema).Scan(&n)
	default:
		return nil
	}
	if err != nil {
		return fmt.Errorf("look up schema %s: %w", s.Schema, err)
	}
	if n > 0 {
		return nil
	}
	stmt := `CREATE SCHEMA IF NOT EXISTS ` + quotePG(s.Schema)
	if s.Dialect == engine.MySQL {
		stmt = "CREATE DATABASE IF NOT EXISTS " + quoteMySQL(s.Schema)
	}
	if _, err := q.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("create schema %s for %s: %w", s.Schema, s, err)
	}
	return nil
}

// Create creates the table (and schema) if it does not exist. On MySQL the
// CREATE commits implicitly: call it before opening a transaction.
func (s *Store) Create(ctx context.Context, q Querier) error {
	exists, err := s.Exists(ctx, q)
	if err != nil || exists {
		return err
	}
	if err := s.createSchema(ctx, q); err != nil {
		return err
	}
	for _, stmt := range s.CreateStatements() {
		if strings.HasPrefix(stmt, "CREATE SCHEMA") {
			continue // done by createSchema
		}
		if _, err := q.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("create %s: %w", s, err)
		}
	}
	return nil
}

const columns = `version, description, type, applied, total, executed_at, execution_time, error, error_stmt, hash, partial_hashes, operator_version`

// Read returns every row, in version order as the database sorts strings.
// Rows whose version starts with "." are Atlas's own bookkeeping and are
// left out. A missing table reads as no rows.
func (s *Store) Read(ctx context.Context, q Querier) ([]Row, error) {
	exists, err := s.Exists(ctx, q)
	if err != nil || !exists {
		return nil, err
	}
	cols := columns
	if s.Dialect == engine.MySQL {
		// Read the timestamp as seconds since the epoch: independent of the
		// session's time zone and of parseTime=true in the URL.
		cols = strings.Replace(cols, "executed_at", "UNIX_TIMESTAMP(executed_at)", 1)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+cols+` FROM `+s.Table()+` ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", s, err)
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		var (
			r              Row
			typ            int64
			executedAt     any
			execTime       int64
			errText, errSt sql.NullString
			partial        sql.NullString
		)
		if err := rows.Scan(&r.Version, &r.Description, &typ, &r.Applied, &r.Total, &executedAt, &execTime, &errText, &errSt, &r.Hash, &partial, &r.OperatorVersion); err != nil {
			return nil, fmt.Errorf("read %s: %w", s, err)
		}
		if strings.HasPrefix(r.Version, ".") {
			continue
		}
		r.Type, r.ExecutionTime, r.Error, r.ErrorStmt = Type(typ), time.Duration(execTime), errText.String, errSt.String
		if r.ExecutedAt, err = toTime(executedAt); err != nil {
			return nil, fmt.Errorf("read %s: version %s: executed_at: %w", s, r.Version, err)
		}
		if partial.Valid && partial.String != "null" {
			if err := json.Unmarshal([]byte(partial.String), &r.PartialHashes); err != nil {
				return nil, fmt.Errorf("read %s: version %s: partial_hashes: %w", s, r.Version, err)
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func toTime(v any) (time.Time, error) {
	switch t := v.(type) {
	case time.Time:
		return t.UTC(), nil
	case []byte:
		return parseTime(string(t))
	case string:
		return parseTime(t)
	case int64:
		return time.Unix(t, 0).UTC(), nil
	case nil:
		return time.Time{}, nil
	}
	return time.Time{}, fmt.Errorf("unexpected type %T", v)
}

func parseTime(s string) (time.Time, error) {
	if sec, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(sec, 0).UTC(), nil // MySQL's UNIX_TIMESTAMP as text
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot parse %q", s)
}

// batchRows keeps every INSERT under each engine's limit of bound
// parameters (SQLite's is the smallest, 32766).
const batchRows = 1000

// Insert writes rows with multi-row INSERTs of up to 1000 rows each. It
// fails on an existing version: callers decide what to do with agreeing rows.
func (s *Store) Insert(ctx context.Context, q Execer, rows []Row) error {
	for start := 0; start < len(rows); start += batchRows {
		batch := rows[start:min(len(rows), start+batchRows)]
		var b strings.Builder
		b.WriteString(`INSERT INTO ` + s.Table() + ` (` + columns + `) VALUES `)
		args := make([]any, 0, len(batch)*12)
		for i, r := range batch {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(")
			for j := range 12 {
				if j > 0 {
					b.WriteString(", ")
				}
				if j == 5 && s.Dialect == engine.MySQL {
					// executed_at: from seconds since the epoch, so that the
					// session's time zone cannot shift it.
					b.WriteString("FROM_UNIXTIME(?)")
					continue
				}
				b.WriteString(s.placeholder(len(args) + j + 1))
			}
			b.WriteString(")")
			args = append(args, r.Version, r.Description, uint64(r.Type), r.Applied, r.Total, s.timeValue(r.ExecutedAt),
				int64(r.ExecutionTime), r.Error, r.ErrorStmt, r.Hash, r.partialJSON(), r.OperatorVersion)
		}
		if _, err := q.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("write %s (versions %s to %s): %w", s, batch[0].Version, batch[len(batch)-1].Version, err)
		}
	}
	return nil
}

func (s *Store) placeholder(n int) string {
	if s.Dialect == engine.Postgres {
		return fmt.Sprintf("$%d", n)
	}
	return "?"
}

// timeValue renders executed_at for the engine: MySQL gets seconds since
// the epoch (its timestamp column has no fraction here).
func (s *Store) timeValue(t time.Time) any {
	t = t.UTC()
	switch s.Dialect {
	case engine.MySQL:
		return t.Unix()
	case engine.SQLite:
		return t.Format("2006-01-02 15:04:05.999999999-07:00")
	}
	return t
}

// Upsert writes one row, replacing the row of the same version.
func (s *Store) Upsert(ctx context.Context, q Execer, r Row) error {
	var conflict string
	switch s.Dialect {
	case engine.MySQL:
		conflict = ` ON DUPLICATE KEY UPDATE description = VALUES(description), type = VALUES(type), applied = VALUES(applied), total = VALUES(total), executed_at = VALUES(executed_at), execution_time = VALUES(execution_time), error = VALUES(error), error_stmt = VALUES(error_stmt), hash = VALUES(hash), partial_hashes = VALUES(partial_hashes), operator_version = VALUES(operator_version)`
	default:
		conflict = ` ON CONFLICT (version) DO UPDATE SET description = excluded.description, type = excluded.type, applied = excluded.applied, total = excluded.total, executed_at = excluded.executed_at, execution_time = excluded.execution_time, error = excluded.error, error_stmt = excluded.error_stmt, hash = excluded.hash, partial_hashes = excluded.partial_hashes, operator_version = excluded.operator_version`
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO ` + s.Table() + ` (` + columns + `) VALUES (`)
	for j := range 12 {
		if j > 0 {
			b.WriteString(", ")
		}
		if j == 5 && s.Dialect == engine.MySQL {
			b.WriteString("FROM_UNIXTIME(?)")
			continue
		}
		b.WriteString(s.placeholder(j + 1))
	}
	b.WriteString(")" + conflict)
	_, err := q.ExecContext(ctx, b.String(), r.Version, r.Description, uint64(r.Type), r.Applied, r.Total, s.timeValue(r.ExecutedAt),
		int64(r.ExecutionTime), r.Error, r.ErrorStmt, r.Hash, r.partialJSON(), r.OperatorVersion)
	if err != nil {
		return fmt.Errorf("write %s version %s: %w", s, r.Version, err)
	}
	return nil
}

// Progress records that the first applied statements of a file ran:
// applied and partial_hashes advance in one statement.
func (s *Store) Progress(ctx context.Context, q Execer, version string, applied int, partial []string) error {
	r := Row{PartialHashes: partial}
	query := `UPDATE ` + s.Table() + ` SET applied = ` + s.placeholder(1) + `, partial_hashes = ` + s.placeholder(2) + ` WHERE version = ` + s.placeholder(3)
	if _, err := q.ExecContext(ctx, query, applied, r.partialJSON(), version); err != nil {
		return fmt.Errorf("record progress of version %s in %s: %w", version, s, err)
	}
	return nil
}

// ProgressSQL renders Progress as one literal MySQL statement, for
// batching it with a migration statement in a single round trip without
// parameters (the driver's parameter interpolation would also rewrite "?"
// inside the migration's own text).
func (s *Store) ProgressSQL(version string, applied int, partial []string) string {
	r := Row{PartialHashes: partial}
	return `UPDATE ` + s.Table() + ` SET applied = ` + strconv.Itoa(applied) + `, partial_hashes = ` + mysqlString(r.partialJSON()) + ` WHERE version = ` + mysqlString(version)
}

// mysqlString quotes a string literal for MySQL: backslashes and quotes
// escaped, NUL and newlines too.
func mysqlString(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\x00", `\0`, "\n", `\n`, "\r", `\r`, "\x1a", `\Z`).Replace(v) + "'"
}

// Delete removes the row of a version, if there is one (a version whose
// run was undone).
func (s *Store) Delete(ctx context.Context, q Execer, version string) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM `+s.Table()+` WHERE version = `+s.placeholder(1), version); err != nil {
		return fmt.Errorf("delete version %s from %s: %w", version, s, err)
	}
	return nil
}
