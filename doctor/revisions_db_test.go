package doctor_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ferrymigrate/ferry/apply"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/database"
	"github.com/ferrymigrate/ferry/doctor"
	"github.com/ferrymigrate/ferry/folder"
	"github.com/ferrymigrate/ferry/internal/dbconn"
	"github.com/ferrymigrate/ferry/internal/testdb"
)

// A converted database that golang-migrate (still deployed) leaves dirty:
// recover writes the revision row too, so that ferry apply and Atlas agree
// with golang-migrate afterwards.
func TestRecoverKeepsRevisionsInStep(t *testing.T) {
	testdb.ForEach(t, []string{testdb.MySQL, testdb.SQLite}, func(t *testing.T, dialect string) {
		ctx := context.Background()
		s := middle()
		files := s.broken(dialect)
		db := testdb.New(t, dialect)
		dir := testdb.WriteDir(t, files)
		testdb.Steps(t, dir, db.URL, 1)
		testdb.Hash(t, dir)
		u := db.ParsedURL(t)
		convertLibrary(t, db.SQL, u, dir, "ferry test")
		errText := testdb.UpExpectError(t, dir, db.URL).Error()
		dg := diagnose(t, dir, db, u, nil, errText)
		fix(t, s, dialect, dir)
		testdb.Hash(t, dir)
		res, err := recoverDB(t, dir, db, u, doctor.RecoverOptions{Plan: doctor.Forward, Expect: dg.Fingerprint, Confirm: yes, OperatorVersion: "ferry test", Diagnose: doctor.Options{Path: dir}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Revision == "" {
			t.Fatalf("no revision written: %+v", res)
		}
		store := db.Store(t)
		rows, err := store.Read(ctx, db.SQL)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[1].Version != "2" || rows[1].Applied != 4 || rows[1].Total != 4 || rows[1].Partial() {
			t.Fatalf("revisions after recover: %+v", rows)
		}
		// ferry apply now runs version 3 only, and golang-migrate agrees.
		pp, err := folder.Load(os.DirFS(dir), dir)
		if err != nil {
			t.Fatal(err)
		}
		h, err := dbconn.Open(ctx, u, dbconn.ReadWrite) // ferry's own settings (MySQL multi-statement batches)
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		ares, err := apply.Apply(ctx, database.Wrap(h, u), pp, apply.Options{LockTimeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if len(ares.Applied) != 1 || ares.Applied[0] != "3" {
			t.Fatalf("apply completed %v, want only version 3", ares.Applied)
		}
		if v, dirty, _ := testdb.Version(t, dir, db.URL); v != 3 || dirty {
			t.Fatalf("golang-migrate: %d dirty %v", v, dirty)
		}
	})
}

// convertLibrary converts the database behind h with the library, as ferry
// convert does (folder.Load, Prepare, Write), recording operator in the rows.
func convertLibrary(t *testing.T, h *sql.DB, u *compat.DatabaseURL, dir, operator string) {
	t.Helper()
	testdb.Convert(t, h, u, dir, operator, 5*time.Second)
}

// A file ferry apply left at 1 of 3 statements (statement by statement,
// --tx-mode none) leaves golang-migrate's row dirty, and its first
// statement changes rows only, so the schema alone cannot tell 0 from 1.
// The revision row ferry wrote (applied 1, partial hashes of statement 1)
// proves 1: doctor reads it as evidence and says whose run it was.
func TestDoctorReadsPartialRevision(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			db := testdb.New(t, dialect)
			dir := testdb.WriteDir(t, map[string]string{
				"1_a.up.sql": "CREATE TABLE a (id int);\n",
				"2_b.up.sql": "INSERT INTO a (id) VALUES (1);\nINSERT INTO nosuch (id) VALUES (1);\nCREATE TABLE c (id int);\n",
			})
			testdb.Steps(t, dir, db.URL, 1)
			testdb.Hash(t, dir)
			h, u := testdb.Connect(t, db.URL)
			defer h.Close()
			convertLibrary(t, h, u, dir, "ferry vTEST (golang-migrate import)")
			p, err := folder.Load(os.DirFS(dir), dir)
			if err != nil {
				t.Fatal(err)
			}
			_, err = apply.Apply(ctx, database.Wrap(h, u), p, apply.Options{TxMode: apply.TxNone, LockTimeout: time.Minute, OperatorVersion: "ferry vTEST"})
			var se *apply.StatementError
			if !errors.As(err, &se) || se.Applied != 1 || se.Statement != 2 {
				t.Fatalf("apply: %v, want statement 2 failing after 1 applied", err)
			}
			if v, dirty, _ := testdb.Version(t, dir, db.URL); v != 2 || !dirty {
				t.Fatalf("golang-migrate: %d dirty %v, want 2 dirty", v, dirty)
			}

			dg := diagnose(t, dir, db, u, nil, "")
			v := dg.Verdict
			if v.Case != doctor.Up || v.Applied != 1 || v.Total != 3 || v.Certainty != doctor.Proven {
				t.Errorf("verdict %s %d of %d %s (%s), want up 1 of 3 proven; alternatives %+v", v.Case, v.Applied, v.Total, v.Certainty, v.Summary, v.Alternatives)
			}
			if dg.Revision == nil || !dg.Revision.Used || !dg.Revision.Matches || dg.Revision.Operator != "ferry vTEST" {
				t.Errorf("revision evidence %+v, want ferry vTEST's row used", dg.Revision)
			}
			for _, c := range dg.Candidates {
				if c.Case == doctor.Up && !strings.Contains(c.Semantics, "ferry vTEST") {
					t.Errorf("semantics %q do not say ferry ran the file", c.Semantics)
				}
			}
		})
	}
}
