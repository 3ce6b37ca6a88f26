package apply_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	gm "github.com/golang-migrate/migrate/v4"

	"github.com/ferrymigrate/ferry/apply"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/database"
	"github.com/ferrymigrate/ferry/doctor"
	"github.com/ferrymigrate/ferry/drift"
	"github.com/ferrymigrate/ferry/internal/testdb"
	"github.com/ferrymigrate/ferry/refusal"
	"github.com/ferrymigrate/ferry/status"
)

// destructiveAdvice returns the parts of msg that advise a step which
// re-runs, forces back or un-records statements: running migrate up,
// forcing golang-migrate's row, deleting revision rows. Warnings against
// them ("do not run migrate up", "migrate up would run them again") are
// not advice.
func destructiveAdvice(msg string) []string {
	var out []string
	lower := strings.ToLower(msg)
	for _, bad := range []string{"re-apply with golang-migrate", "migrate force", "force version", "force the row", "delete the revision rows", "delete their rows", "delete from", "deleting its row"} {
		if strings.Contains(lower, bad) {
			out = append(out, bad)
		}
	}
	for i := 0; ; {
		j := strings.Index(lower[i:], "migrate up")
		if j < 0 {
			break
		}
		at := i + j
		before, after := lower[max(0, at-12):at], lower[at+len("migrate up"):]
		warning := strings.HasSuffix(before, "do not run ") || strings.HasPrefix(after, " would") || strings.HasPrefix(after, " refuses") || strings.HasPrefix(after, " fails") || strings.HasPrefix(after, " has nothing")
		if !warning {
			out = append(out, "migrate up ("+msg[max(0, at-30):min(len(msg), at+30)]+")")
		}
		i = at + 1
	}
	return out
}

func TestDestructiveAdvice(t *testing.T) {
	for _, tc := range []struct {
		msg  string
		want bool
	}{
		{"golang-migrate is at version 1, below the newest complete revision 2: it stepped down since (migrate down); next: re-apply with golang-migrate (migrate up) or delete the revision rows above 1", true},
		{"next: run migrate force 2", true},
		{"do not run migrate up: it would run 2_b.up.sql again", false},
		{"migrate up would run them again; next: ferry apply --path x", false},
		{"migrate up would apply 1 migration(s), starting with 2_b.up.sql", false},
		{"then run migrate up", true},
	} {
		if got := len(destructiveAdvice(tc.msg)) > 0; got != tc.want {
			t.Errorf("%q: destructive %v, want %v", tc.msg, got, tc.want)
		}
	}
}

// noDestructiveAdvice fails the test when a message ferry gave advises
// re-running, forcing back or un-recording statements.
func noDestructiveAdvice(t *testing.T, where string, msgs ...string) {
	t.Helper()
	for _, m := range msgs {
		if bad := destructiveAdvice(m); len(bad) > 0 {
			t.Errorf("%s advises a destructive step %q:\n%s", where, bad, m)
		}
	}
}

// ferryStatus runs status.Run on dir and db.
func ferryStatus(t *testing.T, dir string, db *testdb.DB) *status.Report {
	t.Helper()
	u := db.ParsedURL(t)
	r, err := status.Run(context.Background(), status.Options{Dir: os.DirFS(dir), DirPath: dir, Database: u})
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	return r
}

// statusTexts are the messages status gives: its next action and findings.
func statusTexts(r *status.Report) []string {
	out := []string{r.Action.Message}
	for _, f := range r.Findings {
		out = append(out, f.Message)
	}
	return out
}

func findingOf(r *status.Report, code string) (string, bool) {
	for _, f := range r.Findings {
		if f.Code == code {
			return string(f.Severity) + " " + f.Message, true
		}
	}
	return "", false
}

