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
	plan, on, err := prepare(t, dir, db, o)
	if on != nil {
		defer on.SQL.Close()
	}
	if err != nil {
		return nil, err
	}
	return plan, convert.Write(t.Context(), on, plan, 5*time.Second)
}

// prepare loads dir and plans the conversion of db (folder.Load, Prepare),
// recording operatorVersion and the time now unless o says otherwise. It
// returns the plan and the connection it planned on (nil when dir does not
// load), which the caller may close and which is closed when the test ends.
func prepare(t testing.TB, dir string, db *testdb.DB, o convert.Options) (*convert.Plan, *database.DB, error) {
	t.Helper()
	if o.OperatorVersion == "" {
		o.OperatorVersion = operatorVersion
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	p, err := folder.Load(os.DirFS(dir), dir)
	if err != nil {
		return nil, nil, err
	}
	h, u := testdb.Connect(t, db.URL)
	t.Cleanup(func() { h.Close() })
	on := database.Wrap(h, u)
	plan, err := convert.Prepare(t.Context(), on, p, o)
	return plan, on, err
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
