package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/internal/testdb"
)

// TestConvertEditedFileNamesTheRevisionRow: a file edited after ferry
// apply ran it is not "re-hash if no database has applied it" on a
// database whose revision row records it: convert names the row and says
// whether the edited file is the one that ran there.
func TestConvertEditedFileNamesTheRevisionRow(t *testing.T) {
	testdb.ForEach(t, testdb.Dialects(), func(t *testing.T, d string) {
		dir := filepath.Join(t.TempDir(), "migrations")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, "1_a.up.sql"), "CREATE TABLE a (id integer PRIMARY KEY);\n")
		writeFile(t, filepath.Join(dir, "2_b.up.sql"), "CREATE TABLE b (id integer PRIMARY KEY);\n")
		sum := filepath.Join(dir, "atlas.sum")
		run := func(code int, args ...string) ran {
			t.Helper()
			r := runFerry(t, append([]string{"ferry"}, args...))
			if r.code != code {
				t.Fatalf("ferry %s: exit %d, want %d\n%s%s", strings.Join(args, " "), r.code, code, r.out, r.errOut)
			}
			return r
		}
		run(0, "hash", "--path", dir)
		original, err := os.ReadFile(sum)
		if err != nil {
			t.Fatal(err)
		}
		ranOld := testdb.New(t, d).URL // ferry apply ran the file as hashed
		run(0, "apply", "--path", dir, "--database", ranOld)
		legacy := testdb.New(t, d).URL // golang-migrate ran it; no revision rows
		testdb.Up(t, dir, legacy)

		// The edited file ran on a third database (hashed for that run).
		writeFile(t, filepath.Join(dir, "2_b.up.sql"), "CREATE TABLE b (id integer PRIMARY KEY, note varchar(20));\n")
		run(0, "hash", "--path", dir)
		ranNew := testdb.New(t, d).URL
		run(0, "apply", "--path", dir, "--database", ranNew)
		writeFile(t, sum, string(original))

		// The database that ran the old text: restore, re-hash only if...
		r := run(1, "convert", "--path", dir, "--database", ranOld)
		mustContain(t, "convert on the database that ran the old text", r.out,
			"has a revision row for version 2 (written by ferry ", "executed_at ",
			"records other hashes than the file has now", "restore the file (git diff -- ",
			"re-hash (`ferry hash --path "+dir+"`) only if the edited file is the one that ran there (as after ferry recover --forward ran the fixed file)",
			"next: git diff -- ")
		if strings.Contains(r.out+r.errOut, "no database has applied it") {
			t.Fatalf("convert advises re-hashing as if no database had applied 2_b.up.sql:\n%s%s", r.out, r.errOut)
		}

		// The database that ran the edited text: re-hashing is right.
		r = run(1, "convert", "--path", dir, "--database", ranNew)
		mustContain(t, "convert on the database that ran the edited text", r.out,
			"has a revision row for version 2 (written by ferry ", "records the file as it is now", "re-hashing is right for this database",
			"next: ferry hash --path "+dir)

		// Both at once: each database gets its own advice.
		r = run(1, "convert", "--path", dir, "--database", ranOld, "--database", ranNew, "--json")
		mustContain(t, "convert --json", r.out, "records other hashes", "records the file as it is now")

		// Without revision rows the folder-wide refusal stays as it was.
		r = run(1, "convert", "--path", dir, "--database", legacy)
		mustContain(t, "convert without revision rows", r.errOut, "if the change is intended and no database has applied it")

		// Following the advice for ranNew: re-hash, and convert finds
		// its history in order (and refuses ranOld's other hashes).
		run(0, "hash", "--path", dir)
		run(0, "convert", "--path", dir, "--database", ranNew)
		r = run(1, "convert", "--path", dir, "--database", ranOld)
		mustContain(t, "convert on the old database after re-hashing", r.out, "version 2: ", "hash differs from atlas.sum", "restore them as they ran (git log -p -- ")
		if strings.Contains(r.out, "DELETE") {
			t.Fatalf("convert advises deleting the row of a file that ran there:\n%s", r.out)
		}
	})
}
