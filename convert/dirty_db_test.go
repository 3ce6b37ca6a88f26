package convert_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-migrate/migrate/v4"

	"github.com/ferrymigrate/ferry/apply"
	"github.com/ferrymigrate/ferry/convert"
	"github.com/ferrymigrate/ferry/database"
	"github.com/ferrymigrate/ferry/folder"
	"github.com/ferrymigrate/ferry/internal/testdb"
	"github.com/ferrymigrate/ferry/refusal"
)

// Dirty imports: golang-migrate fails in the middle of version 2 and leaves
// its row dirty with k of the file's n statements applied; convert, given
// that prefix (as ferry doctor proves it), records versions below 2 as
// history and version 2 as a partial row; once the file is fixed, ferry
// apply runs exactly statements k+1..n, and golang-migrate is clean at the
// last version with nothing left to do.

const (
	dirtyUsers = "CREATE TABLE users (id integer PRIMARY KEY, email varchar(100) NOT NULL);\nCREATE TABLE settings (k varchar(50), v varchar(100));\n"
	dirtyAudit = "CREATE TABLE audit (id integer PRIMARY KEY, note varchar(100));\n"
	dirtyFile  = "2_orders.up.sql"
	// fixStmt replaces the statement that failed.
	fixStmt = "ALTER TABLE users ADD COLUMN name varchar(100);"
	badStmt = testdb.FailingInsert
)

// plainOrders is version 2 as it ran: its third statement fails.
var plainOrders = testdb.DirtyOrders(false)

// txOrders is version 2 with its own transactions (PostgreSQL): the first
// block commits, the second fails and rolls back.
var txOrders = testdb.DirtyOrders(true)

// goodOrders is version 2 without the failing statement, run by hand for
// the case in which all of it ran.
var goodOrders = fixed(plainOrders)

func fixed(stmts []string) []string {
	out := make([]string, len(stmts))
	for i, s := range stmts {
		if s == badStmt {
			s = fixStmt
		}
		out[i] = s
	}
	return out
}

func body(stmts []string) string { return strings.Join(stmts, "\n") + "\n" }

func dirtyFiles(orders []string) map[string]string {
	return map[string]string{"1_users.up.sql": dirtyUsers, dirtyFile: body(orders), "3_audit.up.sql": dirtyAudit}
}

type dirtyCase struct {
	name    string
	dialect string
	opts    []string // golang-migrate URL options
	orders  []string // version 2 as it ran
	k       int      // statements of version 2 the engine kept
	// byHand makes the dirty state instead of a failing golang-migrate Up.
	byHand func(t *testing.T, dir string, db *testdb.DB)
	// applyAgrees: ferry apply, failing on the same file, records the same
	// applied prefix and fails at statement k+1 (so error_stmt agrees too).
	applyAgrees bool
}

func dirtyCases() []dirtyCase {
	return []dirtyCase{
		{name: "mysql", dialect: testdb.MySQL, orders: plainOrders, k: 2, applyAgrees: true},
		{name: "sqlite x-no-tx-wrap", dialect: testdb.SQLite, opts: []string{"x-no-tx-wrap", "true"}, orders: plainOrders, k: 2},
		{name: "sqlite whole file rolled back", dialect: testdb.SQLite, orders: plainOrders, k: 0},
		{name: "postgres whole file rolled back", dialect: testdb.Postgres, orders: plainOrders, k: 0},
		{name: "postgres own BEGIN/COMMIT", dialect: testdb.Postgres, orders: txOrders, k: 4},
		{name: "mysql all ran, row left dirty", dialect: testdb.MySQL, orders: goodOrders, k: 4, byHand: allRanRowDirty},
		{name: "sqlite all ran, row left dirty", dialect: testdb.SQLite, orders: goodOrders, k: 4, byHand: allRanRowDirty},
	}
}

// allRanRowDirty is golang-migrate killed after version 2 ran, before it
// cleaned the row.
func allRanRowDirty(t *testing.T, dir string, db *testdb.DB) {
	testdb.Steps(t, dir, db.URL, 1)
	for _, st := range goodOrders {
		db.Exec(t, strings.TrimSuffix(st, ";"))
	}
	db.SetLegacyRow(t, 2, true)
}