// ferryDrift runs drift.Run on dir and db, replaying on the dialect's dev
// server.
func ferryDrift(t *testing.T, dir string, db *testdb.DB) *drift.Report {
	t.Helper()
	o := drift.Options{Dir: os.DirFS(dir), DirPath: dir}
	var err error
	if o.Database, err = compat.ParseDatabaseURL(db.URL); err != nil {
		t.Fatal(err)
	}
	dev := map[string]func() string{testdb.Postgres: testdb.PostgresServerURL, testdb.MySQL: testdb.MySQLServerURL, testdb.SQLite: func() string { return "sqlite://:memory:" }}[db.Dialect]()
	if o.Dev, err = compat.ParseDatabaseURL(dev); err != nil {
		t.Fatal(err)
	}
	r, err := drift.Run(context.Background(), o)
	if err != nil {
		t.Fatalf("drift: %v", err)
	}
	return r
}

// ferryDoctor runs doctor.Diagnose on dir and db.
func ferryDoctor(t *testing.T, dir string, db *testdb.DB) *doctor.Diagnosis {
	t.Helper()
	h, u := testdb.ConnectReadOnly(t, db.URL)
	defer h.Close()
	dg, err := doctor.Diagnose(context.Background(), database.Wrap(h, u), os.DirFS(dir), doctor.Options{Path: dir})
	if err != nil {
		t.Fatalf("doctor: %v", err)
	}
	return dg
}

// doctorTexts are the messages a diagnosis gives: verdict, notes, plans.
func doctorTexts(dg *doctor.Diagnosis) []string {
	out := append([]string{dg.Verdict.Summary}, dg.Notes...)
	for _, p := range dg.Plans {
		out = append(out, p.Why, p.Summary, p.Command)
	}
	return out
}

// gmUpNoChange fails the test unless golang-migrate's Up returns
// ErrNoChange: its row is in step with what ran.
func gmUpNoChange(t *testing.T, dir string, db *testdb.DB) {
	t.Helper()
	m := testdb.Migrator(t, dir, db.URL)
	if err := m.Up(); !errors.Is(err, gm.ErrNoChange) {
		t.Errorf("golang-migrate Up(): %v, want ErrNoChange", err)
	}
}

// atlasAhead runs check in a subtest per dialect, on the state the tests
// below start from: golang-migrate applies the first of files, ferry
// converts, then Atlas's own executor applies n more (0: all), writing its
// revision rows without touching golang-migrate's row (checked: it stays
// at 1).
func atlasAhead(t *testing.T, files map[string]string, n int, check func(t *testing.T, db *testdb.DB, dir string)) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			db := testdb.New(t, dialect)
			dir := testdb.WriteDir(t, files)
			testdb.Steps(t, dir, db.URL, 1)
			testdb.WriteSum(t, dir)
			convertDB(t, dir, db)
			if err := atlasExecute(t, dir, db, n); err != nil {
				t.Fatalf("atlas: %v", err)
			}
			wantVersion(t, dir, db, legacy{Version: 1})
			check(t, db, dir)
		})
	}
}

// TestAtlasAppliedAhead is the reproduction of issue 11 item 4: golang-
// migrate applies 1, ferry converts, Atlas applies 2 and writes its
// revision row without touching schema_migrations. ferry apply refused with
// advice to run migrate up (which re-runs 2) or delete the rows (which
// makes Atlas re-run 2). Now it moves golang-migrate's row to 2.
func TestAtlasAppliedAhead(t *testing.T) {
	atlasAhead(t, map[string]string{
		"1_a.up.sql": "CREATE TABLE a (id int);\n",
		"2_b.up.sql": "CREATE TABLE b (id int);\n",
	}, 0, func(t *testing.T, db *testdb.DB, dir string) {
		st := ferryStatus(t, dir, db)
		f, ok := findingOf(st, status.CodeAhead)
		if !ok {
			t.Fatalf("status: no %s finding; findings %+v", status.CodeAhead, st.Findings)
		}
		for _, want := range []string{"warning", "2_b.up.sql", atlasOperator, "migrate up would run them again", "table b exists", "ferry apply --path " + dir} {
			if !strings.Contains(f, want) {
				t.Errorf("status %s: %q lacks %q", status.CodeAhead, f, want)
			}
		}
		if st.Action.Kind != status.ActionRerun || !strings.Contains(st.Action.Message, "do not run migrate up") {
			t.Errorf("status next: %s %q, want a warning that migrate up re-runs 2_b.up.sql", st.Action.Kind, st.Action.Message)
		}
		noDestructiveAdvice(t, "status", statusTexts(st)...)

		res, err := runApply(t, dir, db, apply.Options{})
		if err != nil {
			noDestructiveAdvice(t, "apply", err.Error())
			t.Fatalf("apply: %v", err)
		}
		if !res.CaughtUp || res.Plan.CatchUp == nil || res.Plan.CatchUp.To != 2 || len(res.Applied) != 0 {
			t.Errorf("apply: caught up %v (%+v), applied %v; want golang-migrate's row moved to 2 and nothing run", res.CaughtUp, res.Plan.CatchUp, res.Applied)
		}
		wantVersion(t, dir, db, legacy{Version: 2})
		gmUpNoChange(t, dir, db)
		if st := ferryStatus(t, dir, db); st.Action.Kind != status.ActionNoChange {
			t.Errorf("status after apply: %s %q, want no-change", st.Action.Kind, st.Action.Message)
		}
	})
}

