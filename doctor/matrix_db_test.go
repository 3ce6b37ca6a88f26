package doctor_test

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/database"
	"github.com/ferrymigrate/ferry/doctor"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/inspect"
	"github.com/ferrymigrate/ferry/internal/testdb"
)

// The scenario matrix: dirty states made by golang-migrate's own library
// on every engine, the verdict the doctor must reach (exactly with a dev
// database, never wrongly without), and every plan it offers carried out
// by Recover, after which golang-migrate's Up must complete and the schema
// must equal a clean replay of all files.

// expected is the true (case, applied prefix) of a scenario on one engine.
type expected struct {
	c     doctor.Case
	k     int
	drift bool
}

type scenario struct {
	name     string
	dialects []string
	// broken are the files as they ran; fixed replaces some after the
	// failure (the on-call engineer's fix).
	broken func(dialect string) map[string]string
	fixed  func(dialect string) map[string]string
	// dirty makes the dirty state with golang-migrate.
	dirty func(t *testing.T, dir string, db *testdb.DB) string
	// byHand changes the schema by hand afterwards (drift).
	byHand func(t *testing.T, db *testdb.DB)
	// errText is what golang-migrate printed, as a user would pass it.
	want map[string]expected
}

func dropIndex(dialect, index, table string) string {
	if dialect == testdb.MySQL {
		return "DROP INDEX " + index + " ON " + table
	}
	return "DROP INDEX " + index
}

// base are the first and third versions every scenario shares.
func base(dialect string) map[string]string {
	return map[string]string{
		"1_users.up.sql":   "CREATE TABLE users (id integer PRIMARY KEY, email varchar(100) NOT NULL);\nCREATE TABLE settings (k varchar(50) PRIMARY KEY, v varchar(100));\n",
		"1_users.down.sql": "DROP TABLE settings;\nDROP TABLE users;\n",
		"3_audit.up.sql":   "CREATE TABLE audit (id integer PRIMARY KEY, note varchar(100));\nCREATE INDEX audit_note ON audit (note);\n",
		"3_audit.down.sql": dropIndex(dialect, "audit_note", "audit") + ";\nDROP TABLE audit;\n",
	}
}

