package doctor_test

import (
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/doctor"
	"github.com/ferrymigrate/ferry/internal/testdb"
)

// kindFiles are, per dialect, a first version and a list of statements that
// each create, alter, rename or drop one kind of object. Every statement
// changes the catalog in a way a probe can see, so the doctor must prove
// the applied prefix exactly, without a dev database, wherever the run
// stops.
type kindFiles struct {
	first string
	stmts []string
	// urlOptions make golang-migrate run the file statement by statement
	// (PostgreSQL and SQLite otherwise roll the whole file back).
	urlOptions []string
}

func kinds(dialect string) kindFiles {
	switch dialect {
	case testdb.Postgres:
		return kindFiles{
			first: "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);\nCREATE INDEX users_email ON users (email);\n" +
				"CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n",
			stmts: []string{
				"CREATE SCHEMA billing",
				"CREATE EXTENSION citext",
				"CREATE TYPE mood AS ENUM ('happy', 'sad')",
				"CREATE DOMAIN posint AS integer CHECK (VALUE > 0)",
				"CREATE SEQUENCE invoice_seq",
				"CREATE TABLE invoices (id integer PRIMARY KEY, amount integer)",
				"ALTER TABLE invoices ADD COLUMN note text",
				"ALTER TABLE invoices ADD CONSTRAINT amount_positive CHECK (amount > 0)",
				"CREATE INDEX invoices_amount ON invoices (amount)",
				"CREATE VIEW big_invoices AS SELECT id FROM invoices WHERE amount > 100",
				"CREATE MATERIALIZED VIEW invoice_count AS SELECT count(*) AS n FROM invoices",
				"CREATE FUNCTION add_one(integer) RETURNS integer LANGUAGE sql AS 'SELECT $1 + 1'",
				"CREATE PROCEDURE clear_invoices() LANGUAGE sql AS 'DELETE FROM invoices'",
				"CREATE TRIGGER invoices_touch BEFORE INSERT ON invoices FOR EACH ROW EXECUTE FUNCTION touch()",
				"ALTER TABLE invoices RENAME COLUMN note TO memo",
				"ALTER TABLE invoices RENAME CONSTRAINT amount_positive TO amount_above_zero",
				"ALTER TABLE users RENAME TO customers",
				"ALTER TABLE customers DROP COLUMN email",
				"DROP INDEX invoices_amount",
				"ALTER SEQUENCE invoice_seq RENAME TO invoice_numbers",
				"DROP VIEW big_invoices",
				"DROP TYPE mood",
			},
			urlOptions: []string{"x-multi-statement", "true"},
		}
	case testdb.MySQL:
		return kindFiles{
			first: "CREATE TABLE users (id integer PRIMARY KEY, email varchar(100) NOT NULL);\nCREATE INDEX users_email ON users (email);\n",
			stmts: []string{
				"CREATE SEQUENCE invoice_seq",
				"CREATE TABLE invoices (id integer PRIMARY KEY, amount integer, user_id integer)",
				"ALTER TABLE invoices ADD COLUMN note text",
				"ALTER TABLE invoices ADD CONSTRAINT amount_positive CHECK (amount > 0)",
				"ALTER TABLE invoices ADD CONSTRAINT invoices_user FOREIGN KEY (user_id) REFERENCES users (id)",
				"CREATE INDEX invoices_amount ON invoices (amount)",
				"ALTER TABLE invoices ADD UNIQUE KEY invoices_note (note(20))",
				"CREATE VIEW big_invoices AS SELECT id FROM invoices WHERE amount > 100",
				"CREATE FUNCTION add_one(x integer) RETURNS integer DETERMINISTIC RETURN x + 1",
				"CREATE PROCEDURE clear_invoices() DELETE FROM invoices",
				"CREATE TRIGGER invoices_touch BEFORE INSERT ON invoices FOR EACH ROW SET NEW.amount = NEW.amount",
				"ALTER TABLE invoices RENAME COLUMN note TO memo",
				"RENAME TABLE users TO customers",
				"ALTER TABLE customers DROP COLUMN email",
				"DROP INDEX invoices_amount ON invoices",
				"ALTER TABLE invoices DROP FOREIGN KEY invoices_user",
				"DROP VIEW big_invoices",
				"DROP TRIGGER invoices_touch",
			},
		}
	default:
		return kindFiles{
			first: "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);\nCREATE INDEX users_email ON users (email);\n",
			stmts: []string{
				"CREATE TABLE invoices (id integer PRIMARY KEY, amount integer)",
				"ALTER TABLE invoices ADD COLUMN note text",
				"CREATE INDEX invoices_amount ON invoices (amount)",
				"CREATE VIEW big_invoices AS SELECT id FROM invoices WHERE amount > 100",
				"CREATE TRIGGER invoices_touch AFTER INSERT ON invoices BEGIN UPDATE invoices SET amount = 0 WHERE amount IS NULL; END",
				"ALTER TABLE invoices RENAME COLUMN note TO memo",
				"ALTER TABLE users RENAME TO customers",
				"DROP INDEX users_email",
				"ALTER TABLE customers DROP COLUMN email",
				"DROP INDEX invoices_amount",
				"DROP VIEW big_invoices",
				"DROP TRIGGER invoices_touch",
			},
			urlOptions: []string{"x-no-tx-wrap", "true"},
		}
	}
}

