package convert_test

import (
	"context"
	"database/sql"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/internal/testdb"
)

// killVersions is the size of the history the kill test converts.
const killVersions = 5000

// TestKillMidWrite runs `ferry convert` as a process on a history of
// killVersions versions and SIGKILLs it: first after ten delays that sweep a
// normal run from 0 to its duration, then (since a sweep lands in the short
// write phase only by luck) at four offsets after a poller first sees ferry
// inside Write, holding golang-migrate's lock. After each kill, once the
// server has ended the dead session, the revisions table holds no row or
// every row, never part of the history; golang-migrate's row is untouched;
// and a following convert completes with every row.
//
// A kill counts as mid-write when the poller saw ferry holding
// golang-migrate's lock (which Write takes first, inside its transaction on
// PostgreSQL, just before it on MariaDB) and no row was committed.
func TestKillMidWrite(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "ferry")
	build := exec.Command("go", "build", "-o", bin, "github.com/ferrymigrate/ferry/cmd/ferry")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	files := map[string]string{}
	for v := 1; v <= killVersions; v++ {
		files[fmt.Sprintf("%06d_t%d.up.sql", v, v)] = fmt.Sprintf("CREATE TABLE t%d (id integer);\nINSERT INTO t%d (id) VALUES (%d);\n", v, v, v)
	}
	testdb.ForEach(t, []string{testdb.Postgres, testdb.MySQL}, func(t *testing.T, dialect string) {
		killSweep(t, bin, dialect, files)
	})
}

// kill says when to kill ferry: after a delay from its start, or after a
// delay from the first sight of it holding golang-migrate's lock.
type kill struct {
	after   time.Duration
	onWrite bool
}

func (k kill) String() string {
	if k.onWrite {
		return fmt.Sprintf("%s after the lock", k.after.Round(time.Millisecond))
	}
	return fmt.Sprintf("%s after start", k.after.Round(time.Millisecond))
}

func killSweep(t *testing.T, bin, dialect string, files map[string]string) {
	db := testdb.New(t, dialect)
	dir := testdb.WriteDir(t, files)
	testdb.WriteSum(t, dir)
	// golang-migrate's own Force records the history's last version, as if
	// its Up had run every file (running 5,000 files would only be slow).
	if err := testdb.Migrator(t, dir, db.URL).Force(killVersions); err != nil {
		t.Fatal(err)
	}
	w := &watcher{db: db, lockName: compat.MySQLLockName(db.Name, "schema_migrations")}

	// Calibrate: a normal run, and when ferry held the lock.
	var total, lockFrom, lockTo time.Duration
	for range 3 {
		w.reset(t)
		r := w.convert(t, bin, dir, nil)
		if r.killed || r.rows != killVersions {
			t.Fatalf("calibration run: killed %v, %d rows\n%s", r.killed, r.rows, r.stderr)
		}
		if total == 0 || r.took < total {
			total, lockFrom, lockTo = r.took, r.firstLock, r.lastLock
		}
	}
	t.Logf("%s: a normal run takes %s; ferry was seen holding the lock from %s to %s", dialect, total.Round(time.Millisecond), lockFrom.Round(time.Millisecond), lockTo.Round(time.Millisecond))
	if lockFrom == 0 {
		t.Errorf("the poller never saw ferry holding golang-migrate's lock")
	}

	var kills []kill
	for i := range 10 {
		kills = append(kills, kill{after: total * time.Duration(i) / 9})
	}
	for i := range 4 {
		kills = append(kills, kill{after: (lockTo - lockFrom) * time.Duration(i) / 4, onWrite: true})
	}
	counts := map[string]int{}
	for _, k := range kills {
		w.reset(t)
		r := w.convert(t, bin, dir, &k)
		outcome := r.outcome()
		counts[outcome]++
		t.Logf("%s: kill %-22s %-26s %4d rows, table %-5v (process ended after %s)", dialect, k, outcome, r.rows, r.table, r.took.Round(time.Millisecond))
		if r.rows != 0 && r.rows != killVersions {
			t.Errorf("kill %s left %d of %d rows", k, r.rows, killVersions)
		}
		if v, dirty, nilV := testdb.Version(t, dir, db.URL); v != killVersions || dirty || nilV {
			t.Errorf("golang-migrate's row changed: %d dirty=%v nil=%v", v, dirty, nilV)
		}
		if again := w.convert(t, bin, dir, nil); again.killed || again.rows != killVersions || again.exit != 0 {
			t.Errorf("convert after the kill: exit %d, %d rows\n%s", again.exit, again.rows, again.stderr)
		}
	}
	t.Logf("%s: %d kills: %v", dialect, len(kills), counts)
	if counts["killed mid-write"] == 0 {
		t.Errorf("no kill landed mid-write")
	}
}