func with(m map[string]string, kv ...string) map[string]string {
	out := maps.Clone(m)
	for i := 0; i < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

const (
	// middleGood is the second version as it should be.
	middleGood = "CREATE TABLE orders (id integer PRIMARY KEY, user_id integer NOT NULL);\n" +
		"ALTER TABLE users ADD COLUMN name varchar(100);\n" +
		"INSERT INTO settings (k, v) VALUES ('orders', 'on');\n" +
		"CREATE INDEX orders_user ON orders (user_id);\n"
	middleDown = "DROP TABLE orders;\nALTER TABLE users DROP COLUMN name;\nDELETE FROM settings WHERE k = 'orders';\n"
)

func upFails(t *testing.T, dir string, db *testdb.DB) string {
	t.Helper()
	return testdb.UpExpectError(t, dir, db.URL).Error()
}

func scenarios() []scenario {
	all := testdb.Dialects()
	return []scenario{
		{
			name:     "fails at statement 1",
			dialects: all,
			broken: func(d string) map[string]string {
				return with(base(d), "2_orders.up.sql", "ALTER TABLE users ADD COLUMN email varchar(100);\n"+
					"CREATE TABLE orders (id integer PRIMARY KEY, user_id integer NOT NULL);\n"+
					"CREATE INDEX orders_user ON orders (user_id);\n",
					"2_orders.down.sql", "DROP TABLE orders;\nALTER TABLE users DROP COLUMN name;\n")
			},
			fixed: func(d string) map[string]string {
				return map[string]string{"2_orders.up.sql": "ALTER TABLE users ADD COLUMN name varchar(100);\n" +
					"CREATE TABLE orders (id integer PRIMARY KEY, user_id integer NOT NULL);\n" +
					"CREATE INDEX orders_user ON orders (user_id);\n"}
			},
			dirty: upFails,
			want:  map[string]expected{testdb.Postgres: {doctor.Up, 0, false}, testdb.MySQL: {doctor.Up, 0, false}, testdb.SQLite: {doctor.Up, 0, false}},
		},
		{
			// On PostgreSQL and SQLite the whole file rolls back.
			name:     "fails in the middle",
			dialects: all,
			broken: func(d string) map[string]string {
				return with(base(d), "2_orders.up.sql", strings.Replace(middleGood, "INSERT INTO settings (k, v) VALUES ('orders', 'on')", "INSERT INTO nosuch (id) VALUES (1)", 1),
					"2_orders.down.sql", middleDown)
			},
			fixed: func(d string) map[string]string { return map[string]string{"2_orders.up.sql": middleGood} },
			dirty: upFails,
			want:  map[string]expected{testdb.Postgres: {doctor.Up, 0, false}, testdb.MySQL: {doctor.Up, 2, false}, testdb.SQLite: {doctor.Up, 0, false}},
		},
		{
			name:     "fails at the last statement",
			dialects: all,
			broken: func(d string) map[string]string {
				return with(base(d), "2_orders.up.sql", "CREATE TABLE orders (id integer PRIMARY KEY, user_id integer NOT NULL);\n"+
					"CREATE INDEX orders_user ON orders (user_id);\n"+
					"ALTER TABLE users ADD COLUMN email varchar(100);\n",
					"2_orders.down.sql", "DROP TABLE orders;\nALTER TABLE users DROP COLUMN name;\n")
			},
			fixed: func(d string) map[string]string {
				return map[string]string{"2_orders.up.sql": "CREATE TABLE orders (id integer PRIMARY KEY, user_id integer NOT NULL);\n" +
					"CREATE INDEX orders_user ON orders (user_id);\n" +
					"ALTER TABLE users ADD COLUMN name varchar(100);\n"}
			},
			dirty: upFails,
			want:  map[string]expected{testdb.Postgres: {doctor.Up, 0, false}, testdb.MySQL: {doctor.Up, 2, false}, testdb.SQLite: {doctor.Up, 0, false}},
		},
		{
			name:     "PostgreSQL file with BEGIN/COMMIT commits its first block",
			dialects: []string{testdb.Postgres},
			broken: func(d string) map[string]string {
				return with(base(d), "2_orders.up.sql", "BEGIN;\nCREATE TABLE orders (id integer PRIMARY KEY, user_id integer NOT NULL);\nCOMMIT;\n"+
					"BEGIN;\nALTER TABLE users ADD COLUMN name varchar(100);\nINSERT INTO nosuch (id) VALUES (1);\nCOMMIT;\n",
					"2_orders.down.sql", "DROP TABLE orders;\nALTER TABLE users DROP COLUMN name;\n")
			},
			fixed: func(d string) map[string]string {
				return map[string]string{"2_orders.up.sql": "BEGIN;\nCREATE TABLE orders (id integer PRIMARY KEY, user_id integer NOT NULL);\nCOMMIT;\n" +
					"BEGIN;\nALTER TABLE users ADD COLUMN name varchar(100);\nINSERT INTO settings (k, v) VALUES ('orders', 'on');\nCOMMIT;\n"}
			},
			dirty: upFails,
			want:  map[string]expected{testdb.Postgres: {doctor.Up, 3, false}},
		},
		{
			name:     "failed down of the next version",
			dialects: all,
			broken: func(d string) map[string]string {
				return with(base(d), "2_orders.up.sql", middleGood, "2_orders.down.sql", middleDown,
					"3_audit.down.sql", dropIndex(d, "audit_note", "audit")+";\nDROP TABLE audit;\nDROP TABLE nosuch;\n")
			},
			fixed: func(d string) map[string]string {
				return map[string]string{"3_audit.down.sql": dropIndex(d, "audit_note", "audit") + ";\nDROP TABLE audit;\n"}
			},
			dirty: func(t *testing.T, dir string, db *testdb.DB) string {
				testdb.Up(t, dir, db.URL)
				err := testdb.Migrator(t, dir, db.URL).Steps(-1)
				if err == nil {
					t.Fatal("the down of 3 should fail")
				}
				return err.Error()
			},
			want: map[string]expected{testdb.Postgres: {doctor.Down, 0, false}, testdb.MySQL: {doctor.Down, 2, false}, testdb.SQLite: {doctor.Down, 0, false}},
		},
		{
			name:     "crash after the run, before the row was cleaned",
			dialects: all,
			broken: func(d string) map[string]string {
				return with(base(d), "2_orders.up.sql", middleGood, "2_orders.down.sql", middleDown)
			},
			dirty: func(t *testing.T, dir string, db *testdb.DB) string {
				testdb.Steps(t, dir, db.URL, 1)
				for _, st := range strings.Split(strings.TrimSpace(middleGood), ";\n") {
					db.Exec(t, strings.TrimSuffix(st, ";"))
				}
				db.SetLegacyRow(t, 2, true)
				return ""
			},
			want: map[string]expected{testdb.Postgres: {doctor.Up, 4, false}, testdb.MySQL: {doctor.Up, 4, false}, testdb.SQLite: {doctor.Up, 4, false}},
		},
		{
			name:     "a table dropped by hand",
			dialects: all,
			broken: func(d string) map[string]string {
				return with(base(d), "2_orders.up.sql", strings.Replace(middleGood, "INSERT INTO settings (k, v) VALUES ('orders', 'on')", "INSERT INTO nosuch (id) VALUES (1)", 1),
					"2_orders.down.sql", middleDown)
			},
			dirty:  upFails,
			byHand: func(t *testing.T, db *testdb.DB) { db.Exec(t, "DROP TABLE settings") },
			want:   map[string]expected{testdb.Postgres: {doctor.Up, 0, true}, testdb.MySQL: {doctor.Up, 2, true}, testdb.SQLite: {doctor.Up, 0, true}},
		},
	}
}

func devURL(t *testing.T, dialect string) *compat.DatabaseURL {
	t.Helper()
	raw := "sqlite://:memory:"
	switch dialect {
	case testdb.Postgres:
		raw = testdb.PostgresServerURL()
	case testdb.MySQL:
		raw = testdb.MySQLServerURL()
	}
	u, err := compat.ParseDatabaseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// build makes the scenario's dirty database and returns its folder.
func build(t *testing.T, s scenario, dialect string) (string, *testdb.DB, *compat.DatabaseURL, string) {
	t.Helper()
	db := testdb.New(t, dialect)
	dir := testdb.WriteDir(t, s.broken(dialect))
	errText := s.dirty(t, dir, db)
	if s.byHand != nil {
		s.byHand(t, db)
	}
	if _, dirty, _ := testdb.Version(t, dir, db.URL); !dirty {
		t.Fatalf("the scenario left the database clean")
	}
	u := db.ParsedURL(t)
	return dir, db, u, errText
}

func fix(t *testing.T, s scenario, dialect, dir string) {
	t.Helper()
	if s.fixed == nil {
		return
	}
	for name, body := range s.fixed(dialect) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// diagnoseDB runs doctor.Diagnose on db, reached as u, and the folder dir.
func diagnoseDB(t *testing.T, dir string, db *testdb.DB, u *compat.DatabaseURL, o doctor.Options) (*doctor.Diagnosis, error) {
	t.Helper()
	return doctor.Diagnose(t.Context(), database.Wrap(db.SQL, u), os.DirFS(dir), o)
}

// recoverDB runs doctor.Recover on db, reached as u, and the folder dir.
func recoverDB(t *testing.T, dir string, db *testdb.DB, u *compat.DatabaseURL, o doctor.RecoverOptions) (*doctor.Result, error) {
	t.Helper()
	return doctor.Recover(t.Context(), database.Wrap(db.SQL, u), os.DirFS(dir), o)
}

func diagnose(t *testing.T, dir string, db *testdb.DB, u *compat.DatabaseURL, dev *compat.DatabaseURL, errText string) *doctor.Diagnosis {
	t.Helper()
	dg, err := diagnoseDB(t, dir, db, u, doctor.Options{Path: dir, DevURL: dev, Error: errText})
	if err != nil {
		t.Fatalf("Diagnose: %v", err)
	}
	return dg
}

func describe(t *testing.T, db *testdb.DB) string {
	t.Helper()
	s, err := inspect.Inspect(context.Background(), db.SQL, engine.Dialect(db.Dialect), inspect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s.String()
}

func TestScenarioMatrix(t *testing.T) {
	for _, s := range scenarios() {
		for _, dialect := range s.dialects {
			want := s.want[dialect]
			t.Run(s.name+"/"+dialect, func(t *testing.T) {
				t.Parallel()
				dir, db, u, errText := build(t, s, dialect)
				// Without a dev database: never a wrong verdict, with or
				// without the error golang-migrate printed.
				if errText != "" {
					dg := diagnose(t, dir, db, u, nil, "")
					v := dg.Verdict
					t.Logf("without --dev-url and --error: %s %s k=%d/%d: %s\n%s", v.Certainty, v.Case, v.Applied, v.Total, v.Summary, dump(dg))
					if v.Certainty != doctor.Unknown && (v.Case != want.c || v.Applied != want.k) {
						t.Errorf("without --dev-url and --error the verdict is wrong: %s %s k=%d, truth %s k=%d", v.Certainty, v.Case, v.Applied, want.c, want.k)
					}
				}
				blind := diagnose(t, dir, db, u, nil, errText)
				v := blind.Verdict
				t.Logf("without --dev-url: %s %s k=%d/%d: %s", v.Certainty, v.Case, v.Applied, v.Total, v.Summary)
				if v.Certainty == doctor.Proven && (v.Case != want.c || v.Applied != want.k || want.drift) {
					t.Errorf("without --dev-url the verdict is wrong: proven %s k=%d, truth %s k=%d (drift %v)", v.Case, v.Applied, want.c, want.k, want.drift)
				}
				if v.Certainty != doctor.Unknown && (v.Case != want.c || v.Applied != want.k) {
					t.Errorf("without --dev-url the verdict is wrong: %s %s k=%d, truth %s k=%d", v.Certainty, v.Case, v.Applied, want.c, want.k)
				}
				// With a dev database: exact.
				dg := diagnose(t, dir, db, u, devURL(t, dialect), errText)
				v = dg.Verdict
				t.Logf("with --dev-url: %s %s k=%d/%d: %s", v.Certainty, v.Case, v.Applied, v.Total, v.Summary)
				if dg.Replay == nil || dg.Replay.Error != "" {
					t.Fatalf("replay failed: %+v", dg.Replay)
				}
				if v.Case != want.c || v.Applied != want.k {
					t.Fatalf("with --dev-url: %s k=%d, want %s k=%d\n%s", v.Case, v.Applied, want.c, want.k, dump(dg))
				}
				if want.drift {
					if v.Certainty == doctor.Proven || dg.Replay.Nearest == nil || !strings.Contains(dg.Replay.Nearest.Diff, "settings") {
						t.Fatalf("drift not shown: %s, nearest %+v", v.Certainty, dg.Replay.Nearest)
					}
					return
				}
				if v.Certainty != doctor.Proven {
					t.Fatalf("with --dev-url the verdict is %s, want proven\n%s", v.Certainty, dump(dg))
				}
				token := dg.Fingerprint
				// Every plan offered after the fix, on a fresh copy.
				fix(t, s, dialect, dir)
				res, err := recoverDB(t, dir, db, u, doctor.RecoverOptions{Plan: doctor.Mark, Expect: token, DryRun: true, Diagnose: doctor.Options{Path: dir}})
				var plans []doctor.PlanKind
				if res != nil {
					for _, p := range res.Diagnosis.Plans {
						if p.Available {
							plans = append(plans, p.Kind)
						}
					}
				}
				if len(plans) == 0 {
					t.Fatalf("no plan available after the fix (%v)", err)
				}
				for _, kind := range plans {
					t.Run(string(kind), func(t *testing.T) { runPlan(t, s, dialect, kind) })
				}
			})
		}
	}
}

// runPlan builds the scenario again, fixes the files, recovers with the
// plan, runs golang-migrate's Up and compares with a clean replay.
func runPlan(t *testing.T, s scenario, dialect string, kind doctor.PlanKind) {
	dir, db, u, errText := build(t, s, dialect)
	dg := diagnose(t, dir, db, u, devURL(t, dialect), errText)
	fix(t, s, dialect, dir)
	res, err := recoverDB(t, dir, db, u, doctor.RecoverOptions{
		Plan: kind, Expect: dg.Fingerprint, Confirm: func(*doctor.Diagnosis, *doctor.Plan) bool { return true },
		Operator: "test", OperatorVersion: "ferry test", Diagnose: doctor.Options{Path: dir, DevURL: devURL(t, dialect)},
	})
	if err != nil {
		t.Fatalf("recover --%s: %v", kind, err)
	}
	t.Logf("recover --%s ran %d statement(s); %s; verified %v", kind, res.Executed, res.LegacyAfter, res.Verified)
	testdb.Up(t, dir, db.URL)
	if v, dirty, _ := testdb.Version(t, dir, db.URL); v != 3 || dirty {
		t.Fatalf("golang-migrate after recover and Up: version %d dirty %v", v, dirty)
	}
	clean := testdb.New(t, dialect)
	testdb.Up(t, dir, clean.URL)
	if got, want := describe(t, db), describe(t, clean); got != want {
		t.Fatalf("after --%s and Up the schema differs from a clean replay:\n%s", kind, inspectDiff(want, got))
	}
}

func inspectDiff(a, b string) string {
	return "--- clean\n" + a + "\n+++ recovered\n" + b
}

func dump(dg *doctor.Diagnosis) string {
	var b strings.Builder
	for _, c := range dg.Candidates {
		b.WriteString(string(c.Case) + " " + c.File + " " + c.Semantics + "\n")
		for k, why := range c.RuledOut {
			b.WriteString("  ruled out " + itoa(k) + ": " + strings.Join(why, "; ") + "\n")
		}
		for _, st := range c.Statements {
			b.WriteString("  " + itoa(st.Index) + " " + string(st.Status) + " " + st.Text + " " + strings.Join(st.Evidence, "; ") + "\n")
		}
	}
	if dg.Replay != nil {
		b.WriteString("replay matches: ")
		for _, m := range dg.Replay.Matches {
			b.WriteString(string(m.Case) + ":" + itoa(m.Applied) + " ")
		}
		if dg.Replay.Failed != nil {
			b.WriteString("failed at " + dg.Replay.Failed.File + ":" + itoa(dg.Replay.Failed.Statement) + " " + dg.Replay.Failed.Error)
		}
		if dg.Replay.Nearest != nil {
			b.WriteString("\nnearest " + dg.Replay.Nearest.Diff)
		}
	}
	return b.String()
}

func itoa(i int) string { return strconv.Itoa(i) }
