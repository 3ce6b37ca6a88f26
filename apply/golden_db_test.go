package apply_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferrymigrate/ferry/apply"
	"github.com/ferrymigrate/ferry/internal/testdb"
	"github.com/ferrymigrate/ferry/refusal"
)

// The project of the golden tests: three files, the second of five
// statements whose third fails (a duplicate key) until it is fixed.
const (
	itemsFile = "1_create_items.up.sql"
	tagsFile  = "2_fill_tags.up.sql"
	moreFile  = "3_more_items.up.sql"
	itemsUp   = "CREATE TABLE items (id integer PRIMARY KEY, note varchar(20));\nINSERT INTO items (id, note) VALUES (100, 'first');\n"
	moreUp    = "ALTER TABLE items ADD COLUMN extra integer;\n"
	badStmt   = "INSERT INTO tags (id) VALUES (1);"
	fixedStmt = "INSERT INTO tags (id) VALUES (3);"
)

// tagsStmts returns the statements of the second file with third as its
// statement 3 (several, or none, to change the count).
func tagsStmts(third ...string) []string {
	s := []string{
		"CREATE TABLE tags (id integer PRIMARY KEY);",
		"INSERT INTO tags (id) VALUES (1);",
	}
	s = append(s, third...)
	return append(s,
		"INSERT INTO tags (id) VALUES (4);",
		"INSERT INTO items (id, note) VALUES (5, 'a;b');",
	)
}

// tagsContent is the file: a leading comment (not part of statement 1's
// text) and one statement per line.
func tagsContent(stmts []string) string {
	return "-- fill the tags\n" + strings.Join(stmts, "\n") + "\n"
}

// project is the golden tests' folder as it stands.
type project struct {
	dir   string
	stmts map[string][]string // up file -> statement texts, as written
	lines map[string]string   // up file -> atlas.sum line, computed here
}

func newProject(t *testing.T, tags []string) *project {
	t.Helper()
	p := &project{dir: t.TempDir()}
	writeFiles(t, p.dir, map[string]string{
		itemsFile:                 itemsUp,
		"1_create_items.down.sql": "DROP TABLE items;\n",
		moreFile:                  moreUp,
	})
	p.stmts = map[string][]string{
		itemsFile: {"CREATE TABLE items (id integer PRIMARY KEY, note varchar(20));", "INSERT INTO items (id, note) VALUES (100, 'first');"},
		moreFile:  {"ALTER TABLE items ADD COLUMN extra integer;"},
	}
	p.setTags(t, tags)
	return p
}

// setTags rewrites the second file and the sum.
func (p *project) setTags(t *testing.T, stmts []string) {
	t.Helper()
	writeFiles(t, p.dir, map[string]string{tagsFile: tagsContent(stmts)})
	p.stmts[tagsFile] = stmts
	p.lines = testdb.WriteSum(t, p.dir)
}

var fileOfVersion = map[string]string{"1": itemsFile, "2": tagsFile, "3": moreFile}

// stage is one recorded state of a golden case.
type stage struct {
	Name    string                   `json:"stage"`
	Outcome string                   `json:"outcome"` // ok, the StatementError or the Refusal
	Applied []string                 `json:"applied"` // versions the run completed
	Failure *failureGolden           `json:"failure,omitempty"`
	Legacy  legacy                   `json:"golang_migrate"`
	Rows    []testdb.RevisionColumns `json:"rows"`
	Tags    []int                    `json:"tags"`
	Items   []int                    `json:"items"`
}

type failureGolden struct {
	Version   string `json:"version"`
	File      string `json:"file"`
	Statement int    `json:"statement"`
	Total     int    `json:"total"`
	Line      int    `json:"line"`
	Text      string `json:"text"`
	Applied   int    `json:"applied"`
	Recorded  string `json:"recorded"`
}

