package rebase_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/internal/testdb"
	"github.com/ferrymigrate/ferry/rebase"
)

// dbDialects are the engines the database tests run on.
var dbDialects = []string{testdb.Postgres, testdb.MySQL, testdb.SQLite}

// tableExists reports whether SELECT on table works.
func tableExists(db *testdb.DB, table string) bool {
	rows, err := db.SQL.Query("SELECT id FROM " + table)
	if err != nil {
		return false
	}
	rows.Close()
	return true
}

// TestGolangMigrateRunsTheRebasedFile: golang-migrate's Up on a database
// at the newest version skips the late file; after ferry rebase it runs it.
func TestGolangMigrateRunsTheRebasedFile(t *testing.T) {
	for _, dialect := range dbDialects {
		t.Run(dialect, func(t *testing.T) {
			db := testdb.New(t, dialect)
			r := lateTimestampRepo(t, false)
			r.git("checkout", "-q", "main")
			testdb.Up(t, r.dir, db.URL) // init, add_b
			r.git("checkout", "-q", "feature-a")
			r.git("merge", "-q", "--no-edit", "main")

			testdb.Up(t, r.dir, db.URL)
			if v, dirty, _ := testdb.Version(t, r.dir, db.URL); v != 20240120000000 || dirty {
				t.Fatalf("golang-migrate version %d dirty %v, want 20240120000000", v, dirty)
			}
			if tableExists(db, "late_a") {
				t.Fatal("golang-migrate ran the late file before the rebase: the scenario is wrong")
			}

			code, out := ferry(t, "rebase", "--path", r.dir, "--git-base", "main", "--database", db.URL)
			if code != 0 {
				t.Fatalf("ferry rebase: exit %d\n%s", code, out)
			}
			var newVersion uint64
			for _, m := range r.readDir().Migrations {
				if m.Title == "add_a" {
					newVersion = m.Version
				}
			}
			if newVersion <= 20240120000000 {
				t.Fatalf("add_a is at %d after the rebase\n%s", newVersion, out)
			}

			testdb.Up(t, r.dir, db.URL)
			if !tableExists(db, "late_a") {
				t.Error("golang-migrate did not run the rebased file")
			}
			if v, dirty, _ := testdb.Version(t, r.dir, db.URL); uint64(v) != newVersion || dirty {
				t.Errorf("golang-migrate version %d dirty %v, want %d", v, dirty, newVersion)
			}
		})
	}
}

// convertCopy records the database's golang-migrate history as revisions
// with ferry's convert library, from a copy of the folder with a sum file.
func convertCopy(t *testing.T, dir, url string) {
	t.Helper()
	cp := t.TempDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(cp, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	testdb.Hash(t, cp)
	handle, u := testdb.Connect(t, url)
	defer handle.Close()
	testdb.Convert(t, handle, u, cp, "ferry vTEST (golang-migrate import)", 10*time.Second)
}

// TestRefusesWhatADatabaseHas: rebase renames nothing when a given database
// has applied the file (revision rows from ferry convert; golang-migrate's
// row for a file that was at the git base) or when the file is the
// database's current version.
func TestRefusesWhatADatabaseHas(t *testing.T) {
	cases := []struct {
		name string
		// setup brings the database to its state and leaves feature-a,
		// merged with main, checked out.
		setup    func(t *testing.T, r *repo, db *testdb.DB)
		versions []string
		want     error
		words    string
	}{
		{
			name: "revisions from ferry convert",
			setup: func(t *testing.T, r *repo, db *testdb.DB) {
				testdb.Up(t, r.dir, db.URL) // feature-a: init, add_a
				convertCopy(t, r.dir, db.URL)
				r.git("merge", "-q", "--no-edit", "main")
			},
			want:  rebase.ErrApplied,
			words: "has applied 20240110000000_add_a.up.sql (revision 20240110000000)",
		},
		{
			name: "current version in golang-migrate's row",
			setup: func(t *testing.T, r *repo, db *testdb.DB) {
				testdb.Up(t, r.dir, db.URL) // feature-a: init, add_a
				r.git("merge", "-q", "--no-edit", "main")
			},
			want:  rebase.ErrCurrentVersion,
			words: "version 20240110000000 is the current version of",
		},
		{
			name: "a file at the git base below golang-migrate's row",
			setup: func(t *testing.T, r *repo, db *testdb.DB) {
				r.git("checkout", "-q", "main")
				testdb.Up(t, r.dir, db.URL) // init, add_b
				r.git("checkout", "-q", "feature-a")
				r.git("merge", "-q", "--no-edit", "main")
			},
			versions: []string{"20240101000000"},
			want:     rebase.ErrApplied,
			words:    "has applied 20240101000000_init.up.sql (golang-migrate is at version 20240120000000 and the file was already at main)",
		},
	}
	for _, dialect := range dbDialects {
		for _, c := range cases {
			t.Run(dialect+"/"+c.name, func(t *testing.T) {
				db := testdb.New(t, dialect)
				r := lateTimestampRepo(t, false)
				c.setup(t, r, db)
				testdb.Hash(t, r.dir)
				r.git("add", "-A")
				r.git("commit", "-q", "-m", "sum")
				before, status := snapshot(t, r.dir), r.porcelain()

				args := append([]string{"rebase", "--path", r.dir, "--git-base", "main", "--database", db.URL}, c.versions...)
				code, out := ferry(t, args...)
				if code != 1 {
					t.Errorf("ferry rebase: exit %d, want 1\n%s", code, out)
				}
				if !strings.Contains(out, c.words) || !strings.Contains(out, "nothing renamed") {
					t.Errorf("output does not say %q and that nothing was renamed:\n%s", c.words, out)
				}
				if after := snapshot(t, r.dir); !sameSnapshot(before, after) {
					t.Errorf("the folder changed:\nbefore %v\nafter  %v", keys(before), keys(after))
				}
				if s := r.porcelain(); s != status {
					t.Errorf("git status changed:\n%s", s)
				}

				u := db.ParsedURL(t)
				_, err := rebase.Prepare(t.Context(), rebase.Options{Dir: os.DirFS(r.dir), DirPath: r.dir, GitBase: "main", Databases: []*compat.DatabaseURL{u}, Versions: c.versions})
				if !errors.Is(err, c.want) {
					t.Errorf("Prepare: %v, want %v", err, c.want)
				}
			})
		}
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
