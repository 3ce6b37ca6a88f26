package testdb

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/postgres"
	"ariga.io/atlas/sql/sqlite"
)

// WriteSum writes atlas.sum for the *.up.sql files of dir, computed without
// ferry's code (IndependentSum). It returns each up file's line without "h1:",
// and fails the test unless Atlas's own migrate.NewHashFile computes the same
// file.
func WriteSum(t testing.TB, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".up.sql") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names) // byte order, as Atlas hashes them
	contents := map[string][]byte{}
	var files []migrate.File
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		contents[n] = b
		files = append(files, migrate.NewLocalFile(n, b))
	}
	sum := string(IndependentSum(contents))
	lines := map[string]string{}
	for _, l := range strings.Split(sum, "\n")[1:] {
		if name, h, ok := strings.Cut(l, " h1:"); ok {
			lines[name] = h
		}
	}
	hf, err := migrate.NewHashFile(files)
	if err != nil {
		t.Fatal(err)
	}
	if atlasSum, _ := hf.MarshalText(); string(atlasSum) != sum {
		t.Fatalf("the test's atlas.sum differs from Atlas's:\n%s\nAtlas:\n%s", sum, atlasSum)
	}
	if err := os.WriteFile(filepath.Join(dir, "atlas.sum"), []byte(sum), 0o644); err != nil {
		t.Fatal(err)
	}
	return lines
}

// Cumulative computes a file's partial hashes as docs/revisions.md defines
// them, without ferry's code: entry i is "h1:" + base64(SHA-256 of the texts
// 1..i). It returns an empty, non-nil slice for no texts.
func Cumulative(texts []string) []string {
	h := sha256.New()
	out := make([]string, len(texts))
	for i, s := range texts {
		h.Write([]byte(s))
		out[i] = "h1:" + base64.StdEncoding.EncodeToString(h.Sum(nil))
	}
	return out
}

// AtlasStatements returns the statement texts of src as Atlas's own scanner
// for the dialect sees them, or the scanner's error. A dialect Atlas has no
// driver for is an error.
func AtlasStatements(dialect string, src []byte) ([]string, error) {
	var s migrate.StmtScanner
	switch dialect {
	case Postgres:
		s = &postgres.Driver{}
	case MySQL:
		s = &mysql.Driver{}
	case SQLite:
		s = &sqlite.Driver{}
	default:
		return nil, fmt.Errorf("no Atlas driver for %q", dialect)
	}
	stmts, err := s.ScanStmts(string(src))
	if err != nil {
		return nil, err
	}
	out := make([]string, len(stmts))
	for i, st := range stmts {
		out[i] = st.Text
	}
	return out, nil
}

// LineDiff lists the lines of want and got that differ, by line number, for
// a golden file's failure message.
func LineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var x, y string
		if i < len(w) {
			x = w[i]
		}
		if i < len(g) {
			y = g[i]
		}
		if x != y {
			fmt.Fprintf(&b, "line %d:\n  want %s\n  got  %s\n", i+1, x, y)
		}
	}
	return b.String()
}

// IndependentSum computes a sum file (atlas.sum, docs/sum.md) with nothing but
// crypto/sha256, to check atlassum against: files sorted by name bytes; one running SHA-256 takes each
// name, then its bytes; each line is the digest so far; the first line
// hashes every name and line hash (as base64 text).
func IndependentSum(files map[string][]byte) []byte {
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	run := sha256.New()
	type line struct{ name, hash string }
	var lines []line
	for _, n := range names {
		run.Write([]byte(n))
		first, _, _ := bytes.Cut(files[n], []byte("\n"))
		if bytes.Contains(first, []byte("atlas:sum ignore")) {
			continue
		}
		run.Write(files[n])
		lines = append(lines, line{n, base64.StdEncoding.EncodeToString(run.Sum(nil))})
	}
	tot := sha256.New()
	for _, l := range lines {
		tot.Write([]byte(l.name))
		tot.Write([]byte(l.hash))
	}
	var b bytes.Buffer
	b.WriteString("h1:" + base64.StdEncoding.EncodeToString(tot.Sum(nil)) + "\n")
	for _, l := range lines {
		b.WriteString(l.name + " h1:" + l.hash + "\n")
	}
	return b.Bytes()
}
