package rebase_test

import (
	"fmt"
	"os"
	"testing"
	"testing/fstest"
	"time"

	"github.com/ferrymigrate/ferry/internal/testdb"
	"github.com/ferrymigrate/ferry/rebase"
)

// BenchmarkNewPlan plans the move of one file in a folder of 10,000 files
// (5,000 timestamped versions, up and down) with an atlas.sum: the cost is
// reading the folder and hashing the up files twice (validate, new sum).
func BenchmarkNewPlan(b *testing.B) {
	fsys := fstest.MapFS{}
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	var names []string
	for i := range 5000 {
		v := start.Add(time.Duration(i) * time.Hour).Format("20060102150405")
		for _, d := range []string{"up", "down"} {
			n := fmt.Sprintf("%s_m%d.%s.sql", v, i, d)
			fsys[n] = &fstest.MapFile{Data: fmt.Appendf(nil, "CREATE TABLE t%d (id bigint PRIMARY KEY, name text NOT NULL);\n", i)}
			names = append(names, n)
		}
	}
	dir := b.TempDir()
	for n, f := range fsys {
		if err := os.WriteFile(dir+"/"+n, f.Data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	testdb.Hash(b, dir)
	disk := os.DirFS(dir)
	version := names[200][:14]
	b.ResetTimer()
	for b.Loop() {
		p, err := rebase.NewPlan(disk, rebase.Input{Path: dir, Versions: []string{version}, Now: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil || len(p.Moves) != 1 {
			b.Fatal(err)
		}
	}
}
