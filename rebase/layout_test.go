package rebase_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGitLayouts: check --git-base and rebase --git-base work wherever the
// migration folder sits in the repository (its top, a subfolder) and however
// --path names it (relative, with a trailing slash, absolute). With the
// folder at the top, git used to be given an empty pathspec and failed.
func TestGitLayouts(t *testing.T) {
	for _, layout := range []struct{ name, sub string }{
		{"migrations at the repository root", ""},
		{"migrations in a subfolder", "db/migrations"},
	} {
		rel := layout.sub
		if rel == "" {
			rel = "."
		}
		for _, form := range []struct{ name, path string }{
			{"relative", rel},
			{"trailing slash", rel + "/"},
			{"dot slash", "./" + layout.sub},
			{"absolute", ""}, // filled in below
		} {
			t.Run(layout.name+"/"+form.name, func(t *testing.T) {
				r := newRepo(t)
				if layout.sub == "" {
					r.dir = r.root
				}
				r.commit("init", true, migration("20240101000000_init", "init_t"))
				if err := os.WriteFile(filepath.Join(r.root, "README.md"), []byte("# app\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				r.git("checkout", "-q", "-b", "feature-a")
				r.commit("add a", true, migration("20240110000000_add_a", "late_a"))
				r.git("checkout", "-q", "main")
				r.commit("add b", true, migration("20240120000000_add_b", "b_t"))
				r.git("checkout", "-q", "feature-a")
				t.Chdir(r.root)
				path := form.path
				if form.name == "absolute" {
					path = r.dir
				}

				code, out := ferry(t, "check", "--path", path, "--git-base", "main")
				if code != 1 || !strings.Contains(out, "FM301") || !strings.Contains(out, "20240110000000_add_a.up.sql") || strings.Contains(out, "pathspec") {
					t.Fatalf("ferry check --path %s --git-base main: exit %d, want 1 with FM301 for 20240110000000_add_a.up.sql\n%s", path, code, out)
				}
				code, out = ferry(t, "rebase", "--path", path, "--git-base", "main")
				if code != 0 {
					t.Fatalf("ferry rebase --path %s --git-base main: exit %d\n%s", path, code, out)
				}
				for _, f := range r.readDir().Files {
					if strings.HasPrefix(f.Name, "20240110000000_") {
						t.Errorf("%s was not renumbered:\n%s", f.Name, out)
					}
				}
				validSum(t, r.dir)
				if st := r.porcelain(); !strings.Contains(st, "R  ") {
					t.Errorf("the renames are not staged (git mv):\n%s", st)
				}
				code, out = ferry(t, "check", "--path", path, "--git-base", "main")
				if strings.Contains(out, "FM301") || strings.Contains(out, "pathspec") {
					t.Errorf("ferry check after the rebase: exit %d\n%s", code, out)
				}
			})
		}
	}
}
