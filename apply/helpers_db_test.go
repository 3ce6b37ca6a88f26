package apply_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/postgres"
	"ariga.io/atlas/sql/sqlite"

	"github.com/ferrymigrate/ferry/apply"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/convert"
	"github.com/ferrymigrate/ferry/database"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/folder"
	"github.com/ferrymigrate/ferry/internal/dbconn"
	"github.com/ferrymigrate/ferry/internal/testdb"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

var update = flag.Bool("update", false, "rewrite the goldens in testdata/golden")

// operatorVersion is what the library tests record in every row.
const operatorVersion = "ferry vTEST"

// writeSum writes atlas.sum into dir, computed here without ferry's code
// (DESIGN §2.3): one SHA-256 runs over the *.up.sql files in byte order of
// their names, taking each name and then its bytes; a file's line is the
// padded standard base64 of the digest so far; the first line hashes every
// name and line. It returns each up file's line without "h1:", and checks
// that Atlas's own migrate.NewHashFile computes the same file.
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
	running, total := sha256.New(), sha256.New()
	lines := map[string]string{}
	var body bytes.Buffer
	var files []migrate.File
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, migrate.NewLocalFile(n, b))
		running.Write([]byte(n))
		running.Write(b)
		h := base64.StdEncoding.EncodeToString(running.Sum(nil))
		lines[n] = h
		body.WriteString(n + " h1:" + h + "\n")
		total.Write([]byte(n))
		total.Write([]byte(h))
	}
	sum := "h1:" + base64.StdEncoding.EncodeToString(total.Sum(nil)) + "\n" + body.String()
	hf, err := migrate.NewHashFile(files)
	if err != nil {
		t.Fatal(err)
	}
	if atlasSum, _ := hf.MarshalText(); string(atlasSum) != sum {
		t.Fatalf("the test's atlas.sum differs from Atlas's:\n%s\nAtlas:\n%s", sum, atlasSum)
	}
	if err := os.WriteFile(filepath.Join(dir, "atlas.sum"), []byte(sum), 0o644); err != nil {
		t.Fatal(err)
	}
	return lines
}

