package cli_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/internal/testdb"
)

// TestRecipeRebaseAfterMerge follows docs/recipes/rebase-after-merge.md on
// real git branches, with PostgreSQL (the recipe's) and SQLite databases,
// migrations in db/migrations and at the top of the repository: a branch
// whose migration became older than main's newest is caught by ferry check
// and renumbered by ferry rebase (refused while a database ran it), a branch
// that merged main first with atlas.sum in conflict, and another open pull
// request that re-hashes after the merge and then needs a rebase too.
func TestRecipeRebaseAfterMerge(t *testing.T) {
	eachLayout(t, []string{testdb.Postgres, testdb.SQLite}, recipeRebaseAfterMerge)
}

// migration writes the up and down file of a version, hashes the folder
// and commits them.
func (r *recipeRepo) migration(stem, table string) {
	r.t.Helper()
	r.commitMigration(stem, map[string]string{
		stem + ".up.sql":   "CREATE TABLE " + table + " (id integer PRIMARY KEY);\n",
		stem + ".down.sql": "DROP TABLE " + table + ";\n",
	})
}

// upFile returns the name of the one up file of the folder whose name ends
// in suffix ("_orders.up.sql").
func (r *recipeRepo) upFile(suffix string) string {
	r.t.Helper()
	entries, err := os.ReadDir(r.dir())
	if err != nil {
		r.t.Fatal(err)
	}
	var found []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), suffix) {
			found = append(found, e.Name())
		}
	}
	if len(found) != 1 {
		r.t.Fatalf("%s: files ending in %s: %q, want one", r.dir(), suffix, found)
	}
	return found[0]
}

