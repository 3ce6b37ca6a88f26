package doctor_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/doctor"
	"github.com/ferrymigrate/ferry/internal/testdb"
)

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
	dg, err := doctor.Diagnose(context.Background(), db.SQL, u, os.DirFS(dir), doctor.Options{Path: dir, Error: errText})
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
			url := db.URL
			if len(c.opts) > 0 {
				url = db.URLWith(c.opts...)
			}
			wantProven(t, diagnoseFailed(t, db, url, c.files), c.failed, 1)
		})
	}
}
