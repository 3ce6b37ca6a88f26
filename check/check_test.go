package check_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/check"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/finding"
	"github.com/ferrymigrate/ferry/internal/testdb"
)

// repo makes a git repository whose main branch holds files in db/, then
// applies change on a branch; it returns the migration folder.
func repo(t *testing.T, base, change map[string]string) string {
	t.Helper()
	root := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(files map[string]string) {
		for name, content := range files {
			p := filepath.Join(root, "db", name)
			if content == "" {
				os.Remove(p)
				continue
			}
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	git("init", "-q", "-b", "main")
	write(base)
	git("add", "-A")
	git("commit", "-q", "-m", "base")
	git("checkout", "-q", "-b", "feature")
	write(change)
	git("add", "-A")
	git("commit", "-q", "-m", "change")
	return filepath.Join(root, "db")
}

var baseFiles = map[string]string{
	"20240101000000_users.up.sql":    "CREATE TABLE users (id int PRIMARY KEY, email text);\n",
	"20240101000000_users.down.sql":  "DROP TABLE users;\n",
	"20240301000000_orders.up.sql":   "CREATE TABLE orders (id int PRIMARY KEY);\n",
	"20240301000000_orders.down.sql": "DROP TABLE orders;\n",
}

func run(t *testing.T, o check.Options) *check.Report {
	t.Helper()
	if o.Dir == nil {
		o.Dir = os.DirFS(o.DirPath)
	}
	r, err := check.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func codes(r *check.Report) []string {
	var out []string
	for _, f := range r.Findings {
		if f.Code != "FM101" && f.Code != "FM007" {
			out = append(out, f.Code+" "+f.File)
		}
	}
	return out
}

func TestCheckAgainstGit(t *testing.T) {
	cases := []struct {
		name   string
		change map[string]string
		want   []string
	}{
		{"a newer file is fine", map[string]string{"20240401000000_items.up.sql": "CREATE TABLE items (id int);\n"}, nil},
		{"an older file is late", map[string]string{"20240201000000_late.up.sql": "CREATE TABLE late (id int);\n"},
			[]string{"FM301 20240201000000_late.up.sql"}},
		{"a colliding version", map[string]string{"20240301000000_other.up.sql": "CREATE TABLE other (id int);\n"},
			[]string{"FM006 20240301000000_other.up.sql", "FM303 20240301000000_other.up.sql"}},
		{"lint of the new file only", map[string]string{"20240401000000_drop.up.sql": "DROP TABLE orders;\nALTER TABLE users DROP COLUMN email;\n"},
			[]string{"DS102 20240401000000_drop.up.sql", "DS103 20240401000000_drop.up.sql"}},
		{"nolint accepts a finding", map[string]string{"20240401000000_drop.up.sql": "-- ferry:nolint DS102\nDROP TABLE orders;\n"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := repo(t, baseFiles, c.change)
			r := run(t, check.Options{DirPath: dir, GitBase: "main", Dialect: engine.Postgres})
			got := codes(r)
			slices.Sort(got)
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("findings = %q, want %q\n%+v", got, c.want, r.Findings)
			}
			if r.Failed() != (len(c.want) > 0 && !strings.HasPrefix(c.want[0], "MF")) {
				t.Errorf("failed = %v with %q", r.Failed(), got)
			}
		})
	}
	t.Run("unknown base", func(t *testing.T) {
		dir := repo(t, baseFiles, map[string]string{"20240401000000_x.up.sql": "SELECT 1;\n"})
		_, err := check.Run(context.Background(), check.Options{Dir: os.DirFS(dir), DirPath: dir, GitBase: "origin/nope"})
		if err == nil || !strings.Contains(err.Error(), "origin/nope") {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestCheckAgainstDatabase: a database whose revisions skip a file is told
// it will never run it there.
func TestCheckAgainstDatabase(t *testing.T) {
	db := testdb.NewSQLite(t)
	dir := testdb.WriteDir(t, map[string]string{
		"1_a.up.sql": "CREATE TABLE a (id int);\n",
		"2_b.up.sql": "CREATE TABLE b (id int);\n",
		"3_c.up.sql": "CREATE TABLE c (id int);\n",
	})
	// Revisions for 1 and 3 only: 2 was merged late.
	db.Exec(t, "CREATE TABLE `atlas_schema_revisions` (`version` text NOT NULL, `description` text NOT NULL, `type` integer NOT NULL DEFAULT (2), `applied` integer NOT NULL DEFAULT (0), `total` integer NOT NULL DEFAULT (0), `executed_at` datetime NOT NULL, `execution_time` integer NOT NULL, `error` text NULL, `error_stmt` text NULL, `hash` text NOT NULL, `partial_hashes` json NULL, `operator_version` text NOT NULL, PRIMARY KEY (`version`))",
		"INSERT INTO atlas_schema_revisions VALUES ('1', 'a', 2, 1, 1, '2024-01-01 00:00:00', 0, '', '', 'x', 'null', 't'), ('3', 'c', 2, 1, 1, '2024-01-01 00:00:00', 0, '', '', 'x', 'null', 't')")
	u := db.ParsedURL(t)
	r := run(t, check.Options{DirPath: dir, Databases: []*compat.DatabaseURL{u}})
	var late []finding.Finding
	for _, f := range r.Findings {
		if f.Code == "FM302" {
			late = append(late, f)
		}
	}
	if len(late) != 1 || late[0].File != "2_b.up.sql" || !r.Failed() {
		t.Fatalf("FM302 = %+v", r.Findings)
	}
}
