package convert_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ferrymigrate/ferry/convert"
	"github.com/ferrymigrate/ferry/internal/testdb"
	"github.com/ferrymigrate/ferry/refusal"
)

var threeFiles = testdb.ThreeVersions()

// migrated returns a fresh database of dialect and a folder with files (and
// the test's atlas.sum) that golang-migrate migrated with Steps(steps), or
// Up when steps is 0.
func migrated(t *testing.T, dialect string, files map[string]string, steps int) (*testdb.DB, string) {
	t.Helper()
	db := testdb.New(t, dialect)
	dir := testdb.WriteDir(t, files)
	testdb.WriteSum(t, dir)
	if steps == 0 {
		testdb.Up(t, dir, db.URL)
	} else {
		testdb.Steps(t, dir, db.URL, steps)
	}
	return db, dir
}

// TestRerunIsNoOp converts twice: the second run plans nothing, writes
// nothing and leaves every row, executed_at included, as it was.
func TestRerunIsNoOp(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, testdb.Dialects(), func(t *testing.T, dialect string) {
		db, dir := migrated(t, dialect, threeFiles, 0)
		first := mustRun(t, dir, db, convert.Options{Now: time.Now().Add(-time.Hour)})
		if len(first.Rows) != 3 || first.Present != 0 || !first.Create {
			t.Fatalf("first plan: %d rows, %d present, create %v", len(first.Rows), first.Present, first.Create)
		}
		before := db.Revisions(t)
		again := mustRun(t, dir, db, convert.Options{Now: time.Now()})
		if !again.NoOp() || len(again.Rows) != 0 || again.Present != 3 || again.Create {
			t.Errorf("second plan: no-op %v, %d rows, %d present, create %v; want a no-op with 3 present", again.NoOp(), len(again.Rows), again.Present, again.Create)
		}
		if after := db.Revisions(t); !reflect.DeepEqual(before, after) {
			t.Errorf("rows changed by a no-op run:\nbefore %+v\nafter  %+v", before, after)
		}
	})
}

// TestOneMoreFile: golang-migrate applies one more file after the
// conversion; converting again adds exactly its row and keeps the others.
func TestOneMoreFile(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, testdb.Dialects(), func(t *testing.T, dialect string) {
		db, dir := migrated(t, dialect, threeFiles, 2)
		mustRun(t, dir, db, convert.Options{Now: time.Now().Add(-time.Hour)})
		before := db.Revisions(t)
		if len(before) != 2 {
			t.Fatalf("%d rows after the first convert, want 2", len(before))
		}
		testdb.Steps(t, dir, db.URL, 1)
		start := time.Now()
		plan := mustRun(t, dir, db, convert.Options{})
		if len(plan.Rows) != 1 || plan.Present != 2 || plan.Create {
			t.Errorf("plan: %d rows, %d present, create %v; want 1 row, 2 present", len(plan.Rows), plan.Present, plan.Create)
		}
		after := db.Revisions(t)
		if len(after) != 3 {
			t.Fatalf("%d rows, want 3", len(after))
		}
		if !reflect.DeepEqual(after[:2], before) {
			t.Errorf("existing rows changed:\nbefore %+v\nafter  %+v", before, after[:2])
		}
		if r := after[2]; r.Version != "20240103090000" || r.Description != "add_orders" || r.Type != 4 || r.Applied != 1 || r.Total != 1 || r.ExecutedAt.Before(start.Truncate(time.Second)) {
			t.Errorf("new row %+v", r)
		}
	})
}

