package apply_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferrymigrate/ferry/apply"
	"github.com/ferrymigrate/ferry/database"
	"github.com/ferrymigrate/ferry/folder"
	"github.com/ferrymigrate/ferry/internal/testdb"
)

// killStatements is the number of statements of the killed file.
const killStatements = 30

// gates make the kill test deterministic: statement n of the killed file
// first takes gate n (a PostgreSQL advisory lock, a MySQL GET_LOCK), which
// nobody else holds, so it goes on at once; to kill after statement k the
// poller holds gate k+1 while ferry runs, so statement k+1 cannot finish
// before the kill lands, however loaded the machine is.
type gates struct {
	dialect string
	base    int64  // PostgreSQL: gate n is advisory key base+n
	prefix  string // MySQL: gate n is the lock prefix+n
}

func newGates(dialect string) gates {
	n := time.Now().UnixNano()
	return gates{dialect: dialect, base: 1_000_000 + n%1_000_000_000, prefix: fmt.Sprintf("ferry_gate_%x_", n)}
}

// insert is statement n: it passes gate n and inserts row n into side.
func (g gates) insert(n int) string {
	if g.dialect == testdb.Postgres {
		return fmt.Sprintf("INSERT INTO side (n) SELECT %d FROM pg_advisory_xact_lock(%d);", n, g.base+int64(n))
	}
	return fmt.Sprintf("INSERT INTO side (n, slept) SELECT %d, GET_LOCK('%s%d', 120);", n, g.prefix, n)
}

// hold takes gate n on conn.
func (g gates) hold(ctx context.Context, conn *sql.Conn, n int) error {
	if g.dialect == testdb.Postgres {
		_, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, g.base+int64(n))
		return err
	}
	var ok int
	return conn.QueryRowContext(ctx, `SELECT GET_LOCK(?, 0)`, fmt.Sprintf("%s%d", g.prefix, n)).Scan(&ok)
}

// release frees gate n on conn.
func (g gates) release(ctx context.Context, conn *sql.Conn, n int) error {
	if g.dialect == testdb.Postgres {
		_, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, g.base+int64(n))
		return err
	}
	_, err := conn.ExecContext(ctx, `SELECT RELEASE_LOCK(?)`, fmt.Sprintf("%s%d", g.prefix, n))
	return err
}

// drain ends, from conn, the session a killed ferry left waiting at gate n
// (the server only notices a dead client when it talks to it), and waits
// until no other session of the database is busy: only then may the gate
// open, or the dead session's statement would still run.
func (g gates) drain(t *testing.T, ctx context.Context, conn *sql.Conn, n int) {
	t.Helper()
	var kill, busy string
	var arg any
	if g.dialect == testdb.Postgres {
		kill = `SELECT COALESCE(bool_and(pg_terminate_backend(pid)), true) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = 0 AND objid = $1 AND objsubid = 1`
		arg = g.base + int64(n)
		busy = `SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'`
	} else {
		kill = `SELECT GROUP_CONCAT(id) FROM information_schema.processlist WHERE id <> CONNECTION_ID() AND state = 'User lock' AND info LIKE ?`
		arg = fmt.Sprintf("%%'%s%d'%%", g.prefix, n)
		busy = `SELECT COUNT(*) FROM information_schema.processlist WHERE db = DATABASE() AND id <> CONNECTION_ID() AND command <> 'Sleep'`
	}
	testdb.WaitZero(t, 5*time.Millisecond, func() (int, error) {
		if g.dialect == testdb.Postgres {
			var ok bool
			if err := conn.QueryRowContext(ctx, kill, arg).Scan(&ok); err != nil {
				return 0, err
			}
		} else {
			var ids sql.NullString
			if err := conn.QueryRowContext(ctx, kill, arg).Scan(&ids); err != nil {
				return 0, err
			}
			for id := range strings.SplitSeq(ids.String, ",") {
				if id != "" {
					_, _ = conn.ExecContext(ctx, "KILL "+id)
				}
			}
		}
		var n int
		err := conn.QueryRowContext(ctx, busy).Scan(&n)
		return n, err
	})
}

