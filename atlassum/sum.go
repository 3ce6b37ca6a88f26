// Package atlassum computes, reads, checks and writes the sum file
// (atlas.sum) of a golang-migrate folder, byte-identical with Atlas's.
package atlassum

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// FileName is the sum file's name; Atlas reads the same file.
const FileName = "atlas.sum"

// Sum is the content of a sum file.
type Sum struct {
	// Total is the base64 SHA-256 over every (name, hash) pair, without "h1:".
	Total string
	// Files are the covered files in file name (byte) order.
	Files []Line
}

// Line is one file of a sum: Hash is the base64 SHA-256 of every name and
// file content up to and including this file, without "h1:".
type Line struct {
	Name string
	Hash string
}

// Covered reports whether the sum file covers a file name: golang-migrate's
// up migrations, *.up.sql at the top level of the folder.
func Covered(name string) bool { return strings.HasSuffix(name, ".up.sql") }

// Compute computes the sum of the folder dir of fsys the way Atlas does:
// one SHA-256 runs over the covered files in name order, taking each name and
// then its bytes; each file's line is the digest so far. A file whose first
// line carries an "atlas:sum ignore" directive adds its name but no bytes and
// gets no line. It covers golang-migrate's *.up.sql (Covered); ComputeFunc
// takes another filter.
func Compute(fsys fs.FS, dir string) (*Sum, error) {
	return ComputeFunc(fsys, dir, Covered)
}

// reDirective is Atlas's directive syntax on a file's first line.
var reDirective = regexp.MustCompile(`^([ -~]*)atlas:(\w+)(?: +([ -~]*))*`)

// Ignored reports whether a file's first line carries Atlas's
// "atlas:sum ignore" directive: the sum takes its name but not its bytes.
func Ignored(b []byte) bool { return ignored(b) }

func ignored(b []byte) bool {
	first, _, _ := bytes.Cut(b, []byte("\n"))
	if !bytes.Contains(first, []byte("atlas:")) {
		return false // the common case, without the regular expression
	}
	m := reDirective.FindSubmatch(b)
	return len(m) == 4 && string(m[2]) == "sum" && string(m[3]) == "ignore"
}

func total(files []Line) string {
	h := sha256.New()
	for _, f := range files {
		h.Write([]byte(f.Name))
		h.Write([]byte(f.Hash))
	}
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// Hash returns the line of a file.
func (s *Sum) Hash(name string) (string, bool) {
	for _, f := range s.Files {
		if f.Name == name {
			return f.Hash, true
		}
	}
	return "", false
}

// MarshalText renders the sum file: "h1:<total>", then "<name> h1:<hash>"
// per file, LF line endings, a trailing LF.
func (s *Sum) MarshalText() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("h1:" + s.Total + "\n")
	for _, f := range s.Files {
		b.WriteString(f.Name + " h1:" + f.Hash + "\n")
	}
	return b.Bytes(), nil
}

// SyntaxError is a sum file that cannot be parsed.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s line %d: %s", FileName, e.Line, e.Msg)
}

// ErrConflict is a sum file with merge conflict markers: two branches
// each re-hashed it.
var ErrConflict = errors.New(FileName + " has merge conflict markers (two branches each re-hashed it)")