// TestProbesPinEveryKind stops the run before each statement in turn (a
// failing INSERT put there) and wants the exact prefix, proven from the
// catalog alone, with evidence for every statement that ran.
func TestProbesPinEveryKind(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		kf := kinds(dialect)
		for stop := 0; stop <= len(kf.stmts); stop++ {
			t.Run(dialect+"/stop "+itoa(stop), func(t *testing.T) {
				t.Parallel()
				stmts := append(append(append([]string{}, kf.stmts[:stop]...), "INSERT INTO nosuch (id) VALUES (1)"), kf.stmts[stop:]...)
				db := testdb.New(t, dialect)
				if dialect == testdb.MySQL {
					t.Cleanup(func() { db.Exec(t, "DROP SEQUENCE IF EXISTS nothing_here") })
				}
				dir := testdb.WriteDir(t, map[string]string{"1_users.up.sql": kf.first, "2_kinds.up.sql": strings.Join(stmts, ";\n") + ";\n"})
				testdb.Steps(t, dir, db.URL, 1)
				url := db.URLWith(kf.urlOptions...)
				errText := testdb.UpExpectError(t, dir, url).Error()
				if !strings.Contains(errText, "nosuch") {
					t.Fatalf("the run failed before the INSERT: %s", errText)
				}
				u, err := compat.ParseDatabaseURL(url)
				if err != nil {
					t.Fatal(err)
				}
				for _, withError := range []bool{false, true} {
					o := doctor.Options{Path: dir}
					if withError {
						o.Error = errText
					}
					dg, err := diagnoseDB(t, dir, db, u, o)
					if err != nil {
						t.Fatal(err)
					}
					v := dg.Verdict
					// Proven, or consistent when it rests on the objects the
					// file creates not existing before it. Without the error,
					// a new schema or extension may have existed before
					// (unknown then, but the truth among the alternatives);
					// the error names the failing statement and settles it.
					if v.Certainty == doctor.Unknown && !withError {
						found := false
						for _, a := range v.Alternatives {
							found = found || a.Case == doctor.Up && a.Applied == stop
						}
						if !found {
							t.Fatalf("unknown without k=%d among the alternatives %+v\n%s", stop, v.Alternatives, dump(dg))
						}
						continue
					}
					if v.Certainty == doctor.Unknown || v.Case != doctor.Up || v.Applied != stop {
						t.Fatalf("error given %v: %s %s k=%d, want up k=%d\n%s", withError, v.Certainty, v.Case, v.Applied, stop, dump(dg))
					}
					for _, st := range dg.Candidates[0].Statements[:stop] {
						if st.Status != doctor.Applied || len(st.Evidence) == 0 {
							t.Errorf("statement %d %q: %s with evidence %q", st.Index, st.Text, st.Status, st.Evidence)
						}
					}
				}
			})
		}
	}
}