// sideFiles is the kill test's project: file 1 creates the side-effect
// table, file 2 has count gated statements, each inserting its number.
func sideFiles(g gates, count int) map[string]string {
	var b strings.Builder
	for i := 1; i <= count; i++ {
		b.WriteString(g.insert(i) + "\n")
	}
	return map[string]string{
		"1_side.up.sql":   "CREATE TABLE side (n integer NOT NULL, slept integer);\n",
		"1_side.down.sql": "DROP TABLE side;\n",
		"2_slow.up.sql":   b.String(),
	}
}

// sideCount returns the rows of side and the applied count of version 2's
// revision row (-1 when there is no table or row yet), on conn.
func sideCount(ctx context.Context, c *sql.Conn, dialect string) (rows, applied int) {
	rows, applied = -1, -1
	_ = c.QueryRowContext(ctx, `SELECT COUNT(*) FROM side`).Scan(&rows)
	_ = c.QueryRowContext(ctx, `SELECT applied FROM `+testdb.RevisionsTable(dialect)+` WHERE version = '2'`).Scan(&applied)
	return rows, applied
}

// TestKillAtEveryStatement runs `ferry apply --tx-mode none` as a process
// on a file of 30 statements (each inserts its number into table side)
// and SIGKILLs it at every statement boundary k = 0..30: a poller on
// another session holds gate k+1 (see gates), waits until the k-th row is
// committed (for k = 0, until the file's revision row appears) and kills,
// while statement k+1 waits at the gate. After each kill, once the server has ended the dead session, the
// rows in side must equal the recorded applied count (a statement and its
// progress commit together); a re-run must complete the file with every
// statement's row exactly once, and golang-migrate must report version 2,
// clean.
func TestKillAtEveryStatement(t *testing.T) {
	t.Parallel()
	bin := ferryBin(t)
	testdb.ForEach(t, []string{testdb.Postgres, testdb.MySQL}, func(t *testing.T, dialect string) {
		g := newGates(dialect)
		dir := testdb.WriteDir(t, sideFiles(g, killStatements))
		testdb.WriteSum(t, dir)
		outcomes := map[string]int{}
		var midFile, retries int
		for k := 0; k <= killStatements; k++ {
			t.Run(fmt.Sprintf("k%02d", k), func(t *testing.T) {
				// A kill lands late when the poller is descheduled for
				// longer than a statement (a loaded 2-core machine); such a
				// kill still tests a boundary, and boundary k is tried
				// again (5 times at most). Every attempt is checked in full.
				for attempt := 1; ; attempt++ {
					o := killAt(t, bin, dir, g, k)
					outcomes[o.outcome]++
					if o.killed && o.applied < killStatements {
						midFile++
					}
					if o.rows == k || t.Failed() {
						return
					}
					if attempt == 5 {
						t.Errorf("5 kills aimed after statement %d landed elsewhere", k)
						return
					}
					retries++
				}
			})
		}
		t.Logf("%s: %d kills for %d boundaries (%d tried again because the kill landed late); %d left the file part-way (0 to 29 of 30 applied); outcomes %v",
			dialect, killStatements+1+retries, killStatements+1, retries, midFile, outcomes)
	})
}

type killOutcome struct {
	killed  bool
	rows    int // side rows after the kill
	applied int // the revision row's applied after the kill
	outcome string
}