// TestRefusals: every precondition that does not hold refuses with a
// *refusal.Refusal naming a next step, and writes nothing: the revisions
// table stays absent, or its rows stay exactly as they were.
func TestRefusals(t *testing.T) {
	t.Parallel()
	withBad := map[string]string{"20240103090000_add_orders.up.sql": "CREATE TABLE orders (id integer PRIMARY KEY);\nCREATE INDEX orders_user ON orders (user_id);\n"}
	for k, v := range threeFiles {
		if _, ok := withBad[k]; !ok {
			withBad[k] = v
		}
	}
	cases := []struct {
		name string
		// setup returns the database and folder; converted says whether it
		// already ran a successful conversion (rows must then stay).
		setup func(t *testing.T, dialect string) (db *testdb.DB, dir string, converted bool)
		// want is a piece of the refusal's reason.
		want string
	}{
		{"dirty", func(t *testing.T, dialect string) (*testdb.DB, string, bool) {
			db := testdb.New(t, dialect)
			dir := testdb.WriteDir(t, withBad)
			testdb.WriteSum(t, dir)
			testdb.UpExpectError(t, dir, db.URL)
			return db, dir, false
		}, "is dirty at version 20240103090000"},
		{"no version, no table", func(t *testing.T, dialect string) (*testdb.DB, string, bool) {
			db := testdb.New(t, dialect)
			dir := testdb.WriteDir(t, threeFiles)
			testdb.WriteSum(t, dir)
			return db, dir, false
		}, "has recorded no version"},
		{"no version, empty table", func(t *testing.T, dialect string) (*testdb.DB, string, bool) {
			db := testdb.New(t, dialect)
			dir := testdb.WriteDir(t, threeFiles)
			testdb.WriteSum(t, dir)
			if _, _, nilV := testdb.Version(t, dir, db.URL); !nilV { // creates schema_migrations
				t.Fatal("a version in a fresh database")
			}
			return db, dir, false
		}, "has recorded no version"},
		{"no file for the current version", func(t *testing.T, dialect string) (*testdb.DB, string, bool) {
			db, dir := migrated(t, dialect, threeFiles, 0)
			for _, f := range []string{"20240103090000_add_orders.up.sql", "20240103090000_add_orders.down.sql"} {
				if err := os.Remove(filepath.Join(dir, f)); err != nil {
					t.Fatal(err)
				}
			}
			testdb.WriteSum(t, dir)
			return db, dir, false
		}, "records version 20240103090000, but"},
		{"two legacy rows", func(t *testing.T, dialect string) (*testdb.DB, string, bool) {
			db, dir := migrated(t, dialect, threeFiles, 0)
			db.Exec(t, "INSERT INTO schema_migrations (version, dirty) VALUES (20240102090000, false)")
			return db, dir, false
		}, "holds 2 rows"},
		{"no atlas.sum", func(t *testing.T, dialect string) (*testdb.DB, string, bool) {
			db, dir := migrated(t, dialect, threeFiles, 0)
			if err := os.Remove(filepath.Join(dir, "atlas.sum")); err != nil {
				t.Fatal(err)
			}
			return db, dir, false
		}, "has no atlas.sum"},
		{"atlas.sum does not match an edited file", func(t *testing.T, dialect string) (*testdb.DB, string, bool) {
			db, dir := migrated(t, dialect, threeFiles, 0)
			appendFile(t, filepath.Join(dir, "20240102090000_add_users_name.up.sql"), "-- edited\n")
			return db, dir, false
		}, "atlas.sum of"},
		{"atlas.sum does not list a new file", func(t *testing.T, dialect string) (*testdb.DB, string, bool) {
			db, dir := migrated(t, dialect, threeFiles, 0)
			appendFile(t, filepath.Join(dir, "20240104090000_more.up.sql"), "CREATE TABLE more (id integer);\n")
			return db, dir, false
		}, "atlas.sum of"},
		{"tampered hash", func(t *testing.T, dialect string) (*testdb.DB, string, bool) {
			db, dir := migrated(t, dialect, threeFiles, 0)
			mustRun(t, dir, db, convert.Options{})
			db.Exec(t, "UPDATE "+testdb.RevisionsTable(dialect)+" SET hash = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' WHERE version = '20240102090000'")
			return db, dir, true
		}, "1 existing revision row(s) disagree"},
		{"extra row above golang-migrate's version", func(t *testing.T, dialect string) (*testdb.DB, string, bool) {
			db, dir := migrated(t, dialect, threeFiles, 2)
			mustRun(t, dir, db, convert.Options{})
			copyRow(t, db, "20240102090000", "20240103090000")
			return db, dir, true
		}, "1 existing revision row(s) disagree"},
		{"extra row without a file", func(t *testing.T, dialect string) (*testdb.DB, string, bool) {
			db, dir := migrated(t, dialect, threeFiles, 0)
			mustRun(t, dir, db, convert.Options{})
			copyRow(t, db, "20240102090000", "20240101120000")
			return db, dir, true
		}, "1 existing revision row(s) disagree"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			for _, dialect := range testdb.Dialects() {
				t.Run(dialect, func(t *testing.T) {
					db, dir, converted := c.setup(t, dialect)
					before := db.Revisions(t)
					_, err := run(t, dir, db, convert.Options{})
					var r *refusal.Refusal
					if !errors.As(err, &r) {
						t.Fatalf("error %v (%T), want a *refusal.Refusal", err, err)
					}
					if !strings.Contains(r.Reason, c.want) || r.Next.IsZero() {
						t.Errorf("refusal %q (next %q), want a reason with %q and a next step", r.Reason, r.Next.String(), c.want)
					}
					var bad convert.Disagreements
					errors.As(r, &bad)
					if converted != (len(bad) == 1) {
						t.Errorf("disagreements %+v", bad)
					}
					if !converted && db.TableExists(t, "atlas_schema_revisions") {
						t.Errorf("the revisions table was created")
					}
					if after := db.Revisions(t); !reflect.DeepEqual(before, after) {
						t.Errorf("rows changed:\nbefore %+v\nafter  %+v", before, after)
					}
				})
			}
		})
	}
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// copyRow inserts a copy of the revision row of version from as version to.
func copyRow(t *testing.T, db *testdb.DB, from, to string) {
	t.Helper()
	tb := testdb.RevisionsTable(db.Dialect)
	db.Exec(t, "INSERT INTO "+tb+" (version, description, type, applied, total, executed_at, execution_time, error, error_stmt, hash, partial_hashes, operator_version) SELECT '"+to+"', description, type, applied, total, executed_at, execution_time, error, error_stmt, hash, partial_hashes, operator_version FROM "+tb+" WHERE version = '"+from+"'")
}

