package apply_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/golang-migrate/migrate/v4"

	"github.com/ferrymigrate/ferry/apply"
	"github.com/ferrymigrate/ferry/internal/testdb"
	"github.com/ferrymigrate/ferry/refusal"
)

// logFiles returns up files 1..n (versions as given) where file 1 creates
// table log and every file inserts its version into it once.
func logFiles(versions ...int) map[string]string {
	files := map[string]string{}
	for _, v := range versions {
		body := fmt.Sprintf("INSERT INTO log (n) VALUES (%d);\n", v)
		if v == 1 {
			body = "CREATE TABLE log (n integer NOT NULL);\n" + body
		}
		files[fmt.Sprintf("%d_step%d.up.sql", v, v)] = body
		files[fmt.Sprintf("%d_step%d.down.sql", v, v)] = fmt.Sprintf("DELETE FROM log WHERE n = %d;\n", v)
	}
	return files
}

// recorder keeps the events of a run.
type recorder struct{ events []apply.Event }

func (r *recorder) Report(e apply.Event) { r.events = append(r.events, e) }

// started returns the files in the order they started.
func (r *recorder) started() []string {
	var out []string
	for _, e := range r.events {
		if e.Kind == apply.FileStarted {
			out = append(out, e.File)
		}
	}
	return out
}

func versions(rows []testdb.Revision) []string {
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprintf("%s:%d", r.Version, r.Type))
	}
	return out
}

// TestStartFresh: on a fresh empty database ferry creates the revisions
// table and golang-migrate's table (golang-migrate then reports the last
// version, clean); with --legacy-sync=false only the revisions table.
func TestStartFresh(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, testdb.Dialects(), func(t *testing.T, dialect string) {
		t.Run("legacy_sync_auto", func(t *testing.T) {
			db := testdb.New(t, dialect)
			dir := testdb.WriteDir(t, logFiles(1, 2, 3))
			testdb.WriteSum(t, dir)
			if pl, err := preview(t, dir, db, apply.Options{}); err != nil || !pl.Fresh || !pl.LegacySync || len(pl.Steps) != 3 {
				t.Fatalf("preview: %+v %v", pl, err)
			}
			if db.TableExists(t, "atlas_schema_revisions") || db.TableExists(t, "schema_migrations") {
				t.Fatal("the preview created a table")
			}
			res := mustApply(t, dir, db, apply.Options{})
			if !slices.Equal(res.Applied, []string{"1", "2", "3"}) {
				t.Errorf("applied %v", res.Applied)
			}
			if !db.TableExists(t, "atlas_schema_revisions") || !db.TableExists(t, "schema_migrations") {
				t.Errorf("want both tables")
			}
			if got := versions(db.Revisions(t)); !slices.Equal(got, []string{"1:2", "2:2", "3:2"}) {
				t.Errorf("rows %v", got)
			}
			exactlyOnce(t, db, "log", 3)
			wantVersion(t, dir, db, legacy{Version: 3})
		})
		t.Run("legacy_sync_false", func(t *testing.T) {
			db := testdb.New(t, dialect)
			dir := testdb.WriteDir(t, logFiles(1, 2, 3))
			testdb.WriteSum(t, dir)
			mustApply(t, dir, db, apply.Options{LegacySync: apply.LegacyOff})
			if !db.TableExists(t, "atlas_schema_revisions") {
				t.Errorf("no revisions table")
			}
			if db.TableExists(t, "schema_migrations") {
				t.Errorf("--legacy-sync=false created schema_migrations")
			}
			if got := versions(db.Revisions(t)); !slices.Equal(got, []string{"1:2", "2:2", "3:2"}) {
				t.Errorf("rows %v", got)
			}
			exactlyOnce(t, db, "log", 3)
			// golang-migrate was told nothing: it has no version.
			wantVersion(t, dir, db, legacy{Nil: true})
		})
	})
}

