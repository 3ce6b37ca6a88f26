package apply_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-migrate/migrate/v4"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/internal/testdb"
)

// concurrentFiles is the size of the concurrency tests' project.
const concurrentFiles = 20

// countedFiles returns files 1..n: file 1 creates table side, and file v
// inserts the row v, taking about 20 ms.
func countedFiles(dialect string, n int) map[string]string {
	files := map[string]string{}
	for v := 1; v <= n; v++ {
		var body string
		if dialect == testdb.Postgres {
			body = fmt.Sprintf("INSERT INTO side (n) SELECT %d FROM pg_sleep(0.02);\n", v)
		} else {
			body = fmt.Sprintf("INSERT INTO side (n, slept) SELECT %d, SLEEP(0.02);\n", v)
		}
		if v == 1 {
			body = "CREATE TABLE side (n integer NOT NULL, slept integer);\n" + body
		}
		files[fmt.Sprintf("%02d_f%d.up.sql", v, v)] = body
		files[fmt.Sprintf("%02d_f%d.down.sql", v, v)] = fmt.Sprintf("DELETE FROM side WHERE n = %d;\n", v)
	}
	return files
}

// lockHeld reports whether some session holds golang-migrate's lock on db.
func lockHeld(ctx context.Context, db *testdb.DB) bool {
	var n int
	var err error
	if db.Dialect == testdb.Postgres {
		err = db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&n)
	} else {
		err = db.SQL.QueryRowContext(ctx, `SELECT IS_USED_LOCK(?) IS NOT NULL`, compat.MySQLLockName(db.Name, "schema_migrations")).Scan(&n)
	}
	return err == nil && n > 0
}

func waitLock(t *testing.T, ctx context.Context, db *testdb.DB) {
	t.Helper()
	for !lockHeld(ctx, db) {
		if ctx.Err() != nil {
			t.Fatal("nobody took golang-migrate's lock")
		}
		time.Sleep(time.Millisecond)
	}
}

