package convert_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/convert"
	"github.com/ferrymigrate/ferry/database"
	"github.com/ferrymigrate/ferry/folder"
	"github.com/ferrymigrate/ferry/internal/dbconn"
	"github.com/ferrymigrate/ferry/internal/testdb"
)

// operatorVersion is what the tests record in every row.
const operatorVersion = "ferry vTEST (golang-migrate import)"

// writeSum writes atlas.sum into dir, computed here without ferry's code, as
// DESIGN §2.3 says: one SHA-256 runs over the *.up.sql files in byte order of
// their names, taking each name and then its bytes; a file's line is the
// standard, padded base64 of the digest so far; the first line hashes every
// name and line. It returns each up file's line without "h1:". The test files
// carry no atlas:sum directive.
func writeSum(t testing.TB, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".up.sql") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	running := sha256.New()
	lines := map[string]string{}
	var body bytes.Buffer
	total := sha256.New()
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		running.Write([]byte(n))
		running.Write(b)
		h := base64.StdEncoding.EncodeToString(running.Sum(nil))
		lines[n] = h
		body.WriteString(n + " h1:" + h + "\n")
		total.Write([]byte(n))
		total.Write([]byte(h))
	}
	sum := "h1:" + base64.StdEncoding.EncodeToString(total.Sum(nil)) + "\n" + body.String()
	if err := os.WriteFile(filepath.Join(dir, "atlas.sum"), []byte(sum), 0o644); err != nil {
		t.Fatal(err)
	}
	return lines
}

// dbRow is one row of the revisions table as the engine stores it, read with
// plain SQL (not ferry's revision.Store). A SQL NULL in error, error_stmt or
// partial_hashes reads as sqlNull, so that it never passes for "" or JSON null.
type dbRow struct {
	goldenRow
	ExecutedAt    time.Time // microsecond precision (seconds on MariaDB)
	ExecutionTime int64
}

// goldenRow is what the goldens under testdata/golden record of a row:
// everything but executed_at and execution_time.
type goldenRow struct {
	Version         string          `json:"version"`
	Description     string          `json:"description"`
	Type            int64           `json:"type"`
	Applied         int64           `json:"applied"`
	Total           int64           `json:"total"`
	Hash            string          `json:"hash"`
	PartialHashes   json.RawMessage `json:"partial_hashes"`
	Error           string          `json:"error"`
	ErrorStmt       string          `json:"error_stmt"`
	OperatorVersion string          `json:"operator_version"`
}

const sqlNull = "<SQL NULL>"

// revisionsTable is where ferry puts the table for testdb's URLs: PostgreSQL
// URLs carry no search_path, so the schema atlas_schema_revisions.
func revisionsTable(dialect string) string {
	switch dialect {
	case testdb.Postgres:
		return `"atlas_schema_revisions"."atlas_schema_revisions"`
	default:
		return "`atlas_schema_revisions`"
	}
}

// tableExists reports whether the revisions table exists.
func tableExists(t testing.TB, db *testdb.DB) bool {
	t.Helper()
	var q string
	switch db.Dialect {
	case testdb.Postgres:
		q = `SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE schemaname = 'atlas_schema_revisions' AND tablename = 'atlas_schema_revisions'`
	case testdb.MySQL:
		q = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'atlas_schema_revisions'`
	default:
		q = `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'atlas_schema_revisions'`
	}
	var n int
	if err := db.SQL.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("look up the revisions table: %v", err)
	}
	return n > 0
}

// readRows reads every revision row in golang-migrate's (numeric) order; a
// missing table reads as nil.
func readRows(t testing.TB, db *testdb.DB) []dbRow {
	t.Helper()
	if !tableExists(t, db) {
		return nil
	}
	var at, partial string
	switch db.Dialect {
	case testdb.Postgres:
		at, partial = `(extract(epoch FROM executed_at) * 1000000)::bigint`, `partial_hashes::text`
	case testdb.MySQL:
		at, partial = `CAST(UNIX_TIMESTAMP(executed_at) * 1000000 AS SIGNED)`, `partial_hashes`
	default:
		at, partial = `executed_at`, `partial_hashes`
	}
	q := `SELECT version, description, type, applied, total, ` + at + `, execution_time, error, error_stmt, hash, ` + partial + `, operator_version FROM ` + revisionsTable(db.Dialect)
	rows, err := db.SQL.Query(q)
	if err != nil {
		t.Fatalf("read revisions: %v", err)
	}
	defer rows.Close()
	var out []dbRow
	for rows.Next() {
		var (
			r                dbRow
			at               any
			errText, errStmt sql.NullString
			ph               sql.NullString
		)
		if err := rows.Scan(&r.Version, &r.Description, &r.Type, &r.Applied, &r.Total, &at, &r.ExecutionTime, &errText, &errStmt, &r.Hash, &ph, &r.OperatorVersion); err != nil {
			t.Fatalf("read revisions: %v", err)
		}
		r.Error, r.ErrorStmt = nullText(errText), nullText(errStmt)
		r.PartialHashes = json.RawMessage(`"` + sqlNull + `"`)
		if ph.Valid {
			r.PartialHashes = json.RawMessage(ph.String)
		}
		r.ExecutedAt = executedAt(t, at)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(out, func(a, b dbRow) int { return compareVersions(t, a.Version, b.Version) })
	return out
}

func nullText(s sql.NullString) string {
	if !s.Valid {
		return sqlNull
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

func compareVersions(t testing.TB, a, b string) int {
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

// run converts db with the library as the CLI does: folder.Load, Prepare,
// Write. It returns the plan (nil on an error before planning).
func run(t testing.TB, dir string, db *testdb.DB, o convert.Options) (*convert.Plan, error) {
	t.Helper()
	ctx := context.Background()
	if o.OperatorVersion == "" {
		o.OperatorVersion = operatorVersion
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	p, err := folder.Load(os.DirFS(dir), dir)
	if err != nil {
		return nil, err
	}
	u, err := compat.ParseDatabaseURL(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	h, err := dbconn.Open(ctx, u, dbconn.ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	plan, err := convert.Prepare(ctx, database.Wrap(h, u), p, o)
	if err != nil {
		return nil, err
	}
	return plan, convert.Write(ctx, database.Wrap(h, u), plan, 5*time.Second)
}

// mustRun is run that fails the test on an error.
func mustRun(t testing.TB, dir string, db *testdb.DB, o convert.Options) *convert.Plan {
	t.Helper()
	plan, err := run(t, dir, db, o)
	if err != nil {
		t.Fatalf("convert: %v%s", err, disagreements(err))
	}
	return plan
}