// goldenCase runs stages on one fresh database and compares them with
// testdata/golden/<name>_<dialect>.json.
type goldenCase struct {
	t       *testing.T
	db      *testdb.DB
	p       *project
	stages  []stage
	prev    map[string]testdb.Revision
	dialect string
}

func newCase(t *testing.T, dialect string, tags []string) *goldenCase {
	db := testdb.New(t, dialect)
	return &goldenCase{t: t, db: db, p: newProject(t, tags), prev: map[string]testdb.Revision{}, dialect: dialect}
}

// run applies with mode and records the stage, checking what the goldens
// cannot: hashes against sums and statement texts computed here, the time
// columns, and golang-migrate's Version() against want.
func (c *goldenCase) run(name string, mode apply.TxMode, want legacy) (*apply.Result, error) {
	t := c.t
	t.Helper()
	start := time.Now()
	res, err := runApply(t, c.p.dir, c.db, apply.Options{TxMode: mode})
	end := time.Now()
	st := stage{Name: name, Outcome: "ok", Applied: []string{}}
	if res != nil {
		st.Applied = append(st.Applied, res.Applied...)
	}
	var se *apply.StatementError
	var ref *refusal.Refusal
	switch {
	case errors.As(err, &se):
		st.Outcome = c.normalize(se.Error())
		st.Failure = &failureGolden{Version: se.Version, File: se.File, Statement: se.Statement, Total: se.Total, Line: se.Line, Text: se.Text, Applied: se.Applied, Recorded: se.Recorded}
	case errors.As(err, &ref):
		st.Outcome = "refused: " + c.normalize(ref.Error())
	case err != nil:
		t.Fatalf("%s: apply: %v", name, err)
	}
	st.Legacy = gmVersion(t, c.p.dir, c.db)
	if st.Legacy != want {
		t.Errorf("%s: golang-migrate Version(): %s, want %s", name, st.Legacy, want)
	}
	rows := c.db.Revisions(t)
	for _, r := range rows {
		c.checkRow(name, r, start, end)
		g := r.RevisionColumns
		g.Error = c.normalize(g.Error)
		st.Rows = append(st.Rows, g)
		c.prev[r.Version] = r
	}
	st.Tags = c.ids("tags")
	st.Items = c.ids("items")
	c.stages = append(c.stages, st)
	return res, err
}

