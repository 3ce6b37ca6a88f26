package convert_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferrymigrate/ferry/convert"
	"github.com/ferrymigrate/ferry/internal/testdb"
)

var update = flag.Bool("update", false, "rewrite the goldens in testdata/golden")

// historyCase is a golang-migrate project and how far golang-migrate's
// library migrates it before ferry converts it.
type historyCase struct {
	name  string
	files map[string]string
	// steps is golang-migrate's Steps(n); 0 runs Up to the last version.
	steps int
	// next is an up file added after the conversion, for the oracle: its
	// version is above every other.
	next         string
	baselineOnly bool
}

const nextSQL = "CREATE TABLE oracle_next (id integer);\n"

// downOnlyFiles has a version (2) with a down file and no up file.
var downOnlyFiles = map[string]string{
	"1_a.up.sql":   "CREATE TABLE a (id integer);\n",
	"1_a.down.sql": "DROP TABLE a;\n",
	"2_b.down.sql": "DROP TABLE b;\n",
	"3_c.up.sql":   "CREATE TABLE c (id integer);\n",
	"3_c.down.sql": "DROP TABLE c;\n",
}

var historyCases = []historyCase{
	{
		name: "timestamp",
		files: map[string]string{
			"20240101090000_create_users.up.sql":     "-- users of the shop\nCREATE TABLE users (\n  id integer PRIMARY KEY,\n  email varchar(100) NOT NULL\n);\nCREATE INDEX users_email ON users (email);\n",
			"20240101090000_create_users.down.sql":   "DROP TABLE users;\n",
			"20240102090000_add_users_name.up.sql":   "ALTER TABLE users ADD COLUMN name varchar(100);\nINSERT INTO users (id, email, name) VALUES (1, 'a;b@example.com', 'semi; colon');\n",
			"20240102090000_add_users_name.down.sql": "ALTER TABLE users DROP COLUMN name;\n",
			"20240103090000_add_orders.up.sql":       "CREATE TABLE orders (id integer PRIMARY KEY, user_id integer);\n",
			"20240103090000_add_orders.down.sql":     "DROP TABLE orders;\n",
		},
		steps: 2, // the third file stays pending
		next:  "20240201090000_oracle.up.sql",
	},
	{
		name: "unix_seconds",
		files: map[string]string{
			"1700000000_init.up.sql":    "CREATE TABLE t1 (id integer);\nCREATE TABLE t2 (id integer);\n/* a; comment */\nINSERT INTO t1 (id) VALUES (1);\n",
			"1700000000_init.down.sql":  "DROP TABLE t2;\nDROP TABLE t1;\n",
			"1700003600_more.up.sql":    "CREATE TABLE t3 (id integer);\n",
			"1700003600_more.down.sql":  "DROP TABLE t3;\n",
			"1700007200_again.up.sql":   "ALTER TABLE t3 ADD COLUMN note varchar(10);\n",
			"1700007200_again.down.sql": "ALTER TABLE t3 DROP COLUMN note;\n",
		},
		next: "1700010800_oracle.up.sql",
	},
	{
		name: "padded_sequence",
		files: map[string]string{
			"000001_create_a.up.sql":   "CREATE TABLE a (id integer);\n",
			"000001_create_a.down.sql": "DROP TABLE a;\n",
			"000002_create_b.up.sql":   "CREATE TABLE b (id integer);\nINSERT INTO b (id) VALUES (2);\n",
			"000002_create_b.down.sql": "DROP TABLE b;\n",
			"000003_create_c.up.sql":   "CREATE TABLE c (id integer);\n",
			"000003_create_c.down.sql": "DROP TABLE c;\n",
		},
		next: "000004_oracle.up.sql",
	},
	{
		// String order (1, 10, 2) differs from golang-migrate's order.
		name: "unpadded_sequence",
		files: map[string]string{
			"1_create_a.up.sql":    "CREATE TABLE a (id integer);\n",
			"1_create_a.down.sql":  "DROP TABLE a;\n",
			"2_create_b.up.sql":    "CREATE TABLE b (id integer);\nCREATE TABLE b2 (id integer);\n",
			"2_create_b.down.sql":  "DROP TABLE b2;\nDROP TABLE b;\n",
			"10_create_c.up.sql":   "CREATE TABLE c (id integer);\n",
			"10_create_c.down.sql": "DROP TABLE c;\n",
		},
		next: "11_oracle.up.sql",
	},
	{
		name: "version_zero",
		files: map[string]string{
			"0_init.up.sql":     "CREATE TABLE z (id integer);\n",
			"0_init.down.sql":   "DROP TABLE z;\n",
			"1_second.up.sql":   "CREATE TABLE y (id integer);\nINSERT INTO y (id) VALUES (1);\nINSERT INTO y (id) VALUES (2);\n",
			"1_second.down.sql": "DROP TABLE y;\n",
			"2_third.up.sql":    "CREATE TABLE x (id integer);\n",
			"2_third.down.sql":  "DROP TABLE x;\n",
		},
		next: "3_oracle.up.sql",
	},
	{
		// golang-migrate stands at version 0 itself.
		name: "version_zero_current",
		files: map[string]string{
			"0_init.up.sql":     "CREATE TABLE z (id integer);\n",
			"0_init.down.sql":   "DROP TABLE z;\n",
			"1_second.up.sql":   "CREATE TABLE y (id integer);\n",
			"1_second.down.sql": "DROP TABLE y;\n",
		},
		steps: 1,
		next:  "2_oracle.up.sql",
	},
	{
		name: "gaps",
		files: map[string]string{
			"1_a.up.sql":   "CREATE TABLE a (id integer);\n",
			"1_a.down.sql": "DROP TABLE a;\n",
			"5_e.up.sql":   "CREATE TABLE e (id integer);\n",
			"5_e.down.sql": "DROP TABLE e;\n",
			"9_i.up.sql":   "CREATE TABLE i (id integer);\nCREATE TABLE i2 (id integer);\n",
			"9_i.down.sql": "DROP TABLE i2;\nDROP TABLE i;\n",
		},
		next: "10_oracle.up.sql",
	},
	{
		name: "up_only",
		files: map[string]string{
			"1_a.up.sql": "CREATE TABLE a (id integer);\n",
			"2_b.up.sql": "CREATE TABLE b (id integer);\n",
			"3_c.up.sql": "CREATE TABLE c (id integer);\nINSERT INTO c (id) VALUES (3);\n",
		},
		next: "4_oracle.up.sql",
	},
	{
		// golang-migrate records version 2, which has only a down file,
		// without running anything: a row with no statements and no hash
		// (atlas.sum covers up files only).
		name:  "down_only",
		files: downOnlyFiles,
		next:  "4_oracle.up.sql",
	},
	{
		// golang-migrate stands at the down-only version.
		name:  "down_only_current",
		files: downOnlyFiles,
		steps: 2,
		next:  "4_oracle.up.sql",
	},
	{
		name: "baseline_only",
		files: map[string]string{
			"20240101090000_create_users.up.sql":     "CREATE TABLE users (id integer PRIMARY KEY, email varchar(100) NOT NULL);\nCREATE INDEX users_email ON users (email);\n",
			"20240101090000_create_users.down.sql":   "DROP TABLE users;\n",
			"20240102090000_add_users_name.up.sql":   "ALTER TABLE users ADD COLUMN name varchar(100);\nALTER TABLE users ADD COLUMN note varchar(100);\nINSERT INTO users (id, email) VALUES (1, 'x');\n",
			"20240102090000_add_users_name.down.sql": "ALTER TABLE users DROP COLUMN note;\nALTER TABLE users DROP COLUMN name;\n",
			"20240103090000_add_orders.up.sql":       "CREATE TABLE orders (id integer PRIMARY KEY);\n",
		},
		steps:        2,
		baselineOnly: true,
	},
}

