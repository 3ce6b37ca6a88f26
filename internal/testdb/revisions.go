package testdb

import (
	"database/sql"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// SQLNull is how Revision spells a SQL NULL in the text columns error and
// error_stmt, and (as the JSON string "<SQL NULL>") in partial_hashes, so
// that NULL never passes for "" or JSON null.
const SQLNull = "<SQL NULL>"

// RevisionColumns are the columns of one row of ferry's revisions table that
// a golden file records: all but executed_at and execution_time, which tests
// check against their own clock instead. The JSON names are the column names.
type RevisionColumns struct {
	Version     string `json:"version"`
	Description string `json:"description"`
	Type        int64  `json:"type"`
	Applied     int64  `json:"applied"`
	Total       int64  `json:"total"`
	Error       string `json:"error"`
	ErrorStmt   string `json:"error_stmt"`
	Hash        string `json:"hash"`
	// PartialHashes is the column's JSON in compact form (PostgreSQL's jsonb
	// spacing removed): null, [] or an array of "h1:..." strings.
	PartialHashes   json.RawMessage `json:"partial_hashes"`
	OperatorVersion string          `json:"operator_version"`
}

// Revision is one row of ferry's revisions table as the engine stores it,
// read with plain SQL rather than ferry's revision package, so that a test
// checks ferry's writes against an independent reading of docs/revisions.md.
type Revision struct {
	RevisionColumns
	ExecutedAt    time.Time // microsecond precision (whole seconds on MariaDB)
	ExecutionTime int64
}

// RevisionsTable is the quoted name of ferry's revisions table for this
// package's URLs: they carry no search_path, so on PostgreSQL the table is in
// its own schema atlas_schema_revisions.
func RevisionsTable(dialect string) string {
	if dialect == Postgres {
		return `"atlas_schema_revisions"."atlas_schema_revisions"`
	}
	return "`atlas_schema_revisions`"
}

// TableExists reports whether a table exists: ferry's revisions table when
// name is "atlas_schema_revisions" (in its own schema on PostgreSQL), else a
// table of the database's own schema (public on PostgreSQL).
func (d *DB) TableExists(t testing.TB, name string) bool {
	t.Helper()
	var q string
	switch d.Dialect {
	case Postgres:
		schema := "public"
		if name == "atlas_schema_revisions" {
			schema = name
		}
		q = `SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE schemaname = '` + schema + `' AND tablename = $1`
	case MySQL:
		q = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?`
	default:
		q = `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`
	}
	var n int
	if err := d.SQL.QueryRow(q, name).Scan(&n); err != nil {
		t.Fatalf("look up table %s: %v", name, err)
	}
	return n > 0
}

// Revisions reads every row of ferry's revisions table in numeric version
// order, as golang-migrate orders versions; a missing table reads as nil.
// A row that cannot be read fails the test.
func (d *DB) Revisions(t testing.TB) []Revision {
	t.Helper()
	if !d.TableExists(t, "atlas_schema_revisions") {
		return nil
	}
	var at, partial string
	switch d.Dialect {
	case Postgres:
		at, partial = `(extract(epoch FROM executed_at) * 1000000)::bigint`, `partial_hashes::text`
	case MySQL:
		at, partial = `CAST(UNIX_TIMESTAMP(executed_at) * 1000000 AS SIGNED)`, `partial_hashes`
	default:
		at, partial = `executed_at`, `partial_hashes`
	}
	q := `SELECT version, description, type, applied, total, ` + at + `, execution_time, error, error_stmt, hash, ` + partial + `, operator_version FROM ` + RevisionsTable(d.Dialect)
	rows, err := d.SQL.Query(q)
	if err != nil {
		t.Fatalf("read revisions: %v", err)
	}
	defer rows.Close()
	var out []Revision
	for rows.Next() {
		var (
			r                Revision
			at               any
			errText, errStmt sql.NullString
			ph               sql.NullString
		)
		if err := rows.Scan(&r.Version, &r.Description, &r.Type, &r.Applied, &r.Total, &at, &r.ExecutionTime, &errText, &errStmt, &r.Hash, &ph, &r.OperatorVersion); err != nil {
			t.Fatalf("read revisions: %v", err)
		}
		r.Error, r.ErrorStmt = nullText(errText), nullText(errStmt)
		r.PartialHashes = json.RawMessage(`"` + SQLNull + `"`)
		if ph.Valid {
			var v any
			if err := json.Unmarshal([]byte(ph.String), &v); err != nil {
				t.Fatalf("version %s: partial_hashes %q is not JSON: %v", r.Version, ph.String, err)
			}
			b, _ := json.Marshal(v)
			r.PartialHashes = b
		}
		r.ExecutedAt = executedAt(t, at)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read revisions: %v", err)
	}
	slices.SortFunc(out, func(a, b Revision) int { return CompareVersions(a.Version, b.Version) })
	return out
}

// RevisionOf returns the row of version v, failing the test when there is
// none.
func RevisionOf(t testing.TB, rows []Revision, v string) Revision {
	t.Helper()
	for _, r := range rows {
		if r.Version == v {
			return r
		}
	}
	t.Fatalf("no revision row for version %s in %v", v, rows)
	return Revision{}
}

// InWindow reports whether a recorded time lies in [start, end]; MariaDB
// keeps whole seconds, so start is truncated to the second.
func InWindow(at, start, end time.Time) bool {
	return !at.Before(start.Truncate(time.Second)) && !at.After(end)
}

// CompareVersions orders versions as numbers, as golang-migrate does; a
// version that is not a number falls back to text order. It suits
// slices.SortFunc.
func CompareVersions(a, b string) int {
	x, err1 := strconv.ParseUint(a, 10, 64)
	y, err2 := strconv.ParseUint(b, 10, 64)
	if err1 != nil || err2 != nil {
		return strings.Compare(a, b)
	}
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func nullText(s sql.NullString) string {
	if !s.Valid {
		return SQLNull
	}
	return s.String
}

// executedAt turns the column into a time: microseconds since the epoch on
// PostgreSQL and MariaDB, text on SQLite.
func executedAt(t testing.TB, v any) time.Time {
	t.Helper()
	switch x := v.(type) {
	case time.Time:
		return x.UTC()
	case int64:
		return time.UnixMicro(x).UTC()
	case []byte:
		v = string(x)
	}
	s, ok := v.(string)
	if !ok {
		t.Fatalf("executed_at: unexpected %T %v", v, v)
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.UnixMicro(n).UTC()
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999"} {
		if tm, err := time.Parse(layout, s); err == nil {
			return tm.UTC()
		}
	}
	t.Fatalf("executed_at: cannot parse %q", s)
	return time.Time{}
}
