package sqlsplit_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// sharedDir holds the project-wide split vectors (../shared/testdata/split).
const sharedDir = "../../shared/testdata/split"

type vector struct {
	File          string   `json:"file"`
	Dialect       string   `json:"dialect"`
	Statements    []string `json:"statements"`
	PartialHashes []string `json:"partial_hashes"`
	Error         string   `json:"error"`
}

// TestSharedVectors checks every case of ../shared/testdata/split/expected.json:
// statements, cumulative hashes, and errors.
func TestSharedVectors(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(sharedDir, "expected.json"))
	if err != nil {
		t.Fatalf("read the shared vectors (is ../shared beside the repository?): %v", err)
	}
	var vs []vector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) == 0 {
		t.Fatal("no vectors")
	}
	for _, v := range vs {
		t.Run(v.File, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(sharedDir, v.File))
			if err != nil {
				t.Fatal(err)
			}
			d, err := engine.ParseDialect(v.Dialect)
			if err != nil {
				t.Fatal(err)
			}
			stmts, err := sqlsplit.Split(d, src)
			if v.Error != "" {
				// "unclosed quote (Atlas reports: 1:32: ...)": the part before
				// the parenthesis is what a correct splitter says.
				want, _, _ := strings.Cut(v.Error, " (")
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("error = %v, want one containing %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			texts := make([]string, len(stmts))
			for i, s := range stmts {
				texts[i] = s.Text
			}
			if !reflect.DeepEqual(texts, nonNil(v.Statements)) {
				t.Errorf("statements:\n got %q\nwant %q", texts, v.Statements)
			}
			if got := sqlsplit.Hashes(stmts); !reflect.DeepEqual(got, nonNil(v.PartialHashes)) {
				t.Errorf("hashes:\n got %q\nwant %q", got, v.PartialHashes)
			}
			if err := sqlsplit.Verify(d, src, stmts); err != nil {
				t.Error(err)
			}
		})
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