// watcher runs ferry on one database and watches golang-migrate's lock.
type watcher struct {
	db       *testdb.DB
	lockName string // MariaDB's GET_LOCK name
}

type runResult struct {
	killed              bool // died by the signal
	exit                int
	stderr              string
	took                time.Duration // until the process ended
	firstLock, lastLock time.Duration // when ferry was seen holding the lock; 0 if never
	rows                int           // revision rows once the server ended ferry's session
	table               bool          // whether the revisions table exists then
}

func (r runResult) outcome() string {
	switch {
	case !r.killed:
		return "finished before the kill"
	case r.rows == killVersions:
		return "killed after the commit"
	case r.firstLock > 0:
		return "killed mid-write"
	}
	return "killed before writing"
}

// reset drops the revisions table.
func (w *watcher) reset(t *testing.T) {
	t.Helper()
	if w.db.Dialect == testdb.Postgres {
		w.db.Exec(t, "DROP SCHEMA IF EXISTS atlas_schema_revisions CASCADE")
	} else {
		w.db.Exec(t, "DROP TABLE IF EXISTS atlas_schema_revisions")
	}
}

// convert runs ferry convert, killing it as k says (never when k is nil).
func (w *watcher) convert(t *testing.T, bin, dir string, k *kill) runResult {
	t.Helper()
	var stderr strings.Builder
	cmd := exec.Command(bin, "convert", "--path", dir, "--database", w.db.URL)
	cmd.Stderr = &stderr
	poller, err := w.db.SQL.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer poller.Close()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var first, last atomic.Int64
	polled := make(chan struct{})
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	signal := func() { _ = cmd.Process.Signal(syscall.SIGKILL) }
	go func() {
		defer close(polled)
		for ctx.Err() == nil {
			if w.locked(ctx, poller) {
				at := int64(time.Since(start))
				if first.CompareAndSwap(0, at) && k != nil && k.onWrite {
					time.AfterFunc(k.after, signal)
				}
				last.Store(at)
			}
		}
	}()
	if k != nil && !k.onWrite {
		time.AfterFunc(k.after, signal)
	}
	err = cmd.Wait()
	r := runResult{took: time.Since(start), stderr: stderr.String()}
	stop()
	<-polled
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		r.killed = true
	} else if err != nil {
		r.exit = cmd.ProcessState.ExitCode()
	}
	r.firstLock, r.lastLock = time.Duration(first.Load()), time.Duration(last.Load())
	w.settle(t)
	r.rows, r.table = len(w.db.Revisions(t)), w.db.TableExists(t, "atlas_schema_revisions")
	return r
}

// locked reports whether another session holds golang-migrate's lock.
func (w *watcher) locked(ctx context.Context, c *sql.Conn) bool {
	var n int
	var err error
	if w.db.Dialect == testdb.Postgres {
		err = c.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&n)
	} else {
		err = c.QueryRowContext(ctx, `SELECT IS_USED_LOCK(?) IS NOT NULL`, w.lockName).Scan(&n)
	}
	return err == nil && n > 0
}

// settle waits until no other session has a transaction open on the
// database or holds golang-migrate's lock, so that the server has rolled
// back whatever a killed ferry left.
func (w *watcher) settle(t *testing.T) {
	t.Helper()
	q := `SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL`
	if w.db.Dialect == testdb.MySQL {
		q = `SELECT COUNT(*) + (IS_USED_LOCK('` + w.lockName + `') IS NOT NULL) FROM information_schema.innodb_trx t JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id WHERE p.db = DATABASE() AND p.id <> CONNECTION_ID()`
	}
	testdb.WaitZero(t, 10*time.Millisecond, func() (int, error) {
		var n int
		err := w.db.SQL.QueryRow(q).Scan(&n)
		return n, err
	})
}