// TestStartLegacyHistory: golang-migrate has history but there are no
// revisions: ferry refuses, points at ferry convert, and writes nothing.
func TestStartLegacyHistory(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, testdb.Dialects(), func(t *testing.T, dialect string) {
		db := testdb.New(t, dialect)
		dir := testdb.WriteDir(t, logFiles(1, 2, 3))
		testdb.WriteSum(t, dir)
		testdb.Steps(t, dir, db.URL, 2)
		_, err := runApply(t, dir, db, apply.Options{})
		var ref *refusal.Refusal
		if !errors.As(err, &ref) || !strings.Contains(ref.Next.String(), "ferry convert") || !strings.Contains(ref.Reason, "version 2") {
			t.Fatalf("want a refusal pointing at ferry convert, got %v", err)
		}
		if db.TableExists(t, "atlas_schema_revisions") {
			t.Errorf("the refusal created the revisions table")
		}
		exactlyOnce(t, db, "log", 2)
		wantVersion(t, dir, db, legacy{Version: 2})
	})
}

// TestStartConverted: a database converted with ferry convert applies only
// the newer files; the imported rows stay as they are.
func TestStartConverted(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, testdb.Dialects(), func(t *testing.T, dialect string) {
		db := testdb.New(t, dialect)
		dir := testdb.WriteDir(t, logFiles(1, 2, 3, 4))
		testdb.WriteSum(t, dir)
		testdb.Steps(t, dir, db.URL, 2)
		convertDB(t, dir, db)
		before := db.Revisions(t)
		res := mustApply(t, dir, db, apply.Options{})
		if !slices.Equal(res.Applied, []string{"3", "4"}) {
			t.Errorf("applied %v, want [3 4]", res.Applied)
		}
		after := db.Revisions(t)
		if got := versions(after); !slices.Equal(got, []string{"1:4", "2:4", "3:2", "4:2"}) {
			t.Errorf("rows %v, want 1 and 2 imported (type 4), 3 and 4 executed (type 2)", got)
		}
		for i := range before {
			if !samePersistedAny(before[i], after[i]) {
				t.Errorf("imported row %s changed", before[i].Version)
			}
		}
		exactlyOnce(t, db, "log", 4)
		wantVersion(t, dir, db, legacy{Version: 4})
	})
}

// TestOutOfOrder: files older than the newest applied version refuse;
// --allow-out-of-order runs them first. golang-migrate's row must then name
// the newest applied version, or its next Up runs a file again.
func TestOutOfOrder(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, testdb.Dialects(), func(t *testing.T, dialect string) {
		t.Run("with_newer_files", func(t *testing.T) {
			db := testdb.New(t, dialect)
			dir := testdb.WriteDir(t, logFiles(1, 3))
			testdb.WriteSum(t, dir)
			mustApply(t, dir, db, apply.Options{})
			writeFiles(t, dir, logFiles(2, 4))
			testdb.WriteSum(t, dir)
			_, err := runApply(t, dir, db, apply.Options{})
			var ref *refusal.Refusal
			if !errors.As(err, &ref) || !strings.Contains(ref.Reason, "2_step2.up.sql") || !strings.Contains(ref.Next.String(), "--allow-out-of-order") {
				t.Fatalf("want a refusal naming 2_step2.up.sql, got %v", err)
			}
			if got := versions(db.Revisions(t)); !slices.Equal(got, []string{"1:2", "3:2"}) {
				t.Errorf("the refusal wrote rows: %v", got)
			}
			wantVersion(t, dir, db, legacy{Version: 3})
			rec := &recorder{}
			res := mustApply(t, dir, db, apply.Options{AllowOutOfOrder: true, Reporter: rec})
			if !slices.Equal(res.Applied, []string{"2", "4"}) || !slices.Equal(rec.started(), []string{"2_step2.up.sql", "4_step4.up.sql"}) {
				t.Errorf("applied %v in the order %v, want 2 first, then 4", res.Applied, rec.started())
			}
			exactlyOnce(t, db, "log", 4)
			wantVersion(t, dir, db, legacy{Version: 4})
		})
		t.Run("only_older_files", func(t *testing.T) {
			db := testdb.New(t, dialect)
			dir := testdb.WriteDir(t, logFiles(1, 3))
			testdb.WriteSum(t, dir)
			mustApply(t, dir, db, apply.Options{})
			writeFiles(t, dir, logFiles(2))
			testdb.WriteSum(t, dir)
			res := mustApply(t, dir, db, apply.Options{AllowOutOfOrder: true})
			if !slices.Equal(res.Applied, []string{"2"}) {
				t.Errorf("applied %v, want [2]", res.Applied)
			}
			exactlyOnce(t, db, "log", 3)
			// Version 3 stays the newest applied version.
			wantVersion(t, dir, db, legacy{Version: 3})
			// The oracle: golang-migrate's Up has nothing to do.
			m := testdb.Migrator(t, dir, db.URL)
			if err := m.Up(); !errors.Is(err, migrate.ErrNoChange) {
				t.Errorf("golang-migrate Up after the out-of-order file: %v, want no change", err)
			}
			exactlyOnce(t, db, "log", 3)
		})
	})
}