// A foreign key to a column without a key the engine accepts cannot have
// been declared: the statement that declares it is pinned as the one that
// failed, even though an unnamed foreign key leaves nothing a probe can
// name.
func TestForeignKeyWithoutKeyIsImpossible(t *testing.T) {
	testdb.ForEach(t, []string{testdb.Postgres, testdb.MySQL}, func(t *testing.T, dialect string) {
		db := testdb.New(t, dialect)
		dir := testdb.WriteDir(t, map[string]string{
			"1_a.up.sql": "CREATE TABLE users (id integer PRIMARY KEY, email varchar(100));\nCREATE TABLE orders (id integer PRIMARY KEY, email varchar(100));\n",
			"2_b.up.sql": "ALTER TABLE orders ADD COLUMN note varchar(10);\n" +
				"ALTER TABLE orders ADD FOREIGN KEY (email) REFERENCES users (email);\n" +
				"CREATE TABLE z (id integer);\n",
		})
		testdb.Steps(t, dir, db.URL, 1)
		url := db.URL
		if dialect == testdb.Postgres {
			url = db.URLWith("x-multi-statement", "true")
		}
		testdb.UpExpectError(t, dir, url)
		u, err := compat.ParseDatabaseURL(url)
		if err != nil {
			t.Fatal(err)
		}
		dg, err := diagnoseDB(t, dir, db, u, doctor.Options{Path: dir})
		if err != nil {
			t.Fatal(err)
		}
		v := dg.Verdict
		if v.Certainty != doctor.Proven || v.Case != doctor.Up || v.Applied != 1 {
			t.Fatalf("%s %s k=%d, want proven up k=1\n%s", v.Certainty, v.Case, v.Applied, dump(dg))
		}
		ev := strings.Join(dg.Candidates[0].Statements[1].Evidence, "; ")
		if !strings.Contains(ev, "foreign key references table users (email)") {
			t.Fatalf("statement 2 evidence %q", ev)
		}
		// With a key on users.email the same statement is possible:
		// what rules k=2 out now is only that the key the server would
		// have named (orders_email_fkey, orders_ibfk_1) is not there.
		db.Exec(t, "CREATE UNIQUE INDEX users_email ON users (email)")
		dg, err = diagnoseDB(t, dir, db, u, doctor.Options{Path: dir})
		if err != nil {
			t.Fatal(err)
		}
		named := map[string]string{testdb.Postgres: "constraint orders_email_fkey on orders", testdb.MySQL: "constraint orders_ibfk_1 on orders"}[dialect]
		c := dg.Candidates[0]
		why := strings.Join(c.RuledOut[2], "; ")
		if len(c.Consistent) != 1 || c.Consistent[0] != 1 || strings.Contains(why, "foreign key references") || !strings.Contains(why, named+" would exist, but the database has none") {
			t.Fatalf("with a unique index: consistent %v, want [1]; k=2 ruled out by %q, want only by the missing %s", c.Consistent, why, named)
		}
	})
}

// CREATE TABLE IF NOT EXISTS of a table that did not exist makes it with
// its columns: a later statement on one of them is possible.
func TestCreateIfNotExistsOfANewTable(t *testing.T) {
	db := testdb.New(t, testdb.SQLite)
	dir := testdb.WriteDir(t, map[string]string{
		"1_a.up.sql": "CREATE TABLE users (id integer PRIMARY KEY);\n",
		"2_b.up.sql": "CREATE TABLE IF NOT EXISTS t (a integer);\nALTER TABLE t RENAME COLUMN a TO b;\nINSERT INTO nosuch (id) VALUES (1);\n",
	})
	testdb.Steps(t, dir, db.URL, 1)
	url := db.URLWith("x-no-tx-wrap", "true")
	errText := testdb.UpExpectError(t, dir, url).Error()
	u, err := compat.ParseDatabaseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []string{"", errText} {
		dg, err := diagnoseDB(t, dir, db, u, doctor.Options{Path: dir, Error: e})
		if err != nil {
			t.Fatal(err)
		}
		if v := dg.Verdict; v.Certainty == doctor.Unknown || v.Applied != 2 {
			t.Fatalf("error %q: %s k=%d, want k=2\n%s", e, v.Certainty, v.Applied, dump(dg))
		}
	}
}

