package cli_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ariga.io/atlas/sql/migrate"

	"github.com/ferrymigrate/ferry/internal/testdb"
	"github.com/ferrymigrate/ferry/revision"
)

// unpadded is a folder with versions 0..16: golang-migrate orders them as
// numbers, Atlas as text (10 right after 1).
func unpadded() map[string]string {
	files := map[string]string{}
	for i := 0; i <= 16; i++ {
		files[fmt.Sprintf("%d_t%d.up.sql", i, i)] = fmt.Sprintf("CREATE TABLE t%d (id int);\n", i)
		files[fmt.Sprintf("%d_t%d.down.sql", i, i)] = fmt.Sprintf("DROP TABLE t%d;\n", i)
	}
	return files
}

func revisionVersions(t *testing.T, rawURL string) []string {
	t.Helper()
	ctx := t.Context()
	db, u := testdb.ConnectReadOnly(t, rawURL)
	defer db.Close()
	store, err := revision.Locate(ctx, db, u, "")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := store.Read(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, r.Version)
	}
	slices.Sort(out)
	return out
}

// TestUnpaddedWarnsBeforeAtlas: with versions 0..16, ferry status and ferry
// convert warn (FM304) with the fix command; convert --to-dir with a
// database refuses, writing nothing, because the rows it would write (1)
// would not match the exported names (01); after ferry rebase --pad the
// rows and the names Atlas reads from the export are the same versions, and
// golang-migrate still agrees.
func TestUnpaddedWarnsBeforeAtlas(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			db := testdb.New(t, dialect)
			dir := testdb.WriteDir(t, unpadded())
			testdb.Up(t, dir, db.URL)
			if code, out, errOut := ferry(t, "hash", "--path", dir); code != 0 {
				t.Fatalf("ferry hash: exit %d\n%s%s", code, out, errOut)
			}
			pad := "ferry rebase --path " + dir + " --pad"

			_, out, errOut := ferry(t, "status", "--path", dir, "--database", db.URL)
			if !strings.Contains(out, "FM304") || !strings.Contains(out, "ferry rebase --pad") {
				t.Errorf("ferry status does not warn about the text order:\n%s%s", out, errOut)
			}
			code, out, errOut := ferry(t, "convert", "--path", dir, "--database", db.URL, "--dry-run")
			if code != 0 || !strings.Contains(out, "FM304") || !strings.Contains(out, pad) {
				t.Errorf("ferry convert --dry-run: exit %d, want the FM304 warning with %q\n%s%s", code, pad, out, errOut)
			}
			outDir := filepath.Join(t.TempDir(), "atlas")
			code, out, errOut = ferry(t, "convert", "--path", dir, "--to-dir", outDir, "--database", db.URL)
			if code != 1 || !strings.Contains(errOut, "0_t0.up.sql as 00_t0.sql") || !strings.Contains(errOut, pad) {
				t.Errorf("ferry convert --to-dir --database on unpadded versions: exit %d, want a refusal naming %q\n%s%s", code, pad, out, errOut)
			}
			if _, err := os.Stat(outDir); err == nil {
				t.Errorf("%s was written although convert refused", outDir)
			}
			if rows := revisionVersions(t, db.URL); len(rows) != 0 {
				t.Errorf("revision rows written although convert refused: %q", rows)
			}
			code, out, errOut = ferry(t, "convert", "--path", dir, "--to-dir", outDir+"-alone")
			if code != 0 || !strings.Contains(out, "warning FM304: versions zero-padded to 2 digits") || !strings.Contains(out, pad) {
				t.Errorf("ferry convert --to-dir alone: exit %d, want the padding note\n%s%s", code, out, errOut)
			}

			if code, out, errOut := ferry(t, "rebase", "--path", dir, "--pad", "--database", db.URL); code != 0 {
				t.Fatalf("ferry rebase --pad: exit %d\n%s%s", code, out, errOut)
			}
			testdb.Up(t, dir, db.URL) // golang-migrate: 01 is 1, nothing to run
			if v, dirty, _ := testdb.Version(t, dir, db.URL); v != 16 || dirty {
				t.Fatalf("golang-migrate after padding: version %d dirty %v, want 16 clean", v, dirty)
			}
			code, out, errOut = ferry(t, "convert", "--path", dir, "--to-dir", outDir, "--database", db.URL)
			if code != 0 || strings.Contains(out+errOut, "FM304") {
				t.Fatalf("ferry convert --to-dir after padding: exit %d\n%s%s", code, out, errOut)
			}
			ld, err := migrate.NewLocalDir(outDir)
			if err != nil {
				t.Fatal(err)
			}
			files, err := ld.Files()
			if err != nil {
				t.Fatal(err)
			}
			var atlasVersions []string
			for _, f := range files {
				atlasVersions = append(atlasVersions, f.Version())
			}
			if rows := revisionVersions(t, db.URL); !slices.Equal(rows, atlasVersions) {
				t.Errorf("revision rows %q, Atlas reads the export as versions %q", rows, atlasVersions)
			}
		})
	}
}
