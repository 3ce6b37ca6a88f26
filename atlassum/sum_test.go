package atlassum_test

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ferrymigrate/ferry/atlassum"
)

const sharedSums = "../../shared/testdata/sum"

// TestSharedVectors reproduces every ../shared/testdata/sum/*/expected.atlas.sum
// byte for byte, in memory and through WriteFile.
func TestSharedVectors(t *testing.T) {
	cases, err := os.ReadDir(sharedSums)
	if err != nil {
		t.Fatalf("read the shared vectors (is ../shared beside the repository?): %v", err)
	}
	n := 0
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		n++
		t.Run(c.Name(), func(t *testing.T) {
			dir := filepath.Join(sharedSums, c.Name())
			want, err := os.ReadFile(filepath.Join(dir, "expected.atlas.sum"))
			if err != nil {
				t.Fatal(err)
			}
			sum, err := atlassum.Compute(os.DirFS(dir), ".")
			if err != nil {
				t.Fatal(err)
			}
			got, _ := sum.MarshalText()
			if string(got) != string(want) {
				t.Fatalf("sum differs:\n got %s\nwant %s", got, want)
			}
			// Through the atomic writer, in a copy of the folder.
			tmp := t.TempDir()
			copyDir(t, dir, tmp)
			changed, err := atlassum.WriteFile(tmp, sum)
			if err != nil || !changed {
				t.Fatalf("WriteFile = %v, %v", changed, err)
			}
			written, _ := os.ReadFile(filepath.Join(tmp, atlassum.FileName))
			if string(written) != string(want) {
				t.Fatalf("written sum differs:\n got %s\nwant %s", written, want)
			}
			if changed, err := atlassum.WriteFile(tmp, sum); err != nil || changed {
				t.Fatalf("second write: changed=%v err=%v, want an unchanged file", changed, err)
			}
			leftovers, _ := filepath.Glob(filepath.Join(tmp, ".atlas.sum.*"))
			if len(leftovers) > 0 {
				t.Fatalf("temporary files left: %v", leftovers)
			}
			parsed, err := atlassum.Parse(want)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(parsed, sum) {
				t.Fatalf("Parse = %+v, want %+v", parsed, sum)
			}
		})
	}
	if n < 4 {
		t.Fatalf("only %d shared sum cases found", n)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || e.Name() == "expected.atlas.sum" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func folder(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for k, v := range files {
		m[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return m
}

var base = map[string]string{
	"1_a.up.sql":   "CREATE TABLE a (id int);\n",
	"1_a.down.sql": "DROP TABLE a;\n",
	"2_b.up.sql":   "CREATE TABLE b (id int);\n",
	"3_c.up.sql":   "CREATE TABLE c (id int);\n",
	"4_d.up.sql":   "CREATE TABLE d (id int);\n",
}

func with(changes map[string]string) map[string]string {
	out := maps.Clone(base)
	for k, v := range changes {
		if v == "" {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// TestCheck reports each kind of change with the file and the line of the
// sum file, and only the cause, not every later line of the cumulative sum.
func TestCheck(t *testing.T) {
	recorded, err := atlassum.Compute(folder(base), ".")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		files map[string]string
		sum   func(*atlassum.Sum) *atlassum.Sum
		want  []atlassum.Change
	}{
		{"unchanged", base, nil, nil},
		{"down file edited (not covered)", with(map[string]string{"1_a.down.sql": "-- changed\n"}), nil, nil},
		{"edited", with(map[string]string{"2_b.up.sql": "CREATE TABLE b (id bigint);\n"}), nil,
			[]atlassum.Change{{Kind: atlassum.Edited, File: "2_b.up.sql", Line: 3}, {Kind: atlassum.Unknown, File: "3_c.up.sql", Line: 4}}},
		{"edited last", with(map[string]string{"4_d.up.sql": "x"}), nil,
			[]atlassum.Change{{Kind: atlassum.Edited, File: "4_d.up.sql", Line: 5}}},
		{"added", with(map[string]string{"5_e.up.sql": "CREATE TABLE e (id int);\n"}), nil,
			[]atlassum.Change{{Kind: atlassum.Added, File: "5_e.up.sql"}}},
		{"added in the middle by name order", with(map[string]string{"2_a.up.sql": "SELECT 1;\n"}), nil,
			[]atlassum.Change{{Kind: atlassum.Added, File: "2_a.up.sql"}}},
		{"added before an edited file", with(map[string]string{"2_a.up.sql": "SELECT 1;\n", "3_c.up.sql": "changed"}), nil,
			[]atlassum.Change{{Kind: atlassum.Added, File: "2_a.up.sql"}, {Kind: atlassum.Edited, File: "3_c.up.sql", Line: 4}, {Kind: atlassum.Unknown, File: "4_d.up.sql", Line: 5}}},
		{"removed", with(map[string]string{"2_b.up.sql": ""}), nil,
			[]atlassum.Change{{Kind: atlassum.Removed, File: "2_b.up.sql", Line: 3}, {Kind: atlassum.Unknown, File: "3_c.up.sql", Line: 4}}},
		{"removed last", with(map[string]string{"4_d.up.sql": ""}), nil,
			[]atlassum.Change{{Kind: atlassum.Removed, File: "4_d.up.sql", Line: 5}}},
		{"first line edited by hand", base, func(s *atlassum.Sum) *atlassum.Sum {
			c := *s
			c.Total = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
			return &c
		}, []atlassum.Change{{Kind: atlassum.Tampered, File: atlassum.FileName, Line: 1}}},
		{"file marked atlas:sum ignore", with(map[string]string{"3_c.up.sql": "-- atlas:sum ignore\nSELECT 1;\n"}), nil,
			[]atlassum.Change{{Kind: atlassum.Edited, File: "3_c.up.sql", Line: 4}, {Kind: atlassum.Unknown, File: "4_d.up.sql", Line: 5}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := recorded
			if c.sum != nil {
				rec = c.sum(recorded)
			}
			got, computed, err := atlassum.Check(folder(c.files), ".", rec)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("changes = %+v\nwant %+v", got, c.want)
			}
			if computed == nil {
				t.Error("no computed sum")
			}
		})
	}
	t.Run("ignored files stay in the chain", func(t *testing.T) {
		files := with(map[string]string{"2_a.up.sql": "-- atlas:sum ignore\nSELECT 1;\n"})
		rec, err := atlassum.Compute(folder(files), ".")
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := rec.Hash("2_a.up.sql"); ok {
			t.Fatal("an ignored file got a line")
		}
		got, _, err := atlassum.Check(folder(files), ".", rec)
		if err != nil || got != nil {
			t.Fatalf("unchanged folder with an ignored file: %+v, %v", got, err)
		}
	})
}

// TestLinksAreNotFollowed: a link could lead out of the migration folder;
// hashing refuses it instead of reading what it points to.
func TestLinksAreNotFollowed(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(t.TempDir(), "secret.sql")
	if err := os.WriteFile(secret, []byte("SELECT 1;"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, "1_a.up.sql")); err != nil {
		t.Fatal(err)
	}
	if _, err := atlassum.Compute(os.DirFS(dir), "."); err == nil || !strings.Contains(err.Error(), "link") {
		t.Fatalf("err = %v, want a refusal to follow the link", err)
	}
}

func TestParseSumErrors(t *testing.T) {
	good := "h1:" + strings.Repeat("A", 43) + "=\n"
	cases := []struct {
		name, in string
		line     int
		conflict bool
	}{
		{"empty", "", 1, false},
		{"no h1 prefix", "abc\n", 1, false},
		{"bad total", "h1:notbase64!\n", 1, false},
		{"line without hash", good + "1_a.up.sql\n", 2, false},
		{"short hash", good + "1_a.up.sql h1:AAAA\n", 2, false},
		{"listed twice", good + "1_a.up.sql h1:" + strings.Repeat("A", 43) + "=\n" + "1_a.up.sql h1:" + strings.Repeat("A", 43) + "=\n", 3, false},
		{"merge conflict", "<<<<<<< HEAD\n" + good + "=======\n" + good + ">>>>>>> branch\n", 1, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := atlassum.Parse([]byte(c.in))
			if c.conflict {
				if !errors.Is(err, atlassum.ErrConflict) {
					t.Fatalf("err = %v, want ErrConflict", err)
				}
				return
			}
			var se *atlassum.SyntaxError
			if !errors.As(err, &se) || se.Line != c.line {
				t.Fatalf("err = %v, want a syntax error at line %d", err, c.line)
			}
		})
	}
	t.Run("CRLF line endings", func(t *testing.T) {
		h := strings.Repeat("A", 43) + "="
		_, err := atlassum.Parse([]byte("h1:" + h + "\r\n1_a.up.sql h1:" + h + "\r\n"))
		var se *atlassum.SyntaxError
		if !errors.As(err, &se) || !strings.Contains(se.Msg, "CRLF") {
			t.Fatalf("err = %v, want a CRLF syntax error", err)
		}
	})
	t.Run("name with spaces", func(t *testing.T) {
		h := strings.Repeat("A", 43) + "="
		s, err := atlassum.Parse([]byte("h1:" + h + "\n1_a b.up.sql h1:" + h + "\n"))
		if err != nil || s.Files[0].Name != "1_a b.up.sql" {
			t.Fatalf("got %+v, %v", s, err)
		}
	})
}

// FuzzParseSum: the parser never panics, and what it accepts survives a
// write and a second parse unchanged.
func FuzzParseSum(f *testing.F) {
	for _, c := range []string{"basic", "edge", "pgfunc", "unpadded"} {
		if b, err := os.ReadFile(filepath.Join(sharedSums, c, "expected.atlas.sum")); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("h1:x\n"))
	f.Add([]byte("<<<<<<< HEAD\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := atlassum.Parse(b)
		if err != nil {
			return
		}
		out, _ := s.MarshalText()
		again, err := atlassum.Parse(out)
		if err != nil {
			t.Fatalf("re-parse of %q: %v", out, err)
		}
		if !reflect.DeepEqual(s, again) {
			t.Fatalf("round trip changed the sum: %+v -> %+v", s, again)
		}
	})
}