// TestWriteRechecks: golang-migrate moves on between Prepare and Write;
// Write notices under the lock, returns ErrChanged and writes no row, and
// the next conversion records the new history.
func TestWriteRechecks(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, testdb.Dialects(), func(t *testing.T, dialect string) {
		db, dir := migrated(t, dialect, threeFiles, 2)
		plan, on, err := prepare(t, dir, db, convert.Options{})
		if err != nil {
			t.Fatal(err)
		}
		testdb.Steps(t, dir, db.URL, 1)
		if err := convert.Write(t.Context(), on, plan, time.Second); !errors.Is(err, convert.ErrChanged) {
			t.Fatalf("Write: %v, want ErrChanged", err)
		}
		if rows := db.Revisions(t); len(rows) != 0 {
			t.Fatalf("%d rows written from a stale plan", len(rows))
		}
		if plan := mustRun(t, dir, db, convert.Options{}); len(plan.Rows) != 3 {
			t.Errorf("convert after the change planned %d rows, want 3", len(plan.Rows))
		}
	})
}

// TestBaselineOnlyThenMore: after a --baseline-only conversion at V and one
// more golang-migrate file, converting again keeps the baseline row and adds
// the new version as an imported (type 4) row, as Atlas continues after a
// baseline; a second --baseline-only run at the same version is a no-op.
func TestBaselineOnlyThenMore(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, testdb.Dialects(), func(t *testing.T, dialect string) {
		db, dir := migrated(t, dialect, threeFiles, 2)
		mustRun(t, dir, db, convert.Options{BaselineOnly: true})
		before := db.Revisions(t)
		if len(before) != 1 || before[0].Type != 1 || before[0].Version != "20240102090000" {
			t.Fatalf("baseline rows %+v", before)
		}
		if plan := mustRun(t, dir, db, convert.Options{BaselineOnly: true}); !plan.NoOp() {
			t.Errorf("second --baseline-only run planned %d rows", len(plan.Rows))
		}
		testdb.Steps(t, dir, db.URL, 1)
		plan, err := run(t, dir, db, convert.Options{})
		if err != nil {
			t.Fatalf("convert after the baseline and one more file: %v%s", err, disagreements(err))
		}
		after := db.Revisions(t)
		if len(plan.Rows) != 1 || len(after) != 2 || !reflect.DeepEqual(after[0], before[0]) || after[1].Version != "20240103090000" || after[1].Type != 4 {
			t.Errorf("rows after %+v", after)
		}
	})
}

