package baseline

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/internal/gitx"
)

// TestMoveAllGitLayouts: baseline --replace's git helpers archive tracked
// files with git mv (staged as renames) and move them back, whether the
// migration folder is the top of the repository or a subfolder, and
// whether it is named by a relative or an absolute path.
func TestMoveAllGitLayouts(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	for _, c := range []struct {
		name, sub string
		abs       bool
	}{
		{"root, relative", "", false},
		{"root, absolute", "", true},
		{"subfolder, relative", "db/migrations", false},
		{"subfolder, absolute", "db/migrations", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			git := func(args ...string) string {
				t.Helper()
				cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
				cmd.Dir = root
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
				}
				return string(out)
			}
			git("init", "-q", "-b", "main")
			dir := filepath.Join(root, filepath.FromSlash(c.sub))
			if err := os.MkdirAll(filepath.Join(dir, ArchiveDir), 0o755); err != nil {
				t.Fatal(err)
			}
			for _, n := range []string{"1_a.up.sql", "1_a.down.sql"} {
				if err := os.WriteFile(filepath.Join(dir, n), []byte("SELECT 1;\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			git("add", "-A")
			git("commit", "-q", "-m", "init")
			t.Chdir(root)
			arg := dir
			if !c.abs {
				arg = "."
				if c.sub != "" {
					arg = c.sub
				}
			}
			if !gitx.InWorkTree(t.Context(), arg) {
				t.Fatalf("%s: not seen as inside the work tree", arg)
			}
			moves := []Move{{From: "1_a.up.sql", To: ArchiveDir + "/1_a.up.sql"}, {From: "1_a.down.sql", To: ArchiveDir + "/1_a.down.sql"}}
			undo, err := moveAll(t.Context(), arg, moves, true)
			if err != nil {
				t.Fatalf("moveAll: %v", err)
			}
			prefix := ""
			if c.sub != "" {
				prefix = c.sub + "/"
			}
			st := git("status", "--porcelain")
			if want := "R  " + prefix + "1_a.up.sql -> " + prefix + ArchiveDir + "/1_a.up.sql"; !strings.Contains(st, want) {
				t.Errorf("git status lacks %q:\n%s", want, st)
			}
			if err := undo(); err != nil {
				t.Fatalf("undo: %v", err)
			}
			if st := git("status", "--porcelain"); strings.TrimSpace(st) != "" {
				t.Errorf("after undo, git status is not clean:\n%s", st)
			}
		})
	}
}
