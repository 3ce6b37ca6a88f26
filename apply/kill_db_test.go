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
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/convert"
	"github.com/ferrymigrate/ferry/internal/dbconn"
	"github.com/ferrymigrate/ferry/internal/testdb"
)

// killStatements is the number of statements of the killed file.
const killStatements = 30

// slowInsert is a statement that takes about 50 ms and inserts the row n
// into table side.
func slowInsert(dialect string, n int) string {
	if dialect == testdb.Postgres {
		return fmt.Sprintf("INSERT INTO side (n) SELECT %d FROM pg_sleep(0.1);", n)
	}
	return fmt.Sprintf("INSERT INTO side (n, slept) SELECT %d, SLEEP(0.1);", n)
}

// sideFiles is the kill test's project: file 1 creates the side-effect
// table, file 2 has count slow statements, each inserting its number.
func sideFiles(dialect string, count int) map[string]string {
	var b strings.Builder
	for i := 1; i <= count; i++ {
		b.WriteString(slowInsert(dialect, i) + "\n")
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
	_ = c.QueryRowContext(ctx, `SELECT applied FROM `+revisionsTable(dialect)+` WHERE version = '2'`).Scan(&applied)
	return rows, applied
}

// TestKillAtEveryStatement runs `ferry apply --tx-mode none` as a process
// on a file of 30 slow statements (each inserts its number into table side)
// and SIGKILLs it at every statement boundary k = 0..30: a poller on
// another session waits until the k-th row is committed (for k = 0, until
// the file's revision row appears) and kills at once, while statement k+1
// sleeps. After each kill, once the server has ended the dead session, the
// rows in side must equal the recorded applied count (a statement and its
// progress commit together); a re-run must complete the file with every
// statement's row exactly once, and golang-migrate must report version 2,
// clean.
func TestKillAtEveryStatement(t *testing.T) {
	t.Parallel()
	bin := ferryBin(t)
	for _, dialect := range []string{testdb.Postgres, testdb.MySQL} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			dir := testdb.WriteDir(t, sideFiles(dialect, killStatements))
			writeSum(t, dir)
			outcomes := map[string]int{}
			var midFile, retries int
			for k := 0; k <= killStatements; k++ {
				t.Run(fmt.Sprintf("k%02d", k), func(t *testing.T) {
					// A kill lands late when the poller is descheduled for
					// longer than a statement (a loaded 2-core machine); such a
					// kill still tests a boundary, and boundary k is tried
					// again (5 times at most). Every attempt is checked in full.
					for attempt := 1; ; attempt++ {
						o := killAt(t, bin, dir, dialect, k)
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
}

type killOutcome struct {
	killed  bool
	rows    int // side rows after the kill
	applied int // the revision row's applied after the kill
	outcome string
}

func killAt(t *testing.T, bin, dir, dialect string, k int) killOutcome {
	db := testdb.New(t, dialect)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	poller, err := db.SQL.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer poller.Close()

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
	settle(t, db)
	o := killOutcome{killed: killed}
	o.rows, o.applied = sideCount(ctx, poller, dialect)
	o.rows = max(o.rows, 0)
	switch {
	case !killed:
		o.outcome = fmt.Sprintf("ended before the kill (exit %d)", exit)
	case o.applied < killStatements:
		o.outcome = "killed mid-file"
	case string(rowOf(t, readRows(t, db), "2").PartialHashes) != "null":
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
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			files := map[string]string{
				"1_side.up.sql": "CREATE TABLE side (n integer NOT NULL, slept integer);\n",
				"2_five.up.sql": "INSERT INTO side (n) VALUES (1);\nINSERT INTO side (n) VALUES (2);\nINSERT INTO side (n) VALUES (3);\nINSERT INTO side (n) VALUES (4);\nINSERT INTO side (n) VALUES (5);\n",
			}
			dir := testdb.WriteDir(t, files)
			writeSum(t, dir)
			for k := 1; k <= 5; k++ {
				t.Run(fmt.Sprintf("k%d", k), func(t *testing.T) {
					db := testdb.New(t, dialect)
					ctx, cancel := context.WithCancel(context.Background())
					defer cancel()
					p, err := convert.LoadProject(os.DirFS(dir), dir)
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
					_, err = apply.Apply(ctx, h, p, u, apply.Options{TxMode: apply.TxNone, LockTimeout: time.Minute, OperatorVersion: operatorVersion,
						Reporter: &cancelAfter{file: "2_five.up.sql", n: k, cancel: cancel}})
					h.Close()
					if !errors.Is(err, context.Canceled) {
						t.Fatalf("apply: %v, want context.Canceled", err)
					}
					r := rowOf(t, readRows(t, db), "2")
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
}