// TestThreeTools: golang-migrate (its library) applies 1, ferry converts,
// Atlas's own executor applies 2 and 3, then status, drift, doctor and
// apply each read the mix right, apply runs 4, and golang-migrate's row
// ends in step.
func TestThreeTools(t *testing.T) {
	atlasAhead(t, map[string]string{
		"1_users.up.sql":   "CREATE TABLE users (id int PRIMARY KEY, email varchar(100) NOT NULL);\n",
		"1_users.down.sql": "DROP TABLE users;\n",
		"2_orders.up.sql":  "CREATE TABLE orders (id int PRIMARY KEY, user_id int NOT NULL);\nCREATE INDEX orders_user ON orders (user_id);\n",
		"3_email.up.sql":   "CREATE INDEX users_email ON users (email);\nINSERT INTO users (id, email) VALUES (1, 'a@example.com');\n",
		"4_notes.up.sql":   "CREATE TABLE notes (id int PRIMARY KEY, body text);\n",
	}, 2, func(t *testing.T, db *testdb.DB, dir string) {
		st := ferryStatus(t, dir, db)
		f, ok := findingOf(st, status.CodeAhead)
		if !ok || !strings.Contains(f, "2_orders.up.sql") || !strings.Contains(f, "3_email.up.sql") || !strings.Contains(f, "migrate up would run them again") {
			t.Errorf("status %s: %q", status.CodeAhead, f)
		}
		noDestructiveAdvice(t, "status", statusTexts(st)...)

		dr := ferryDrift(t, dir, db)
		if dr.Version == nil || *dr.Version != 3 || !strings.Contains(dr.VersionFrom, "atlas_schema_revisions") || dr.Drifted {
			t.Errorf("drift: version %v from %q, drifted %v (%s); want version 3 from the revisions, no drift", dr.Version, dr.VersionFrom, dr.Drifted, dr.Diff)
		}
		if !strings.Contains(strings.Join(dr.Notes, "\n"), "newest complete revision") {
			t.Errorf("drift notes %q do not say which version it replayed to", dr.Notes)
		}

		dg := ferryDoctor(t, dir, db)
		if !dg.Verdict.Clean {
			t.Errorf("doctor: %+v, want clean", dg.Verdict)
		}
		noDestructiveAdvice(t, "doctor", doctorTexts(dg)...)

		pl, err := preview(t, dir, db, apply.Options{})
		if err != nil {
			t.Fatalf("apply --dry-run: %v", err)
		}
		if pl.CatchUp == nil || pl.CatchUp.To != 3 || len(pl.Steps) != 1 || pl.Steps[0].Version != "4" {
			t.Errorf("plan: catch-up %+v, %d step(s); want golang-migrate's row to 3, then 4", pl.CatchUp, len(pl.Steps))
		}
		wantVersion(t, dir, db, legacy{Version: 1}) // a preview writes nothing

		res := mustApply(t, dir, db, apply.Options{})
		if !res.CaughtUp || strings.Join(res.Applied, ",") != "4" {
			t.Errorf("apply: caught up %v, applied %v; want the row moved to 3, then 4 applied", res.CaughtUp, res.Applied)
		}
		wantVersion(t, dir, db, legacy{Version: 4})
		gmUpNoChange(t, dir, db)
		exactlyOnceRows(t, db)
		if err := atlasExecute(t, dir, db, 0); err != nil {
			t.Errorf("atlas after ferry: %v", err)
		}
		if dr := ferryDrift(t, dir, db); dr.Version == nil || *dr.Version != 4 || dr.Drifted {
			t.Errorf("drift after apply: version %v, drifted %v (%s)", dr.Version, dr.Drifted, dr.Diff)
		}
	})
}