// Parse parses a sum file. It returns ErrConflict (wrapped, with the
// line) for merge conflict markers and *SyntaxError for anything else it
// cannot read.
func Parse(b []byte) (*Sum, error) {
	text := strings.TrimSuffix(string(b), "\n")
	if text == "" {
		return nil, &SyntaxError{Line: 1, Msg: "empty file"}
	}
	if i := strings.IndexByte(text, '\r'); i >= 0 {
		return nil, &SyntaxError{Line: 1 + strings.Count(text[:i], "\n"), Msg: "CRLF line endings (git's autocrlf?); the sum file must keep LF: add `atlas.sum -text` to .gitattributes"}
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		for _, m := range []string{"<<<<<<<", "=======", ">>>>>>>", "|||||||"} {
			if strings.HasPrefix(l, m) {
				return nil, fmt.Errorf("line %d: %w", i+1, ErrConflict)
			}
		}
	}
	s := &Sum{}
	seen := make(map[string]bool, len(lines))
	first, ok := strings.CutPrefix(lines[0], "h1:")
	if !ok || !validHash(first) {
		return nil, &SyntaxError{Line: 1, Msg: fmt.Sprintf("expected h1:<base64 SHA-256>, got %q", clip(lines[0]))}
	}
	s.Total = first
	for i, l := range lines[1:] {
		name, hash, ok := cutLast(l, " h1:")
		switch {
		case !ok || name == "":
			return nil, &SyntaxError{Line: i + 2, Msg: fmt.Sprintf("expected <file> h1:<base64 SHA-256>, got %q", clip(l))}
		case !validHash(hash):
			return nil, &SyntaxError{Line: i + 2, Msg: fmt.Sprintf("%s: the hash is not a base64 SHA-256", name)}
		}
		if seen[name] {
			return nil, &SyntaxError{Line: i + 2, Msg: fmt.Sprintf("%s is listed twice", name)}
		}
		seen[name] = true
		s.Files = append(s.Files, Line{Name: name, Hash: hash})
	}
	return s, nil
}

func validHash(s string) bool {
	b, err := base64.StdEncoding.DecodeString(s)
	return err == nil && len(b) == sha256.Size
}

func cutLast(s, sep string) (string, string, bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

// ChangeKind says how a folder differs from its sum file.
type ChangeKind string

// Change kinds.
const (
	Added   ChangeKind = "added"   // the file is not in the sum
	Edited  ChangeKind = "edited"  // the file's bytes changed since it was hashed
	Removed ChangeKind = "removed" // the sum lists a file that is gone
	// Tampered: the sum's first line does not match its own lines (edited by hand).
	Tampered ChangeKind = "tampered"
	// Unknown: the first file after a removed or edited one; the sum is
	// cumulative, so edits from there on cannot be told without the old bytes.
	Unknown ChangeKind = "unverifiable"
)

// Change is one difference between a folder and its sum file. Line is the
// line of the sum file (0 for a file the sum does not list).
type Change struct {
	Kind ChangeKind `json:"kind"`
	File string     `json:"file"`
	Line int        `json:"line,omitempty"`
}

// Check compares the folder dir of fsys with its recorded sum. It returns
// nil changes when they agree, and the computed sum either way. Hashes are
// cumulative, so after the first real change every later line differs too;
// Check names the causes instead: every added and removed file, and the
// first edited file, found by re-running the chain without the added files.
// Files after a removed or edited file cannot be checked (the recorded chain
// includes bytes that are gone): the first of them is reported Unknown.
func Check(fsys fs.FS, dir string, recorded *Sum) ([]Change, *Sum, error) {
	computed, err := Compute(fsys, dir)
	if err != nil {
		return nil, nil, err
	}
	var out []Change
	if recorded.Total != total(recorded.Files) {
		out = append(out, Change{Kind: Tampered, File: FileName, Line: 1})
	}
	recLine := map[string]int{}
	for i, f := range recorded.Files {
		recLine[f.Name] = i + 2
	}
	now := map[string]bool{}
	for _, f := range computed.Files {
		now[f.Name] = true
		if _, ok := recLine[f.Name]; !ok {
			out = append(out, Change{Kind: Added, File: f.Name})
		}
	}
	for i, f := range recorded.Files {
		if now[f.Name] {
			continue
		}
		// Not hashed now: gone, or newly marked "atlas:sum ignore" (an edit,
		// which the chain reports).
		if _, err := fs.Stat(fsys, path.Join(dir, f.Name)); errors.Is(err, fs.ErrNotExist) {
			out = append(out, Change{Kind: Removed, File: f.Name, Line: i + 2})
		}
	}
	edits, err := chainChanges(fsys, dir, recorded)
	if err != nil {
		return nil, nil, err
	}
	return append(out, edits...), computed, nil
}

// chainChanges re-runs the recorded chain over the covered files in name
// order and reports the first edited file. Added files are left out (they
// were not in the chain); ignored files add their name, as when the sum was
// written. A removed file's bytes are gone, so from there on the chain cannot
// follow: the first later file is reported Unknown.
func chainChanges(fsys fs.FS, dir string, recorded *Sum) ([]Change, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read migration folder: %w", err)
	}
	onDisk := map[string]bool{}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && Covered(e.Name()) {
			onDisk[e.Name()] = true
			names = append(names, e.Name())
		}
	}
	line := map[string]int{}
	for i, f := range recorded.Files {
		line[f.Name] = i + 2
		if !onDisk[f.Name] {
			names = append(names, f.Name)
		}
	}
	slices.Sort(names)
	h := sha256.New()
	for i, name := range names {
		if !onDisk[name] { // removed
			for _, later := range names[i+1:] {
				if onDisk[later] && line[later] > 0 {
					return []Change{{Kind: Unknown, File: later, Line: line[later]}}, nil
				}
			}
			return nil, nil
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("hash %s: %w", name, err)
		}
		ign := ignored(b)
		if line[name] == 0 && !ign {
			continue // added: not part of the recorded chain
		}
		h.Write([]byte(name))
		if !ign {
			h.Write(b)
		}
		if line[name] > 0 && base64.StdEncoding.EncodeToString(h.Sum(nil)) != recorded.Files[line[name]-2].Hash {
			out := []Change{{Kind: Edited, File: name, Line: line[name]}}
			for _, later := range names[i+1:] {
				if onDisk[later] && line[later] > 0 {
					out = append(out, Change{Kind: Unknown, File: later, Line: line[later]})
					break
				}
			}
			return out, nil
		}
	}
	return nil, nil
}

