package doctor_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/ferrymigrate/ferry/apply"
	"github.com/ferrymigrate/ferry/atlassum"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/convert"
	"github.com/ferrymigrate/ferry/database"
	"github.com/ferrymigrate/ferry/doctor"
	"github.com/ferrymigrate/ferry/folder"
	"github.com/ferrymigrate/ferry/internal/dbconn"
	"github.com/ferrymigrate/ferry/internal/gmlock"
	"github.com/ferrymigrate/ferry/internal/testdb"
	"github.com/ferrymigrate/ferry/revision"
)

// A converted database that golang-migrate (still deployed) leaves dirty:
// recover writes the revision row too, so that ferry apply and Atlas agree
// with golang-migrate afterwards.
func TestRecoverKeepsRevisionsInStep(t *testing.T) {
	for _, dialect := range []string{testdb.MySQL, testdb.SQLite} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := middle()
			files := s.broken(dialect)
			db := testdb.New(t, dialect)
			dir := testdb.WriteDir(t, files)
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
			plan, err := convert.Prepare(ctx, database.Wrap(db.SQL, u), p, convert.Options{Now: time.Now(), OperatorVersion: "ferry test"})
			if err != nil {
				t.Fatal(err)
			}
			if err := convert.Write(ctx, database.Wrap(db.SQL, u), plan, 5*time.Second); err != nil {
				t.Fatal(err)
			}
			errText := testdb.UpExpectError(t, dir, db.URL).Error()
			dg := diagnose(t, dir, db, u, nil, errText)
			fix(t, s, dialect, dir)
			writeSum(t, dir)
			res, err := doctor.Recover(ctx, database.Wrap(db.SQL, u), os.DirFS(dir), doctor.RecoverOptions{Plan: doctor.Forward, Expect: dg.Fingerprint, Confirm: yes, OperatorVersion: "ferry test", Diagnose: doctor.Options{Path: dir}})
			if err != nil {
				t.Fatal(err)
			}
			if res.Revision == "" {
				t.Fatalf("no revision written: %+v", res)
			}
			store, err := revision.Locate(ctx, db.SQL, u, "")
			if err != nil {
				t.Fatal(err)
			}
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
}

// writeSum writes atlas.sum for the folder, as ferry hash does.
func writeSum(t *testing.T, dir string) {
	t.Helper()
	sum, err := atlassum.Compute(os.DirFS(dir), ".")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := atlassum.WriteFile(dir, sum); err != nil {
		t.Fatal(err)
	}
}

// Recover waits for golang-migrate's lock and gives up after the timeout,
// writing nothing.
func TestRecoverHoldsGolangMigratesLock(t *testing.T) {
	for _, dialect := range []string{testdb.Postgres, testdb.MySQL} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := middle()
			dir, db, u, errText := build(t, s, dialect)
			dg := diagnose(t, dir, db, u, nil, errText)
			fix(t, s, dialect, dir)
			// Another session holds golang-migrate's lock, as a running
			// golang-migrate does.
			st, err := compat.ReadLegacy(ctx, db.SQL, u)
			if err != nil {
				t.Fatal(err)
			}
			conn, err := db.SQL.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			tx, err := conn.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := gmlock.AcquireTx(ctx, tx, u.Dialect, st.Lock.Keys, time.Second); err != nil {
				t.Fatal(err)
			}
			before := snap(t, dir, db)
			_, err = doctor.Recover(ctx, database.Wrap(db.SQL, u), os.DirFS(dir), doctor.RecoverOptions{Plan: doctor.Back, Expect: dg.Fingerprint, Confirm: yes, LockTimeout: 300 * time.Millisecond, Diagnose: doctor.Options{Path: dir}})
			if !errors.Is(err, gmlock.ErrTimeout) {
				t.Fatalf("recover under a held lock: %v, want a lock timeout", err)
			}
			if after := snap(t, dir, db); after != before {
				t.Fatalf("wrote without the lock: %+v -> %+v", before, after)
			}
			_ = tx.Rollback()
			_ = gmlock.Release(ctx, conn, u.Dialect, st.Lock.Keys)
			if _, err := doctor.Recover(ctx, database.Wrap(db.SQL, u), os.DirFS(dir), doctor.RecoverOptions{Plan: doctor.Back, Expect: dg.Fingerprint, Confirm: yes, LockTimeout: 5 * time.Second, Diagnose: doctor.Options{Path: dir}}); err != nil {
				t.Fatalf("recover after the lock was released: %v", err)
			}
		})
	}
}