// exactlyOnceRows checks that 3_email.up.sql's INSERT ran once: Atlas ran
// it, and nothing ran it again.
func exactlyOnceRows(t *testing.T, db *testdb.DB) {
	t.Helper()
	var n int
	if err := db.SQL.QueryRow(`SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("users holds %d rows; 3_email.up.sql inserts one, once", n)
	}
}

// TestSteppedDown: golang-migrate applied 1 and 2, ferry converted, then
// migrate down undid 2. The revision row of 2 is stale: apply refuses, and
// says so from the schema, without advising migrate up or a force.
func TestSteppedDown(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			db := testdb.New(t, dialect)
			dir := testdb.WriteDir(t, map[string]string{
				"1_a.up.sql":   "CREATE TABLE a (id int);\n",
				"1_a.down.sql": "DROP TABLE a;\n",
				"2_b.up.sql":   "CREATE TABLE b (id int);\n",
				"2_b.down.sql": "DROP TABLE b;\n",
			})
			testdb.Up(t, dir, db.URL)
			testdb.WriteSum(t, dir)
			convertDB(t, dir, db)
			testdb.Steps(t, dir, db.URL, -1)

			_, err := runApply(t, dir, db, apply.Options{})
			var ref *refusal.Refusal
			if !errors.As(err, &ref) {
				t.Fatalf("apply: %v, want a refusal", err)
			}
			for _, want := range []string{"stepped down", "table b does not exist", "ferry drift"} {
				if !strings.Contains(ref.Error(), want) {
					t.Errorf("refusal %q lacks %q", ref.Error(), want)
				}
			}
			for _, bad := range []string{"migrate force", "re-apply with golang-migrate", "(migrate up)"} {
				if strings.Contains(ref.Error(), bad) {
					t.Errorf("refusal %q advises %q", ref.Error(), bad)
				}
			}
			wantVersion(t, dir, db, legacy{Version: 1})
			st := ferryStatus(t, dir, db)
			if f, ok := findingOf(st, status.CodeAhead); !ok || !strings.HasPrefix(f, "error") || !strings.Contains(f, "stepped down") {
				t.Errorf("status %s: %q", status.CodeAhead, f)
			}
		})
	}
}

// TestAheadUnclear: the file Atlas applied changes rows only, so the
// schema cannot tell whether it ran: apply refuses and points at drift,
// advising nothing that re-runs or un-records it.
func TestAheadUnclear(t *testing.T) {
	atlasAhead(t, map[string]string{
		"1_a.up.sql": "CREATE TABLE a (id int);\n",
		"2_b.up.sql": "INSERT INTO a (id) VALUES (1);\n",
	}, 0, func(t *testing.T, db *testdb.DB, dir string) {
		_, err := runApply(t, dir, db, apply.Options{})
		var ref *refusal.Refusal
		if !errors.As(err, &ref) {
			t.Fatalf("apply: %v, want a refusal", err)
		}
		if !strings.Contains(ref.Error(), "ferry drift") || !strings.Contains(ref.Error(), "cannot show") {
			t.Errorf("refusal %q does not say the schema cannot tell, or does not point at ferry drift", ref.Error())
		}
		noDestructiveAdvice(t, "apply", ref.Error())
		st := ferryStatus(t, dir, db)
		if _, ok := findingOf(st, status.CodeAhead); !ok {
			t.Errorf("status: no %s finding", status.CodeAhead)
		}
		noDestructiveAdvice(t, "status", statusTexts(st)...)
		wantVersion(t, dir, db, legacy{Version: 1})
	})
}