// TestNoTxStatement: a PostgreSQL statement that cannot run inside a
// transaction (CREATE INDEX CONCURRENTLY) makes its file run statement by
// statement (with a notice); it must then run outside a transaction and
// have its progress recorded right after.
func TestNoTxStatement(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, testdb.Postgres)
	dir := testdb.WriteDir(t, map[string]string{
		"1_a.up.sql": "CREATE TABLE a (id integer);\nCREATE INDEX CONCURRENTLY a_id ON a (id);\nINSERT INTO a (id) VALUES (1);\n",
	})
	testdb.WriteSum(t, dir)
	rec := &recorder{}
	if _, err := runApply(t, dir, db, apply.Options{Reporter: rec}); err != nil {
		t.Fatalf("apply: %v", err)
	}
	if !slices.ContainsFunc(rec.events, func(e apply.Event) bool { return e.Kind == apply.NoticeTxChanged }) {
		t.Errorf("no notice that the file runs outside a transaction")
	}
	var valid bool
	if err := db.SQL.QueryRow(`SELECT indisvalid FROM pg_index WHERE indexrelid = 'a_id'::regclass`).Scan(&valid); err != nil || !valid {
		t.Errorf("index a_id: valid %v, %v", valid, err)
	}
	checkCompleteRow(t, db, "1", 3)
	wantVersion(t, dir, db, legacy{Version: 1})
}

// TestOwnTransaction: a file with its own BEGIN and COMMIT runs statement
// by statement "outside a transaction" (the plan's notice); it must apply.
func TestOwnTransaction(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, []string{testdb.Postgres, testdb.SQLite}, func(t *testing.T, dialect string) {
		db := testdb.New(t, dialect)
		dir := testdb.WriteDir(t, map[string]string{
			"1_a.up.sql": "BEGIN;\nCREATE TABLE log (n integer);\nINSERT INTO log (n) VALUES (1);\nCOMMIT;\n",
		})
		testdb.WriteSum(t, dir)
		if _, err := runApply(t, dir, db, apply.Options{}); err != nil {
			t.Fatalf("apply: %v", err)
		}
		exactlyOnce(t, db, "log", 1)
		checkCompleteRow(t, db, "1", 4)
		wantVersion(t, dir, db, legacy{Version: 1})
	})
}

// checkCompleteRow checks that version's row is complete with total
// statements.
func checkCompleteRow(t *testing.T, db *testdb.DB, version string, total int64) {
	t.Helper()
	r := testdb.RevisionOf(t, db.Revisions(t), version)
	if r.Applied != total || r.Total != total || r.Type != 2 || string(r.PartialHashes) != "null" || r.Error != "" || r.ErrorStmt != "" {
		t.Errorf("row %s: applied %d/%d (want %d), type %d, partial_hashes %s, error %q, error_stmt %q",
			version, r.Applied, r.Total, total, r.Type, r.PartialHashes, r.Error, r.ErrorStmt)
	}
}
