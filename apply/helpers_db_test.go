package apply_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferrymigrate/ferry/apply"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/database"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/folder"
	"github.com/ferrymigrate/ferry/internal/testdb"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

var update = flag.Bool("update", false, "rewrite the goldens in testdata/golden")

// operatorVersion is what the library tests record in every row.
const operatorVersion = "ferry vTEST"

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
	h, u := testdb.Connect(t, dbURL)
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
	h, u := testdb.Connect(t, db.URL)
	defer h.Close()
	return apply.Preview(ctx, database.Wrap(h, u), p, o)
}

// convertDB converts golang-migrate's history into revisions with the
// library, as ferry convert does.
func convertDB(t testing.TB, dir string, db *testdb.DB) {
	t.Helper()
	h, u := testdb.Connect(t, db.URL)
	defer h.Close()
	testdb.Convert(t, h, u, dir, "ferry vTEST (golang-migrate import)", 5*time.Second)
}

// counts returns how often each value of column n occurs in table side.
func counts(t testing.TB, db *testdb.DB, table string) map[int]int {
	t.Helper()
	out := map[int]int{}
	if !db.TableExists(t, table) {
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
	testdb.WaitZero(t, 5*time.Millisecond, func() (int, error) {
		var n int
		err := db.SQL.QueryRow(q).Scan(&n)
		return n, err
	})
}
