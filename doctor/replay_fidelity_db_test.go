package doctor_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/doctor"
	"github.com/ferrymigrate/ferry/drift"
	"github.com/ferrymigrate/ferry/internal/testdb"
)

// replayCase is a dirty state whose replay on a dev database needs
// golang-migrate's own execution: its table, its transaction semantics.
type replayCase struct {
	name    string
	dialect string
	opts    []string
	files   map[string]string
	want    int // the statements of the failed file that ran
}

// TestReplayRunsAsGolangMigrate: doctor --dev-url replays histories that
// alter golang-migrate's table and use their own BEGIN/COMMIT with LOCK,
// and proves the exact prefix; the replay itself does not fail (before,
// it did not find schema_migrations, or LOCK ran outside a transaction).
func TestReplayRunsAsGolangMigrate(t *testing.T) {
	alter := "ALTER TABLE schema_migrations ADD COLUMN data_version int;\n"
	cases := []replayCase{
		{"postgres/alters-table", testdb.Postgres, pgMulti, map[string]string{
			"1_a.up.sql": "CREATE TABLE a (id int);\n", "2_b.up.sql": alter,
			"3_c.up.sql": "CREATE TABLE x (id int);\n" + fail + "CREATE TABLE y (id int);\n"}, 1},
		{"mysql/alters-table", testdb.MySQL, nil, map[string]string{
			"1_a.up.sql": "CREATE TABLE a (id int);\n", "2_b.up.sql": alter,
			"3_c.up.sql": "CREATE TABLE x (id int);\n" + fail + "CREATE TABLE y (id int);\n"}, 1},
		{"sqlite/alters-table", testdb.SQLite, liteNoTx, map[string]string{
			"1_a.up.sql": "CREATE TABLE a (id int);\n", "2_b.up.sql": alter,
			"3_c.up.sql": "CREATE TABLE x (id int);\n" + fail + "CREATE TABLE y (id int);\n"}, 1},
		{"mysql/custom-table", testdb.MySQL, []string{"x-migrations-table", "legacy_versions"}, map[string]string{
			"1_a.up.sql": "CREATE TABLE a (id int);\n", "2_b.up.sql": "ALTER TABLE legacy_versions ADD COLUMN data_version int;\n",
			"3_c.up.sql": "CREATE TABLE x (id int);\n" + fail}, 1},
		{"postgres/own-transaction-lock", testdb.Postgres, nil, map[string]string{
			"1_a.up.sql": "BEGIN;\nCREATE TABLE a (id int);\nLOCK a IN EXCLUSIVE MODE;\nCOMMIT;\n",
			"2_b.up.sql": "BEGIN;\nCREATE TABLE b (id int);\nLOCK b IN EXCLUSIVE MODE;\nCOMMIT;\nCREATE TABLE c (id int);\n" + fail}, 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, c.dialect)
			dir := testdb.WriteDir(t, c.files)
			url := db.URLWith(c.opts...)
			errText := testdb.UpExpectError(t, dir, url).Error()
			u, err := compat.ParseDatabaseURL(url)
			if err != nil {
				t.Fatal(err)
			}
			for _, withError := range []string{"", errText} {
				dg, err := diagnoseDB(t, dir, db, u, doctor.Options{Path: dir, DevURL: devURL(t, c.dialect), Error: withError})
				if err != nil {
					t.Fatal(err)
				}
				if dg.Replay == nil || dg.Replay.Error != "" {
					t.Fatalf("the replay did not run: %+v\n%s", dg.Replay, dump(dg))
				}
				v := dg.Verdict
				if v.Certainty != doctor.Proven || v.Case != doctor.Up || v.Applied != c.want {
					t.Errorf("error %q: %s %s k=%d, want proven up k=%d: %s\n%s", withError, v.Certainty, v.Case, v.Applied, c.want, v.Summary, dump(dg))
				}
			}
		})
	}
}