// diagnoseFailed migrates files with golang-migrate up to the failure of
// the last one (on url, the database's URL with options) and diagnoses
// the dirty row with the error golang-migrate printed.
func diagnoseFailed(t *testing.T, db *testdb.DB, url string, files map[string]string) *doctor.Diagnosis {
	t.Helper()
	dir := testdb.WriteDir(t, files)
	errText := testdb.UpExpectError(t, dir, url).Error()
	u, err := compat.ParseDatabaseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	dg, err := diagnoseDB(t, dir, db, u, doctor.Options{Path: dir, Error: errText})
	if err != nil {
		t.Fatal(err)
	}
	return dg
}

// wantProven fails unless the verdict is a proven up of file with k
// statements applied and no drift.
func wantProven(t *testing.T, dg *doctor.Diagnosis, file string, k int) {
	t.Helper()
	v := dg.Verdict
	if v.Certainty != doctor.Proven || v.Case != doctor.Up || v.File != file || v.Applied != k || len(dg.Drift) > 0 {
		t.Fatalf("%s %s %s k=%d drift %q, want proven up of %s with k=%d\n%s", v.Certainty, v.Case, v.File, v.Applied, dg.Drift, file, k, dump(dg))
	}
	if d := dump(dg); strings.Contains(d, "drift") {
		t.Fatalf("the diagnosis speaks of drift:\n%s", d)
	}
}

// failing is a file whose second statement fails; the first one stays
// applied where the engine runs statements one by one.
const failing = "CREATE TABLE x (id int);\nINSERT INTO nope VALUES (1);\nCREATE TABLE y (id int);\n"

