package convert_test

import (
	"os"
	"testing"
	"time"

	"github.com/ferrymigrate/ferry/convert"
	"github.com/ferrymigrate/ferry/database"
	"github.com/ferrymigrate/ferry/folder"
	"github.com/ferrymigrate/ferry/internal/testdb"
)

// operatorVersion is what the tests record in every row.
const operatorVersion = "ferry vTEST (golang-migrate import)"

// run converts db with the library as the CLI does: folder.Load, Prepare,
// Write. It returns the plan (nil on an error before planning).
func run(t testing.TB, dir string, db *testdb.DB, o convert.Options) (*convert.Plan, error) {
	t.Helper()
	ctx := t.Context()
	if o.OperatorVersion == "" {
		o.OperatorVersion = operatorVersion
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	p, err := folder.Load(os.DirFS(dir), dir)
	if err != nil {
		return nil, err
	}
	h, u := testdb.Connect(t, db.URL)
	defer h.Close()
	plan, err := convert.Prepare(ctx, database.Wrap(h, u), p, o)
	if err != nil {
		return nil, err
	}
	return plan, convert.Write(ctx, database.Wrap(h, u), plan, 5*time.Second)
}

// mustRun is run that fails the test on an error.
func mustRun(t testing.TB, dir string, db *testdb.DB, o convert.Options) *convert.Plan {
	t.Helper()
	plan, err := run(t, dir, db, o)
	if err != nil {
		t.Fatalf("convert: %v%s", err, disagreements(err))
	}
	return plan
}
