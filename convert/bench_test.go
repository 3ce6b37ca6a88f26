package convert_test

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/convert"
	"github.com/ferrymigrate/ferry/database"
	"github.com/ferrymigrate/ferry/folder"
	"github.com/ferrymigrate/ferry/internal/dbconn"
	"github.com/ferrymigrate/ferry/internal/testdb"
)

// BenchmarkConvert converts histories of 1,000, 10,000 and 50,000 versions
// on the local PostgreSQL server (a target of under 2 s for 10,000 versions). Each iteration times folder.Load, opening
// the connection, Prepare and Write on a fresh database at golang-migrate's
// last version; creating the database and the files is not timed. The
// load-ms, prepare-ms and write-ms metrics split the time.
//
//	go test ./convert -run '^$' -bench BenchmarkConvert -benchtime 5x
func BenchmarkConvert(b *testing.B) {
	for _, n := range []int{1000, 10000, 50000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			files := map[string]string{}
			for v := 1; v <= n; v++ {
				files[fmt.Sprintf("%014d_t%d.up.sql", 20240000000000+v, v)] = fmt.Sprintf("CREATE TABLE t%d (id integer PRIMARY KEY, name text);\nCREATE INDEX t%d_name ON t%d (name);\n", v, v, v)
				files[fmt.Sprintf("%014d_t%d.down.sql", 20240000000000+v, v)] = fmt.Sprintf("DROP TABLE t%d;\n", v)
			}
			dir := testdb.WriteDir(b, files)
			testdb.WriteSum(b, dir)
			ctx := b.Context()
			var load, prepare, write time.Duration
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				db := testdb.NewPostgres(b)
				// golang-migrate's postgres schema_migrations at the last version.
				db.Exec(b, "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)",
					fmt.Sprintf("INSERT INTO schema_migrations VALUES (%d, false)", 20240000000000+n))
				db.SQL.Close()
				u, err := compat.ParseDatabaseURL(db.URL)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()

				t0 := time.Now()
				p, err := folder.Load(os.DirFS(dir), dir)
				if err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				h, err := dbconn.Open(ctx, u, dbconn.ReadWrite)
				if err != nil {
					b.Fatal(err)
				}
				plan, err := convert.Prepare(ctx, database.Wrap(h, u), p, convert.Options{Now: time.Now(), OperatorVersion: operatorVersion})
				if err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				if err := convert.Write(ctx, database.Wrap(h, u), plan, time.Second); err != nil {
					b.Fatal(err)
				}
				t3 := time.Now()

				b.StopTimer()
				load, prepare, write = load+t1.Sub(t0), prepare+t2.Sub(t1), write+t3.Sub(t2)
				if len(plan.Rows) != n {
					b.Fatalf("%d rows planned, want %d", len(plan.Rows), n)
				}
				h.Close()
				b.StartTimer()
			}
			b.StopTimer()
			ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / float64(b.N) }
			b.ReportMetric(ms(load), "load-ms")
			b.ReportMetric(ms(prepare), "prepare-ms")
			b.ReportMetric(ms(write), "write-ms")
		})
	}
}
