package apply_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ferrymigrate/ferry/internal/testdb"
)

// connKillStatements is the size of the slow file of the connection-kill
// test; each statement takes about 200 ms.
const connKillStatements = 10

func slowFiles(dialect string, n int, sleep string) map[string]string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if dialect == testdb.Postgres {
			fmt.Fprintf(&b, "INSERT INTO side (n) SELECT %d FROM pg_sleep(%s);\n", i, sleep)
		} else {
			fmt.Fprintf(&b, "INSERT INTO side (n, slept) SELECT %d, SLEEP(%s);\n", i, sleep)
		}
	}
	return map[string]string{
		"1_side.up.sql": "CREATE TABLE side (n integer NOT NULL, slept integer);\n",
		"2_slow.up.sql": b.String(),
	}
}

// TestConnectionKilled kills ferry's session from another session while
// `ferry apply` runs a slow file (PostgreSQL: pg_terminate_backend of the
// pid pg_stat_activity shows running the file's statement; MariaDB: KILL
// CONNECTION of the id information_schema.processlist shows). ferry must
// exit 1 with an error naming the file; a re-run completes, every
// statement's row exactly once, and golang-migrate reports version 2 clean.
func TestConnectionKilled(t *testing.T) {
	t.Parallel()
	bin := ferryBin(t)
	cases := []struct{ dialect, mode string }{
		{testdb.Postgres, "none"},
		{testdb.Postgres, "file"},
		{testdb.MySQL, "file"}, // statement by statement anyway
	}
	for _, c := range cases {
		t.Run(c.dialect+"_"+c.mode, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, c.dialect)
			dir := testdb.WriteDir(t, slowFiles(c.dialect, connKillStatements, "0.2"))
			testdb.WriteSum(t, dir)
			ctx, stop := context.WithTimeout(context.Background(), time.Minute)
			defer stop()

			cmd := exec.Command(bin, "apply", "--path", dir, "--database", db.URL, "--tx-mode", c.mode)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			cmd.Env = append(os.Environ(), "DATABASE_URL=")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Wait for statement 4 to be running, then kill its session.
			var victim int64
			for victim == 0 && ctx.Err() == nil {
				var err error
				if c.dialect == testdb.Postgres {
					err = db.SQL.QueryRowContext(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
						AND state = 'active' AND query LIKE 'INSERT INTO side (n) SELECT 4 %'`).Scan(&victim)
				} else {
					err = db.SQL.QueryRowContext(ctx, `SELECT id FROM information_schema.processlist WHERE db = DATABASE() AND id <> CONNECTION_ID()
						AND command = 'Query' AND info LIKE 'INSERT INTO side (n, slept) SELECT 4,%'`).Scan(&victim)
				}
				if err != nil {
					time.Sleep(2 * time.Millisecond)
				}
			}
			if c.dialect == testdb.Postgres {
				var ok bool
				if err := db.SQL.QueryRow(`SELECT pg_terminate_backend($1)`, victim).Scan(&ok); err != nil || !ok {
					t.Fatalf("pg_terminate_backend(%d): %v %v", victim, ok, err)
				}
			} else {
				db.Exec(t, fmt.Sprintf("KILL CONNECTION %d", victim))
			}
			err := cmd.Wait()
			exit, killed := exitOf(cmd, err)
			t.Logf("killed session %d; ferry exit %d\nstdout:\n%sstderr:\n%s", victim, exit, stdout.String(), stderr.String())
			if killed || exit != 1 {
				t.Errorf("ferry exit %d (killed %v), want 1", exit, killed)
			}
			if !strings.Contains(stderr.String(), "2_slow.up.sql") || !strings.Contains(stderr.String(), "statement 4 of 10") {
				t.Errorf("the error does not name the file and statement:\n%s", stderr.String())
			}
			if !strings.Contains(stderr.String(), "the connection was lost") {
				t.Errorf("the next step does not say the connection was lost:\n%s", stderr.String())
			}
			settle(t, db)
			want := 3
			if c.mode == "file" && c.dialect == testdb.Postgres {
				want = 0 // the file's transaction is lost with the session
			}
			got := counts(t, db, "side")
			var applied int64
			for _, r := range db.Revisions(t) {
				if r.Version == "2" {
					applied = r.Applied
					t.Logf("after the kill: revision row applied %d/%d, error %q", r.Applied, r.Total, r.Error)
				}
			}
			t.Logf("after the kill: %d rows in side", len(got))
			if len(got) != want || applied != int64(want) {
				t.Errorf("after the kill: side %v, applied %d; want %d of each", got, applied, want)
			}
			if want == 0 {
				wantVersion(t, dir, db, legacy{Version: 1})
			} else {
				wantVersion(t, dir, db, legacy{Version: 2, Dirty: true})
			}

			again := ferry(t, "apply", "--path", dir, "--database", db.URL, "--tx-mode", c.mode)
			if again.exit != 0 {
				t.Fatalf("re-run: exit %d\n%s%s", again.exit, again.stdout, again.stderr)
			}
			exactlyOnce(t, db, "side", connKillStatements)
			checkCompleteRow(t, db, "2", connKillStatements)
			wantVersion(t, dir, db, legacy{Version: 2})
		})
	}
}
