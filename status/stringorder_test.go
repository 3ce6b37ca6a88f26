package status_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ferrymigrate/ferry/status"
)

// TestStringOrderFolderOnly: without a database, status warns (FM304) when
// Atlas would order the versions differently from golang-migrate, with the
// fix command, and says nothing for padded versions.
func TestStringOrderFolderOnly(t *testing.T) {
	for _, c := range []struct {
		name  string
		files []string
		want  bool
	}{
		{"unpadded 1, 2, 10", []string{"1_a.up.sql", "2_b.up.sql", "10_c.up.sql"}, true},
		{"padded 01, 02, 10", []string{"01_a.up.sql", "02_b.up.sql", "10_c.up.sql"}, false},
		{"unpadded below 10", []string{"1_a.up.sql", "2_b.up.sql", "9_c.up.sql"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for _, n := range c.files {
				fsys[n] = &fstest.MapFile{Data: []byte("SELECT 1;\n")}
			}
			r, err := status.Run(context.Background(), status.Options{Dir: fsys, DirPath: "m"})
			if err != nil {
				t.Fatal(err)
			}
			got := false
			for _, f := range r.Findings {
				if f.Code == "FM304" {
					got = true
					if !strings.Contains(f.Message, "ferry rebase --pad") {
						t.Errorf("FM304 without the fix command: %s", f.Message)
					}
				}
			}
			if got != c.want {
				t.Errorf("FM304 reported: %v, want %v (findings %+v)", got, c.want, r.Findings)
			}
		})
	}
}
