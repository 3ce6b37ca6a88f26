package cli_test

import (
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/go-sql-driver/mysql"
	"github.com/golang-migrate/migrate/v4"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/ferrymigrate/ferry/internal/testdb"
)

// The recipe tests follow docs/recipes step by step: the same ferry
// commands with the same flags, in the same order, run in-process from the
// top of a git repository made for the test, with golang-migrate's library
// standing in for the migrate CLI. Each runs with the migrations in a
// subfolder and at the top of the repository (--path .).

// layouts are the two places a project keeps its migrations.
var layouts = []string{"db/migrations", "."}

func layoutName(p string) string {
	if p == "." {
		return "root"
	}
	return "subfolder"
}

// eachLayout runs recipe in a subtest per dialect and layout, named
// "<dialect>/root" or "<dialect>/subfolder".
func eachLayout(t *testing.T, dialects []string, recipe func(t *testing.T, dialect, path string)) {
	for _, d := range dialects {
		for _, path := range layouts {
			t.Run(d+"/"+layoutName(path), func(t *testing.T) {
				recipe(t, d, path)
			})
		}
	}
}

// recipeRepo is a git work tree whose top is the working directory of the
// test, with an "origin" remote (a bare repository) and a main branch.
type recipeRepo struct {
	t    *testing.T
	top  string // the work tree (and the working directory)
	path string // the --path of the recipe: "db/migrations" or "."
}

// newRecipeRepo makes the repository, changes the working directory to it
// and writes nothing into it yet.
func newRecipeRepo(t *testing.T, path string) *recipeRepo {
	t.Helper()
	base := t.TempDir()
	top := filepath.Join(base, "app")
	origin := filepath.Join(base, "origin.git")
	for _, d := range []string{top, filepath.Join(top, path)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// git reads no configuration of the machine it runs on.
	t.Setenv("HOME", base)
	t.Setenv("XDG_CONFIG_HOME", base)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_AUTHOR_NAME", "Dev")
	t.Setenv("GIT_AUTHOR_EMAIL", "dev@example.com")
	t.Setenv("GIT_COMMITTER_NAME", "Dev")
	t.Setenv("GIT_COMMITTER_EMAIL", "dev@example.com")
	t.Setenv("DATABASE_URL", "")
	t.Chdir(top)
	r := &recipeRepo{t: t, top: top, path: path}
	r.gitIn(base, "init", "-q", "--bare", "-b", "main", origin)
	r.git("init", "-q", "-b", "main")
	r.git("remote", "add", "origin", origin)
	return r
}

// git runs git at the top of the work tree and returns its output; a
// failure fails the test.
func (r *recipeRepo) git(args ...string) string {
	r.t.Helper()
	return r.gitIn(r.top, args...)
}

func (r *recipeRepo) gitIn(dir string, args ...string) string {
	r.t.Helper()
	out, err := r.gitErr(dir, args...)
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (r *recipeRepo) gitErr(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	r.t.Logf("$ git %s\n%s", strings.Join(args, " "), out)
	return string(out), err
}

// dir is the absolute path of the migration folder.
func (r *recipeRepo) dir() string { return filepath.Join(r.top, r.path) }

// write writes files (name -> content) into the migration folder.
func (r *recipeRepo) write(files map[string]string) {
	r.t.Helper()
	for name, body := range files {
		writeFile(r.t, filepath.Join(r.dir(), name), body)
	}
}

// commitMigration writes files into the migration folder, hashes it (a new
// migration goes in with its sum line, step 2 of the recipes) and commits
// the folder with message msg.
func (r *recipeRepo) commitMigration(msg string, files map[string]string) {
	r.t.Helper()
	r.write(files)
	r.ferry(0, "hash", "--path", r.path)
	r.git("add", r.path)
	r.git("commit", "-q", "-m", msg)
}

func (r *recipeRepo) read(name string) string {
	r.t.Helper()
	b, err := os.ReadFile(filepath.Join(r.dir(), name))
	if err != nil {
		r.t.Fatal(err)
	}
	return string(b)
}

// ferry runs a ferry command of the recipe and fails the test unless it
// exits with code.
func (r *recipeRepo) ferry(code int, args ...string) ran {
	r.t.Helper()
	got := runFerry(r.t, append([]string{"ferry"}, args...))
	if got.code != code {
		r.t.Fatalf("ferry %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), got.code, code, got.out, got.errOut)
	}
	return got
}

// mustContain fails the test unless text has every one of wants.
func mustContain(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Fatalf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// migrateUpNoChange runs golang-migrate's up and requires "no change".
func migrateUpNoChange(t *testing.T, dir, dbURL string) {
	t.Helper()
	m := testdb.Migrator(t, dir, dbURL)
	if err := m.Up(); !errors.Is(err, migrate.ErrNoChange) {
		t.Fatalf("golang-migrate up: %v, want no change", err)
	}
}

// wantVersion requires golang-migrate's Version() to be v, clean.
func wantVersion(t *testing.T, dir, dbURL string, v uint) {
	t.Helper()
	got, dirty, none := testdb.Version(t, dir, dbURL)
	if got != v || dirty || none {
		t.Fatalf("golang-migrate version %d dirty %v (none %v), want %d clean", got, dirty, none, v)
	}
}

// rel is a path inside the migration folder as the recipe's commands name
// it from the top of the repository (db/migrations/atlas.sum, atlas.sum).
func (r *recipeRepo) rel(name string) string { return filepath.ToSlash(filepath.Join(r.path, name)) }

func (r *recipeRepo) exists(name string) bool {
	_, err := os.Stat(filepath.Join(r.dir(), name))
	return err == nil
}

// tableExists reports whether the database of the golang-migrate URL dbURL
// has a table named name.
func tableExists(t *testing.T, d, dbURL, name string) bool {
	t.Helper()
	driver, dsn, query := "pgx", dbURL, "SELECT count(*) FROM information_schema.tables WHERE table_name = $1"
	switch d {
	case testdb.SQLite:
		driver, dsn, query = "sqlite", strings.TrimPrefix(dbURL, "sqlite://"), "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
	case testdb.MySQL:
		driver, dsn, query = "mysql", strings.TrimPrefix(dbURL, "mysql://"), "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(query, name).Scan(&n); err != nil {
		t.Fatalf("look for table %s: %v", name, err)
	}
	return n > 0
}
