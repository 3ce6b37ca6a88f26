package baseline_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"ariga.io/atlas/sql/migrate"

	"github.com/ferrymigrate/ferry/baseline"
	"github.com/ferrymigrate/ferry/internal/testdb"
	"github.com/ferrymigrate/ferry/refusal"
)

// independentSum computes a sum file per DESIGN §2.3 with nothing but
// crypto/sha256: files sorted by name bytes; one running SHA-256 takes each
// name, then its bytes; each line is the digest so far; the first line
// hashes every name and line hash (as base64 text).
func independentSum(files map[string][]byte) []byte {
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	run := sha256.New()
	type line struct{ name, hash string }
	var lines []line
	for _, n := range names {
		run.Write([]byte(n))
		first, _, _ := bytes.Cut(files[n], []byte("\n"))
		if bytes.Contains(first, []byte("atlas:sum ignore")) {
			continue
		}
		run.Write(files[n])
		lines = append(lines, line{n, base64.StdEncoding.EncodeToString(run.Sum(nil))})
	}
	tot := sha256.New()
	for _, l := range lines {
		tot.Write([]byte(l.name))
		tot.Write([]byte(l.hash))
	}
	var b bytes.Buffer
	b.WriteString("h1:" + base64.StdEncoding.EncodeToString(tot.Sum(nil)) + "\n")
	for _, l := range lines {
		b.WriteString(l.name + " h1:" + l.hash + "\n")
	}
	return b.Bytes()
}

// readTree returns every regular file under dir, by slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkWithAtlas checks out with Atlas's own code: its checksum of the
// directory equals the written atlas.sum, and migrate.Validate passes.
func checkWithAtlas(t *testing.T, out string) {
	t.Helper()
	dir, err := migrate.NewLocalDir(out)
	if err != nil {
		t.Fatal(err)
	}
	hf, err := dir.Checksum()
	if err != nil {
		t.Fatal(err)
	}
	want, err := hf.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(out, "atlas.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("atlas.sum differs from Atlas's checksum:\n got:\n%s\nwant:\n%s", got, want)
	}
	if err := migrate.Validate(dir); err != nil {
		t.Errorf("Atlas's migrate.Validate: %v", err)
	}
	files, err := dir.Files()
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(files); i++ {
		if files[i-1].Version() >= files[i].Version() {
			t.Errorf("Atlas orders version %s before %s", files[i-1].Version(), files[i].Version())
		}
	}
}