// TestReplayOutweighsProbes: an earlier file changes the schema in a way
// the statement reader cannot follow (dynamic SQL in a DO block drops a
// table), so the catalog probes see a difference the files do not explain;
// the replay on the dev database builds exactly the live schema, and that
// decides: proven, not "consistent ... changes the files do not explain".
func TestReplayOutweighsProbes(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, testdb.Postgres)
	dir := testdb.WriteDir(t, map[string]string{
		"1_a.up.sql": "CREATE TABLE old (id int);\nCREATE TABLE a (id int);\n",
		"2_b.up.sql": "DO $$ BEGIN EXECUTE 'DROP TABLE old'; END $$;\n",
		"3_c.up.sql": "BEGIN;\nCREATE TABLE x (id int);\nCREATE INDEX x_id ON x (id);\nCOMMIT;\n" + fail + "CREATE TABLE y (id int);\n",
	})
	url := db.URL
	errText := testdb.UpExpectError(t, dir, url).Error()
	u, err := compat.ParseDatabaseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	dg, err := diagnoseDB(t, dir, db, u, doctor.Options{Path: dir, DevURL: devURL(t, testdb.Postgres), Error: errText})
	if err != nil {
		t.Fatal(err)
	}
	v := dg.Verdict
	if v.Certainty != doctor.Proven || v.File != "3_c.up.sql" || v.Applied != 4 {
		t.Errorf("%s %s k=%d, want proven 3_c.up.sql k=4: %s\n%s", v.Certainty, v.File, v.Applied, v.Summary, dump(dg))
	}
}

// TestRecoverTrustsTheReplay: the statement reader misreads a history (a
// multi-clause ALTER that drops and re-adds a key of the same name), so
// the catalog probes disagree; doctor --dev-url proves the state by the
// replay, and recover --forward, after the fix, verifies against the
// replay and marks the row clean instead of refusing the plan doctor
// proved (as seen on a real MariaDB history).
func TestRecoverTrustsTheReplay(t *testing.T) {
	cases := []struct {
		dialect string
		opts    []string
		files   map[string]string
		broken  string
	}{
		{testdb.MySQL, nil, map[string]string{
			"1_t.up.sql": "CREATE TABLE t (id int PRIMARY KEY, k varchar(10), UNIQUE KEY `k` (k));\n",
			"2_k.up.sql": "ALTER TABLE t DROP INDEX `k`, ADD INDEX `k` (k);\nALTER TABLE t ADD COLUMN c int;\nALTER TABLE t ADD COLUMN d int;\n",
		}, "ALTER TABLE t DROP INDEX `k`, ADD INDEX `k` (k);\nALTER TABLE t ADD COLUMN c int;\nALTER TABLE nosuch ADD COLUMN d int;\n"},
		{testdb.Postgres, pgMulti, map[string]string{
			"1_t.up.sql": "CREATE TABLE t (id int PRIMARY KEY, k text, CONSTRAINT t_k UNIQUE (k));\n",
			"2_k.up.sql": "ALTER TABLE t DROP CONSTRAINT t_k, ADD CONSTRAINT t_k UNIQUE (k, id);\nALTER TABLE t ADD COLUMN c int;\nALTER TABLE t ADD COLUMN d int;\n",
		}, "ALTER TABLE t DROP CONSTRAINT t_k, ADD CONSTRAINT t_k UNIQUE (k, id);\nALTER TABLE t ADD COLUMN c int;\nALTER TABLE nosuch ADD COLUMN d int;\n"},
	}
	for _, c := range cases {
		t.Run(c.dialect, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, c.dialect)
			broken := withFile(c.files, "2_k.up.sql", c.broken)
			dir := testdb.WriteDir(t, broken)
			url := db.URLWith(c.opts...)
			errText := testdb.UpExpectError(t, dir, url).Error()
			u, err := compat.ParseDatabaseURL(url)
			if err != nil {
				t.Fatal(err)
			}
			o := doctor.Options{Path: dir, DevURL: devURL(t, c.dialect), Error: errText}
			dg, err := diagnoseDB(t, dir, db, u, o)
			if err != nil {
				t.Fatal(err)
			}
			if v := dg.Verdict; v.Certainty != doctor.Proven || v.Applied != 2 {
				t.Fatalf("%s k=%d, want proven k=2: %s\n%s", v.Certainty, v.Applied, v.Summary, dump(dg))
			}
			if err := os.WriteFile(filepath.Join(dir, "2_k.up.sql"), []byte(c.files["2_k.up.sql"]), 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := recoverDB(t, dir, db, u, doctor.RecoverOptions{
				Plan: doctor.Forward, Expect: dg.Fingerprint, Confirm: func(*doctor.Diagnosis, *doctor.Plan) bool { return true },
				Operator: "test", OperatorVersion: "ferry test", Diagnose: doctor.Options{Path: dir, DevURL: devURL(t, c.dialect)},
			})
			if err != nil {
				t.Fatalf("recover --forward refused the plan doctor proved: %v", err)
			}
			t.Logf("verified: %v", res.Verified)
			if _, dirty := legacyRow(t, db, url); dirty {
				t.Fatal("golang-migrate's row is still dirty")
			}
			testdb.Up(t, dir, url)
		})
	}
}