// WriteFile writes s as dir/atlas.sum atomically: a temporary file in the
// same folder, synced, then renamed over the old one. It reports whether the
// file changed (false when it already held exactly these bytes).
func WriteFile(dir string, s *Sum) (bool, error) {
	b, err := s.MarshalText()
	if err != nil {
		return false, err
	}
	target := filepath.Join(dir, FileName)
	if old, err := os.ReadFile(target); err == nil && bytes.Equal(old, b) {
		return false, nil
	}
	tmp, err := os.CreateTemp(dir, "."+FileName+".*")
	if err != nil {
		return false, fmt.Errorf("write %s: %w", target, err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return false, fmt.Errorf("write %s: %w", target, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return false, fmt.Errorf("write %s: %w", target, err)
	}
	if err := tmp.Close(); err != nil {
		return false, fmt.Errorf("write %s: %w", target, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return false, fmt.Errorf("write %s: %w", target, err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return false, fmt.Errorf("write %s: %w", target, err)
	}
	return true, nil
}

// AtlasCovered reports whether Atlas's sum covers a file name in an
// Atlas-format directory: every *.sql file at the top level.
func AtlasCovered(name string) bool { return strings.HasSuffix(name, ".sql") }

// ComputeFunc is Compute over the top-level files of dir for which
// covered returns true, in file name (byte) order. Compute is
// ComputeFunc with Covered (golang-migrate's *.up.sql); AtlasCovered gives
// the sum of an Atlas-format directory. Links are refused, as in Compute.
func ComputeFunc(fsys fs.FS, dir string, covered func(name string) bool) (*Sum, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read migration folder: %w", err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && covered(e.Name()) {
			if e.Type()&fs.ModeSymlink != 0 {
				return nil, fmt.Errorf("hash %s: it is a link; ferry does not follow links when hashing (they may lead out of the folder): put the file itself in the folder", e.Name())
			}
			names = append(names, e.Name())
		}
	}
	return ComputeNames(names, func(n string) ([]byte, error) { return fs.ReadFile(fsys, path.Join(dir, n)) })
}

// ComputeNames hashes the named files, read by read, the way Atlas does (see
// Compute). names need not be sorted.
func ComputeNames(names []string, read func(name string) ([]byte, error)) (*Sum, error) {
	names = slices.Clone(names)
	slices.Sort(names) // byte order, as Atlas
	h := sha256.New()
	s := &Sum{}
	for _, n := range names {
		b, err := read(n)
		if err != nil {
			return nil, fmt.Errorf("hash %s: %w", n, err)
		}
		h.Write([]byte(n))
		if ignored(b) {
			continue
		}
		h.Write(b)
		s.Files = append(s.Files, Line{Name: n, Hash: base64.StdEncoding.EncodeToString(h.Sum(nil))})
	}
	s.Total = total(s.Files)
	return s, nil
}
