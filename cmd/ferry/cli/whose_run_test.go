package cli_test

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// TestApplyNamesWhoseRunLeftTheRowDirty: a row left dirty at a version
// that ferry apply executed is not blamed on golang-migrate.
func TestApplyNamesWhoseRunLeftTheRowDirty(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "1_a.up.sql"), "CREATE TABLE a (id int);\n")
	db := filepath.Join(t.TempDir(), "app.db")
	url := "sqlite://" + db
	for _, args := range [][]string{{"ferry", "hash", "--path", dir}, {"ferry", "apply", "--path", dir, "--database", url}} {
		if r := runFerry(t, args); r.code != 0 {
			t.Fatalf("%v: exit %d", args, r.code)
		}
	}
	// ferry stopped between the revision row and golang-migrate's row.
	h, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if _, err := h.Exec("UPDATE schema_migrations SET dirty = 1"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "2_b.up.sql"), "CREATE TABLE b (id int);\n")
	runFerry(t, []string{"ferry", "hash", "--path", dir})
	r := runFerry(t, []string{"ferry", "apply", "--path", dir, "--database", url})
	if r.code != 1 || !strings.Contains(r.errOut, "a run of ferry ") || strings.Contains(r.errOut, "golang-migrate run failed") {
		t.Fatalf("apply on a row ferry left dirty: exit %d\n%s", r.code, r.errOut)
	}
	for _, c := range commandsIn(t, r.errOut) {
		if c[1] != "doctor" {
			t.Fatalf("next: %q, want ferry doctor", c)
		}
		if d := runFerry(t, c); !strings.Contains(d.out, "Verdict") {
			t.Fatalf("printed %q does not diagnose", c)
		}
	}
}
