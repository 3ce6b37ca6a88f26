// Package baseline computes, reads, checks and writes the sum file
// (atlas.sum) of a golang-migrate folder, byte-identical with Atlas's.
package baseline

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

// SumFileName is the sum file's name; Atlas reads the same file.
const SumFileName = "atlas.sum"

// Sum is the content of a sum file.
type Sum struct {
	// Total is the base64 SHA-256 over every (name, hash) pair, without "h1:".
	Total string
	// Files are the covered files in file name (byte) order.
	Files []SumLine
}

// SumLine is one file of a sum: Hash is the base64 SHA-256 of every name and
// file content up to and including this file, without "h1:".
type SumLine struct {
	Name string
	Hash string
}

// Covered reports whether the sum file covers a file name: golang-migrate's
// up migrations, *.up.sql at the top level of the folder.
func Covered(name string) bool { return strings.HasSuffix(name, ".up.sql") }

// ComputeSum computes the sum of the folder dir of fsys the way Atlas does:
// one SHA-256 runs over the covered files in name order, taking each name and
// then its bytes; each file's line is the digest so far. A file whose first
// line carries an "atlas:sum ignore" directive adds its name but no bytes and
// gets no line. It covers golang-migrate's *.up.sql (Covered); ComputeSumFunc
// takes another filter.
func ComputeSum(fsys fs.FS, dir string) (*Sum, error) {
	return ComputeSumFunc(fsys, dir, Covered)
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

func total(files []SumLine) string {
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

// SumSyntaxError is a sum file that cannot be parsed.
type SumSyntaxError struct {
	Line int
	Msg  string
}

func (e *SumSyntaxError) Error() string {
	return fmt.Sprintf("%s line %d: %s", SumFileName, e.Line, e.Msg)
}

// ErrSumConflict is a sum file with merge conflict markers: two branches
// each re-hashed it.
var ErrSumConflict = errors.New(SumFileName + " has merge conflict markers (two branches each re-hashed it)")

// ParseSum parses a sum file. It returns ErrSumConflict (wrapped, with the
// line) for merge conflict markers and *SumSyntaxError for anything else it
// cannot read.
func ParseSum(b []byte) (*Sum, error) {
	text := strings.TrimSuffix(string(b), "\n")
	if text == "" {
		return nil, &SumSyntaxError{Line: 1, Msg: "empty file"}
	}
	if i := strings.IndexByte(text, '\r'); i >= 0 {
		return nil, &SumSyntaxError{Line: 1 + strings.Count(text[:i], "\n"), Msg: "CRLF line endings (git's autocrlf?); the sum file must keep LF: add `atlas.sum -text` to .gitattributes"}
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		for _, m := range []string{"<<<<<<<", "=======", ">>>>>>>", "|||||||"} {
			if strings.HasPrefix(l, m) {
				return nil, fmt.Errorf("line %d: %w", i+1, ErrSumConflict)
			}
		}
	}
	s := &Sum{}
	seen := make(map[string]bool, len(lines))
	first, ok := strings.CutPrefix(lines[0], "h1:")
	if !ok || !validHash(first) {
		return nil, &SumSyntaxError{Line: 1, Msg: fmt.Sprintf("expected h1:<base64 SHA-256>, got %q", clip(lines[0]))}
	}
	s.Total = first
	for i, l := range lines[1:] {
		name, hash, ok := cutLast(l, " h1:")
		switch {
		case !ok || name == "":
			return nil, &SumSyntaxError{Line: i + 2, Msg: fmt.Sprintf("expected <file> h1:<base64 SHA-256>, got %q", clip(l))}
		case !validHash(hash):
			return nil, &SumSyntaxError{Line: i + 2, Msg: fmt.Sprintf("%s: the hash is not a base64 SHA-256", name)}
		}
		if seen[name] {
			return nil, &SumSyntaxError{Line: i + 2, Msg: fmt.Sprintf("%s is listed twice", name)}
		}
		seen[name] = true
		s.Files = append(s.Files, SumLine{Name: name, Hash: hash})
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
	computed, err := ComputeSum(fsys, dir)
	if err != nil {
		return nil, nil, err
	}
	var out []Change
	if recorded.Total != total(recorded.Files) {
		out = append(out, Change{Kind: Tampered, File: SumFileName, Line: 1})
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

// WriteSumFile writes s as dir/atlas.sum atomically: a temporary file in the
// same folder, synced, then renamed over the old one. It reports whether the
// file changed (false when it already held exactly these bytes).
func WriteSumFile(dir string, s *Sum) (bool, error) {
	b, err := s.MarshalText()
	if err != nil {
		return false, err
	}
	target := filepath.Join(dir, SumFileName)
	if old, err := os.ReadFile(target); err == nil && bytes.Equal(old, b) {
		return false, nil
	}
	tmp, err := os.CreateTemp(dir, "."+SumFileName+".*")
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
