package sqlsplit_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// updateGoldens (-update) rewrites the golden files of the corpus from what
// Split returns. Review every rewritten golden by hand: a golden is the
// correct split, not whatever the code returns.
var updateGoldens = flag.Bool("update", false, "rewrite testdata/<dialect>/*.golden from the current splitter")

// corpusDialects are the folders of the corpus, one per dialect.
var corpusDialects = []engine.Dialect{engine.Postgres, engine.MySQL, engine.SQLite}

// minCorpusFiles is the least number of files each dialect's folder holds.
const minCorpusFiles = 30

// corpusFile is one migration file of testdata/<dialect>/NN_name.sql and its
// golden NN_name.golden.
type corpusFile struct {
	Dialect engine.Dialect
	Name    string // "postgres/04_dollar_quotes.sql"
	Path    string // the .sql file
	Golden  string // the .golden file
	Src     []byte
	Want    corpusGolden // zero if the golden is missing (only with -update)
}

// corpusGolden is the content of a .golden file: the statement texts of
// the file (a JSON list), or {"error": "..."} for a file that must not split.
type corpusGolden struct {
	Statements []string
	Error      string
}

// encode returns the golden file content: indented JSON, with <, > and &
// as they are.
func (g corpusGolden) encode() ([]byte, error) {
	var v any = nonNil(g.Statements)
	if g.Error != "" {
		v = struct {
			Error string `json:"error"`
		}{g.Error}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err := enc.Encode(v)
	return b.Bytes(), err
}

func (g *corpusGolden) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) {
		var e struct {
			Error string `json:"error"`
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return err
		}
		if e.Error == "" {
			return fmt.Errorf("golden object without an error")
		}
		g.Error = e.Error
		return nil
	}
	g.Statements = []string{}
	return json.Unmarshal(b, &g.Statements)
}

// loadCorpus reads every testdata/<dialect>/*.sql with its golden.
func loadCorpus(t testing.TB) []corpusFile {
	t.Helper()
	var files []corpusFile
	for _, d := range corpusDialects {
		dir := filepath.Join("testdata", string(d))
		sqls, err := filepath.Glob(filepath.Join(dir, "*.sql"))
		if err != nil {
			t.Fatal(err)
		}
		goldens, err := filepath.Glob(filepath.Join(dir, "*.golden"))
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(sqls)
		if len(sqls) < minCorpusFiles {
			t.Errorf("%s: %d files, want at least %d", dir, len(sqls), minCorpusFiles)
		}
		have := map[string]bool{}
		for _, p := range sqls {
			f := corpusFile{
				Dialect: d,
				Name:    string(d) + "/" + filepath.Base(p),
				Path:    p,
				Golden:  strings.TrimSuffix(p, ".sql") + ".golden",
			}
			have[f.Golden] = true
			if f.Src, err = os.ReadFile(p); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(f.Golden)
			switch {
			case err == nil:
				if err := json.Unmarshal(b, &f.Want); err != nil {
					t.Fatalf("%s: %v", f.Golden, err)
				}
			case os.IsNotExist(err) && *updateGoldens:
			default:
				t.Fatalf("%s: %v (run go test -run TestCorpus -update, then review it)", f.Name, err)
			}
			files = append(files, f)
		}
		for _, g := range goldens {
			if !have[g] {
				t.Errorf("%s has no .sql file", g)
			}
		}
	}
	return files
}

// split runs Split and returns the texts of the statements, or the error.
func splitCorpus(d engine.Dialect, src []byte) ([]sqlsplit.Statement, corpusGolden) {
	stmts, err := sqlsplit.Split(d, src)
	if err != nil {
		return nil, corpusGolden{Error: err.Error()}
	}
	return stmts, corpusGolden{Statements: stmtTexts(stmts)}
}

func stmtTexts(stmts []sqlsplit.Statement) []string {
	out := make([]string, len(stmts))
	for i, s := range stmts {
		out[i] = s.Text
	}
	return out
}

// TestCorpus splits every file of the corpus with its dialect, compares the
// statements (or the error) with the golden, and proves the split with
// Verify and the span, position and index invariants.
func TestCorpus(t *testing.T) {
	for _, f := range loadCorpus(t) {
		t.Run(f.Name, func(t *testing.T) {
			stmts, got := splitCorpus(f.Dialect, f.Src)
			if *updateGoldens {
				b, err := got.encode()
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(f.Golden, b, 0o644); err != nil {
					t.Fatal(err)
				}
				f.Want = got
			}
			if got.Error != "" || f.Want.Error != "" {
				if got.Error != f.Want.Error {
					t.Fatalf("error:\n got %q\nwant %q", got.Error, f.Want.Error)
				}
				return
			}
			if !reflect.DeepEqual(got.Statements, f.Want.Statements) {
				t.Errorf("statements differ from %s:\n%s", f.Golden, diffTexts(got.Statements, f.Want.Statements))
			}
			if err := sqlsplit.Verify(f.Dialect, f.Src, stmts); err != nil {
				t.Errorf("Verify: %v", err)
			}
			checkSplitInvariants(t, f.Src, stmts)
		})
	}
}

// checkInvariants checks what Verify does not: indexes, positions, that
// the statement texts are not empty and that Hashes has one entry each.
func checkSplitInvariants(t testing.TB, src []byte, stmts []sqlsplit.Statement) {
	t.Helper()
	for i, st := range stmts {
		if st.Index != i+1 {
			t.Errorf("statement %d: Index %d", i+1, st.Index)
		}
		if st.Text == "" {
			t.Errorf("statement %d: empty text", i+1)
		}
		line := 1 + bytes.Count(src[:st.Start], []byte("\n"))
		col := st.Start - (bytes.LastIndexByte(src[:st.Start], '\n') + 1) + 1
		if st.Line != line || st.Col != col {
			t.Errorf("statement %d: at %d:%d, want %d:%d", i+1, st.Line, st.Col, line, col)
		}
		if endLine := 1 + bytes.Count(src[:st.End-1], []byte("\n")); st.EndLine != endLine {
			t.Errorf("statement %d: EndLine %d, want %d", i+1, st.EndLine, endLine)
		}
		if !bytes.HasPrefix(src[st.Start:], []byte(firstLine(st.Text))) {
			t.Errorf("statement %d: span does not start with the text", i+1)
		}
	}
	if h := sqlsplit.Hashes(stmts); len(h) != len(stmts) {
		t.Errorf("Hashes: %d entries for %d statements", len(h), len(stmts))
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// diffTexts shows two statement lists side by side, statement by statement.
func diffTexts(got, want []string) string {
	return diffLabeled(got, want, "got ", "want")
}

// diffLabeled shows the statements where a and b differ, labelled la and lb.
func diffLabeled(a, b []string, la, lb string) string {
	var out strings.Builder
	for i := 0; i < max(len(a), len(b)); i++ {
		x, y := "<none>", "<none>"
		if i < len(a) {
			x = fmt.Sprintf("%q", a[i])
		}
		if i < len(b) {
			y = fmt.Sprintf("%q", b[i])
		}
		if x != y {
			fmt.Fprintf(&out, "statement %d:\n    %s %s\n    %s %s\n", i+1, la, x, lb, y)
		}
	}
	return out.String()
}
