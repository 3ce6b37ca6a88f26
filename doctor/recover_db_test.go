package doctor_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/doctor"
	"github.com/ferrymigrate/ferry/internal/gmlock"
	"github.com/ferrymigrate/ferry/internal/testdb"
	"github.com/ferrymigrate/ferry/refusal"
)

// snapshot is everything recover could write: the schema, golang-migrate's
// row and the audit table.
type snapshot struct {
	schema string
	row    string
	audit  int
}

func snap(t *testing.T, dir string, db *testdb.DB) snapshot {
	t.Helper()
	// The row as stored (golang-migrate's Version would need its lock).
	u := db.ParsedURL(t)
	st, err := compat.ReadLegacy(context.Background(), db.SQL, u)
	if err != nil {
		t.Fatal(err)
	}
	s := snapshot{schema: describe(t, db), row: strings.Join([]string{itoa(int(st.Version)), boolText(st.Dirty), itoa(st.Rows)}, " ")}
	if err := db.SQL.QueryRow("SELECT COUNT(*) FROM ferry_recoveries").Scan(&s.audit); err != nil {
		s.audit = -1 // no table
	}
	return s
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

var yes = func(*doctor.Diagnosis, *doctor.Plan) bool { return true }

// middle is the "fails in the middle" scenario.
func middle() scenario {
	for _, s := range scenarios() {
		if s.name == "fails in the middle" {
			return s
		}
	}
	panic("no scenario")
}

func TestRecoverRefusesWhenTheDatabaseChanged(t *testing.T) {
	testdb.ForEach(t, testdb.Dialects(), func(t *testing.T, dialect string) {
		s := middle()
		dir, db, u, errText := build(t, s, dialect)
		dg := diagnose(t, dir, db, u, nil, errText)
		if dg.Verdict.Certainty != doctor.Proven {
			t.Fatalf("verdict %s: %s", dg.Verdict.Certainty, dg.Verdict.Summary)
		}
		token := dg.Fingerprint
		// Someone changes the schema after the diagnosis.
		db.Exec(t, "CREATE TABLE hotfix (id integer)")
		before := snap(t, dir, db)
		fix(t, s, dialect, dir)
		for _, kind := range []doctor.PlanKind{doctor.Forward, doctor.Back} {
			_, err := recoverDB(t, dir, db, u, doctor.RecoverOptions{Plan: kind, Expect: token, Confirm: yes, Diagnose: doctor.Options{Path: dir}})
			if !errors.Is(err, doctor.ErrChanged) {
				t.Fatalf("--%s after a change: %v, want ErrChanged", kind, err)
			}
			if after := snap(t, dir, db); after != before {
				t.Fatalf("--%s wrote after refusing: %+v -> %+v", kind, before, after)
			}
		}
		// So does golang-migrate's row changing.
		db.SetLegacyRow(t, 1, true)
		before = snap(t, dir, db)
		if _, err := recoverDB(t, dir, db, u, doctor.RecoverOptions{Plan: doctor.Back, Expect: token, Confirm: yes, Diagnose: doctor.Options{Path: dir}}); err == nil {
			t.Fatal("recover after the row changed succeeded")
		}
		if after := snap(t, dir, db); after != before {
			t.Fatalf("wrote after refusing: %+v -> %+v", before, after)
		}
	})
}

func TestRecoverRefusesUnprovenEvidence(t *testing.T) {
	// A MariaDB file whose middle statement changes rows only: the catalog
	// cannot tell whether it ran before the next one failed.
	files := with(base(testdb.MySQL), "2_orders.up.sql", "CREATE TABLE orders (id integer PRIMARY KEY);\n"+
		"INSERT INTO settings (k, v) VALUES ('orders', 'on');\n"+
		"INSERT INTO nosuch (id) VALUES (1);\n")
	db := testdb.New(t, testdb.MySQL)
	dir := testdb.WriteDir(t, files)
	testdb.UpExpectError(t, dir, db.URL)
	// The error is not given, and the failing statement is fixed: the
	// evidence cannot separate 1 from 2 applied statements.
	fixed := "CREATE TABLE orders (id integer PRIMARY KEY);\nINSERT INTO settings (k, v) VALUES ('orders', 'on');\nINSERT INTO orders (id) VALUES (1);\n"
	if err := os.WriteFile(dir+"/2_orders.up.sql", []byte(fixed), 0o644); err != nil {
		t.Fatal(err)
	}
	u := db.ParsedURL(t)
	dg := diagnose(t, dir, db, u, devURL(t, testdb.MySQL), "")
	var alts []int
	for _, a := range dg.Verdict.Alternatives {
		alts = append(alts, a.Applied)
	}
	if dg.Verdict.Certainty != doctor.Unknown || !slices.Contains(alts, 1) || !slices.Contains(alts, 2) {
		t.Fatalf("verdict %s %+v, want unknown between 1 and 2 applied", dg.Verdict.Certainty, dg.Verdict.Alternatives)
	}
	for _, p := range dg.Plans {
		if p.Available {
			t.Errorf("plan %s available on an unknown verdict", p.Kind)
		}
	}
	before := snap(t, dir, db)
	for _, o := range []doctor.RecoverOptions{
		{Plan: doctor.Forward, Confirm: yes},
		{Plan: doctor.Forward, Expect: dg.Fingerprint, Confirm: yes},
		{Plan: doctor.Forward, AcceptUnproven: true, Confirm: yes}, // several states: must say which
		{Plan: doctor.Forward, AcceptUnproven: true, Assume: &doctor.Alternative{Case: doctor.Up, Applied: 2}},
	} {
		o.Diagnose = doctor.Options{Path: dir}
		_, err := recoverDB(t, dir, db, u, o)
		var ref *refusal.Refusal
		if !errors.As(err, &ref) {
			t.Fatalf("%+v: %v, want a refusal", o, err)
		}
		t.Logf("refused: %v", err)
		if after := snap(t, dir, db); after != before {
			t.Fatalf("wrote after refusing: %+v -> %+v", before, after)
		}
	}
	// With the explicit flag, the state named and confirmation, it runs:
	// the user checked that the INSERT into settings ran.
	res, err := recoverDB(t, dir, db, u, doctor.RecoverOptions{Plan: doctor.Forward, AcceptUnproven: true,
		Assume: &doctor.Alternative{Case: doctor.Up, Applied: 2}, Confirm: yes, Operator: "oncall@host", Diagnose: doctor.Options{Path: dir}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Executed != 1 || res.Audit == nil || res.Audit.Certainty != doctor.Unknown || res.Audit.Operator != "oncall@host" {
		t.Fatalf("result %+v audit %+v", res, res.Audit)
	}
	testdb.Up(t, dir, db.URL)
	var n int
	if err := db.SQL.QueryRow("SELECT COUNT(*) FROM settings WHERE k = 'orders'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("settings rows %d (%v), want 1: the applied INSERT must not run again", n, err)
	}
	var plan, stmts string
	if err := db.SQL.QueryRow("SELECT plan, statements FROM ferry_recoveries").Scan(&plan, &stmts); err != nil || plan != "forward" || !strings.Contains(stmts, "INSERT INTO orders") {
		t.Fatalf("audit row %q %q (%v)", plan, stmts, err)
	}
}

func TestRecoverOnACleanDatabaseDoesNothing(t *testing.T) {
	s := middle()
	testdb.ForEach(t, testdb.Dialects(), func(t *testing.T, dialect string) {
		dir, db, u, errText := build(t, s, dialect)
		dg := diagnose(t, dir, db, u, nil, errText)
		fix(t, s, dialect, dir)
		res, err := recoverDB(t, dir, db, u, doctor.RecoverOptions{Plan: doctor.Back, Expect: dg.Fingerprint, Confirm: yes, Diagnose: doctor.Options{Path: dir}})
		if err != nil || res.NothingToDo {
			t.Fatalf("first recover: %v %+v", err, res)
		}
		before := snap(t, dir, db)
		if before.audit != 1 {
			t.Fatalf("audit rows %d, want 1", before.audit)
		}
		// Again, with the old fingerprint: the row is clean now.
		res, err = recoverDB(t, dir, db, u, doctor.RecoverOptions{Plan: doctor.Back, Expect: dg.Fingerprint, Confirm: yes, Diagnose: doctor.Options{Path: dir}})
		if err != nil || !res.NothingToDo {
			t.Fatalf("second recover: %v %+v", err, res)
		}
		if after := snap(t, dir, db); after != before {
			t.Fatalf("second recover wrote: %+v -> %+v", before, after)
		}
	})
}

func TestRecoverWithoutConfirmationWritesNothing(t *testing.T) {
	s := middle()
	dir, db, u, errText := build(t, s, testdb.MySQL)
	dg := diagnose(t, dir, db, u, nil, errText)
	back := dg.Plan(doctor.Back)
	if back == nil || !back.Available || !back.Destroys {
		t.Fatalf("back plan %+v: want available and destroying (it drops the table orders)", back)
	}
	before := snap(t, dir, db)
	_, err := recoverDB(t, dir, db, u, doctor.RecoverOptions{Plan: doctor.Back, Expect: dg.Fingerprint, Diagnose: doctor.Options{Path: dir}})
	var ref *refusal.Refusal
	if !errors.As(err, &ref) || !strings.Contains(ref.Next.String(), "--yes") {
		t.Fatalf("%v, want a refusal asking for --yes", err)
	}
	if after := snap(t, dir, db); after != before {
		t.Fatalf("wrote without confirmation: %+v -> %+v", before, after)
	}
	// The dry run shows the SQL and writes nothing either.
	res, err := recoverDB(t, dir, db, u, doctor.RecoverOptions{Plan: doctor.Back, DryRun: true, Diagnose: doctor.Options{Path: dir}})
	if err != nil || res.Plan == nil || len(res.Plan.Steps) != 2 {
		t.Fatalf("dry run: %v %+v", err, res)
	}
	if after := snap(t, dir, db); after != before {
		t.Fatalf("dry run wrote: %+v -> %+v", before, after)
	}
}

// Recover waits for golang-migrate's lock and gives up after the timeout,
// writing nothing.
func TestRecoverHoldsGolangMigratesLock(t *testing.T) {
	testdb.ForEach(t, []string{testdb.Postgres, testdb.MySQL}, func(t *testing.T, dialect string) {
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
		_, err = recoverDB(t, dir, db, u, doctor.RecoverOptions{Plan: doctor.Back, Expect: dg.Fingerprint, Confirm: yes, LockTimeout: 300 * time.Millisecond, Diagnose: doctor.Options{Path: dir}})
		if !errors.Is(err, gmlock.ErrTimeout) {
			t.Fatalf("recover under a held lock: %v, want a lock timeout", err)
		}
		if after := snap(t, dir, db); after != before {
			t.Fatalf("wrote without the lock: %+v -> %+v", before, after)
		}
		_ = tx.Rollback()
		_ = gmlock.Release(ctx, conn, u.Dialect, st.Lock.Keys)
		if _, err := recoverDB(t, dir, db, u, doctor.RecoverOptions{Plan: doctor.Back, Expect: dg.Fingerprint, Confirm: yes, LockTimeout: 5 * time.Second, Diagnose: doctor.Options{Path: dir}}); err != nil {
			t.Fatalf("recover after the lock was released: %v", err)
		}
	})
}

// A verdict proven with --dev-url and adopted through --expect by a recover
// without --dev-url (where the probes alone only make it consistent) keeps
// the fingerprint the user passed: the plans' commands and the audit entry
// name it, not the fingerprint of the weaker verdict of the re-diagnosis,
// which would send the user to a command that refuses.
func TestRecoverAdoptedVerdictKeepsItsFingerprint(t *testing.T) {
	db := testdb.NewSQLite(t)
	dir := testdb.WriteDir(t, map[string]string{
		"1_users.up.sql":   "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);\n",
		"1_users.down.sql": "DROP TABLE users;\n",
		"2_orders.up.sql": "CREATE TABLE orders (id integer PRIMARY KEY, user_id integer NOT NULL);\n" +
			"CREATE INDEX orders_user ON orders (user_id);\n" +
			"ALTER TABLE users ADD COLUMN email text;\n" +
			"CREATE TABLE tags (id integer PRIMARY KEY);\n",
		"2_orders.down.sql": "DROP TABLE tags;\nDROP INDEX orders_user;\nDROP TABLE orders;\n",
	})
	raw := db.URLWith("x-no-tx-wrap", "true")
	testdb.UpExpectError(t, dir, raw)
	u, err := compat.ParseDatabaseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	proven, err := diagnoseDB(t, dir, db, u, doctor.Options{Path: dir, DevURL: devURL(t, testdb.SQLite)})
	if err != nil {
		t.Fatal(err)
	}
	blind, err := diagnoseDB(t, dir, db, u, doctor.Options{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	if proven.Verdict.Certainty != doctor.Proven || blind.Verdict.Certainty == doctor.Proven || proven.Fingerprint == blind.Fingerprint {
		t.Fatalf("the scenario needs a verdict proven only with --dev-url: %s %s / %s %s", proven.Verdict.Certainty, proven.Fingerprint, blind.Verdict.Certainty, blind.Fingerprint)
	}
	token := proven.Fingerprint
	res, err := recoverDB(t, dir, db, u, doctor.RecoverOptions{Plan: doctor.Back, Expect: token, DryRun: true, Diagnose: doctor.Options{Path: dir}})
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if res.Diagnosis.Verdict.Certainty != doctor.Proven || res.Diagnosis.Fingerprint != token {
		t.Fatalf("adopted verdict %s with fingerprint %s, want proven with %s", res.Diagnosis.Verdict.Certainty, res.Diagnosis.Fingerprint, token)
	}
	for _, p := range res.Diagnosis.Plans {
		if p.Available && !strings.HasSuffix(p.Command, "--expect "+token) {
			t.Errorf("--%s command %q does not carry the adopted fingerprint %s", p.Kind, p.Command, token)
		}
	}
	// The command the plan prints works as printed (plus --yes: it drops a table).
	res, err = recoverDB(t, dir, db, u, doctor.RecoverOptions{Plan: doctor.Back, Expect: token, Confirm: yes, Operator: "test", OperatorVersion: "ferry test", Diagnose: doctor.Options{Path: dir}})
	if err != nil {
		t.Fatalf("recover --back: %v", err)
	}
	if res.Audit.Fingerprint != token || res.Audit.Certainty != doctor.Proven {
		t.Errorf("audit entry %s %s, want proven %s", res.Audit.Certainty, res.Audit.Fingerprint, token)
	}
	if v, dirty, _ := testdb.Version(t, dir, raw); v != 1 || dirty {
		t.Errorf("golang-migrate after --back: version %d dirty %v, want 1 clean", v, dirty)
	}
}

// Where the engine rolled the file back, the forward plan does not name
// statement k+1 as the one that failed: any of them can have; the replay,
// when there is one, names it.
func TestForwardPlanNamesTheFailedStatementOnlyWhenKnown(t *testing.T) {
	db := testdb.NewSQLite(t)
	dir := testdb.WriteDir(t, map[string]string{
		"1_users.up.sql": "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);\n",
		"2_orders.up.sql": "CREATE TABLE orders (id integer PRIMARY KEY);\n" +
			"ALTER TABLE users ADD COLUMN email text;\n" +
			"CREATE TABLE tags (id integer PRIMARY KEY);\n",
	})
	testdb.UpExpectError(t, dir, db.URL) // golang-migrate wraps the file in a transaction
	u := db.ParsedURL(t)
	for _, c := range []struct {
		name string
		dev  *compat.DatabaseURL
		want string
	}{
		{"probes", nil, "fix the statement that failed first: the engine rolled back what ran of statements 1 to 3"},
		{"replay", devURL(t, testdb.SQLite), "fix statement 2 first: it fails on the replay too"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dg, err := diagnoseDB(t, dir, db, u, doctor.Options{Path: dir, DevURL: c.dev})
			if err != nil {
				t.Fatal(err)
			}
			if v := dg.Verdict; v.Certainty != doctor.Proven || v.Applied != 0 {
				t.Fatalf("verdict %s k=%d: %s", v.Certainty, v.Applied, v.Summary)
			}
			if p := dg.Plan(doctor.Forward); !strings.Contains(p.Summary, c.want) {
				t.Errorf("--forward summary %q, want it to say %q", p.Summary, c.want)
			}
		})
	}
}