// makeDirty returns a database that golang-migrate left dirty at version 2,
// and its folder (with atlas.sum of the files as they ran).
func makeDirty(t *testing.T, c dirtyCase) (*testdb.DB, string, map[string]string) {
	t.Helper()
	db := testdb.New(t, c.dialect)
	if len(c.opts) > 0 {
		with := *db
		with.URL = db.URLWith(c.opts...)
		db = &with
	}
	dir := testdb.WriteDir(t, dirtyFiles(c.orders))
	sums := testdb.WriteSum(t, dir)
	if c.byHand != nil {
		c.byHand(t, dir, db)
	} else {
		testdb.UpExpectError(t, dir, db.URL)
	}
	if v, dirty, _ := testdb.Version(t, dir, db.URL); v != 2 || !dirty {
		t.Fatalf("golang-migrate left version %d dirty %v, want 2 dirty", v, dirty)
	}
	return db, dir, sums
}

func prefixOf(c dirtyCase) *convert.DirtyPrefix {
	return &convert.DirtyPrefix{Version: 2, Applied: c.k, Total: len(c.orders), Evidence: "up:" + strconv.Itoa(c.k) + ":proven:test"}
}

// statementLog records the statements ferry apply runs.
type statementLog struct{ done map[string][]int }

func (l *statementLog) Report(e apply.Event) {
	if e.Kind == apply.StatementDone {
		l.done[e.Version] = append(l.done[e.Version], e.Statement)
	}
}

