package doctor_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ferrymigrate/ferry/apply"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/convert"
	"github.com/ferrymigrate/ferry/database"
	"github.com/ferrymigrate/ferry/doctor"
	"github.com/ferrymigrate/ferry/folder"
	"github.com/ferrymigrate/ferry/internal/dbconn"
	"github.com/ferrymigrate/ferry/internal/testdb"
)

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
			writeSum(t, dir)
			u, err := compat.ParseDatabaseURL(db.URL)
			if err != nil {
				t.Fatal(err)
			}
			p, err := folder.Load(os.DirFS(dir), dir)
			if err != nil {
				t.Fatal(err)
			}
			h, err := dbconn.Open(ctx, u, dbconn.ReadWrite)
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			plan, err := convert.Prepare(ctx, database.Wrap(h, u), p, convert.Options{Now: time.Now(), OperatorVersion: "ferry vTEST (golang-migrate import)"})
			if err != nil {
				t.Fatal(err)
			}
			if err := convert.Write(ctx, database.Wrap(h, u), plan, 5*time.Second); err != nil {
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
