package rebase_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-migrate/migrate/v4/source/iofs"

	"github.com/ferrymigrate/ferry/atlassum"
	"github.com/ferrymigrate/ferry/cmd/ferry/cli"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/internal/testdb"
	"github.com/ferrymigrate/ferry/rebase"
)

// repo is a real git repository in a temp folder whose migration folder is
// db/migrations.
type repo struct {
	t    *testing.T
	root string
	dir  string // root/db/migrations
}

// gitEnv pins the author, the dates and the configuration, so that
// neither the machine's git configuration nor the clock changes a run.
var gitEnv = []string{
	"GIT_AUTHOR_NAME=Ferry Test", "GIT_AUTHOR_EMAIL=ferry@example.com",
	"GIT_COMMITTER_NAME=Ferry Test", "GIT_COMMITTER_EMAIL=ferry@example.com",
	"GIT_AUTHOR_DATE=2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2024-01-01T00:00:00Z",
	"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + os.DevNull,
}

// newRepo makes a repository on branch main. ferry's own git calls inherit
// the process environment, so the configuration is pinned there too.
func newRepo(t *testing.T) *repo {
	t.Helper()
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	t.Setenv("DATABASE_URL", "")
	r := &repo{t: t, root: t.TempDir()}
	r.dir = filepath.Join(r.root, "db", "migrations")
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r.git("init", "-q", "-b", "main")
	return r
}