// checkRow checks one row against the project as it is now.
func (c *goldenCase) checkRow(stageName string, r testdb.Revision, start, end time.Time) {
	t := c.t
	t.Helper()
	if prev, ok := c.prev[r.Version]; ok {
		if samePersistedAny(prev, r) {
			return // untouched by this run: checked when it was written
		}
		if prev.Applied == prev.Total && prev.Error == "" {
			t.Errorf("%s: version %s: a complete row was rewritten:\nbefore %+v\nafter  %+v", stageName, r.Version, prev, r)
		}
	}
	file := fileOfVersion[r.Version]
	stmts := c.p.stmts[file]
	b, err := os.ReadFile(filepath.Join(c.p.dir, file))
	if err != nil {
		t.Fatal(err)
	}
	// Three independent views of the statements agree: as written, Atlas's
	// scanner, and (for the hashes) ferry's splitter.
	got, err := testdb.AtlasStatements(c.dialect, b)
	if err != nil {
		t.Fatalf("atlas scan: %v", err)
	}
	if !slices.Equal(got, stmts) {
		t.Fatalf("%s: Atlas splits %s into %q, the test wrote %q", stageName, file, got, stmts)
	}
	want := testdb.Cumulative(stmts)
	if got := ferryHashes(t, c.dialect, b); !slices.Equal(got, want) {
		t.Errorf("%s: sqlsplit.Hashes(%s) = %q, want %q", stageName, file, got, want)
	}
	if r.Hash != c.p.lines[file] {
		t.Errorf("%s: version %s: hash %q, want the atlas.sum line %q", stageName, r.Version, r.Hash, c.p.lines[file])
	}
	if r.Total != int64(len(stmts)) {
		t.Errorf("%s: version %s: total %d, want %d", stageName, r.Version, r.Total, len(stmts))
	}
	if r.Description == "" || r.OperatorVersion != operatorVersion {
		t.Errorf("%s: version %s: description %q, operator_version %q", stageName, r.Version, r.Description, r.OperatorVersion)
	}
	if r.Type != 2 {
		t.Errorf("%s: version %s: type %d, want 2 (executed)", stageName, r.Version, r.Type)
	}
	complete := r.Applied == r.Total && r.Error == ""
	if complete {
		if string(r.PartialHashes) != "null" {
			t.Errorf("%s: version %s: complete, partial_hashes %s, want JSON null", stageName, r.Version, r.PartialHashes)
		}
		if r.ErrorStmt != "" {
			t.Errorf("%s: version %s: complete, error_stmt %q, want \"\"", stageName, r.Version, r.ErrorStmt)
		}
	} else {
		var ph []string
		if err := json.Unmarshal(r.PartialHashes, &ph); err != nil || ph == nil {
			t.Errorf("%s: version %s: partial, partial_hashes %s, want a JSON array", stageName, r.Version, r.PartialHashes)
		}
		if !slices.Equal(ph, want[:r.Applied]) {
			t.Errorf("%s: version %s: partial_hashes %q, want the first %d cumulative hashes %q", stageName, r.Version, ph, r.Applied, want[:r.Applied])
		}
		if r.Error == "" || r.Error == testdb.SQLNull {
			t.Errorf("%s: version %s: partial row without an error", stageName, r.Version)
		}
		if r.ErrorStmt != badStmt {
			t.Errorf("%s: version %s: error_stmt %q, want the failing statement %q", stageName, r.Version, r.ErrorStmt, badStmt)
		}
	}
	if !testdb.InWindow(r.ExecutedAt, start, end) {
		t.Errorf("%s: version %s: executed_at %s outside the run's window [%s, %s]", stageName, r.Version, r.ExecutedAt, start.UTC(), end.UTC())
	}
	if r.ExecutionTime <= 0 || time.Duration(r.ExecutionTime) > end.Sub(start) {
		t.Errorf("%s: version %s: execution_time %d, want > 0 and at most the run's %d", stageName, r.Version, r.ExecutionTime, end.Sub(start))
	}
}

func (c *goldenCase) normalize(s string) string {
	return strings.ReplaceAll(s, c.db.Name, "DBNAME")
}

