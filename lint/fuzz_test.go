package lint_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/lint"
)

// FuzzCheck checks that Check does not panic and that every finding it
// returns points at a line of the file.
func FuzzCheck(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "*", "*.sql"))
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte("ALTER TABLE t ADD (a INT NOT NULL, CONSTRAINT x UNIQUE (a)), DROP FOREIGN KEY , RENAME TO;"))
	f.Fuzz(func(t *testing.T, src []byte) {
		for _, d := range []engine.Dialect{engine.Postgres, engine.MySQL, engine.SQLite} {
			prior := []lint.File{{Name: "0_prior.sql", Src: src}}
			fs, err := lint.Check(d, prior, []lint.File{{Name: "1_f.sql", Version: "1", Src: src}})
			if err != nil {
				continue
			}
			lines := strings.Count(string(src), "\n") + 1
			for _, x := range fs {
				if x.File != "1_f.sql" || x.Line < 1 || x.Line > lines {
					t.Fatalf("%s: finding %+v outside the file (%d lines)", d, x, lines)
				}
			}
		}
	})
}
