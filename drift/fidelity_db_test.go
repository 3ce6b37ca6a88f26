package drift_test

import (
	"context"
	"testing"

	"github.com/ferrymigrate/ferry/drift"
	"github.com/ferrymigrate/ferry/internal/testdb"
)

// TestReplayFidelity: for realistic histories (golang-migrate's table
// altered, files with their own BEGIN/COMMIT and LOCK, engine-named keys
// dropped and re-added, implicit drops, renames, functions, triggers,
// views, enum types; custom x-migrations-table, a non-default schema,
// x-no-tx-wrap), golang-migrate's own Up builds a database, and ferry's
// replay of the same files on a scratch database describes identically:
// drift is empty, and golang-migrate's table is compared for the column
// the files added to it.
func TestReplayFidelity(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		for _, h := range testdb.Histories(dialect) {
			t.Run(h.Name, func(t *testing.T) {
				t.Parallel()
				dir := h.Folder(t)
				db, u := h.Prepare(t)
				testdb.Up(t, dir, u)
				r, err := drift.Run(context.Background(), options(t, dir, u, devServers[dialect]()))
				if err != nil {
					t.Fatal(err)
				}
				assertDropped(t, dialect, r.Scratch)
				if r.Drifted {
					t.Errorf("golang-migrate's Up and ferry's replay differ:\n%s", r.Diff)
				}
				if r.Version == nil || r.Files < 5 {
					t.Errorf("replayed %d files to %v", r.Files, show(r.Version))
				}
				// The column the files added to golang-migrate's table is
				// compared: dropping it is drift.
				db.Exec(t, "ALTER TABLE "+table(h)+" DROP COLUMN data_version")
				r, err = drift.Run(context.Background(), options(t, dir, u, devServers[dialect]()))
				if err != nil {
					t.Fatal(err)
				}
				if !r.Drifted || !hasLine(r.Diff, "-  column data_version") {
					t.Errorf("dropping data_version from golang-migrate's table is not drift:\n%s", r.Diff)
				}
			})
		}
	}
}

// table is golang-migrate's table of a history, qualified where needed.
func table(h testdb.History) string {
	schema, name := "", "schema_migrations"
	for i := 0; i+1 < len(h.Options); i += 2 {
		switch h.Options[i] {
		case "x-migrations-table":
			name = h.Options[i+1]
		case "search_path":
			schema = h.Options[i+1] + "."
		}
	}
	return schema + name
}
