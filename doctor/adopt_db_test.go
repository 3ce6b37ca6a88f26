package doctor_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/database"
	"github.com/ferrymigrate/ferry/doctor"
	"github.com/ferrymigrate/ferry/internal/testdb"
)

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
	ctx := context.Background()
	proven, err := doctor.Diagnose(ctx, database.Wrap(db.SQL, u), os.DirFS(dir), doctor.Options{Path: dir, DevURL: devURL(t, testdb.SQLite)})
	if err != nil {
		t.Fatal(err)
	}
	blind, err := doctor.Diagnose(ctx, database.Wrap(db.SQL, u), os.DirFS(dir), doctor.Options{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	if proven.Verdict.Certainty != doctor.Proven || blind.Verdict.Certainty == doctor.Proven || proven.Fingerprint == blind.Fingerprint {
		t.Fatalf("the scenario needs a verdict proven only with --dev-url: %s %s / %s %s", proven.Verdict.Certainty, proven.Fingerprint, blind.Verdict.Certainty, blind.Fingerprint)
	}
	token := proven.Fingerprint
	res, err := doctor.Recover(ctx, database.Wrap(db.SQL, u), os.DirFS(dir), doctor.RecoverOptions{Plan: doctor.Back, Expect: token, DryRun: true, Diagnose: doctor.Options{Path: dir}})
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
	res, err = doctor.Recover(ctx, database.Wrap(db.SQL, u), os.DirFS(dir), doctor.RecoverOptions{Plan: doctor.Back, Expect: token, Confirm: yes, Operator: "test", OperatorVersion: "ferry test", Diagnose: doctor.Options{Path: dir}})
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
	u, err := compat.ParseDatabaseURL(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		dev  *compat.DatabaseURL
		want string
	}{
		{"probes", nil, "fix the statement that failed first: the engine rolled back what ran of statements 1 to 3"},
		{"replay", devURL(t, testdb.SQLite), "fix statement 2 first: it fails on the replay too"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dg, err := doctor.Diagnose(context.Background(), database.Wrap(db.SQL, u), os.DirFS(dir), doctor.Options{Path: dir, DevURL: c.dev})
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
