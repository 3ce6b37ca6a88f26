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

// PostgreSQL truncates names to 63 bytes: an object declared with a
// longer name exists under its first 63 bytes.
func TestLongNamesTruncated(t *testing.T) {
	long := "c_" + strings.Repeat("very_long_", 7)[:68] // 70 bytes
	db := testdb.New(t, testdb.Postgres)
	dg := diagnoseFailed(t, db, db.URLWith("x-multi-statement", "true"), map[string]string{
		"1_a.up.sql": "CREATE TABLE p (id int PRIMARY KEY);\n" +
			"CREATE TABLE c (id int, pid int, CONSTRAINT " + long + " FOREIGN KEY (pid) REFERENCES p (id));\n" +
			"CREATE INDEX " + long + "_ix ON c (id);\n",
		"2_b.up.sql": failing,
	})
	wantProven(t, dg, "2_b.up.sql", 1)
}

// ADD CONSTRAINT ... PRIMARY KEY / UNIQUE USING INDEX renames the index to
// the constraint's name.
func TestUsingIndexRenames(t *testing.T) {
	db := testdb.New(t, testdb.Postgres)
	dg := diagnoseFailed(t, db, db.URLWith("x-multi-statement", "true"), map[string]string{
		"1_a.up.sql": "CREATE TABLE t (id int NOT NULL, code int);\n" +
			"CREATE UNIQUE INDEX i ON t (id);\nALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX i;\n" +
			"CREATE UNIQUE INDEX j ON t (code);\nALTER TABLE t ADD CONSTRAINT t_code_uq UNIQUE USING INDEX j;\n" +
			"CREATE UNIQUE INDEX k ON t (id, code);\nALTER TABLE t ADD UNIQUE USING INDEX k;\n",
		"2_b.up.sql": failing,
	})
	wantProven(t, dg, "2_b.up.sql", 1)
}