// startFerry starts `ferry apply`; wait returns its result.
func startFerry(t *testing.T, args ...string) func() procResult {
	t.Helper()
	cmd := exec.Command(ferryBin(t), args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.Env = append(os.Environ(), "DATABASE_URL=")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return func() procResult {
		err := cmd.Wait()
		r := procResult{stdout: out.String(), stderr: errOut.String()}
		r.exit, r.killed = exitOf(cmd, err)
		return r
	}
}

// gmWaited reports whether golang-migrate's error only says it waited: no
// change, or (MariaDB's GET_LOCK gives up after 10 s) a lock timeout.
func gmWaited(err error) bool {
	return err == nil || errors.Is(err, migrate.ErrNoChange) || errors.Is(err, migrate.ErrLocked) ||
		strings.Contains(err.Error(), "can't acquire lock") || strings.Contains(err.Error(), "timeout")
}

// TestConcurrentRuns starts three `ferry apply` processes and golang-migrate's
// Up on one fresh database of 20 files, all at once (golang-migrate as soon
// as one ferry holds golang-migrate's lock; see TestGolangMigrateFirst for
// the other order). Afterwards every file's row is in side exactly once,
// golang-migrate's Version() is the last version, clean, and ferry's last
// revision is that version; no run failed but by waiting: one ferry applies
// everything, the others report no change, golang-migrate ErrNoChange (or
// a lock timeout on MariaDB).
func TestConcurrentRuns(t *testing.T) {
	t.Parallel()
	ferryBin(t)
	testdb.ForEach(t, []string{testdb.Postgres, testdb.MySQL}, func(t *testing.T, dialect string) {
		for round := range 3 {
			t.Run(fmt.Sprintf("round%d", round), func(t *testing.T) {
				db := testdb.New(t, dialect)
				dir := testdb.WriteDir(t, countedFiles(dialect, concurrentFiles))
				testdb.WriteSum(t, dir)
				ctx, stop := context.WithTimeout(context.Background(), 2*time.Minute)
				defer stop()
				modes := []string{"file", "none", "file"}
				waits := make([]func() procResult, len(modes))
				for i, mode := range modes {
					waits[i] = startFerry(t, "apply", "--path", dir, "--database", db.URL, "--tx-mode", mode)
				}
				waitLock(t, ctx, db)
				m := testdb.Migrator(t, dir, db.URL)
				var gmErr error
				var wg sync.WaitGroup
				wg.Add(1)
				go func() { defer wg.Done(); gmErr = m.Up() }()
				applied := 0
				for i, w := range waits {
					r := w()
					t.Logf("ferry %d (--tx-mode %s): exit %d\n%s%s", i, modes[i], r.exit, r.stdout, r.stderr)
					switch {
					case r.exit != 0:
						t.Errorf("ferry %d failed: exit %d\n%s", i, r.exit, r.stderr)
					case strings.Contains(r.stdout, "no change"):
					case strings.Count(r.stdout, "applied ") > 0:
						applied += strings.Count(r.stdout, "applied ")
					}
					if strings.Contains(r.stdout, "waiting") {
						t.Logf("ferry %d waited for the lock", i)
					}
				}
				wg.Wait()
				t.Logf("golang-migrate Up: %v", gmErr)
				if !gmWaited(gmErr) {
					t.Errorf("golang-migrate Up failed for another reason than waiting: %v", gmErr)
				}
				if applied != concurrentFiles {
					t.Errorf("the ferry runs applied %d files between them, want %d", applied, concurrentFiles)
				}
				exactlyOnce(t, db, "side", concurrentFiles)
				rows := db.Revisions(t)
				if len(rows) != concurrentFiles || rows[len(rows)-1].Version != fmt.Sprintf("%02d", concurrentFiles) {
					t.Errorf("%d revision rows, last %v", len(rows), rows[len(rows)-1].Version)
				}
				for _, r := range rows {
					if r.Applied != r.Total || r.Error != "" || string(r.PartialHashes) != "null" {
						t.Errorf("row %s unfinished: %+v", r.Version, r)
					}
				}
				wantVersion(t, dir, db, legacy{Version: concurrentFiles})
			})
		}
	})
}

// TestGolangMigrateFirst: golang-migrate's Up takes its lock first and runs
// the 20 files itself; three ferry runs started meanwhile wait for the lock
// and then refuse (golang-migrate recorded history that no revision
// describes: ferry convert first) without running anything. Every file
// runs exactly once and golang-migrate ends at the last version.
func TestGolangMigrateFirst(t *testing.T) {
	t.Parallel()
	ferryBin(t)
	testdb.ForEach(t, []string{testdb.Postgres, testdb.MySQL}, func(t *testing.T, dialect string) {
		db := testdb.New(t, dialect)
		dir := testdb.WriteDir(t, countedFiles(dialect, concurrentFiles))
		testdb.WriteSum(t, dir)
		ctx, stop := context.WithTimeout(context.Background(), 2*time.Minute)
		defer stop()
		m := testdb.Migrator(t, dir, db.URL)
		var gmErr error
		done := make(chan struct{})
		go func() { defer close(done); gmErr = m.Up() }()
		waitLock(t, ctx, db)
		var waits []func() procResult
		for range 3 {
			waits = append(waits, startFerry(t, "apply", "--path", dir, "--database", db.URL))
		}
		for i, w := range waits {
			r := w()
			t.Logf("ferry %d: exit %d\n%s%s", i, r.exit, r.stdout, r.stderr)
			if r.exit != 1 || !strings.Contains(r.stderr, "ferry convert") {
				t.Errorf("ferry %d: exit %d, want a refusal pointing at ferry convert\n%s", i, r.exit, r.stderr)
			}
		}
		<-done
		if gmErr != nil {
			t.Errorf("golang-migrate Up: %v", gmErr)
		}
		exactlyOnce(t, db, "side", concurrentFiles)
		if rows := db.Revisions(t); len(rows) != 0 {
			t.Errorf("the refused ferry runs wrote %d revision rows", len(rows))
		}
		wantVersion(t, dir, db, legacy{Version: concurrentFiles})
	})
}