// ids returns the ids of a table in order, or nil when it does not exist.
func (c *goldenCase) ids(table string) []int {
	t := c.t
	if !c.db.TableExists(t, table) {
		return nil
	}
	rows, err := c.db.SQL.Query(`SELECT id FROM ` + table + ` ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := []int{}
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

// compare writes (with -update) or compares the golden of the case.
func (c *goldenCase) compare(name string) {
	t := c.t
	t.Helper()
	got, err := json.MarshalIndent(c.stages, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "golden", name+"_"+c.dialect+".json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./apply -run TestGolden -update, then review the file)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("differs from %s:\n%s", path, testdb.LineDiff(string(want), string(got)))
	}
}

// failMode is the mode in which statement 3 fails with the statements of
// the file before it committed: none, or MariaDB's one-by-one in any mode.
func failMode(dialect string) apply.TxMode {
	if dialect == testdb.MySQL {
		return apply.TxFile // MariaDB runs statement by statement anyway
	}
	return apply.TxNone
}

var (
	clean1 = legacy{Version: 1}
	clean3 = legacy{Version: 3}
	dirty2 = legacy{Version: 2, Dirty: true}
)

// TestGoldenSuccess applies the fixed project to a fresh database.
func TestGoldenSuccess(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, testdb.Dialects(), func(t *testing.T, dialect string) {
		c := newCase(t, dialect, tagsStmts(fixedStmt))
		res, err := c.run("applied", apply.TxFile, clean3)
		if err != nil || !slices.Equal(res.Applied, []string{"1", "2", "3"}) {
			t.Fatalf("apply: %v %v", res, err)
		}
		c.compare("success")
	})
}

// TestGoldenFailFile: PostgreSQL and SQLite in --tx-mode file roll the
// failing file back: applied 0, the error and statement 3 recorded,
// partial_hashes [], golang-migrate clean at the previous version. The
// fixed file then runs whole.
func TestGoldenFailFile(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, []string{testdb.Postgres, testdb.SQLite}, func(t *testing.T, dialect string) {
		c := newCase(t, dialect, tagsStmts(badStmt))
		_, err := c.run("failed", apply.TxFile, clean1)
		var se *apply.StatementError
		if !errors.As(err, &se) || se.Statement != 3 || se.Applied != 0 || se.File != tagsFile || se.Text != badStmt {
			t.Fatalf("want a StatementError at statement 3 of %s with 0 applied, got %#v", tagsFile, err)
		}
		if c.db.TableExists(t, "tags") {
			t.Errorf("the failed file's transaction left table tags")
		}
		r := testdb.RevisionOf(t, c.db.Revisions(t), "2")
		if r.Applied != 0 || string(r.PartialHashes) != "[]" || r.ErrorStmt != badStmt {
			t.Errorf("failed row: applied %d, partial_hashes %s, error_stmt %q", r.Applied, r.PartialHashes, r.ErrorStmt)
		}
		c.p.setTags(t, tagsStmts(fixedStmt))
		if _, err := c.run("resumed", apply.TxFile, clean3); err != nil {
			t.Fatalf("re-run: %v", err)
		}
		checkComplete(t, c, "2", 5)
		c.compare("fail_file")
	})
}

// TestGoldenFailNone: MariaDB (any mode) and --tx-mode none keep statements
// 1 and 2: applied 2, their cumulative hashes, golang-migrate dirty at 2. The
// fixed file resumes at statement 3.
func TestGoldenFailNone(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, testdb.Dialects(), func(t *testing.T, dialect string) {
		c := newCase(t, dialect, tagsStmts(badStmt))
		failAtThree(t, c)
		c.p.setTags(t, tagsStmts(fixedStmt))
		if _, err := c.run("resumed", failMode(dialect), clean3); err != nil {
			t.Fatalf("resume: %v", err)
		}
		checkComplete(t, c, "2", 5)
		if got := c.ids("tags"); !slices.Equal(got, []int{1, 3, 4}) {
			t.Errorf("tags %v, want [1 3 4]: statements 1 and 2 must not run again", got)
		}
		c.compare("fail_none")
	})
}

// failAtThree runs the bad file in the mode that keeps statements 1 and 2
// and checks the failure.
func failAtThree(t *testing.T, c *goldenCase) {
	t.Helper()
	_, err := c.run("failed", failMode(c.dialect), dirty2)
	var se *apply.StatementError
	if !errors.As(err, &se) || se.Statement != 3 || se.Applied != 2 || se.Total != 5 || se.File != tagsFile || se.Text != badStmt {
		t.Fatalf("want a StatementError at statement 3 of 5 of %s with 2 applied, got %#v", tagsFile, err)
	}
	r := testdb.RevisionOf(t, c.db.Revisions(t), "2")
	if want := testdb.Cumulative(tagsStmts(badStmt))[:2]; r.Applied != 2 || string(r.PartialHashes) != `["`+want[0]+`","`+want[1]+`"]` || r.ErrorStmt != badStmt {
		t.Errorf("failed row: applied %d, partial_hashes %s, error_stmt %q", r.Applied, r.PartialHashes, r.ErrorStmt)
	}
	if got := c.ids("tags"); !slices.Equal(got, []int{1}) {
		t.Errorf("tags %v after the failure, want [1]", got)
	}
}

// checkComplete checks the resumed row: complete, type 2, partial_hashes
// JSON null, error and error_stmt empty strings (not NULL).
func checkComplete(t *testing.T, c *goldenCase, version string, total int64) {
	t.Helper()
	r := testdb.RevisionOf(t, c.db.Revisions(t), version)
	if r.Applied != total || r.Total != total || r.Type != 2 || string(r.PartialHashes) != "null" || r.Error != "" || r.ErrorStmt != "" {
		t.Errorf("resumed row: applied %d/%d (want %d), type %d, partial_hashes %s, error %q, error_stmt %q",
			r.Applied, r.Total, total, r.Type, r.PartialHashes, r.Error, r.ErrorStmt)
	}
}

// TestGoldenResumeCountChanged: the fixed file has another statement count
// than the failed one (statement 3 split in two, or removed): the resume
// completes and records the new total and hash (revisions.md: unlike
// Atlas).
func TestGoldenResumeCountChanged(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		third []string
		total int64
		tags  []int
	}{
		{"split", []string{fixedStmt, "INSERT INTO tags (id) VALUES (33);"}, 6, []int{1, 3, 4, 33}},
		{"removed", nil, 4, []int{1, 4}},
	}
	for _, cc := range cases {
		for _, dialect := range testdb.Dialects() {
			t.Run(cc.name+"/"+dialect, func(t *testing.T) {
				t.Parallel()
				c := newCase(t, dialect, tagsStmts(badStmt))
				failAtThree(t, c)
				oldHash := c.p.lines[tagsFile]
				c.p.setTags(t, tagsStmts(cc.third...))
				if _, err := c.run("resumed", failMode(dialect), clean3); err != nil {
					t.Fatalf("resume: %v", err)
				}
				checkComplete(t, c, "2", cc.total)
				if r := testdb.RevisionOf(t, c.db.Revisions(t), "2"); r.Hash == oldHash || r.Hash != c.p.lines[tagsFile] {
					t.Errorf("hash %q not updated to the fixed file's %q", r.Hash, c.p.lines[tagsFile])
				}
				if got := c.ids("tags"); !slices.Equal(got, cc.tags) {
					t.Errorf("tags %v, want %v", got, cc.tags)
				}
				c.compare("resume_" + cc.name)
			})
		}
	}
}

// TestGoldenChangedApplied: after a failure at statement 3 in none mode,
// statement 1 is edited as well as 3: the run refuses naming statement 1 of
// the file and writes nothing; once statement 1 is restored it resumes.
func TestGoldenChangedApplied(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, testdb.Dialects(), func(t *testing.T, dialect string) {
		c := newCase(t, dialect, tagsStmts(badStmt))
		failAtThree(t, c)
		before := c.db.Revisions(t)
		edited := tagsStmts(fixedStmt)
		edited[0] = "CREATE TABLE tags (id integer PRIMARY KEY, extra integer);"
		c.p.setTags(t, edited)
		_, err := c.run("refused", failMode(dialect), dirty2)
		var ref *refusal.Refusal
		if !errors.As(err, &ref) || !strings.Contains(ref.Reason, "statement 1 of "+tagsFile+" changed") {
			t.Fatalf("want a refusal naming statement 1 of %s, got %v", tagsFile, err)
		}
		after := c.db.Revisions(t)
		if len(after) != len(before) {
			t.Fatalf("refusal wrote rows: %v", after)
		}
		for i := range after {
			if !samePersistedAny(before[i], after[i]) {
				t.Errorf("refusal changed row %s:\nbefore %+v\nafter  %+v", after[i].Version, before[i], after[i])
			}
		}
		c.p.setTags(t, tagsStmts(fixedStmt))
		if _, err := c.run("resumed", failMode(dialect), clean3); err != nil {
			t.Fatalf("resume: %v", err)
		}
		checkComplete(t, c, "2", 5)
		c.compare("changed_applied")
	})
}

func samePersistedAny(a, b testdb.Revision) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
