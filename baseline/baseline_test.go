package baseline_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/atlassum"
	"github.com/ferrymigrate/ferry/baseline"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/internal/testdb"
	"github.com/ferrymigrate/ferry/refusal"
)

var simple = map[string]string{
	"1_a.up.sql":   "CREATE TABLE a (id int);\n",
	"1_a.down.sql": "DROP TABLE a;\n",
	"2_b.up.sql":   "CREATE TABLE b (id int)",
	"5_c.up.sql":   "CREATE TABLE c (id int);\n",
	"9_d.up.sql":   "CREATE TABLE d (id int);\n",
}

func TestConcatenationContent(t *testing.T) {
	dir := testdb.WriteDir(t, simple)
	b, err := baseline.Generate(t.Context(), os.DirFS(dir), dir, baseline.Options{Version: 5, Dialect: engine.SQLite})
	if err != nil {
		t.Fatal(err)
	}
	sum, _ := atlassum.Compute(os.DirFS(dir), ".")
	h, _ := sum.Hash("5_c.up.sql")
	want := `-- ferry baseline: the schema at version 5, for new environments.
-- Databases already at version 5 or later never run it.
-- It replaces 3 version(s): 1 2 5
-- atlas.sum line of version 5: 5_c.up.sql h1:` + h + `
-- Made by concatenating their up files, each behind a "-- source:" line.

-- source: 1_a.up.sql
CREATE TABLE a (id int);

-- source: 2_b.up.sql
CREATE TABLE b (id int);

-- source: 5_c.up.sql
CREATE TABLE c (id int);
`
	if string(b.Content) != want {
		t.Errorf("content:\n%s\nwant:\n%s", b.Content, want)
	}
	if b.Statements != 3 || b.Method != baseline.Concatenation || b.Replace != nil {
		t.Errorf("statements %d, method %s, replace %v", b.Statements, b.Method, b.Replace)
	}
}

func TestGenerateRefusals(t *testing.T) {
	ctx := t.Context()
	cases := []struct {
		name    string
		files   map[string]string
		opts    baseline.Options
		is      error  // errors.Is, if set
		message string // part of the error
	}{
		{"unknown version", simple, baseline.Options{Version: 4, Dialect: engine.SQLite}, baseline.ErrUnknownVersion, "no up file for version 4 (the one before is 2, the one after is 5)"},
		{"down only", map[string]string{"1_a.up.sql": "SELECT 1;", "2_b.down.sql": "SELECT 1;"}, baseline.Options{Version: 2, Dialect: engine.SQLite}, baseline.ErrUnknownVersion, "no up file for version 2"},
		{"no dialect", simple, baseline.Options{Version: 2}, nil, "no dialect"},
		{"edited file", withSum(simple, "1_a.up.sql", "CREATE TABLE a (id bigint);\n"), baseline.Options{Version: 2, Dialect: engine.SQLite}, nil, "atlas.sum of"},
		{"unsplittable", map[string]string{"1_a.up.sql": "SELECT 'open;\n"}, baseline.Options{Version: 1, Dialect: engine.Postgres}, nil, "1_a.up.sql:1:8: "},
		{"delimiter leaks into the next file", map[string]string{
			"1_a.up.sql": "DELIMITER $$\nCREATE PROCEDURE p() BEGIN SELECT 1; END$$\n",
			"2_b.up.sql": "CREATE TABLE b (id int);\nCREATE TABLE c (id int);\n",
		}, baseline.Options{Version: 2, Dialect: engine.MySQL}, nil, "cannot be concatenated safely: from 2_b.up.sql statement 1 on"},
		{"duplicate", map[string]string{"1_a.up.sql": "SELECT 1;", "01_b.up.sql": "SELECT 1;"}, baseline.Options{Version: 1, Dialect: engine.SQLite}, nil, "duplicate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := testdb.WriteDir(t, c.files)
			_, err := baseline.Generate(ctx, os.DirFS(dir), dir, c.opts)
			if err == nil {
				t.Fatal("no error")
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("error %v is not %v", err, c.is)
			}
			if !strings.Contains(err.Error(), c.message) {
				t.Errorf("error %q lacks %q", err, c.message)
			}
		})
	}
}

// withSum returns files with an atlas.sum of them, then file edited.
func withSum(files map[string]string, file, edited string) map[string]string {
	out := union(files, nil)
	fsys := map[string][]byte{}
	for n, c := range files {
		if strings.HasSuffix(n, ".up.sql") {
			fsys[n] = []byte(c)
		}
	}
	out["atlas.sum"] = string(testdb.IndependentSum(fsys))
	out[file] = edited
	return out
}

