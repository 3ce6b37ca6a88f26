package lint_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/finding"
	"github.com/ferrymigrate/ferry/lint"
)

// update (-update) rewrites the goldens from what Check returns. Review
// every rewritten golden by hand: a golden is what the checker should
// report, not whatever it reports.
var update = flag.Bool("update", false, "rewrite testdata/<dialect>/*.golden.json from the current checker")

// TestGolden checks the files of testdata/<dialect>, a migration folder in
// version order, and compares each file's findings with its golden,
// NAME.golden.json next to NAME.sql.
func TestGolden(t *testing.T) {
	for _, d := range []engine.Dialect{pg, my, lite} {
		t.Run(string(d), func(t *testing.T) {
			paths, err := filepath.Glob(filepath.Join("testdata", string(d), "*.sql"))
			if err != nil || len(paths) == 0 {
				t.Fatalf("no testdata/%s/*.sql: %v", d, err)
			}
			slices.Sort(paths)
			var files []lint.File
			for _, p := range paths {
				src, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				name := filepath.Base(p)
				version, _, _ := strings.Cut(name, "_")
				files = append(files, lint.File{Name: name, Version: version, Src: src})
			}
			fs, err := lint.Check(d, nil, files)
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			for i, f := range files {
				t.Run(f.Name, func(t *testing.T) {
					var got []finding.Finding
					for _, x := range fs {
						if x.File == f.Name {
							got = append(got, x)
						}
					}
					compareGolden(t, strings.TrimSuffix(paths[i], ".sql")+".golden.json", got)
				})
			}
		})
	}
}

// compareGolden compares findings with the golden file at path, or
// rewrites it with -update.
func compareGolden(t *testing.T, path string, fs []finding.Finding) {
	t.Helper()
	if fs == nil {
		fs = []finding.Finding{}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(fs); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./lint -update, then review the golden)", err)
	}
	if !bytes.Equal(want, b.Bytes()) {
		t.Errorf("findings differ from %s (- want, + got):\n%s", path, lineDiff(string(want), b.String()))
	}
}

// lineDiff returns a line diff of a and b: common lines with "  ", lines
// only in a with "- ", lines only in b with "+ ".
func lineDiff(a, b string) string {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	// lcs[i][j] is the length of the longest common subsequence of x[i:] and y[j:].
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out strings.Builder
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			fmt.Fprintf(&out, "  %s\n", x[i])
			i, j = i+1, j+1
		case j < len(y) && (i == len(x) || lcs[i][j+1] >= lcs[i+1][j]):
			fmt.Fprintf(&out, "+ %s\n", y[j])
			j++
		default:
			fmt.Fprintf(&out, "- %s\n", x[i])
			i++
		}
	}
	return out.String()
}