func TestExportAtlasDir(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		// want maps each output file to its source; downs are checked
		// separately.
		want    map[string]string
		width   int
		skipped []string
	}{
		{
			name: "timestamps",
			files: map[string]string{
				"20240101120000_init.up.sql":    "-- users\nCREATE TABLE users (id int);\n\n\n-- trailing comment\n",
				"20240101120000_init.down.sql":  "DROP TABLE users;\n",
				"20240102120000_.up.sql":        "  ALTER TABLE users ADD COLUMN name text;",
				"20240103120000_index.up.sql":   "CREATE INDEX i ON users (name);\r\n",
				"20240103120000_index.down.sql": "DROP INDEX i;\n",
				"README.md":                     "not a migration\n",
			},
			want: map[string]string{
				"20240101120000_init.sql":  "20240101120000_init.up.sql",
				"20240102120000.sql":       "20240102120000_.up.sql",
				"20240103120000_index.sql": "20240103120000_index.up.sql",
			},
			width: 14,
		},
		{
			name: "unpadded",
			files: map[string]string{
				"1_a.up.sql":    "CREATE TABLE a (id int);\n",
				"1_a.down.sql":  "DROP TABLE a;\n",
				"2_b.up.sql":    "CREATE TABLE b (id int);\n",
				"10_c.up.sql":   "CREATE TABLE c (id int);\n",
				"10_c.down.sql": "DROP TABLE c;\n",
			},
			want:  map[string]string{"01_a.sql": "1_a.up.sql", "02_b.sql": "2_b.up.sql", "10_c.sql": "10_c.up.sql"},
			width: 2,
		},
		{
			name: "padded kept, down only skipped, sum ignore kept",
			files: map[string]string{
				"000001_a.up.sql":   "CREATE TABLE a (id int);\n",
				"000002_b.up.sql":   "-- atlas:sum ignore\nCREATE TABLE b (id int);\n",
				"000003_c.down.sql": "DROP TABLE c;\n",
				"000004_d.up.sql":   "CREATE TABLE d (id int);\n",
			},
			want:    map[string]string{"000001_a.sql": "000001_a.up.sql", "000002_b.sql": "000002_b.up.sql", "000004_d.sql": "000004_d.up.sql"},
			width:   6,
			skipped: []string{"000003"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := testdb.WriteDir(t, c.files)
			out := filepath.Join(t.TempDir(), "atlas")
			x, err := baseline.ExportAtlasDir(os.DirFS(src), src, out)
			if err != nil {
				t.Fatal(err)
			}
			if x.Width != c.width {
				t.Errorf("width %d, want %d", x.Width, c.width)
			}
			if !reflect.DeepEqual(x.Skipped, c.skipped) {
				t.Errorf("skipped %q, want %q", x.Skipped, c.skipped)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("planning wrote %s", out)
			}
			if err := baseline.WriteAtlasDir(x); err != nil {
				t.Fatal(err)
			}
			got := readTree(t, out)
			top := map[string][]byte{}
			for name, b := range got {
				switch {
				case name == "atlas.sum":
				case strings.HasPrefix(name, "down/"):
					orig, ok := c.files[strings.TrimPrefix(name, "down/")]
					if !ok || !strings.Contains(name, ".down.") || string(b) != orig {
						t.Errorf("%s is not a byte-equal copy of a down file", name)
					}
				default:
					top[name] = b
					srcName, ok := c.want[name]
					if !ok {
						t.Errorf("unexpected file %s", name)
						continue
					}
					if string(b) != c.files[srcName] {
						t.Errorf("%s differs from %s", name, srcName)
					}
				}
			}
			for name := range c.want {
				if _, ok := top[name]; !ok {
					t.Errorf("missing %s", name)
				}
			}
			for name := range c.files {
				if strings.Contains(name, ".down.") {
					if _, ok := got["down/"+name]; !ok {
						t.Errorf("down file %s not copied", name)
					}
				}
			}
			if want := independentSum(top); !bytes.Equal(got["atlas.sum"], want) {
				t.Errorf("atlas.sum:\n%s\nindependent computation:\n%s", got["atlas.sum"], want)
			}
			if _, err := baseline.ParseSum(got["atlas.sum"]); err != nil {
				t.Errorf("atlas.sum does not parse: %v", err)
			}
			checkWithAtlas(t, out)
			if leftovers(t, filepath.Dir(out)) != 1 {
				t.Errorf("temporary folders left next to %s", out)
			}
		})
	}
}

// leftovers counts the entries of dir.
func leftovers(t *testing.T, dir string) int {
	t.Helper()
	e, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return len(e)
}

func TestExportIntoEmptyFolder(t *testing.T) {
	src := testdb.WriteDir(t, map[string]string{"1_a.up.sql": "SELECT 1;\n"})
	out := t.TempDir() // exists, empty
	x, err := baseline.ExportAtlasDir(os.DirFS(src), src, out)
	if err != nil {
		t.Fatal(err)
	}
	if err := baseline.WriteAtlasDir(x); err != nil {
		t.Fatal(err)
	}
	if got := readTree(t, out); string(got["1_a.sql"]) != "SELECT 1;\n" || len(got) != 2 {
		t.Errorf("got %v", got)
	}
	checkWithAtlas(t, out)
}

