package convert_test

import (
	"testing"

	"github.com/ferrymigrate/ferry/convert"
	"github.com/ferrymigrate/ferry/internal/testdb"
)

// What the server drops on its own is not missing: on PostgreSQL, DROP
// COLUMN takes the indexes (and foreign keys) on the column, DROP
// MATERIALIZED VIEW and DROP TABLE the relation's indexes, and ADD
// CONSTRAINT ... USING INDEX takes the index over. A healthy database
// gets no FM208, and --strict converts it.
func TestServerDropsAreNotMissing(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"1_a.up.sql": "CREATE TABLE p (id int PRIMARY KEY);\n" +
			"CREATE TABLE c (id int NOT NULL, pid int CONSTRAINT c_pid_fk REFERENCES p (id), note text);\n" +
			"CREATE INDEX c_pid_idx ON c (pid);\nCREATE INDEX c_note_idx ON c (lower(note)) WHERE id > 0;\n" +
			"CREATE UNIQUE INDEX c_id ON c (id);\nALTER TABLE c ADD CONSTRAINT c_pkey PRIMARY KEY USING INDEX c_id;\n" +
			"CREATE MATERIALIZED VIEW mv AS SELECT id FROM p;\nCREATE UNIQUE INDEX mv_id ON mv (id);\n" +
			"CREATE TABLE gone (id int);\nCREATE INDEX gone_id ON gone (id);\n",
		"2_b.up.sql": "ALTER TABLE c DROP COLUMN pid;\nALTER TABLE c DROP COLUMN note;\nDROP MATERIALIZED VIEW mv;\nDROP TABLE gone;\n",
	}
	for _, strict := range []bool{false, true} {
		db, dir := migrated(t, testdb.Postgres, files, 0)
		plan := mustRun(t, dir, db, convert.Options{Strict: strict})
		if len(plan.Evidence.Missing) > 0 || len(plan.Findings) > 0 {
			t.Errorf("strict %v: missing %+v, findings %+v", strict, plan.Evidence.Missing, plan.Findings)
		}
		if plan.Evidence.Checked != 2 { // tables p and c, and nothing else
			t.Errorf("strict %v: %d objects checked, want 2", strict, plan.Evidence.Checked)
		}
	}
}
