package doctor_test

import (
	"context"
	"os"
	"testing"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/doctor"
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
				dg, err := doctor.Diagnose(context.Background(), db.SQL, u, os.DirFS(dir), doctor.Options{Path: dir, DevURL: devURL(t, c.dialect), Error: withError})
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
	dg, err := doctor.Diagnose(context.Background(), db.SQL, u, os.DirFS(dir), doctor.Options{Path: dir, DevURL: devURL(t, testdb.Postgres), Error: errText})
	if err != nil {
		t.Fatal(err)
	}
	v := dg.Verdict
	if v.Certainty != doctor.Proven || v.File != "3_c.up.sql" || v.Applied != 4 {
		t.Errorf("%s %s k=%d, want proven 3_c.up.sql k=4: %s\n%s", v.Certainty, v.File, v.Applied, v.Summary, dump(dg))
	}
}