func TestConcatenationNotes(t *testing.T) {
	dir := testdb.WriteDir(t, map[string]string{
		"1_a.up.sql": "CREATE TABLE a (id int);\n",
		"2_b.up.sql": "CREATE INDEX CONCURRENTLY a_id ON a (id);\n",
	})
	b, err := baseline.Generate(t.Context(), os.DirFS(dir), dir, baseline.Options{Version: 2, Dialect: engine.Postgres})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Notes) != 1 || !strings.Contains(b.Notes[0], "2_b.up.sql statement 1 (line 1) cannot run in a transaction block") {
		t.Errorf("notes %q", b.Notes)
	}
}

func TestWriteOut(t *testing.T) {
	dir := testdb.WriteDir(t, simple)
	b, err := baseline.Generate(t.Context(), os.DirFS(dir), dir, baseline.Options{Version: 2, Dialect: engine.SQLite})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "baseline.sql")
	if err := baseline.WriteOut(out, b); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(out); string(got) != string(b.Content) {
		t.Errorf("wrote %q", got)
	}
	// A migration name inside the folder would be a second version 2.
	err = baseline.WriteOut(filepath.Join(dir, "2_baseline.up.sql"), b)
	var r *refusal.Refusal
	if !errors.As(err, &r) || !strings.Contains(err.Error(), "--replace") {
		t.Errorf("got %v, want a refusal pointing at --replace", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "2_baseline.up.sql")); !errors.Is(err, os.ErrNotExist) {
		t.Error("the file was written")
	}
}

func TestReplaceRefusals(t *testing.T) {
	ctx := t.Context()
	t.Run("archive already holds the file", func(t *testing.T) {
		dir := testdb.WriteDir(t, union(simple, map[string]string{"archive/1_a.up.sql": "old\n"}))
		_, err := baseline.Generate(ctx, os.DirFS(dir), dir, baseline.Options{Version: 2, Dialect: engine.SQLite, Replace: true})
		if err == nil || !strings.Contains(err.Error(), "will not overwrite") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("archive is a file", func(t *testing.T) {
		dir := testdb.WriteDir(t, union(simple, map[string]string{"archive": "x"}))
		_, err := baseline.Generate(ctx, os.DirFS(dir), dir, baseline.Options{Version: 2, Dialect: engine.SQLite, Replace: true})
		if err == nil || !strings.Contains(err.Error(), "is a file") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("folder changed since the plan", func(t *testing.T) {
		dir := testdb.WriteDir(t, simple)
		b, err := baseline.Generate(ctx, os.DirFS(dir), dir, baseline.Options{Version: 2, Dialect: engine.SQLite, Replace: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "1_a.up.sql"), []byte("CREATE TABLE a (id bigint);\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		err = baseline.Replace(ctx, b)
		var r *refusal.Refusal
		if !errors.As(err, &r) || !strings.Contains(err.Error(), "changed since") {
			t.Fatalf("got %v", err)
		}
		if _, err := os.Stat(filepath.Join(dir, "archive")); !errors.Is(err, os.ErrNotExist) {
			t.Error("archive was created")
		}
	})
	t.Run("not planned for replace", func(t *testing.T) {
		dir := testdb.WriteDir(t, simple)
		b, err := baseline.Generate(ctx, os.DirFS(dir), dir, baseline.Options{Version: 2, Dialect: engine.SQLite})
		if err != nil {
			t.Fatal(err)
		}
		if err := baseline.Replace(ctx, b); err == nil {
			t.Error("no error")
		}
	})
}

// TestReplaceWithoutSum: a folder without atlas.sum gets one.
func TestReplaceWithoutSum(t *testing.T) {
	ctx := t.Context()
	dir := testdb.WriteDir(t, simple)
	b, err := baseline.Generate(ctx, os.DirFS(dir), dir, baseline.Options{Version: 2, Dialect: engine.SQLite, Replace: true})
	if err != nil {
		t.Fatal(err)
	}
	wantMoves := []baseline.Move{{"1_a.up.sql", "archive/1_a.up.sql"}, {"1_a.down.sql", "archive/1_a.down.sql"}, {"2_b.up.sql", "archive/2_b.up.sql"}}
	if len(b.Replace.Moves) != len(wantMoves) {
		t.Fatalf("moves %v", b.Replace.Moves)
	}
	for i, m := range wantMoves {
		if b.Replace.Moves[i] != m {
			t.Errorf("move %d: %v, want %v", i, b.Replace.Moves[i], m)
		}
	}
	if err := baseline.Replace(ctx, b); err != nil {
		t.Fatal(err)
	}
	rep, err := atlassum.Validate(os.DirFS(dir), ".", dir)
	if err != nil {
		t.Fatal(err)
	}
	if rep.State != atlassum.Valid || rep.Files != 3 {
		t.Errorf("sum %s over %d files", rep.State, rep.Files)
	}
	got, _ := atlassum.Compute(os.DirFS(dir), ".")
	if got.Total != b.Replace.Sum.Total {
		t.Errorf("planned sum %s, written %s", b.Replace.Sum.Total, got.Total)
	}
}