func TestDirtyImportThenApply(t *testing.T) {
	t.Parallel()
	for _, c := range dirtyCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			db, dir, sums := makeDirty(t, c)
			n := len(c.orders)
			start := time.Now()
			plan := mustRun(t, dir, db, convert.Options{Dirty: prefixOf(c)})
			if len(plan.Rows) != 2 || !plan.LegacyDirty || plan.LegacyVersion != 2 || plan.Partial == nil {
				t.Fatalf("plan: %d rows, legacy %d dirty %v, partial %+v", len(plan.Rows), plan.LegacyVersion, plan.LegacyDirty, plan.Partial)
			}
			if len(plan.Evidence.Missing) != 0 {
				t.Errorf("evidence of the applied prefix: missing %+v", plan.Evidence.Missing)
			}
			p := plan.Partial
			wantNext, wantStmt := c.k+1, ""
			if c.k < n {
				wantStmt = c.orders[c.k]
			} else {
				wantNext = 0
			}
			if p.Version != "2" || p.File != dirtyFile || p.Applied != c.k || p.Total != n || !p.Proven || p.Next != wantNext || p.NextText != wantStmt {
				t.Errorf("plan.Partial %+v", p)
			}

			rows := db.Revisions(t)
			if len(rows) != 2 {
				t.Fatalf("%d rows, want 2: %+v", len(rows), rows)
			}
			if r := rows[0].RevisionColumns; r.Version != "1" || r.Type != 4 || r.Applied != 2 || r.Total != 2 || r.Error != "" || string(r.PartialHashes) != "null" || r.Hash != sums["1_users.up.sql"] {
				t.Errorf("row 1: %+v", r)
			}
			wantErr := "imported from a dirty golang-migrate state: ferry doctor proved statements 1.." + strconv.Itoa(c.k) + " of " + dirtyFile + " ran"
			switch c.k {
			case 0:
				wantErr = "imported from a dirty golang-migrate state: ferry doctor proved that no statement of " + dirtyFile + " ran"
			case n:
				wantErr += " (all of them; only golang-migrate's row was left dirty)"
			}
			wantErr += " (up:" + strconv.Itoa(c.k) + ":proven:test)"
			hashes, _ := json.Marshal(testdb.Cumulative(c.orders[:c.k]))
			want := testdb.RevisionColumns{Version: "2", Description: "orders", Type: 4, Applied: int64(c.k), Total: int64(n), Hash: sums[dirtyFile],
				PartialHashes: hashes, Error: wantErr, ErrorStmt: wantStmt, OperatorVersion: operatorVersion}
			got := rows[1]
			if !sameJSON(got.PartialHashes, want.PartialHashes) {
				t.Errorf("partial_hashes %s, want %s", got.PartialHashes, want.PartialHashes)
			}
			got.PartialHashes = want.PartialHashes
			if !reflect.DeepEqual(got.RevisionColumns, want) {
				t.Errorf("row 2:\n got %+v\nwant %+v", got.RevisionColumns, want)
			}
			if got.ExecutionTime != 0 || got.ExecutedAt.Before(start.Truncate(time.Second)) || got.ExecutedAt.After(time.Now()) {
				t.Errorf("row 2: executed_at %s, execution_time %d", got.ExecutedAt, got.ExecutionTime)
			}
			if v, dirty, _ := testdb.Version(t, dir, db.URL); v != 2 || !dirty {
				t.Errorf("convert changed golang-migrate's row: %d dirty %v", v, dirty)
			}
			if c.applyAgrees {
				compareWithApply(t, c, rows[1])
			}

			// Again: a no-op, before and after the file is fixed.
			if again := mustRun(t, dir, db, convert.Options{Dirty: prefixOf(c)}); !again.NoOp() || again.Present != 2 {
				t.Errorf("second run: %d rows, %d present", len(again.Rows), again.Present)
			}
			fixFile(t, dir, c.orders)
			if again := mustRun(t, dir, db, convert.Options{Dirty: prefixOf(c)}); !again.NoOp() || again.Present != 2 {
				t.Errorf("run after the fix: %d rows, %d present", len(again.Rows), again.Present)
			}

			// ferry apply resumes at statement k+1.
			log := &statementLog{done: map[string][]int{}}
			res := mustApply(t, dir, db, apply.Options{Reporter: log})
			if !reflect.DeepEqual(res.Applied, []string{"2", "3"}) {
				t.Errorf("apply completed %v, want [2 3]", res.Applied)
			}
			var wantRan []int
			for i := c.k + 1; i <= n; i++ {
				wantRan = append(wantRan, i)
			}
			if !reflect.DeepEqual(log.done["2"], wantRan) {
				t.Errorf("apply ran statements %v of version 2, want %v", log.done["2"], wantRan)
			}
			checkSchema(t, db)
			rows = db.Revisions(t)
			if len(rows) != 3 {
				t.Fatalf("%d rows after apply", len(rows))
			}
			if r := rows[1].RevisionColumns; r.Type != 6 || r.Applied != int64(n) || r.Total != int64(n) || string(r.PartialHashes) != "null" || r.Error != "" || r.ErrorStmt != "" {
				t.Errorf("row 2 after apply: %+v", r)
			}
			if v, dirty, nilV := testdb.Version(t, dir, db.URL); v != 3 || dirty || nilV {
				t.Errorf("golang-migrate after apply: version %d dirty %v nil %v, want 3 clean", v, dirty, nilV)
			}
			if err := testdb.Migrator(t, dir, db.URL).Up(); !errors.Is(err, migrate.ErrNoChange) {
				t.Errorf("golang-migrate Up after apply: %v, want no change", err)
			}
		})
	}
}

// compareWithApply makes ferry apply fail on the same file in a fresh
// database and compares its row of version 2 with the imported one: the
// same prefix, hashes and failed statement; only type and error differ.
func compareWithApply(t *testing.T, c dirtyCase, imported testdb.Revision) {
	t.Helper()
	db := testdb.New(t, c.dialect)
	dir := testdb.WriteDir(t, dirtyFiles(c.orders))
	testdb.WriteSum(t, dir)
	_, err := runApply(t, dir, db, apply.Options{})
	var se *apply.StatementError
	if !errors.As(err, &se) {
		t.Fatalf("ferry apply of the broken file: %v, want a *apply.StatementError", err)
	}
	rows := db.Revisions(t)
	if len(rows) != 2 {
		t.Fatalf("ferry apply left %d rows", len(rows))
	}
	own := rows[1].RevisionColumns
	if own.Type != 2 {
		t.Errorf("ferry apply's row has type %d", own.Type)
	}
	own.Type, own.Error, own.OperatorVersion = imported.Type, imported.Error, imported.OperatorVersion
	if !sameJSON(own.PartialHashes, imported.PartialHashes) {
		t.Errorf("partial_hashes: ferry apply %s, imported %s", own.PartialHashes, imported.PartialHashes)
	}
	own.PartialHashes = imported.PartialHashes
	if !reflect.DeepEqual(own, imported.RevisionColumns) {
		t.Errorf("the imported row differs from ferry apply's own:\n apply  %+v\nimport  %+v", own, imported.RevisionColumns)
	}
}

