package apply_test

import (
	"os/exec"
	"sync"
	"testing"

	"github.com/ferrymigrate/ferry/internal/testdb"
)

// TestSQLiteRunsExcludeEachOther: two ferry apply processes on one SQLite
// file, a slow file between them: its side effect happens exactly once.
func TestSQLiteRunsExcludeEachOther(t *testing.T) {
	bin := ferryBin(t)
	db := testdb.NewSQLite(t)
	dir := testdb.WriteDir(t, map[string]string{
		"1_side.up.sql": "CREATE TABLE side (n int);\n",
		"2_slow.up.sql": "INSERT INTO side WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000) SELECT count(*) FROM c;\n",
	})
	testdb.WriteSum(t, dir)
	var wg sync.WaitGroup
	outs := make([][]byte, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = exec.Command(bin, "apply", "--path", dir, "--database", db.URL).CombinedOutput()
		}()
	}
	wg.Wait()
	for i := range 2 {
		if errs[i] != nil {
			t.Fatalf("run %d: %v\n%s", i, errs[i], outs[i])
		}
	}
	var n int
	if err := db.SQL.QueryRow(`SELECT COUNT(*) FROM side`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("the slow file ran %d times:\n%s\n%s", n, outs[0], outs[1])
	}
}
