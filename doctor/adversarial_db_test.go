package doctor_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/doctor"
	"github.com/ferrymigrate/ferry/internal/testdb"
	"github.com/ferrymigrate/ferry/refusal"
)

// Adversarial dirty states made with golang-migrate,
// each with the truth known from how it was built. The doctor may say
// "unknown" whenever it likes, but a "proven" verdict must be the truth
// (with and without a dev database), and a "consistent" one too unless
// the schema was changed by hand.

type adversarial struct {
	name    string
	dialect string
	// opts are golang-migrate URL options (x-multi-statement, ...).
	opts  []string
	files map[string]string
	// before runs on the fresh database before golang-migrate (objects
	// made outside the migrations).
	before []string
	// steps run cleanly before the failing Up (0: none).
	steps int
	// dirty replaces the default failing Up; it returns the error text.
	dirty func(t *testing.T, dir, url string, db *testdb.DB) string
	// truth is the case and applied prefix that really happened; noTruth
	// says that no (case, prefix) of the files describes the state (the
	// doctor must not be certain).
	truth   expected
	noTruth bool
	// byHand: the schema was changed outside the files, so a consistent
	// verdict may be wrong; a proven one still may not.
	byHand bool
	// indistinguishable: the hand change makes the schema equal, object for
	// object, to a state the file leads to; without the error nothing can
	// tell them apart (a documented limit of doctor.md).
	indistinguishable bool
}

// checkAdversarial builds r, diagnoses it in every way the CLI can and checks
// the verdicts against the truth.
func checkAdversarial(t *testing.T, r adversarial) {
	t.Helper()
	db := testdb.New(t, r.dialect)
	db.Exec(t, r.before...)
	dir := testdb.WriteDir(t, r.files)
	url := db.URLWith(r.opts...)
	if r.steps > 0 {
		testdb.Steps(t, dir, url, r.steps)
	}
	var errText string
	if r.dirty != nil {
		errText = r.dirty(t, dir, url, db)
	} else {
		errText = testdb.UpExpectError(t, dir, url).Error()
	}
	t.Logf("golang-migrate: %s", errText)
	u, err := compat.ParseDatabaseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	before := describe(t, db)
	type run struct {
		label string
		o     doctor.Options
	}
	runs := []run{
		{"blind", doctor.Options{Path: dir}},
		{"blind+error", doctor.Options{Path: dir, Error: errText}},
		{"dev", doctor.Options{Path: dir, DevURL: devURL(t, r.dialect)}},
		{"dev+error", doctor.Options{Path: dir, DevURL: devURL(t, r.dialect), Error: errText}},
	}
	var line []string
	for _, rn := range runs {
		dg, err := diagnoseDB(t, dir, db, u, rn.o)
		if err != nil {
			var ref *refusal.Refusal
			if errors.As(err, &ref) {
				line = append(line, rn.label+"=refused")
				continue
			}
			t.Fatalf("%s: Diagnose: %v", rn.label, err)
		}
		v := dg.Verdict
		line = append(line, rn.label+"="+string(v.Certainty)+" "+string(v.Case)+":"+itoa(v.Applied)+"/"+itoa(v.Total))
		wrong := v.Case != r.truth.c || v.Applied != r.truth.k || r.noTruth
		switch {
		case v.Certainty == doctor.Proven && wrong && r.indistinguishable && rn.o.Error == "":
			t.Logf("%s: known limit: proven %s k=%d, truth %s k=%d: the hand-made object equals what the file creates", rn.label, v.Case, v.Applied, r.truth.c, r.truth.k)
		case v.Certainty == doctor.Proven && wrong:
			t.Errorf("%s: proven %s k=%d, truth %s k=%d (noTruth %v): %s\n%s", rn.label, v.Case, v.Applied, r.truth.c, r.truth.k, r.noTruth, v.Summary, dump(dg))
		case v.Certainty == doctor.Consistent && wrong && !r.byHand:
			t.Errorf("%s: consistent %s k=%d, truth %s k=%d: %s\n%s", rn.label, v.Case, v.Applied, r.truth.c, r.truth.k, v.Summary, dump(dg))
		default:
			t.Logf("%s: %s %s k=%d/%d: %s\n%s", rn.label, v.Certainty, v.Case, v.Applied, v.Total, v.Summary, dump(dg))
		}
		// Recover never writes when it refuses: an unproven verdict
		// without --accept-unproven, or a plan that is not available.
		if v.Certainty != doctor.Proven && !v.Clean {
			for _, kind := range doctor.PlanKinds() {
				_, err := recoverDB(t, dir, db, u, doctor.RecoverOptions{Plan: kind, Confirm: func(*doctor.Diagnosis, *doctor.Plan) bool { return true }, Diagnose: rn.o})
				if err == nil {
					t.Errorf("%s: recover --%s on a %s verdict did not refuse", rn.label, kind, v.Certainty)
				}
			}
			if got := describe(t, db); got != before {
				t.Fatalf("%s: a refused recover changed the schema", rn.label)
			}
			if _, dirty := legacyRow(t, db, url); !dirty {
				t.Fatalf("%s: a refused recover cleaned the row", rn.label)
			}
		}
	}
	truth := string(r.truth.c) + ":" + itoa(r.truth.k)
	if r.noTruth {
		truth = "none"
	}
	t.Logf("REVIEW %s | %s | truth %s | %s", r.dialect, r.name, truth, strings.Join(line, "; "))
}