func killAt(t *testing.T, bin, dir string, g gates, k int) killOutcome {
	dialect := g.dialect
	db := testdb.New(t, dialect)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	poller, err := db.SQL.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer poller.Close()
	if k < killStatements {
		if err := g.hold(ctx, poller, k+1); err != nil {
			t.Fatal(err)
		}
	}

	cmd := exec.Command(bin, "apply", "--path", dir, "--database", db.URL, "--tx-mode", "none")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Env = append(os.Environ(), "DATABASE_URL=")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	seen := -1
	var werr error
poll:
	for {
		select {
		case werr = <-done:
			break poll
		default:
		}
		rows, applied := sideCount(ctx, poller, dialect)
		if k == 0 && applied >= 0 || k > 0 && rows >= k {
			_ = cmd.Process.Signal(syscall.SIGKILL)
			seen = rows
			werr = <-done
			break
		}
	}
	exit, killed := exitOf(cmd, werr)
	if k < killStatements {
		g.drain(t, ctx, poller, k+1)
		if err := g.release(ctx, poller, k+1); err != nil {
			t.Fatal(err)
		}
	}
	settle(t, db)
	o := killOutcome{killed: killed}
	o.rows, o.applied = sideCount(ctx, poller, dialect)
	o.rows = max(o.rows, 0)
	switch {
	case !killed:
		o.outcome = fmt.Sprintf("ended before the kill (exit %d)", exit)
	case o.applied < killStatements:
		o.outcome = "killed mid-file"
	case string(testdb.RevisionOf(t, db.Revisions(t), "2").PartialHashes) != "null":
		o.outcome = "killed between the last statement and the file's completion"
	default:
		o.outcome = "killed after the file completed"
	}
	t.Logf("kill after %2d: poller saw %2d rows; after the kill %2d rows, applied %2d: %s", k, seen, o.rows, o.applied, o.outcome)
	if !killed && exit != 0 {
		t.Fatalf("ferry failed before the kill: exit %d\n%s", exit, stderr.String())
	}
	if o.rows != max(o.applied, 0) {
		t.Errorf("after the kill side holds %d rows but the revision row records %d applied", o.rows, o.applied)
	}
	if o.applied < killStatements {
		wantVersion(t, dir, db, legacy{Version: 2, Dirty: true})
	}

	again := ferry(t, "apply", "--path", dir, "--database", db.URL, "--tx-mode", "none")
	if again.exit != 0 {
		t.Fatalf("re-run: exit %d\n%s%s", again.exit, again.stdout, again.stderr)
	}
	exactlyOnce(t, db, "side", killStatements)
	checkCompleteRow(t, db, "2", killStatements)
	checkCompleteRow(t, db, "1", 1)
	wantVersion(t, dir, db, legacy{Version: 2})
	return o
}

// cancelAfter is a Reporter that cancels the run's context once statement
// n of file is reported done: the statement and its progress have
// committed, nothing after them has.
type cancelAfter struct {
	file   string
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Report(e apply.Event) {
	if e.Kind == apply.StatementDone && e.File == c.file && e.Statement == c.n {
		c.cancel()
	}
}

// TestInterruptAtEveryStatement is the kill test without a process, on
// every engine and without timing: the run's context is cancelled right
// after statement k of 5 committed (k = 1..5; at k = 5 that is between the
// last statement and the file's completion). Then the rows in side equal the
// recorded applied count, golang-migrate is dirty at the file, and a re-run
// completes it with every statement's row exactly once.
func TestInterruptAtEveryStatement(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, testdb.Dialects(), func(t *testing.T, dialect string) {
		files := map[string]string{
			"1_side.up.sql": "CREATE TABLE side (n integer NOT NULL, slept integer);\n",
			"2_five.up.sql": "INSERT INTO side (n) VALUES (1);\nINSERT INTO side (n) VALUES (2);\nINSERT INTO side (n) VALUES (3);\nINSERT INTO side (n) VALUES (4);\nINSERT INTO side (n) VALUES (5);\n",
		}
		dir := testdb.WriteDir(t, files)
		testdb.WriteSum(t, dir)
		for k := 1; k <= 5; k++ {
			t.Run(fmt.Sprintf("k%d", k), func(t *testing.T) {
				db := testdb.New(t, dialect)
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				p, err := folder.Load(os.DirFS(dir), dir)
				if err != nil {
					t.Fatal(err)
				}
				h, u := testdb.Connect(t, db.URL)
				_, err = apply.Apply(ctx, database.Wrap(h, u), p, apply.Options{TxMode: apply.TxNone, LockTimeout: time.Minute, OperatorVersion: operatorVersion,
					Reporter: &cancelAfter{file: "2_five.up.sql", n: k, cancel: cancel}})
				h.Close()
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("apply: %v, want context.Canceled", err)
				}
				r := testdb.RevisionOf(t, db.Revisions(t), "2")
				if c := counts(t, db, "side"); len(c) != k || r.Applied != int64(k) {
					t.Errorf("after the interruption: side %v, applied %d, want %d of each", c, r.Applied, k)
				}
				wantVersion(t, dir, db, legacy{Version: 2, Dirty: true})
				mustApply(t, dir, db, apply.Options{TxMode: apply.TxNone})
				exactlyOnce(t, db, "side", 5)
				checkCompleteRow(t, db, "2", 5)
				wantVersion(t, dir, db, legacy{Version: 2})
			})
		}
	})
}