// goldenRow is what the goldens under testdata/golden record of a row, in
// the order of their keys: every column but executed_at and execution_time.
type goldenRow struct {
	Version         string          `json:"version"`
	Description     string          `json:"description"`
	Type            int64           `json:"type"`
	Applied         int64           `json:"applied"`
	Total           int64           `json:"total"`
	Hash            string          `json:"hash"`
	PartialHashes   json.RawMessage `json:"partial_hashes"`
	Error           string          `json:"error"`
	ErrorStmt       string          `json:"error_stmt"`
	OperatorVersion string          `json:"operator_version"`
}

func goldenOf(c testdb.RevisionColumns) goldenRow {
	return goldenRow{
		Version: c.Version, Description: c.Description, Type: c.Type, Applied: c.Applied, Total: c.Total,
		Hash: c.Hash, PartialHashes: c.PartialHashes, Error: c.Error, ErrorStmt: c.ErrorStmt, OperatorVersion: c.OperatorVersion,
	}
}

// golden is the content of testdata/golden/<case>.json.
type golden struct {
	LegacyVersion uint        `json:"legacy_version"`
	Rows          []goldenRow `json:"rows"`
}

// TestGolden converts histories made by golang-migrate's own library on
// every dialect and compares the rows with the goldens (the same for every
// dialect). It also checks, without the goldens: each hash against atlas.sum
// computed here and by Atlas, each statement count against Atlas's scanner,
// executed_at inside the test's window, execution_time 0; and, as the oracle,
// that golang-migrate's Version() did not change and its Up() still applies a
// new file, after which convert adds exactly the rows of the new versions.
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, c := range historyCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := map[string]golden{}
			for _, dialect := range testdb.Dialects() {
				t.Run(dialect, func(t *testing.T) {
					g, ok := convertCase(t, c, dialect)
					if ok {
						got[dialect] = g
					}
				})
			}
			if len(got) != len(testdb.Dialects()) {
				return
			}
			path := filepath.Join("testdata", "golden", c.name+".json")
			if *update {
				b, err := json.MarshalIndent(got[testdb.Postgres], "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./convert -run TestGolden -update, then review the file)", err)
			}
			var want golden
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			wantJSON, _ := json.MarshalIndent(want, "", "  ")
			for _, dialect := range testdb.Dialects() {
				gotJSON, _ := json.MarshalIndent(got[dialect], "", "  ")
				if !bytes.Equal(gotJSON, wantJSON) {
					t.Errorf("%s: rows differ from %s\n%s", dialect, path, testdb.LineDiff(string(wantJSON), string(gotJSON)))
				}
			}
		})
	}
}