// TestAgainAfterEarlierNamedFile: the atlas.sum line of a file is a running
// digest over every up file whose name sorts before it, so adding version 10
// to 1..9 (10_x.up.sql sorts before 2_x.up.sql) changes the lines of the
// files already recorded, though none of them changed. Converting again
// after golang-migrate applied version 10 must add its row, not refuse with
// "the file changed since it was recorded". An edited file must still be
// refused (TestRefusals/tampered_hash).
func TestAgainAfterEarlierNamedFile(t *testing.T) {
	t.Parallel()
	files := map[string]string{}
	for _, v := range []string{"1", "2", "3", "4", "5", "6", "7", "8", "9"} {
		files[v+"_t"+v+".up.sql"] = "CREATE TABLE t" + v + " (id integer);\n"
	}
	testdb.ForEach(t, testdb.Dialects(), func(t *testing.T, dialect string) {
		db, dir := migrated(t, dialect, files, 0)
		mustRun(t, dir, db, convert.Options{})
		before := db.Revisions(t)
		if err := os.WriteFile(filepath.Join(dir, "10_t10.up.sql"), []byte("CREATE TABLE t10 (id integer);\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		testdb.WriteSum(t, dir)
		testdb.Up(t, dir, db.URL)
		plan, err := run(t, dir, db, convert.Options{})
		if err != nil {
			t.Fatalf("convert after version 10: %v%s", err, disagreements(err))
		}
		after := db.Revisions(t)
		if len(plan.Rows) != 1 || len(after) != 10 || !reflect.DeepEqual(after[:9], before) || after[9].Version != "10" {
			t.Errorf("rows after %+v", after)
		}
	})
}

// disagreements lists the disagreements of a refusal.
func disagreements(err error) string {
	var bad convert.Disagreements
	if !errors.As(err, &bad) {
		return ""
	}
	var b strings.Builder
	for _, d := range bad {
		b.WriteString("\n  version " + d.Version + ": " + d.Problem)
	}
	return b.String()
}

// TestExecutedAtInAnotherTimeZone: a MariaDB session whose time zone is
// not UTC (a server running in local time, or time_zone in the URL, which
// golang-migrate passes on) must still record the instant of the
// conversion in executed_at.
func TestExecutedAtInAnotherTimeZone(t *testing.T) {
	t.Parallel()
	db, dir := migrated(t, testdb.MySQL, threeFiles, 0)
	local := *db
	local.URL = db.URLWith("time_zone", "'+05:00'")
	start := time.Now()
	mustRun(t, dir, &local, convert.Options{})
	end := time.Now()
	for _, r := range db.Revisions(t) {
		if r.ExecutedAt.Before(start.Truncate(time.Second)) || r.ExecutedAt.After(end) {
			t.Errorf("version %s: executed_at %s, want between %s and %s", r.Version, r.ExecutedAt, start.UTC(), end.UTC())
		}
	}
}
