package status_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ferrycheck "github.com/ferrymigrate/ferry/check"
	"github.com/ferrymigrate/ferry/cmd/ferry/cli"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/finding"
	"github.com/ferrymigrate/ferry/internal/testdb"
	"github.com/ferrymigrate/ferry/status"
)

// lateFiles: versions 1 and 3; 2 is merged after the database reached 3.
var lateFiles = map[string]string{
	"1_a.up.sql":   "CREATE TABLE a (id int);\n",
	"1_a.down.sql": "DROP TABLE a;\n",
	"3_c.up.sql":   "CREATE TABLE c (id int);\n",
	"3_c.down.sql": "DROP TABLE c;\n",
}

var lateB = map[string]string{
	"2_b.up.sql":   "CREATE TABLE b (id int);\n",
	"2_b.down.sql": "DROP TABLE b;\n",
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for n, s := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func ferryCLI(t *testing.T, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	if code := cli.Execute(t.Context(), args, nil, &out, &out); code != 0 {
		t.Fatalf("ferry %s: exit %d\n%s", strings.Join(args, " "), code, out.String())
	}
	return out.String()
}

func late(fs []finding.Finding) []finding.Finding {
	var out []finding.Finding
	for _, f := range fs {
		if f.Code == "FM302" {
			out = append(out, f)
		}
	}
	return out
}

// checkLate runs ferry check on the same folder and database and
// returns its FM302 findings.
func checkLate(t *testing.T, dir, gitBase string, u *compat.DatabaseURL) []finding.Finding {
	t.Helper()
	rep, err := ferrycheck.Run(t.Context(), ferrycheck.Options{Dir: os.DirFS(dir), DirPath: dir, GitBase: gitBase, Databases: []*compat.DatabaseURL{u}})
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	return late(rep.Findings)
}

func statusOf(t *testing.T, dir, gitBase string, u *compat.DatabaseURL) *status.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	r, err := status.Run(ctx, status.Options{Dir: os.DirFS(dir), DirPath: dir, Database: u, GitBase: gitBase})
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	return r
}

func wantLateB(t *testing.T, got, fromCheck []finding.Finding) {
	t.Helper()
	if len(got) != 1 || got[0].File != "2_b.up.sql" || got[0].Severity != finding.Error {
		t.Fatalf("status FM302 findings: %+v, want one error for 2_b.up.sql", got)
	}
	if len(fromCheck) != 1 || fromCheck[0].Message != got[0].Message {
		t.Errorf("status and check word FM302 differently:\nstatus: %+v\ncheck:  %+v", got, fromCheck)
	}
}

// TestStatusReportsSkippedFiles: a file merged after the database passed its
// version is one golang-migrate will never run there; ferry status reports
// it (FM302, as ferry check does) from the revision rows of a converted
// database, and from golang-migrate's row of an unconverted one given
// --git-base. golang-migrate itself confirms that it skips the file.
func TestStatusReportsSkippedFiles(t *testing.T) {
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	t.Setenv("DATABASE_URL", "")
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect+"/converted", func(t *testing.T) {
			db := testdb.New(t, dialect)
			dir := testdb.WriteDir(t, lateFiles)
			testdb.Up(t, dir, db.URL)
			ferryCLI(t, "hash", "--path", dir)
			ferryCLI(t, "convert", "--path", dir, "--database", db.URL)
			writeFiles(t, dir, lateB)
			ferryCLI(t, "hash", "--path", dir)
			testdb.Up(t, dir, db.URL) // golang-migrate: no change, 2 skipped
			if v, dirty, _ := testdb.Version(t, dir, db.URL); v != 3 || dirty {
				t.Fatalf("golang-migrate: version %d dirty %v, want 3", v, dirty)
			}
			u, _ := compat.ParseDatabaseURL(db.URL)
			r := statusOf(t, dir, "", u)
			if r.Revisions == nil {
				t.Fatal("no revisions after ferry convert")
			}
			wantLateB(t, late(r.Findings), checkLate(t, dir, "", u))
		})
		t.Run(dialect+"/unconverted", func(t *testing.T) {
			db := testdb.New(t, dialect)
			root := t.TempDir()
			git := func(args ...string) {
				t.Helper()
				cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
				cmd.Dir = root
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
				}
			}
			git("init", "-q", "-b", "main")
			writeFiles(t, root, lateFiles)
			git("add", "-A")
			git("commit", "-q", "-m", "init")
			testdb.Up(t, root, db.URL)
			git("checkout", "-q", "-b", "feature")
			writeFiles(t, root, lateB)
			git("add", "-A")
			git("commit", "-q", "-m", "b")
			testdb.Up(t, root, db.URL) // golang-migrate: no change, 2 skipped
			if v, _, _ := testdb.Version(t, root, db.URL); v != 3 {
				t.Fatalf("golang-migrate: version %d, want 3", v)
			}
			u, _ := compat.ParseDatabaseURL(db.URL)
			if got := late(statusOf(t, root, "", u).Findings); len(got) != 0 {
				t.Errorf("without --git-base status cannot tell which files are new, yet reported %+v", got)
			}
			wantLateB(t, late(statusOf(t, root, "main", u).Findings), checkLate(t, root, "main", u))
		})
	}
}