func runApply(t *testing.T, dir string, db *testdb.DB, o apply.Options) (*apply.Result, error) {
	t.Helper()
	ctx := context.Background()
	o.TxMode, o.LockTimeout, o.OperatorVersion = apply.TxFile, time.Minute, "ferry vTEST"
	p, err := folder.Load(os.DirFS(dir), dir)
	if err != nil {
		t.Fatal(err)
	}
	h, u := testdb.Connect(t, db.URL)
	defer h.Close()
	return apply.Apply(ctx, database.Wrap(h, u), p, o)
}

func mustApply(t *testing.T, dir string, db *testdb.DB, o apply.Options) *apply.Result {
	t.Helper()
	res, err := runApply(t, dir, db, o)
	if err != nil {
		t.Fatalf("ferry apply: %v", err)
	}
	return res
}

// fixFile replaces the failing statement of version 2 and rehashes.
func fixFile(t *testing.T, dir string, orders []string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, dirtyFile), []byte(body(fixed(orders))), 0o644); err != nil {
		t.Fatal(err)
	}
	testdb.WriteSum(t, dir)
}

// checkSchema checks what the three files leave, every statement once.
func checkSchema(t *testing.T, db *testdb.DB) {
	t.Helper()
	var n int
	if err := db.SQL.QueryRow(`SELECT COUNT(*) FROM settings WHERE k = 'orders'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("settings rows for orders: %d (%v), want 1: the INSERT must run exactly once", n, err)
	}
	for _, q := range []string{`SELECT name FROM users`, `SELECT user_id FROM orders`, `SELECT note FROM audit`} {
		rows, err := db.SQL.Query(q)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		rows.Close()
	}
}

func sameJSON(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// TestDirtyRefusals: a dirty row without a diagnosis, a diagnosis of
// another version, a statement count that does not fit the file and a
// diagnosis for a database that is clean are all refused, writing nothing.
func TestDirtyRefusals(t *testing.T) {
	t.Parallel()
	c := dirtyCases()[0]
	cases := []struct {
		name  string
		clean bool
		dirty *convert.DirtyPrefix
		want  []string // pieces of the reason and the next step
	}{
		{"no diagnosis", false, nil, []string{"is dirty at version 2", "ferry doctor --path", "ferry convert --from-dirty"}},
		{"another version", false, &convert.DirtyPrefix{Version: 1, Applied: 1, Total: 2}, []string{"the diagnosis given is for version 1", "ferry doctor"}},
		{"statement count", false, &convert.DirtyPrefix{Version: 2, Applied: 1, Total: 5}, []string{"has 4 statements, but the diagnosis counted 5"}},
		{"prefix beyond the file", false, &convert.DirtyPrefix{Version: 2, Applied: 5, Total: 4}, []string{"5 of the 4 statements"}},
		{"clean database", true, &convert.DirtyPrefix{Version: 2, Applied: 2, Total: 4}, []string{"is no longer dirty (version 3, clean)", "ferry convert --path"}},
	}
	for _, dialect := range []string{testdb.MySQL, testdb.SQLite} {
		for _, tc := range cases {
			t.Run(dialect+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				c.dialect = dialect
				var db *testdb.DB
				var dir string
				if tc.clean {
					db, dir = migrated(t, dialect, dirtyFiles(goodOrders), 0)
				} else {
					db, dir, _ = makeDirty(t, c)
				}
				_, err := run(t, dir, db, convert.Options{Dirty: tc.dirty})
				var r *refusal.Refusal
				if !errors.As(err, &r) {
					t.Fatalf("error %v (%T), want a *refusal.Refusal", err, err)
				}
				for _, w := range tc.want {
					if !strings.Contains(r.Error(), w) {
						t.Errorf("refusal %q lacks %q", r.Error(), w)
					}
				}
				if db.TableExists(t, "atlas_schema_revisions") {
					t.Errorf("the revisions table was created")
				}
			})
		}
	}
}

// TestDirtyWriteRechecks: between Prepare and Write the dirty row changes
// (golang-migrate forced clean, or dirty at another version); Write notices
// under the lock and writes nothing.
func TestDirtyWriteRechecks(t *testing.T) {
	t.Parallel()
	for _, dialect := range testdb.Dialects() {
		for _, change := range []string{"forced clean", "dirty elsewhere"} {
			t.Run(dialect+"/"+change, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				c := dirtyCase{dialect: dialect, orders: plainOrders, k: 0}
				if dialect == testdb.MySQL {
					c.k = 2
				}
				db, dir, _ := makeDirty(t, c)
				p, err := folder.Load(os.DirFS(dir), dir)
				if err != nil {
					t.Fatal(err)
				}
				h, u := testdb.Connect(t, db.URL)
				defer h.Close()
				plan, err := convert.Prepare(ctx, database.Wrap(h, u), p, convert.Options{Now: time.Now(), OperatorVersion: operatorVersion, Dirty: prefixOf(c)})
				if err != nil {
					t.Fatal(err)
				}
				if change == "forced clean" {
					if err := testdb.Migrator(t, dir, db.URL).Force(2); err != nil {
						t.Fatal(err)
					}
				} else {
					db.SetLegacyRow(t, 1, true)
				}
				if err := convert.Write(ctx, database.Wrap(h, u), plan, time.Second); !errors.Is(err, convert.ErrChanged) {
					t.Fatalf("Write: %v, want ErrChanged", err)
				}
				if rows := db.Revisions(t); len(rows) != 0 {
					t.Fatalf("%d rows written from a stale plan", len(rows))
				}
			})
		}
	}
}

// TestDirtyBaselineOnly: --baseline-only with a dirty version writes a
// baseline row below it and the partial row; apply resumes from there. The
// prefix is accepted without proof here, and the error column says so.
func TestDirtyBaselineOnly(t *testing.T) {
	t.Parallel()
	c := dirtyCase{dialect: testdb.SQLite, opts: []string{"x-no-tx-wrap", "true"}, orders: plainOrders, k: 2}
	db, dir, _ := makeDirty(t, c)
	unproven := &convert.DirtyPrefix{Version: 2, Applied: 2, Total: 4, Unproven: true}
	plan := mustRun(t, dir, db, convert.Options{Dirty: unproven, BaselineOnly: true})
	if plan.Partial == nil || plan.Partial.Proven {
		t.Errorf("plan.Partial %+v, want an unproven prefix", plan.Partial)
	}
	rows := db.Revisions(t)
	if len(rows) != 2 || rows[0].Version != "1" || rows[0].Type != 1 || rows[1].Version != "2" || rows[1].Type != 4 || rows[1].Applied != 2 {
		t.Fatalf("rows %+v", rows)
	}
	if want := "imported from a dirty golang-migrate state: ferry doctor found statements 1..2 of 2_orders.up.sql ran, consistent with the schema but not proven"; rows[1].Error != want {
		t.Errorf("error column %q, want %q", rows[1].Error, want)
	}
	if again := mustRun(t, dir, db, convert.Options{Dirty: unproven, BaselineOnly: true}); !again.NoOp() {
		t.Errorf("second run planned %d rows", len(again.Rows))
	}
	fixFile(t, dir, c.orders)
	log := &statementLog{done: map[string][]int{}}
	mustApply(t, dir, db, apply.Options{Reporter: log})
	if !reflect.DeepEqual(log.done["2"], []int{3, 4}) {
		t.Errorf("apply ran statements %v of version 2, want [3 4]", log.done["2"])
	}
	checkSchema(t, db)
	if v, dirty, _ := testdb.Version(t, dir, db.URL); v != 3 || dirty {
		t.Errorf("golang-migrate after apply: %d dirty %v", v, dirty)
	}
}