// convertCase converts the case on a fresh database of dialect and returns
// the rows for the golden; ok is false when the rows are unusable.
func convertCase(t *testing.T, c historyCase, dialect string) (g golden, ok bool) {
	db := testdb.New(t, dialect)
	dir := testdb.WriteDir(t, c.files)
	lines := testdb.WriteSum(t, dir) // checked against Atlas's own atlas.sum
	if c.steps == 0 {
		testdb.Up(t, dir, db.URL)
	} else {
		testdb.Steps(t, dir, db.URL, c.steps)
	}
	v0, dirty, nilV := testdb.Version(t, dir, db.URL)
	if dirty || nilV {
		t.Fatalf("golang-migrate left version %d dirty=%v nil=%v", v0, dirty, nilV)
	}

	start := time.Now()
	mustRun(t, dir, db, convert.Options{BaselineOnly: c.baselineOnly})
	end := time.Now()
	rows := db.Revisions(t)
	checkRows(t, dialect, dir, rows, lines, start, end)

	// The oracle: golang-migrate sees nothing new.
	if v, dirty, nilV := testdb.Version(t, dir, db.URL); v != v0 || dirty || nilV {
		t.Errorf("after convert golang-migrate reports version %d dirty=%v nil=%v, want %d clean", v, dirty, nilV, v0)
	}
	out := golden{LegacyVersion: v0}
	for _, r := range rows {
		out.Rows = append(out.Rows, goldenOf(r.RevisionColumns))
	}
	if t.Failed() {
		return out, false
	}
	if c.next == "" {
		return out, true
	}

	// golang-migrate still applies a new file, and convert then adds the rows
	// of exactly the versions golang-migrate applied, keeping the others.
	t.Run("up_then_convert", func(t *testing.T) { upThenConvert(t, c, dialect, db, dir, v0, rows) })
	return out, true
}