// legacyRow reads golang-migrate's row as the doctor does (golang-migrate's
// Version hides a dirty -1).
func legacyRow(t *testing.T, db *testdb.DB, url string) (int64, bool) {
	t.Helper()
	u, err := compat.ParseDatabaseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	st, err := compat.ReadLegacy(t.Context(), db.SQL, u)
	if err != nil {
		t.Fatal(err)
	}
	return st.Version, st.Dirty
}

var (
	pgMulti  = []string{"x-multi-statement", "true"}
	liteNoTx = []string{"x-no-tx-wrap", "true"}
)

const fail = "INSERT INTO nosuch (id) VALUES (1);\n"

// adversarialCase is one state of TestAdversarialStates, built on each of
// its dialects.
type adversarialCase struct {
	name     string
	dialects []string
	state    func(d string) adversarial
}

var (
	allDialects = []string{testdb.Postgres, testdb.MySQL, testdb.SQLite}
	onlyPG      = []string{testdb.Postgres}
	onlyMySQL   = []string{testdb.MySQL}
	onlySQLite  = []string{testdb.SQLite}
	servers     = []string{testdb.Postgres, testdb.MySQL}
)

var adversarialCases = []adversarialCase{
	// CREATE TABLE IF NOT EXISTS of a table an earlier file created, with a
	// column the existing table lacks: the statement succeeds and adds nothing.
	{"CreateIfNotExistsExisting", allDialects, func(d string) adversarial {
		return adversarial{name: "create if not exists existing", opts: perStatement(d), steps: 1,
			files: map[string]string{
				"1_a.up.sql": "CREATE TABLE t (id integer PRIMARY KEY);\nCREATE TABLE u (id integer PRIMARY KEY);\n",
				"2_b.up.sql": "CREATE TABLE IF NOT EXISTS t (id integer PRIMARY KEY, extra integer);\nALTER TABLE u ADD COLUMN c integer;\n" + fail,
			},
			truth: expected{doctor.Up, 2, false}}
	}},
	// MySQL names the index a FOREIGN KEY needs after the constraint; a later
	// CREATE INDEX of that name fails. The analyser does not know the index.
	{"MySQLImplicitFKIndexCreate", onlyMySQL, func(string) adversarial {
		return adversarial{name: "implicit FK index, CREATE INDEX same name fails", steps: 1,
			files: map[string]string{
				"1_a.up.sql": "CREATE TABLE users (id integer PRIMARY KEY);\nCREATE TABLE orders (id integer PRIMARY KEY, user_id integer);\n",
				"2_b.up.sql": "ALTER TABLE orders ADD CONSTRAINT orders_user FOREIGN KEY (user_id) REFERENCES users (id);\n" +
					"CREATE INDEX orders_user ON orders (id);\nCREATE TABLE z (id integer);\n",
			},
			truth: expected{doctor.Up, 1, false}}
	}},
	// The implicit FK index dropped after the FK.
	{"MySQLImplicitFKIndexDrop", onlyMySQL, func(string) adversarial {
		return adversarial{name: "implicit FK index dropped after the FK", steps: 1,
			files: map[string]string{
				"1_a.up.sql": "CREATE TABLE users (id integer PRIMARY KEY);\nCREATE TABLE orders (id integer PRIMARY KEY, user_id integer);\n",
				"2_b.up.sql": "ALTER TABLE orders ADD CONSTRAINT orders_user FOREIGN KEY (user_id) REFERENCES users (id);\n" +
					"ALTER TABLE orders DROP FOREIGN KEY orders_user;\nALTER TABLE orders DROP INDEX orders_user;\n" + fail,
			},
			truth: expected{doctor.Up, 3, false}}
	}},
	// PostgreSQL names an inline UNIQUE constraint itself (t_email_key); a
	// later file drops it by that name.
	{"PostgresImplicitUniqueName", onlyPG, func(string) adversarial {
		return adversarial{name: "server-named UNIQUE constraint dropped", opts: pgMulti, steps: 1,
			files: map[string]string{
				"1_a.up.sql": "CREATE TABLE t (id integer PRIMARY KEY, email text UNIQUE);\nCREATE TABLE users (id integer PRIMARY KEY);\n",
				"2_b.up.sql": "ALTER TABLE users ADD COLUMN a integer;\nALTER TABLE t DROP CONSTRAINT t_email_key;\n" + fail,
			},
			truth: expected{doctor.Up, 2, false}}
	}},
	// MariaDB on Linux keeps table names case-sensitive: Orders and orders
	// are two tables.
	{"MySQLTableNameCase", onlyMySQL, func(string) adversarial {
		return adversarial{name: "Orders and orders are two tables", steps: 1,
			files: map[string]string{
				"1_a.up.sql": "CREATE TABLE Orders (id integer PRIMARY KEY);\n",
				"2_b.up.sql": "CREATE TABLE orders (id integer PRIMARY KEY);\n" + fail,
			},
			truth: expected{doctor.Up, 1, false}}
	}},
	// A table made by hand before the file that creates it: the CREATE
	// fails; a later statement of the file names the table too.
	{"PreexistingTable", allDialects, func(d string) adversarial {
		return adversarial{name: "table made by hand before its CREATE", opts: perStatement(d),
			before: []string{"CREATE TABLE orders (id integer PRIMARY KEY)"},
			files: map[string]string{
				"1_a.up.sql": "CREATE TABLE users (id integer PRIMARY KEY);\n",
				"2_b.up.sql": "CREATE TABLE orders (id integer PRIMARY KEY);\nCREATE INDEX orders_id ON orders (id);\n",
			},
			steps: 1, truth: expected{doctor.Up, 0, false}, byHand: true, indistinguishable: true}
	}},
	// SQLite's table rebuild: rename, create under the old name, copy, drop.
	{"SQLiteRebuild", onlySQLite, func(string) adversarial {
		return adversarial{name: "table rebuild fails at the copy", opts: liteNoTx, steps: 1,
			files: map[string]string{
				"1_a.up.sql": "CREATE TABLE t (id integer PRIMARY KEY, a text, b text);\nCREATE INDEX t_a ON t (a);\n",
				"2_b.up.sql": "ALTER TABLE t RENAME TO t_old;\nCREATE TABLE t (id integer PRIMARY KEY, a text);\n" +
					"INSERT INTO t SELECT * FROM t_old;\nDROP TABLE t_old;\nCREATE INDEX t_a ON t (a);\n",
			},
			truth: expected{doctor.Up, 2, false}}
	}},
	// A table renamed away and re-created under its old name, its index
	// renamed and re-created.
	{"RenameAndRecreate", servers, func(d string) adversarial {
		idx := "ALTER INDEX t_a RENAME TO t_old_a;\n"
		if d == testdb.MySQL {
			idx = "ALTER TABLE t_old RENAME INDEX t_a TO t_old_a;\n"
		}
		return adversarial{name: "rename and re-create under the old name", opts: perStatement(d), steps: 1,
			files: map[string]string{
				"1_a.up.sql": "CREATE TABLE t (id integer PRIMARY KEY, a varchar(20), b varchar(20));\nCREATE INDEX t_a ON t (a);\n",
				"2_b.up.sql": "ALTER TABLE t RENAME TO t_old;\n" + idx + "CREATE TABLE t (id integer PRIMARY KEY, a varchar(20), c integer);\n" +
					"CREATE INDEX t_a ON t (a);\n" + fail,
			},
			truth: expected{doctor.Up, 4, false}}
	}},
	// A column dropped and added again: k=0 and k=2 leave the same catalog.
	{"ColumnDropReadd", allDialects, func(d string) adversarial {
		return adversarial{name: "column dropped and re-added", opts: perStatement(d), steps: 1,
			files: map[string]string{
				"1_a.up.sql": "CREATE TABLE t (id integer PRIMARY KEY, a varchar(20));\n",
				"2_b.up.sql": "ALTER TABLE t DROP COLUMN a;\nALTER TABLE t ADD COLUMN a integer;\n" + fail,
			},
			truth: expected{doctor.Up, 2, false}}
	}},
	// Version -1 dirty: the down of the first version failed.
	{"FirstDownFails", allDialects, func(d string) adversarial {
		return adversarial{name: "failed down of the first version", opts: perStatement(d),
			files: map[string]string{
				"1_a.up.sql":   "CREATE TABLE a (id integer PRIMARY KEY);\nCREATE TABLE b (id integer PRIMARY KEY);\n",
				"1_a.down.sql": "DROP TABLE b;\nDROP TABLE nosuch;\nDROP TABLE a;\n",
			},
			dirty: func(t *testing.T, dir, url string, db *testdb.DB) string {
				testdb.Up(t, dir, url)
				err := testdb.Migrator(t, dir, url).Steps(-1)
				if err == nil {
					t.Fatal("the down should fail")
				}
				if v, dirty := legacyRow(t, db, url); v != -1 || !dirty {
					t.Fatalf("row %d dirty %v, want -1 dirty", v, dirty)
				}
				return err.Error()
			},
			truth: expected{doctor.Down, 1, false}}
	}},
	// A dirty row at a version with no file (forced by hand), the next
	// version's down present.
	{"DirtyVersionWithoutFile", servers, func(string) adversarial {
		return adversarial{name: "dirty at a version with no file",
			files: map[string]string{
				"1_a.up.sql":   "CREATE TABLE a (id integer PRIMARY KEY);\n",
				"1_a.down.sql": "DROP TABLE a;\n",
				"3_c.up.sql":   "CREATE TABLE c (id integer PRIMARY KEY);\n",
				"3_c.down.sql": "DROP TABLE c;\n",
			},
			dirty: func(t *testing.T, dir, url string, db *testdb.DB) string {
				testdb.Steps(t, dir, url, 1)
				if err := testdb.Migrator(t, dir, url).Force(2); err != nil {
					t.Fatal(err)
				}
				db.SetLegacyRow(t, 2, true)
				return ""
			},
			noTruth: true}
	}},
	// golang-migrate's x-migrations-table, quoted with a schema on
	// PostgreSQL.
	{"MigrationsTable", servers, func(d string) adversarial {
		r := adversarial{name: "x-migrations-table", opts: []string{"x-migrations-table", "legacy_versions"}, steps: 1,
			files: map[string]string{
				"1_a.up.sql": "CREATE TABLE a (id integer PRIMARY KEY);\n",
				"2_b.up.sql": "CREATE TABLE b (id integer PRIMARY KEY);\n" + fail + "CREATE TABLE c (id integer);\n",
			},
			truth: expected{doctor.Up, 1, false}}
		if d == testdb.Postgres {
			r.opts = []string{"x-migrations-table", `"app"."Legacy Versions"`, "x-migrations-table-quoted", "1"}
			r.before = []string{"CREATE SCHEMA app"}
			r.truth.k = 0
		}
		return r
	}},
	// Quoted and mixed-case names on PostgreSQL: "Users" and users differ.
	{"PostgresQuotedCase", onlyPG, func(string) adversarial {
		return adversarial{name: "quoted mixed case names", opts: pgMulti, steps: 1,
			files: map[string]string{
				"1_a.up.sql": "CREATE TABLE \"Users\" (id integer PRIMARY KEY, \"Email\" text);\n",
				"2_b.up.sql": "CREATE TABLE users (id integer PRIMARY KEY);\nALTER TABLE \"Users\" RENAME COLUMN \"Email\" TO email;\n" +
					"ALTER TABLE users ADD COLUMN \"Email\" text;\n" + fail,
			},
			truth: expected{doctor.Up, 3, false}}
	}},
	// Schema-qualified names on PostgreSQL.
	{"PostgresSchemas", onlyPG, func(string) adversarial {
		return adversarial{name: "schema-qualified names", opts: pgMulti, steps: 1,
			files: map[string]string{
				"1_a.up.sql": "CREATE TABLE t (id integer PRIMARY KEY);\n",
				"2_b.up.sql": "CREATE SCHEMA app;\nCREATE TABLE app.t (id integer PRIMARY KEY);\nCREATE TABLE public.u (id integer);\n" +
					"DROP TABLE app.t;\nDROP TABLE public.t;\n" + fail,
			},
			truth: expected{doctor.Up, 5, false}}
	}},
	// DML and statements the analyser cannot read between DDL.
	{"MySQLUnknownStatements", onlyMySQL, func(string) adversarial {
		return adversarial{name: "DML and unknown statements between DDL", steps: 1,
			files: map[string]string{
				"1_a.up.sql": "CREATE TABLE t (id integer PRIMARY KEY, a integer);\n",
				"2_b.up.sql": "SET @x = 1;\nUPDATE t SET a = 2;\nCREATE TABLE u (id integer);\nANALYZE TABLE t;\n" +
					"INSERT INTO t (id, a) VALUES (1, 1);\nINSERT INTO t (id, a) VALUES (1, 1);\nCREATE TABLE v (id integer);\n",
			},
			truth: expected{doctor.Up, 5, false}}
	}},
	// PostgreSQL runs the file in one implicit transaction; a COMMIT without
	// BEGIN commits what came before it.
	{"PostgresBareCommit", onlyPG, func(string) adversarial {
		return adversarial{name: "COMMIT without BEGIN", steps: 1,
			files: map[string]string{
				"1_a.up.sql": "CREATE TABLE t (id integer PRIMARY KEY);\n",
				"2_b.up.sql": "CREATE TABLE a (id integer);\nCOMMIT;\nCREATE TABLE b (id integer);\n" + fail,
			},
			truth: expected{doctor.Up, 2, false}}
	}},
	// PostgreSQL: statements before BEGIN join the explicit transaction.
	{"PostgresBeforeBegin", onlyPG, func(string) adversarial {
		return adversarial{name: "statements before BEGIN", steps: 1,
			files: map[string]string{
				"1_a.up.sql": "CREATE TABLE t (id integer PRIMARY KEY);\n",
				"2_b.up.sql": "CREATE TABLE a (id integer);\nBEGIN;\nCREATE TABLE b (id integer);\nCOMMIT;\nCREATE TABLE c (id integer);\n" + fail,
			},
			truth: expected{doctor.Up, 4, false}}
	}},
	// A view over a table: the table dropped with CASCADE (PostgreSQL) takes
	// the view with it.
	{"PostgresDropCascade", onlyPG, func(string) adversarial {
		return adversarial{name: "DROP TABLE CASCADE takes a view", opts: pgMulti, steps: 1,
			files: map[string]string{
				"1_a.up.sql": "CREATE TABLE t (id integer PRIMARY KEY);\nCREATE VIEW v AS SELECT id FROM t;\nCREATE TABLE u (id integer);\n",
				"2_b.up.sql": "ALTER TABLE u ADD COLUMN a integer;\nDROP TABLE t CASCADE;\n" + fail,
			},
			truth: expected{doctor.Up, 2, false}}
	}},
	// CREATE OR REPLACE VIEW of an existing view, then a trigger on a table.
	{"MySQLReplaceViewTrigger", onlyMySQL, func(string) adversarial {
		return adversarial{name: "CREATE OR REPLACE VIEW and a trigger", steps: 1,
			files: map[string]string{
				"1_a.up.sql": "CREATE TABLE t (id integer PRIMARY KEY, a integer);\nCREATE VIEW v AS SELECT id FROM t;\n",
				"2_b.up.sql": "CREATE OR REPLACE VIEW v AS SELECT id, a FROM t;\nCREATE TRIGGER t_ins BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1;\n" +
					"DROP VIEW v;\n" + fail,
			},
			truth: expected{doctor.Up, 3, false}}
	}},
	// CREATE TABLE IF NOT EXISTS of an existing table followed by a new table:
	// the existing table keeps its columns (no "extra").
	{"CreateIfNotExistsPinned", allDialects, func(d string) adversarial {
		return adversarial{name: "create if not exists existing, then a new table", opts: perStatement(d), steps: 1,
			files: map[string]string{
				"1_a.up.sql": "CREATE TABLE t (id integer PRIMARY KEY, b integer);\n",
				"2_b.up.sql": "CREATE TABLE IF NOT EXISTS t (id integer PRIMARY KEY, extra integer);\nCREATE TABLE u (id integer);\n" +
					"ALTER TABLE t DROP COLUMN b;\n" + fail,
			},
			truth: expected{doctor.Up, 3, false}}
	}},
	// CREATE TABLE ... LIKE / AS: the new table's columns are the server's.
	{"CreateTableLikeAs", allDialects, func(d string) adversarial {
		copyStmt := "CREATE TABLE t2 AS SELECT * FROM t;\n"
		if d == testdb.MySQL {
			copyStmt = "CREATE TABLE t2 LIKE t;\n"
		}
		return adversarial{name: "CREATE TABLE LIKE/AS then a column dropped", opts: perStatement(d), steps: 1,
			files: map[string]string{
				"1_a.up.sql": "CREATE TABLE t (id integer PRIMARY KEY, b integer);\n",
				"2_b.up.sql": "ALTER TABLE t ADD COLUMN z integer;\n" + copyStmt + "ALTER TABLE t2 DROP COLUMN b;\n" + fail,
			},
			truth: expected{doctor.Up, 3, false}}
	}},
	// CREATE TABLE IF NOT EXISTS of an existing table: after it the table
	// has no "extra" column, which the analyser claims it has.
	{"CreateIfNotExistsThenNew", allDialects, func(d string) adversarial {
		return adversarial{name: "create if not exists existing, then a new table (unpinned)", opts: perStatement(d), steps: 1,
			files: map[string]string{
				"1_a.up.sql": "CREATE TABLE t (id integer PRIMARY KEY);\n",
				"2_b.up.sql": "CREATE TABLE IF NOT EXISTS t (id integer PRIMARY KEY, extra integer);\nCREATE TABLE u (id integer);\n" + fail,
			},
			truth: expected{doctor.Up, 2, false}}
	}},
}

// TestAdversarialStates builds each adversarial dirty state on its dialects
// and checks every verdict doctor gives against the truth (checkAdversarial).
func TestAdversarialStates(t *testing.T) {
	for _, c := range adversarialCases {
		t.Run(c.name, func(t *testing.T) {
			testdb.ForEach(t, c.dialects, func(t *testing.T, d string) {
				r := c.state(d)
				r.dialect = d
				checkAdversarial(t, r)
			})
		})
	}
}