func versionOf(t *testing.T, name string) uint {
	t.Helper()
	v, err := strconv.ParseUint(name[:strings.IndexByte(name, '_')], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return uint(v)
}

func recipeRebaseAfterMerge(t *testing.T, d, path string) {
	r := newRecipeRepo(t, path)
	r.migration("20240101000000_users", "users")
	r.git("push", "-q", "origin", "main")
	staging := testdb.New(t, d).URL
	testdb.Up(t, r.dir(), staging)

	// Three branches start from main; then a newer migration is merged
	// into main first and deployed.
	r.git("checkout", "-q", "-b", "orders")
	r.migration("20240105110000_orders", "orders")
	for _, b := range []struct{ branch, stem, table string }{
		{"items", "20240105120000_items", "items"},
		{"notes", "20240301000000_notes", "notes"},
	} {
		r.git("checkout", "-q", "main")
		r.git("checkout", "-q", "-b", b.branch)
		r.migration(b.stem, b.table)
	}
	r.git("checkout", "-q", "main")
	r.migration("20240106090000_tags", "tags")
	r.git("push", "-q", "origin", "main")
	testdb.Up(t, r.dir(), staging)

	// A review database ran the orders branch.
	r.git("checkout", "-q", "orders")
	review := testdb.New(t, d).URL
	testdb.Up(t, r.dir(), review)

	// 1. See it.
	r.git("fetch", "-q", "origin")
	chk := r.ferry(1, "check", "--path", r.path, "--git-base", "origin/main")
	mustContain(t, "ferry check", chk.out, "FM301", "20240105110000_orders.up.sql", "new since origin/main but older than its newest version")
	chk = r.ferry(1, "check", "--path", r.path, "--git-base", "origin/main", "--database", staging)
	mustContain(t, "ferry check --database", chk.out, "FM301", "FM302")

	// 3. The CI job: annotations, and the dry run of its summary step.
	chk = r.ferry(1, "check", "--path", r.path, "--git-base", "origin/main", "--dialect", d, "--format", "github")
	mustContain(t, "ferry check --format github", chk.out, "::error file="+r.rel("20240105110000_orders.up.sql"))
	dry := r.ferry(0, "rebase", "--path", r.path, "--git-base", "origin/main", "--dry-run", "--database", "")
	mustContain(t, "the CI summary's dry run", dry.out, "20240105110000_orders.up.sql -> ")

	// A database already ran the file: rebase refuses, renaming nothing.
	ref := r.ferry(1, "rebase", "--path", r.path, "--git-base", "origin/main", "--database", review)
	mustContain(t, "rebase with the review database", ref.out, "rebase refused; nothing renamed:", "20240105110000_orders.up.sql", review)
	if !r.exists("20240105110000_orders.up.sql") {
		t.Fatal("a refused rebase renamed the file")
	}
	// Roll it back there while the old name is checked out.
	testdb.Steps(t, r.dir(), review, -1)

	// 2. Renumber: look first, then do it.
	dry = r.ferry(0, "rebase", "--path", r.path, "--git-base", "origin/main", "--dry-run")
	mustContain(t, "rebase --dry-run", dry.out, "20240105110000_orders.up.sql -> ", "dry run")
	if !r.exists("20240105110000_orders.up.sql") {
		t.Fatal("rebase --dry-run renamed the file")
	}
	r.ferry(0, "rebase", "--path", r.path, "--git-base", "origin/main")
	orders := r.upFile("_orders.up.sql")
	if v := versionOf(t, orders); v <= 20240106090000 {
		t.Fatalf("rebase moved orders to %s, not after main's newest version", orders)
	}
	if !r.exists(strings.Replace(orders, ".up.", ".down.", 1)) {
		t.Fatalf("the down file did not move with %s", orders)
	}
	r.git("add", r.rel("atlas.sum"))
	r.git("commit", "-q", "-m", "Renumber migrations after origin/main")
	if out := r.git("status", "--porcelain"); out != "" {
		t.Fatalf("after the commit the work tree is not clean:\n%s", out)
	}
	r.ferry(0, "check", "--path", r.path, "--git-base", "origin/main")
	r.ferry(0, "hash", "--path", r.path, "--check")
	testdb.Up(t, r.dir(), review) // and migrate up again
	wantVersion(t, r.dir(), review, versionOf(t, orders))

	// Bring origin/main in: atlas.sum conflicts; hash writes it.
	if out, err := r.gitErr(r.top, "merge", "origin/main"); err == nil || !strings.Contains(out, "Merge conflict in "+r.rel("atlas.sum")) {
		t.Fatalf("merging origin/main into orders: %v, want a conflict in atlas.sum\n%s", err, out)
	}
	r.ferry(0, "hash", "--path", r.path)
	r.ferry(0, "check", "--path", r.path, "--git-base", "origin/main")
	r.git("add", r.rel("atlas.sum"))
	r.git("commit", "-q", "--no-edit")

	// The pull request merges; the deploy runs the renumbered file.
	r.git("checkout", "-q", "main")
	r.git("merge", "-q", "--no-ff", "--no-edit", "orders")
	r.git("push", "-q", "origin", "main")
	testdb.Up(t, r.dir(), staging)
	wantVersion(t, r.dir(), staging, versionOf(t, orders))
	for _, table := range []string{"orders", "tags"} {
		if !tableExists(t, d, staging, table) {
			t.Fatalf("staging has no table %s after the deploy", table)
		}
	}

	// The items branch merged origin/main before renumbering: atlas.sum
	// has conflict markers; the same ferry rebase writes it.
	r.git("checkout", "-q", "items")
	r.git("fetch", "-q", "origin")
	if out, err := r.gitErr(r.top, "merge", "--no-edit", "origin/main"); err == nil || !strings.Contains(out, r.rel("atlas.sum")) {
		t.Fatalf("merging origin/main into items: %v, want a conflict in atlas.sum\n%s", err, out)
	}
	r.ferry(1, "check", "--path", r.path, "--git-base", "origin/main")
	r.ferry(0, "rebase", "--path", r.path, "--git-base", "origin/main")
	items := r.upFile("_items.up.sql")
	if versionOf(t, items) <= versionOf(t, orders) {
		t.Fatalf("rebase moved items to %s, not after %s", items, orders)
	}
	r.git("add", r.rel("atlas.sum"))
	r.git("commit", "-q", "--no-edit")
	if out := r.git("status", "--porcelain"); out != "" {
		t.Fatalf("after the merge commit the work tree is not clean:\n%s", out)
	}
	r.ferry(0, "check", "--path", r.path, "--git-base", "origin/main")
	r.ferry(0, "hash", "--path", r.path, "--check")

	// Other open pull requests: the notes branch merges the new
	// origin/main, re-hashes, checks; its file is now older than the
	// renumbered one, so it rebases as above.
	r.git("checkout", "-q", "notes")
	if out, err := r.gitErr(r.top, "merge", "--no-edit", "origin/main"); err == nil || !strings.Contains(out, r.rel("atlas.sum")) {
		t.Fatalf("merging origin/main into notes: %v, want a conflict in atlas.sum\n%s", err, out)
	}
	r.ferry(0, "hash", "--path", r.path)
	chk = r.ferry(1, "check", "--path", r.path, "--git-base", "origin/main", "--dialect", d)
	mustContain(t, "ferry check of the notes branch", chk.out, "FM301", "20240301000000_notes.up.sql")
	r.git("add", r.rel("atlas.sum"))
	r.git("commit", "-q", "--no-edit")
	r.ferry(0, "rebase", "--path", r.path, "--git-base", "origin/main")
	r.git("add", r.rel("atlas.sum"))
	r.git("commit", "-q", "-m", "Renumber migrations after origin/main")
	chk = r.ferry(0, "check", "--path", r.path, "--git-base", "origin/main", "--dialect", d)
	mustContain(t, "ferry check after the rebase", chk.out, "1 file linted: 0 errors")
	notes := r.upFile("_notes.up.sql")
	testdb.Up(t, r.dir(), staging)
	wantVersion(t, r.dir(), staging, versionOf(t, notes))
	if _, err := os.Stat(filepath.Join(r.dir(), "20240301000000_notes.up.sql")); err == nil {
		t.Fatal("the old name of notes is still there")
	}
}
