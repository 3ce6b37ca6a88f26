package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-migrate/migrate/v4/database"

	"github.com/ferrymigrate/ferry/cmd/ferry/cli"
	"github.com/ferrymigrate/ferry/internal/testdb"
)

var convertFiles = testdb.ThreeVersions()

// ferry runs the CLI in-process.
func ferry(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = cli.Execute(context.Background(), args, nil, &out, &errOut)
	return code, out.String(), errOut.String()
}

// convertProject writes convertFiles and their atlas.sum (ferry hash).
func convertProject(t *testing.T) string {
	t.Helper()
	dir := testdb.WriteDir(t, convertFiles)
	if code, out, errOut := ferry(t, "hash", "--path", dir); code != 0 {
		t.Fatalf("ferry hash: exit %d\n%s%s", code, out, errOut)
	}
	return dir
}

// revisionTable is where ferry puts the table for testdb's URLs.
func revisionTable(db *testdb.DB) string {
	if db.Dialect == testdb.Postgres {
		return `"atlas_schema_revisions"."atlas_schema_revisions"`
	}
	return "atlas_schema_revisions"
}

// revisionCount returns the number of revision rows, or -1 when the table
// does not exist.
func revisionCount(t *testing.T, db *testdb.DB) int {
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
		t.Fatal(err)
	}
	if n == 0 {
		return -1
	}
	if err := db.SQL.QueryRow(`SELECT COUNT(*) FROM ` + revisionTable(db)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

type convertJSON struct {
	DryRun  bool `json:"dry_run"`
	Targets []struct {
		Database string `json:"database"`
		OK       bool   `json:"ok"`
		Written  bool   `json:"written"`
		Error    string `json:"error"`
		Rows     []struct {
			Version string `json:"version"`
			Type    uint   `json:"type"`
		} `json:"rows"`
	} `json:"targets"`
}

// TestConvertFleet converts twenty databases in one run, PostgreSQL, MariaDB
// and SQLite mixed, one of them unreachable: the nineteen others are
// converted, the one failure names its redacted URL (never its password),
// and the exit code is 1.
func TestConvertFleet(t *testing.T) {
	t.Parallel()
	const secret = "s3cret-fleet-pw"
	cases := []struct {
		name        string
		unreachable func(t *testing.T) (url, shown string)
	}{
		{"postgres on a closed port", func(t *testing.T) (string, string) {
			return "postgres://ferry:" + secret + "@127.0.0.1:1/nope?sslmode=disable", "postgres://ferry:xxxxx@127.0.0.1:1/nope?sslmode=disable"
		}},
		{"sqlite in a missing folder", func(t *testing.T) (string, string) {
			u := "sqlite://" + filepath.Join(t.TempDir(), "missing", "folder", "app.db")
			return u, u
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := convertProject(t)
			var dbs []*testdb.DB
			for i := range 19 {
				d := testdb.Dialects()[i%3]
				db := testdb.New(t, d)
				testdb.Up(t, dir, db.URL)
				dbs = append(dbs, db)
			}
			bad, shown := c.unreachable(t)
			args := []string{"convert", "--path", dir, "--json", "--concurrency", "8"}
			urls := make([]string, 0, 20)
			for i, db := range dbs {
				if i == 7 {
					urls = append(urls, bad)
				}
				urls = append(urls, db.URL)
			}
			for _, u := range urls {
				args = append(args, "--database", u)
			}
			code, out, errOut := ferry(t, args...)
			if code != 1 {
				t.Errorf("exit %d, want 1; stderr:\n%s", code, errOut)
			}
			if strings.Contains(out+errOut, secret) {
				t.Errorf("the password is in the output:\n%s%s", out, errOut)
			}
			var res convertJSON
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, out)
			}
			if len(res.Targets) != 20 {
				t.Fatalf("%d results, want 20", len(res.Targets))
			}
			converted := 0
			for i, r := range res.Targets {
				if urls[i] == bad {
					if r.OK || r.Written || r.Database != shown || !strings.Contains(r.Error, shown) {
						t.Errorf("the unreachable database's result: %+v; want a failure whose error names %s", r, shown)
					}
					t.Logf("its error: %s", r.Error)
					continue
				}
				if !r.OK || !r.Written || len(r.Rows) != 3 || r.Error != "" {
					t.Errorf("target %d (%s): %+v", i, r.Database, r)
					continue
				}
				converted++
			}
			if converted != 19 {
				t.Errorf("%d converted, want 19", converted)
			}
			operator := "ferry " + cli.Version + " (golang-migrate import)"
			for _, db := range dbs {
				if n := revisionCount(t, db); n != 3 {
					t.Errorf("%s %s: %d revision rows, want 3", db.Dialect, db.Name, n)
					continue
				}
				var op string
				if err := db.SQL.QueryRow(`SELECT MIN(operator_version) FROM ` + revisionTable(db)).Scan(&op); err != nil || op != operator {
					t.Errorf("%s: operator_version %q (%v), want %q", db.Dialect, op, err, operator)
				}
			}
		})
	}
}

// TestConvertWaitsForGolangMigratesLock: while golang-migrate's own driver
// holds its lock, convert --lock-timeout 1s fails after about a second with
// a timeout error and writes nothing; once golang-migrate unlocks, convert
// succeeds.
func TestConvertWaitsForGolangMigratesLock(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, []string{testdb.Postgres, testdb.MySQL}, func(t *testing.T, dialect string) {
		db := testdb.New(t, dialect)
		dir := convertProject(t)
		testdb.Up(t, dir, db.URL)

		drv, err := database.Open(db.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer drv.Close()
		if err := drv.Lock(); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		code, out, errOut := ferry(t, "convert", "--path", dir, "--database", db.URL, "--lock-timeout", "1s")
		took := time.Since(start)
		if code != 1 || !strings.Contains(out+errOut, "timed out waiting for golang-migrate's lock") {
			t.Errorf("exit %d, want 1 with a lock timeout\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		if took < time.Second || took > 15*time.Second {
			t.Errorf("gave up after %s, want about 1s", took)
		}
		if n := revisionCount(t, db); n != -1 {
			t.Errorf("written while golang-migrate held its lock: revisions table with %d rows, want no table", n)
		}

		if err := drv.Unlock(); err != nil {
			t.Fatal(err)
		}
		if code, out, errOut := ferry(t, "convert", "--path", dir, "--database", db.URL, "--lock-timeout", "1s"); code != 0 {
			t.Errorf("after Unlock: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		if n := revisionCount(t, db); n != 3 {
			t.Errorf("after Unlock: %d revision rows, want 3", n)
		}
	})
}
