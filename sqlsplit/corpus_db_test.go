package sqlsplit_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferrymigrate/ferry/internal/testdb"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// TestCorpusExecutes runs every statement of every corpus file that splits,
// one Exec per statement and in order, on a fresh database of its dialect
// (PostgreSQL and MariaDB servers, embedded SQLite): each split statement
// is one the database accepts on its own. The statements of a file share
// one connection, so that explicit BEGIN ... COMMIT, PREPARE ... EXECUTE
// and session variables work as they do when golang-migrate sends the file.
func TestCorpusExecutes(t *testing.T) {
	files := loadCorpus(t)
	for _, d := range corpusDialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			for _, f := range files {
				if f.Dialect != d || f.Want.Error != "" {
					continue
				}
				t.Run(filepath.Base(f.Path), func(t *testing.T) {
					stmts, err := sqlsplit.Split(d, f.Src)
					if err != nil {
						t.Fatal(err)
					}
					db := testdb.New(t, string(d))
					ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
					defer cancel()
					conn, err := db.SQL.Conn(ctx)
					if err != nil {
						t.Fatal(err)
					}
					defer conn.Close()
					for _, st := range stmts {
						if _, err := conn.ExecContext(ctx, st.Text); err != nil {
							t.Fatalf("statement %d (line %d) fails: %v\n%s", st.Index, st.Line, err, st.Text)
						}
					}
				})
			}
		})
	}
}