func upThenConvert(t *testing.T, c historyCase, dialect string, db *testdb.DB, dir string, v0 uint, rows []testdb.Revision) {
	if err := os.WriteFile(filepath.Join(dir, c.next), []byte(nextSQL), 0o644); err != nil {
		t.Fatal(err)
	}
	lines := testdb.WriteSum(t, dir)
	testdb.Up(t, dir, db.URL)
	v1, dirty, nilV := testdb.Version(t, dir, db.URL)
	if want := versionOf(t, c.next); v1 != uint(want) || dirty || nilV {
		t.Fatalf("golang-migrate Up after convert: version %d dirty=%v nil=%v, want %d", v1, dirty, nilV, want)
	}
	if _, err := db.SQL.Exec("SELECT COUNT(*) FROM oracle_next"); err != nil {
		t.Errorf("golang-migrate did not run %s: %v", c.next, err)
	}
	start := time.Now()
	mustRun(t, dir, db, convert.Options{})
	end := time.Now()
	after := db.Revisions(t)
	checkRows(t, dialect, dir, after[len(rows):], lines, start, end)
	if !reflect.DeepEqual(after[:len(rows)], rows) {
		t.Errorf("rows written before changed:\nbefore %+v\nafter  %+v", rows, after[:len(rows)])
	}
	var added []string
	for _, r := range after[len(rows):] {
		added = append(added, r.Version)
	}
	var applied []string
	for _, name := range fileNames(dir) {
		v := versionOf(t, name)
		if v > uint64(v0) && v <= uint64(v1) {
			if text := versionText(name); !slices.Contains(applied, text) {
				applied = append(applied, text)
			}
		}
	}
	slices.SortFunc(applied, func(a, b string) int { return testdb.CompareVersions(a, b) })
	if !slices.Equal(added, applied) {
		t.Errorf("second convert added %q, want the versions golang-migrate applied, %q", added, applied)
	}
}

// checkRows checks what the goldens cannot: hashes against atlas.sum lines
// computed in the test, statement counts against Atlas's own scanner, the
// time window and the execution time.
func checkRows(t *testing.T, dialect, dir string, rows []testdb.Revision, lines map[string]string, start, end time.Time) {
	t.Helper()
	if len(rows) == 0 {
		t.Fatal("no rows written")
	}
	for _, r := range rows {
		up := upFile(t, dir, r.Version)
		wantHash, wantCount := "", int64(0)
		if up != "" {
			wantHash = lines[up]
			b, err := os.ReadFile(filepath.Join(dir, up))
			if err != nil {
				t.Fatal(err)
			}
			stmts, err := testdb.AtlasStatements(dialect, b)
			if err != nil {
				t.Fatalf("Atlas's scanner: %v", err)
			}
			wantCount = int64(len(stmts))
		}
		if r.Hash != wantHash {
			t.Errorf("version %s: hash %q, want the atlas.sum line of %q: %q", r.Version, r.Hash, up, wantHash)
		}
		if r.Applied != wantCount || r.Total != wantCount {
			t.Errorf("version %s: statements %d/%d, want %d/%d (Atlas's scanner)", r.Version, r.Applied, r.Total, wantCount, wantCount)
		}
		// MariaDB keeps whole seconds.
		if r.ExecutedAt.Before(start.Truncate(time.Second)) || r.ExecutedAt.After(end) {
			t.Errorf("version %s: executed_at %s outside the test's window [%s, %s]", r.Version, r.ExecutedAt, start.UTC(), end.UTC())
		}
		if r.ExecutionTime != 0 {
			t.Errorf("version %s: execution_time %d, want 0", r.Version, r.ExecutionTime)
		}
	}
}

// upFile returns the up file of a version written as text, or "".
func upFile(t *testing.T, dir, version string) string {
	t.Helper()
	for _, n := range fileNames(dir) {
		if strings.HasSuffix(n, ".up.sql") && versionText(n) == version {
			return n
		}
	}
	return ""
}

func fileNames(dir string) []string {
	entries, _ := os.ReadDir(dir)
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			out = append(out, e.Name())
		}
	}
	return out
}

func versionText(name string) string { v, _, _ := strings.Cut(name, "_"); return v }

func versionOf(t *testing.T, name string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(versionText(name), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