// implicitCases are histories whose last file fails after its first
// statement, on an engine that keeps it, after earlier files that lean on
// what the engine does by itself: the names it makes up or truncates, the
// objects it renames or drops along with others.
var implicitCases = []struct {
	name    string
	dialect string
	opts    []string // golang-migrate URL options
	files   map[string]string
	failed  string // the file that fails, with 1 statement applied
}{
	// PostgreSQL truncates names to 63 bytes: an object declared with a
	// longer name exists under its first 63 bytes.
	{"LongNamesTruncated", testdb.Postgres, pgMulti, map[string]string{
		"1_a.up.sql": "CREATE TABLE p (id int PRIMARY KEY);\n" +
			"CREATE TABLE c (id int, pid int, CONSTRAINT " + longName + " FOREIGN KEY (pid) REFERENCES p (id));\n" +
			"CREATE INDEX " + longName + "_ix ON c (id);\n",
		"2_b.up.sql": failing,
	}, "2_b.up.sql"},
	// ADD CONSTRAINT ... PRIMARY KEY / UNIQUE USING INDEX renames the index to
	// the constraint's name.
	{"UsingIndexRenames", testdb.Postgres, pgMulti, map[string]string{
		"1_a.up.sql": "CREATE TABLE t (id int NOT NULL, code int);\n" +
			"CREATE UNIQUE INDEX i ON t (id);\nALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX i;\n" +
			"CREATE UNIQUE INDEX j ON t (code);\nALTER TABLE t ADD CONSTRAINT t_code_uq UNIQUE USING INDEX j;\n" +
			"CREATE UNIQUE INDEX k ON t (id, code);\nALTER TABLE t ADD UNIQUE USING INDEX k;\n",
		"2_b.up.sql": failing,
	}, "2_b.up.sql"},
	// MySQL and MariaDB name an unnamed foreign key <table>_ibfk_<n>, n one
	// more than the highest such number on the table: a key dropped and
	// declared again comes back under the same name.
	{"EngineNamedForeignKeyReused", testdb.MySQL, nil, map[string]string{
		"1_a.up.sql": "CREATE TABLE p (id int PRIMARY KEY);\nCREATE TABLE c (id int, pid int, FOREIGN KEY (pid) REFERENCES p (id));\n",
		"2_b.up.sql": "ALTER TABLE c DROP FOREIGN KEY c_ibfk_1;\nALTER TABLE c ADD FOREIGN KEY (pid) REFERENCES p (id);\n",
		"3_c.up.sql": failing,
	}, "3_c.up.sql"},
	// DROP COLUMN takes the indexes and constraints on the column with it,
	// DROP MATERIALIZED VIEW (and DROP TABLE) the relation's indexes, and an
	// unnamed foreign key is <table>_<columns>_fkey: PostgreSQL.
	{"DropTakesDependents", testdb.Postgres, pgMulti, map[string]string{
		"1_a.up.sql": "CREATE TABLE p (id int PRIMARY KEY);\n" +
			"CREATE TABLE c (id int PRIMARY KEY, pid int CONSTRAINT c_pid_fk REFERENCES p (id), note text, CONSTRAINT c_note_check CHECK (note <> ''));\n" +
			"CREATE INDEX c_note_idx ON c (lower(note)) WHERE id > 0;\n" +
			"CREATE INDEX c_pid_idx ON c (pid);\n" +
			"CREATE MATERIALIZED VIEW mv AS SELECT id FROM p;\n" +
			"CREATE UNIQUE INDEX mv_id ON mv (id);\n" +
			"CREATE TABLE gone (id int);\nCREATE INDEX gone_id ON gone (id);\n" +
			"CREATE TABLE c2 (id int, pid int REFERENCES p (id));\n",
		"2_b.up.sql": "ALTER TABLE c DROP COLUMN pid;\nALTER TABLE c DROP COLUMN note;\nDROP MATERIALIZED VIEW mv;\nDROP TABLE gone;\n" +
			// The server named the key c2_pid_fkey, and names it so again.
			"ALTER TABLE c2 DROP CONSTRAINT c2_pid_fkey;\nALTER TABLE c2 ADD FOREIGN KEY (pid) REFERENCES p (id);\n",
		"3_c.up.sql": failing,
	}, "3_c.up.sql"},
	// The same family on the other engines: MySQL/MariaDB drop an index left
	// without a column, SQLite drops a view's triggers with it.
	{"DropTakesDependentsMySQL", testdb.MySQL, nil, map[string]string{
		"1_a.up.sql": "CREATE TABLE c (id int, a int, b int);\nCREATE INDEX c_a ON c (a);\nCREATE INDEX c_ab ON c (a, b);\n",
		"2_b.up.sql": "ALTER TABLE c DROP COLUMN a;\n",
		"3_c.up.sql": failing,
	}, "3_c.up.sql"},
	{"DropTakesDependentsSQLite", testdb.SQLite, liteNoTx, map[string]string{
		"1_a.up.sql": "CREATE TABLE t (a int);\nCREATE VIEW v AS SELECT a FROM t;\nCREATE TRIGGER trg INSTEAD OF INSERT ON v BEGIN INSERT INTO t VALUES (NEW.a); END;\n",
		"2_b.up.sql": "DROP VIEW v;\n",
		"3_c.up.sql": failing,
	}, "3_c.up.sql"},
}

// longName is 70 bytes, longer than PostgreSQL keeps.
var longName = "c_" + strings.Repeat("very_long_", 7)[:68]

// TestImplicitEffects: doctor proves the failed statement of each
// implicitCases history, without claiming drift.
func TestImplicitEffects(t *testing.T) {
	for _, c := range implicitCases {
		t.Run(c.name, func(t *testing.T) {
			db := testdb.New(t, c.dialect)
			url := db.URLWith(c.opts...)
			wantProven(t, diagnoseFailed(t, db, url, c.files), c.failed, 1)
		})
	}
}