// TestHistoryOfRebuildsAndOpaqueStatements: without --dev-url, the history
// check does not claim drift for what real histories do: SQLite's table
// rebuild (an index re-made on the new table, the old table dropped) and a
// PostgreSQL DO block that re-adds a constraint a plain statement dropped.
func TestHistoryOfRebuildsAndOpaqueStatements(t *testing.T) {
	cases := []struct {
		name, dialect string
		files         map[string]string
	}{
		{"sqlite-rebuild", testdb.SQLite, map[string]string{
			"1_p.up.sql":       "CREATE TABLE p (id int, name text);\nCREATE INDEX p_name ON p (name);\n",
			"2_rebuild.up.sql": "DROP INDEX p_name;\nALTER TABLE p RENAME TO p_old;\nCREATE TABLE p (id int, name text);\nCREATE INDEX p_name ON p (name);\nINSERT INTO p SELECT * FROM p_old;\nDROP TABLE p_old;\n",
			"3_q.up.sql":       "CREATE TABLE q (id int);\n" + fail,
		}},
		{"postgres-do-block", testdb.Postgres, map[string]string{
			"1_a.up.sql": "CREATE TABLE a (id int, x int, CONSTRAINT uq_a UNIQUE (x));\n",
			"2_b.up.sql": "ALTER TABLE a DROP CONSTRAINT uq_a;\nDO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'uq_a') THEN ALTER TABLE a ADD CONSTRAINT uq_a UNIQUE (x, id); END IF; END $$;\n",
			"3_q.up.sql": "CREATE TABLE q (id int);\n" + fail,
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, c.dialect)
			dir := testdb.WriteDir(t, c.files)
			errText := testdb.UpExpectError(t, dir, db.URL).Error()
			u := db.ParsedURL(t)
			dg, err := diagnoseDB(t, dir, db, u, doctor.Options{Path: dir, Error: errText})
			if err != nil {
				t.Fatal(err)
			}
			if v := dg.Verdict; v.Certainty != doctor.Proven || v.File != "3_q.up.sql" || v.Applied != 0 || len(dg.Drift) > 0 {
				t.Errorf("%s %s k=%d, drift %q, want proven 3_q.up.sql k=0 without drift: %s\n%s", v.Certainty, v.File, v.Applied, dg.Drift, v.Summary, dump(dg))
			}
		})
	}
}

// TestScenarioFoldersReplayFaithfully: every folder of the scenario
// matrix, as fixed, built by golang-migrate's own Up and replayed by ferry
// on a scratch database, describes identically (drift is empty).
func TestScenarioFoldersReplayFaithfully(t *testing.T) {
	for _, s := range scenarios() {
		for _, dialect := range s.dialects {
			t.Run(s.name+"/"+dialect, func(t *testing.T) {
				t.Parallel()
				files := s.broken(dialect)
				if s.fixed != nil {
					for name, body := range s.fixed(dialect) {
						files[name] = body
					}
				}
				dir := testdb.WriteDir(t, files)
				db := testdb.New(t, dialect)
				if err := testdb.Migrator(t, dir, db.URL).Up(); err != nil {
					t.Logf("golang-migrate cannot run this folder to the end (%v): nothing to compare", err)
					return
				}
				u := db.ParsedURL(t)
				r, err := drift.Run(context.Background(), drift.Options{Dir: os.DirFS(dir), DirPath: dir, Database: u, Dev: devURL(t, dialect)})
				if err != nil {
					t.Fatal(err)
				}
				if r.Drifted {
					t.Errorf("golang-migrate's Up and ferry's replay differ:\n%s", r.Diff)
				}
			})
		}
	}
}
