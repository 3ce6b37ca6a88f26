package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/internal/testdb"
)

// oddNameFiles: golang-migrate runs 2_b.up..sql as the up migration of
// version 2 (its extension is ".sql"); Atlas reads only *.up.sql, so
// atlas.sum leaves it out.
var oddNameFiles = map[string]string{
	"1_a.up.sql":    "CREATE TABLE a (id int);\n",
	"1_a.down.sql":  "DROP TABLE a;\n",
	"2_b.up..sql":   "CREATE TABLE b (id int);\n",
	"2_b.down..sql": "DROP TABLE b;\n",
	"3_c.up.sql":    "CREATE TABLE c (id int);\n",
	"3_c.down.sql":  "DROP TABLE c;\n",
}

// TestOddNameNamedAndFixed: convert (a database golang-migrate migrated)
// and apply (a fresh database) refuse a folder whose up file golang-migrate
// runs but atlas.sum leaves out, naming the real reason (not the
// "atlas:sum ignore" directive the file does not carry) and the command
// that fixes it; after that command (ferry rebase --fix-names) both work,
// and golang-migrate reads the renamed folder as the same versions.
func TestOddNameNamedAndFixed(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			legacy := testdb.New(t, dialect)
			fresh := testdb.New(t, dialect)
			dir := testdb.WriteDir(t, oddNameFiles)
			testdb.Up(t, dir, legacy.URL)
			if v, dirty, _ := testdb.Version(t, dir, legacy.URL); v != 3 || dirty {
				t.Fatalf("golang-migrate: version %d dirty %v, want 3 clean", v, dirty)
			}
			if code, out, errOut := ferry(t, "hash", "--path", dir); code != 0 {
				t.Fatalf("ferry hash: exit %d\n%s%s", code, out, errOut)
			}
			fix := "ferry rebase --path " + dir + " --fix-names"
			for _, args := range [][]string{
				{"convert", "--path", dir, "--database", legacy.URL},
				{"apply", "--path", dir, "--database", fresh.URL},
			} {
				code, out, errOut := ferry(t, args...)
				all := out + errOut
				if code == 0 || !strings.Contains(all, "2_b.up..sql is not in atlas.sum") ||
					!strings.Contains(all, "Atlas reads only *.up.sql files") || !strings.Contains(all, fix) ||
					strings.Contains(all, "atlas:sum ignore") || strings.Contains(all, "remove the directive") {
					t.Fatalf("ferry %s: exit %d, want a refusal naming the file name and %q\n%s", args[0], code, fix, all)
				}
			}
			code, out, errOut := ferry(t, "rebase", "--path", dir, "--fix-names")
			if code != 0 || !strings.Contains(out, "2_b.up..sql -> 2_b.up.sql") || !strings.Contains(out, "2_b.down..sql -> 2_b.down.sql") {
				t.Fatalf("ferry rebase --fix-names: exit %d\n%s%s", code, out, errOut)
			}
			for _, n := range []string{"2_b.up.sql", "2_b.down.sql"} {
				if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
					t.Errorf("%s after the rename: %v", n, err)
				}
			}
			if code, out, errOut := ferry(t, "hash", "--path", dir, "--check"); code != 0 {
				t.Errorf("atlas.sum after the rename: exit %d\n%s%s", code, out, errOut)
			}
			// golang-migrate still agrees: version 3, nothing to run.
			testdb.Up(t, dir, legacy.URL)
			if v, dirty, _ := testdb.Version(t, dir, legacy.URL); v != 3 || dirty {
				t.Fatalf("golang-migrate after the rename: version %d dirty %v, want 3 clean", v, dirty)
			}
			if code, out, errOut := ferry(t, "convert", "--path", dir, "--database", legacy.URL); code != 0 {
				t.Fatalf("ferry convert after the rename: exit %d\n%s%s", code, out, errOut)
			}
			if code, out, errOut := ferry(t, "apply", "--path", dir, "--database", fresh.URL); code != 0 {
				t.Fatalf("ferry apply after the rename: exit %d\n%s%s", code, out, errOut)
			}
			if v, dirty, _ := testdb.Version(t, dir, fresh.URL); v != 3 || dirty {
				t.Errorf("golang-migrate on the applied database: version %d dirty %v, want 3 clean", v, dirty)
			}
		})
	}
}