// writeFiles writes files into dir (replacing them) and removes the names
// mapped to "".
func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if content == "" {
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// cumulative computes partial hashes as revisions.md defines them, without
// ferry's code: entry i is "h1:" + base64(SHA-256 of texts 1..i).
func cumulative(texts []string) []string {
	h := sha256.New()
	out := make([]string, len(texts))
	for i, s := range texts {
		h.Write([]byte(s))
		out[i] = "h1:" + base64.StdEncoding.EncodeToString(h.Sum(nil))
	}
	return out
}

// atlasTexts returns the statement texts of a file as Atlas's own scanner
// for the dialect sees them.
func atlasTexts(t testing.TB, dialect string, b []byte) []string {
	t.Helper()
	var s migrate.StmtScanner
	switch dialect {
	case testdb.Postgres:
		s = &postgres.Driver{}
	case testdb.MySQL:
		s = &mysql.Driver{}
	default:
		s = &sqlite.Driver{}
	}
	stmts, err := s.ScanStmts(string(b))
	if err != nil {
		t.Fatalf("atlas scan: %v", err)
	}
	out := make([]string, len(stmts))
	for i, st := range stmts {
		out[i] = st.Text
	}
	return out
}

// ferryHashes returns sqlsplit.Hashes of a file.
func ferryHashes(t testing.TB, dialect string, b []byte) []string {
	t.Helper()
	d, err := engine.ParseDialect(dialect)
	if err != nil {
		t.Fatal(err)
	}
	stmts, err := sqlsplit.Split(d, b)
	if err != nil {
		t.Fatal(err)
	}
	return sqlsplit.Hashes(stmts)
}

// dbRow is one row of the revisions table as the engine stores it, read with
// plain SQL (not ferry's revision.Store). A SQL NULL in error, error_stmt or
// partial_hashes reads as sqlNull, so that it never passes for "" or JSON null.
type dbRow struct {
	goldenRow
	ExecutedAt    time.Time // microsecond precision (seconds on MariaDB)
	ExecutionTime int64
}

// goldenRow is what the goldens record of a row: every column but
// executed_at and execution_time, which are checked against the test's
// clock instead.
type goldenRow struct {
	Version         string          `json:"version"`
	Description     string          `json:"description"`
	Type            int64           `json:"type"`
	Applied         int64           `json:"applied"`
	Total           int64           `json:"total"`
	Error           string          `json:"error"`
	ErrorStmt       string          `json:"error_stmt"`
	Hash            string          `json:"hash"`
	PartialHashes   json.RawMessage `json:"partial_hashes"`
	OperatorVersion string          `json:"operator_version"`
}

const sqlNull = "<SQL NULL>"

// revisionsTable is where ferry puts the table for testdb's URLs:
// PostgreSQL URLs carry no search_path, so the schema atlas_schema_revisions.
func revisionsTable(dialect string) string {
	if dialect == testdb.Postgres {
		return `"atlas_schema_revisions"."atlas_schema_revisions"`
	}
	return "`atlas_schema_revisions`"
}

// tableExists reports whether a table exists: the revisions table when
// name is "atlas_schema_revisions" (in its schema on PostgreSQL), else a
// table of the database's own schema.
func tableExists(t testing.TB, db *testdb.DB, name string) bool {
	t.Helper()
	var q string
	switch db.Dialect {
	case testdb.Postgres:
		schema := "public"
		if name == "atlas_schema_revisions" {
			schema = name
		}
		q = `SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE schemaname = '` + schema + `' AND tablename = $1`
	case testdb.MySQL:
		q = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?`
	default:
		q = `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`
	}
	var n int
	if err := db.SQL.QueryRow(q, name).Scan(&n); err != nil {
		t.Fatalf("look up table %s: %v", name, err)
	}
	return n > 0
}

// readRows reads every revision row in numeric version order; a missing
// table reads as nil.
func readRows(t testing.TB, db *testdb.DB) []dbRow {
	t.Helper()
	if !tableExists(t, db, "atlas_schema_revisions") {
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
			// Normalise the engine's JSON spelling (jsonb adds spaces).
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
		t.Fatal(err)
	}
	slices.SortFunc(out, func(a, b dbRow) int {
		x, _ := strconv.ParseUint(a.Version, 10, 64)
		y, _ := strconv.ParseUint(b.Version, 10, 64)
		return int(x) - int(y)
	})
	return out
}

// rowOf returns the row of version v, failing the test when there is none.
func rowOf(t testing.TB, rows []dbRow, v string) dbRow {
	t.Helper()
	for _, r := range rows {
		if r.Version == v {
			return r
		}
	}
	t.Fatalf("no revision row for version %s in %v", v, rows)
	return dbRow{}
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

// inWindow reports whether a recorded time lies in [start, end]; MariaDB
// keeps whole seconds.
func inWindow(at, start, end time.Time) bool {
	return !at.Before(start.Truncate(time.Second)) && !at.After(end)
}

// legacy is golang-migrate's own view of the database.
type legacy struct {
	Version uint `json:"version"`
	Dirty   bool `json:"dirty"`
	Nil     bool `json:"nil_version"`
}

func (l legacy) String() string {
	if l.Nil {
		return "no version"
	}
	if l.Dirty {
		return fmt.Sprintf("%d dirty", l.Version)
	}
	return fmt.Sprintf("%d clean", l.Version)
}

// gmVersion asks golang-migrate's library for Version().
func gmVersion(t testing.TB, dir string, db *testdb.DB) legacy {
	t.Helper()
	v, dirty, nilV := testdb.Version(t, dir, db.URL)
	return legacy{Version: v, Dirty: dirty, Nil: nilV}
}

// wantVersion fails the test unless golang-migrate's Version() is want.
func wantVersion(t testing.TB, dir string, db *testdb.DB, want legacy) {
	t.Helper()
	if got := gmVersion(t, dir, db); got != want {
		t.Errorf("golang-migrate Version(): %s, want %s", got, want)
	}
}

// runApply runs apply.Apply as the CLI does: folder.Load, dbconn.Open,
// Apply with the options (OperatorVersion defaulted).
func runApply(t testing.TB, dir string, db *testdb.DB, o apply.Options) (*apply.Result, error) {
	t.Helper()
	return runApplyURL(t, dir, db.URL, o)
}

func runApplyURL(t testing.TB, dir, dbURL string, o apply.Options) (*apply.Result, error) {
	t.Helper()
	ctx := context.Background()
	if o.OperatorVersion == "" {
		o.OperatorVersion = operatorVersion
	}
	if o.TxMode == "" {
		o.TxMode = apply.TxFile
	}
	if o.LockTimeout == 0 {
		o.LockTimeout = time.Minute
	}
	p, err := folder.Load(os.DirFS(dir), dir)
	if err != nil {
		return nil, err
	}
	u, err := compat.ParseDatabaseURL(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	h, err := dbconn.Open(ctx, u, dbconn.ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	return apply.Apply(ctx, database.Wrap(h, u), p, o)
}

// mustApply is runApply that fails the test on an error.
func mustApply(t testing.TB, dir string, db *testdb.DB, o apply.Options) *apply.Result {
	t.Helper()
	res, err := runApply(t, dir, db, o)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return res
}

// preview runs apply.Preview.
func preview(t testing.TB, dir string, db *testdb.DB, o apply.Options) (*apply.Plan, error) {
	t.Helper()
	ctx := context.Background()
	if o.TxMode == "" {
		o.TxMode = apply.TxFile
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
	return apply.Preview(ctx, database.Wrap(h, u), p, o)
}

// convertDB converts golang-migrate's history into revisions with the
// library, as ferry convert does.
func convertDB(t testing.TB, dir string, db *testdb.DB) {
	t.Helper()
	ctx := context.Background()
	p, err := folder.Load(os.DirFS(dir), dir)
	if err != nil {
		t.Fatal(err)
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
	plan, err := convert.Prepare(ctx, database.Wrap(h, u), p, convert.Options{Now: time.Now(), OperatorVersion: "ferry vTEST (golang-migrate import)"})
	if err != nil {
		t.Fatalf("convert: %v", err)
	}
	if err := convert.Write(ctx, database.Wrap(h, u), plan, 5*time.Second); err != nil {
		t.Fatalf("convert: %v", err)
	}
}

// counts returns how often each value of column n occurs in table side.
func counts(t testing.TB, db *testdb.DB, table string) map[int]int {
	t.Helper()
	out := map[int]int{}
	if !tableExists(t, db, table) {
		return out
	}
	rows, err := db.SQL.Query(`SELECT n, COUNT(*) FROM ` + table + ` GROUP BY n`)
	if err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var n, c int
		if err := rows.Scan(&n, &c); err != nil {
			t.Fatal(err)
		}
		out[n] = c
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// exactlyOnce fails the test unless table holds each of 1..n exactly once
// and nothing else.
func exactlyOnce(t testing.TB, db *testdb.DB, table string, n int) {
	t.Helper()
	c := counts(t, db, table)
	var problems []string
	for i := 1; i <= n; i++ {
		if c[i] != 1 {
			problems = append(problems, fmt.Sprintf("%d ran %d times", i, c[i]))
		}
	}
	for k := range c {
		if k < 1 || k > n {
			problems = append(problems, fmt.Sprintf("unexpected %d", k))
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		t.Errorf("%s: every statement's side effect must happen exactly once: %s", table, strings.Join(problems, ", "))
	}
}

// ---- the ferry binary ----

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// ferryBin builds the ferry binary once per test binary.
func ferryBin(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ferry-apply-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "ferry")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/ferrymigrate/ferry/cmd/ferry").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// procResult is how a ferry process ended.
type procResult struct {
	killed         bool // died by SIGKILL
	exit           int
	stdout, stderr string
}

// exitOf fills exit and killed from a finished command.
func exitOf(cmd *exec.Cmd, err error) (exit int, killed bool) {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ee.ExitCode() == -1 {
			return -1, true
		}
		return ee.ExitCode(), false
	}
	if err != nil {
		return -2, false
	}
	return 0, false
}

// ferry runs the binary to its end.
func ferry(t testing.TB, args ...string) procResult {
	t.Helper()
	cmd := exec.Command(ferryBin(t), args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.Env = append(os.Environ(), "DATABASE_URL=")
	err := cmd.Run()
	r := procResult{stdout: out.String(), stderr: errOut.String()}
	r.exit, r.killed = exitOf(cmd, err)
	return r
}

// settle waits until no other session of the test's database is running a
// statement, has a transaction open or holds golang-migrate's (or ferry's)
// lock, so that the server has rolled back whatever a killed ferry left.
// The test's own idle pool connections do none of these.
func settle(t testing.TB, db *testdb.DB) {
	t.Helper()
	var q string
	switch db.Dialect {
	case testdb.Postgres:
		q = `SELECT COUNT(*) FROM pg_stat_activity a WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
			AND (a.state <> 'idle' OR a.xact_start IS NOT NULL OR EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory'))`
	case testdb.MySQL:
		gm := compat.MySQLLockName(db.Name, "schema_migrations")
		q = `SELECT (SELECT COUNT(*) FROM information_schema.processlist p WHERE p.db = DATABASE() AND p.id <> CONNECTION_ID() AND p.command <> 'Sleep')
			+ (SELECT COUNT(*) FROM information_schema.innodb_trx x JOIN information_schema.processlist p ON p.id = x.trx_mysql_thread_id WHERE p.db = DATABASE() AND p.id <> CONNECTION_ID())
			+ (IS_USED_LOCK('` + gm + `') IS NOT NULL)`
	default:
		return
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int
		if err := db.SQL.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("a dead ferry's session is still busy after 30s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