// git runs git in the repository and returns its output; failing fails
// the test.
func (r *repo) git(args ...string) string {
	r.t.Helper()
	out, err := r.tryGit(args...)
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (r *repo) tryGit(args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = r.root
	cmd.Env = append(os.Environ(), gitEnv...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// write writes migration files (name -> SQL) into the migration folder.
func (r *repo) write(files map[string]string) {
	r.t.Helper()
	for name, sql := range files {
		if err := os.WriteFile(filepath.Join(r.dir, name), []byte(sql), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
}

// migration returns the up and down files of a migration creating table.
func migration(stem, table string) map[string]string {
	return map[string]string{
		stem + ".up.sql":   "CREATE TABLE " + table + " (id int);\n",
		stem + ".down.sql": "DROP TABLE " + table + ";\n",
	}
}

// commit writes files, re-hashes atlas.sum when withSum, and commits all.
func (r *repo) commit(msg string, withSum bool, files map[string]string) {
	r.t.Helper()
	r.write(files)
	if withSum {
		testdb.Hash(r.t, r.dir)
	}
	r.git("add", "-A")
	r.git("commit", "-q", "-m", msg)
}

// ferry runs the CLI in process and returns its exit code and outputs.
func ferry(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Execute(context.Background(), args, nil, &out, &errOut)
	return code, out.String() + errOut.String()
}

// porcelain returns git status --porcelain.
func (r *repo) porcelain() string { return r.git("status", "--porcelain") }

func (r *repo) readDir() *compat.Directory {
	r.t.Helper()
	d, err := compat.ReadDir(os.DirFS(r.dir), ".")
	if err != nil {
		r.t.Fatal(err)
	}
	return d
}

// lateTimestampRepo builds the classic out-of-order story: from main with
// one migration, feature-a adds an older timestamp and feature-b a newer
// one; feature-b merges into main first. It leaves feature-a checked out.
func lateTimestampRepo(t *testing.T, withSum bool) *repo {
	r := newRepo(t)
	r.commit("init", withSum, migration("20240101000000_init", "init_t"))
	r.git("checkout", "-q", "-b", "feature-a")
	r.commit("add a", withSum, migration("20240110000000_add_a", "late_a"))
	r.git("checkout", "-q", "main")
	r.git("checkout", "-q", "-b", "feature-b")
	r.commit("add b", withSum, migration("20240120000000_add_b", "b_t"))
	r.git("checkout", "-q", "main")
	r.git("merge", "-q", "--no-ff", "--no-edit", "feature-b")
	r.git("checkout", "-q", "feature-a")
	return r
}

var timestampName = regexp.MustCompile(`^(\d{14})_add_a\.(up|down)\.sql$`)

// TestGitLateTimestamp: AgainstGit flags exactly the branch's file, and
// `ferry rebase --git-base main` renames it (up and down, git mv) after the
// newest version, with a valid sum; before and after merging main in.
func TestGitLateTimestamp(t *testing.T) {
	for _, merged := range []bool{false, true} {
		name := "branch not merged"
		if merged {
			name = "main merged into the branch"
		}
		t.Run(name, func(t *testing.T) {
			r := lateTimestampRepo(t, true)
			if merged {
				// Both branches re-hashed atlas.sum: take the branch's
				// side; rebase rewrites it anyway.
				if out, err := r.tryGit("merge", "-q", "--no-edit", "main"); err == nil {
					t.Fatalf("merge of two re-hashed sums did not conflict:\n%s", out)
				}
				r.git("checkout", "--ours", "--", "db/migrations/atlas.sum")
				r.git("add", "-A")
				r.git("commit", "-q", "--no-edit")
			}
			names := strings.Fields(r.git("ls-tree", "--name-only", "main", "db/migrations/"))
			for i, n := range names {
				names[i] = filepath.Base(n)
			}
			late := rebase.AgainstGit(r.readDir(), rebase.Base{Ref: "main", Names: names})
			if len(late) != 1 || late[0].Version != 20240110000000 || !slices.Equal(late[0].Files, []string{"20240110000000_add_a.up.sql", "20240110000000_add_a.down.sql"}) || late[0].Collision {
				t.Fatalf("AgainstGit: %+v, want exactly 20240110000000_add_a", late)
			}
			start := time.Now().UTC().Truncate(time.Second)
			code, out := ferry(t, "rebase", "--path", r.dir, "--git-base", "main")
			if code != 0 {
				t.Fatalf("ferry rebase: exit %d\n%s", code, out)
			}
			t.Log(out)
			var moved []string
			for _, e := range r.readDir().Files {
				if m := timestampName.FindStringSubmatch(e.Name); m != nil {
					moved = append(moved, e.Name)
					v, err := time.Parse("20060102150405", m[1])
					if err != nil {
						t.Errorf("%s: not a valid timestamp: %v", e.Name, err)
					}
					if m[1] <= "20240120000000" || v.Before(start) || v.After(time.Now().Add(time.Second)) {
						t.Errorf("%s: want a version after 20240120000000 and at the current time", e.Name)
					}
				}
			}
			if len(moved) != 2 || !strings.HasPrefix(moved[1], strings.Split(moved[0], "_")[0]) {
				t.Fatalf("files of add_a after the rebase: %q, want an up and a down file with one new version\n%s", moved, out)
			}
			b, _ := os.ReadFile(filepath.Join(r.dir, moved[0]))
			if string(b) != "DROP TABLE late_a;\n" && string(b) != "CREATE TABLE late_a (id int);\n" {
				t.Errorf("content changed: %q", b)
			}
			status := r.porcelain()
			for _, dirn := range []string{"up", "down"} {
				want := "R  db/migrations/20240110000000_add_a." + dirn + ".sql -> db/migrations/" + strings.Split(moved[0], "_")[0] + "_add_a." + dirn + ".sql"
				if !strings.Contains(status, want) {
					t.Errorf("git status --porcelain lacks %q:\n%s", want, status)
				}
			}
			validSum(t, r.dir)
			if late := rebase.AgainstGit(r.readDir(), rebase.Base{Ref: "main", Names: names}); len(late) != 0 {
				t.Errorf("still late after the rebase: %+v", late)
			}
		})
	}
}

// TestGitDuplicateSequence: two branches each add 000042_ and re-hash
// atlas.sum; merging main into the branch conflicts in atlas.sum and leaves
// two files of version 42, which golang-migrate refuses. ferry rebase
// renumbers the branch's file, writes a clean sum, and golang-migrate opens
// the folder again.
func TestGitDuplicateSequence(t *testing.T) {
	r := newRepo(t)
	base := migration("000040_init", "init_t")
	for k, v := range migration("000041_x", "x_t") {
		base[k] = v
	}
	r.commit("init", true, base)
	r.git("checkout", "-q", "-b", "feature")
	r.commit("orders", true, migration("000042_add_orders", "orders"))
	r.git("checkout", "-q", "main")
	r.commit("users", true, migration("000042_add_users", "users"))
	r.git("checkout", "-q", "feature")
	if out, err := r.tryGit("merge", "--no-edit", "main"); err == nil {
		t.Fatalf("merge did not conflict:\n%s", out)
	}
	if u := strings.TrimSpace(r.git("diff", "--name-only", "--diff-filter=U")); u != "db/migrations/atlas.sum" {
		t.Fatalf("conflicted files %q, want only atlas.sum", u)
	}
	sum, _ := os.ReadFile(filepath.Join(r.dir, atlassum.FileName))
	if _, err := atlassum.Parse(sum); !errors.Is(err, atlassum.ErrConflict) {
		t.Fatalf("atlas.sum after the merge: %v, want a conflict", err)
	}
	if src, err := iofs.New(os.DirFS(r.dir), "."); err == nil {
		src.Close()
		t.Fatal("golang-migrate opened a folder with two files of version 42")
	}

	code, out := ferry(t, "rebase", "--path", r.dir, "--git-base", "main")
	if code != 0 {
		t.Fatalf("ferry rebase: exit %d\n%s", code, out)
	}
	t.Log(out)
	d := r.readDir()
	if len(d.Duplicates) != 0 {
		t.Errorf("duplicates after the rebase: %v", d.Duplicates)
	}
	var got []string
	for _, m := range d.Migrations {
		got = append(got, m.Up.Name, m.Down.Name)
	}
	want := []string{"000040_init.up.sql", "000040_init.down.sql", "000041_x.up.sql", "000041_x.down.sql",
		"000042_add_users.up.sql", "000042_add_users.down.sql", "000043_add_orders.up.sql", "000043_add_orders.down.sql"}
	if !slices.Equal(got, want) {
		t.Errorf("migrations after the rebase:\n got %q\nwant %q\n%s", got, want, out)
	}
	validSum(t, r.dir)
	src, err := iofs.New(os.DirFS(r.dir), ".")
	if err != nil {
		t.Fatalf("golang-migrate cannot open the folder after the rebase: %v", err)
	}
	src.Close()
	status := r.porcelain()
	if !strings.Contains(status, "R  db/migrations/000042_add_orders.up.sql -> db/migrations/000043_add_orders.up.sql") {
		t.Errorf("git status --porcelain:\n%s", status)
	}
	// The merge can be concluded as usual.
	r.git("add", "db/migrations/atlas.sum")
	r.git("commit", "-q", "--no-edit")
}
