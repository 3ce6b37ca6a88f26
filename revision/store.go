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
	rs := u.Dialect.Revisions()
	if rs == nil {
		return nil, fmt.Errorf("unknown dialect %q", u.Dialect)
	}
	p, err := rs.Locate(ctx, q, engine.RevisionsAt{Override: override, SearchPath: u.SearchPath, Database: u.Database, Default: DefaultSchema})
	if err != nil {
		return nil, err
	}
	return &Store{Dialect: u.Dialect, Schema: p.Schema, MariaDB: p.MariaDB}, nil
}

// LocateRead locates the table as Locate does and reads its rows as Read
// does.
func LocateRead(ctx context.Context, q Querier, u *compat.DatabaseURL, override string) (*Store, []Row, error) {
	s, err := Locate(ctx, q, u, override)
	if err != nil {
		return nil, nil, err
	}
	rows, err := s.Read(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	return s, rows, nil
}

// sql is the engine's SQL for the table.
func (s *Store) sql() engine.RevisionSQL { return s.Dialect.Revisions() }

// Table returns the qualified, quoted table name.
func (s *Store) Table() string { return s.sql().Table(s.Schema, TableName) }

// String names the table for people.
func (s *Store) String() string {
	if s.Schema == "" {
		return TableName
	}
	return s.Schema + "." + TableName
}

// Exists reports whether the table exists.
func (s *Store) Exists(ctx context.Context, q Querier) (bool, error) {
	var n int
	query, args := s.sql().TableExists(s.Schema, TableName)
	if err := q.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return false, fmt.Errorf("look up %s: %w", s, err)
	}
	return n > 0, nil
}

// CreateStatements returns the statements that create the table exactly as
// Atlas defines it (and, on PostgreSQL, its schema).
func (s *Store) CreateStatements() []string {
	return s.sql().CreateTable(s.Schema, TableName, engine.RevisionsPlace{Schema: s.Schema, MariaDB: s.MariaDB})
}

// createSchema creates the schema (PostgreSQL) or database (MySQL) of the
// table when it is missing. It checks first: CREATE SCHEMA IF NOT EXISTS
// needs the CREATE privilege on the database even when the schema exists,
// which application roles usually lack.
func (s *Store) createSchema(ctx context.Context, q Querier) error {
	query, args := s.sql().SchemaExists(s.Schema)
	if query == "" {
		return nil
	}
	var n int
	if err := q.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return fmt.Errorf("look up schema %s: %w", s.Schema, err)
	}
	if n > 0 {
		return nil
	}
	if _, err := q.ExecContext(ctx, s.sql().CreateSchema(s.Schema)); err != nil {
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
		if stmt == s.sql().CreateSchema(s.Schema) {
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
	cols := strings.Replace(columns, "executed_at", s.sql().ReadTime("executed_at"), 1)
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
				b.WriteString(s.value(j, len(args)+j+1))
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

func (s *Store) placeholder(n int) string { return s.Dialect.Placeholder(n) }

// value is the expression of column j (of columns) bound at parameter n:
// executed_at (j 5) goes through the engine's time conversion.
func (s *Store) value(j, n int) string {
	if j == 5 {
		return s.sql().WriteTime(s.placeholder(n))
	}
	return s.placeholder(n)
}

// timeValue renders executed_at for the engine.
func (s *Store) timeValue(t time.Time) any { return s.sql().TimeValue(t) }

// Upsert writes one row, replacing the row of the same version.
func (s *Store) Upsert(ctx context.Context, q Execer, r Row) error {
	conflict := s.sql().OnConflict("version", strings.Split(columns, ", ")[1:])
	var b strings.Builder
	b.WriteString(`INSERT INTO ` + s.Table() + ` (` + columns + `) VALUES (`)
	for j := range 12 {
		if j > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s.value(j, j+1))
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