func TestExportRefusesNonEmptyOut(t *testing.T) {
	src := testdb.WriteDir(t, map[string]string{"1_a.up.sql": "SELECT 1;\n"})
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "keep.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := baseline.ExportAtlasDir(os.DirFS(src), src, out)
	if !errors.Is(err, baseline.ErrOutNotEmpty) {
		t.Fatalf("plan: got %v, want ErrOutNotEmpty", err)
	}
	if !strings.Contains(err.Error(), "keep.txt") {
		t.Errorf("the error does not name what is there: %v", err)
	}

	// Planned while empty, filled before writing: still refused.
	if err := os.Remove(filepath.Join(out, "keep.txt")); err != nil {
		t.Fatal(err)
	}
	x, err := baseline.ExportAtlasDir(os.DirFS(src), src, out)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "keep.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := baseline.WriteAtlasDir(x); !errors.Is(err, baseline.ErrOutNotEmpty) {
		t.Fatalf("write: got %v, want ErrOutNotEmpty", err)
	}
	if got := readTree(t, out); len(got) != 1 || string(got["keep.txt"]) != "mine" {
		t.Errorf("the output folder changed: %v", got)
	}
	if n := leftovers(t, parent); n != 1 {
		t.Errorf("%d entries next to the output folder, want only it", n)
	}

	// A file is refused too.
	file := filepath.Join(parent, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := baseline.ExportAtlasDir(os.DirFS(src), src, file); !errors.Is(err, baseline.ErrOutNotEmpty) {
		t.Errorf("a file as output: got %v", err)
	}
}

func TestExportRefusesBrokenFolder(t *testing.T) {
	src := testdb.WriteDir(t, map[string]string{"1_a.up.sql": "SELECT 1;\n", "01_b.up.sql": "SELECT 2;\n"})
	out := filepath.Join(t.TempDir(), "out")
	_, err := baseline.ExportAtlasDir(os.DirFS(src), src, out)
	var r *refusal.Refusal
	if !errors.As(err, &r) || !strings.Contains(r.Reason, "duplicate") {
		t.Fatalf("got %v, want a refusal naming the duplicate", err)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s was created", out)
	}
}

// TestComputeSumFunc: with Covered it is ComputeSum; with AtlasCovered it
// covers every top-level *.sql file, as Atlas does.
func TestComputeSumFunc(t *testing.T) {
	fsys := fstest.MapFS{
		"1_a.up.sql":     {Data: []byte("CREATE TABLE a (id int);\n")},
		"1_a.down.sql":   {Data: []byte("DROP TABLE a;\n")},
		"2_b.up.sql":     {Data: []byte("-- atlas:sum ignore\nSELECT 1;\n")},
		"3_c.up.sql":     {Data: []byte("SELECT 3;")},
		"notes.txt":      {Data: []byte("x")},
		"sub/4_d.up.sql": {Data: []byte("SELECT 4;")},
	}
	old, err := baseline.ComputeSum(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	viaFunc, err := baseline.ComputeSumFunc(fsys, ".", baseline.Covered)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(old, viaFunc) {
		t.Errorf("ComputeSumFunc(Covered) = %+v, ComputeSum = %+v", viaFunc, old)
	}
	all, err := baseline.ComputeSumFunc(fsys, ".", baseline.AtlasCovered)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := all.MarshalText()
	want := independentSum(map[string][]byte{
		"1_a.up.sql": fsys["1_a.up.sql"].Data, "1_a.down.sql": fsys["1_a.down.sql"].Data,
		"2_b.up.sql": fsys["2_b.up.sql"].Data, "3_c.up.sql": fsys["3_c.up.sql"].Data,
	})
	if !bytes.Equal(b, want) {
		t.Errorf("AtlasCovered sum:\n%s\nwant:\n%s", b, want)
	}
	var names []string
	for _, f := range all.Files {
		names = append(names, f.Name)
	}
	if !slices.Equal(names, []string{"1_a.down.sql", "1_a.up.sql", "3_c.up.sql"}) {
		t.Errorf("lines for %q", names)
	}
}

func TestAtlasFileName(t *testing.T) {
	for _, c := range []struct {
		v     uint64
		title string
		width int
		want  string
	}{
		{1, "a", 2, "01_a.sql"},
		{10, "a", 2, "10_a.sql"},
		{7, "", 3, "007.sql"},
		{20240101120000, "init_users", 14, "20240101120000_init_users.sql"},
		{123, "x", 1, "123_x.sql"},
	} {
		if got := baseline.AtlasFileName(c.v, c.title, c.width); got != c.want {
			t.Errorf("AtlasFileName(%d, %q, %d) = %s, want %s", c.v, c.title, c.width, got, c.want)
		}
	}
}
