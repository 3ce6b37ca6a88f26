package atlassum

import (
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/ferrymigrate/ferry/finding"
	"github.com/ferrymigrate/ferry/internal/shellquote"
)

// Finding codes about the sum file; see docs/findings.md.
const (
	CodeMissing      = "FM101"
	CodeSyntax       = "FM102"
	CodeConflict     = "FM103"
	CodeAdded        = "FM104"
	CodeEdited       = "FM105"
	CodeRemoved      = "FM106"
	CodeTampered     = "FM107"
	CodeUnverifiable = "FM108"
)

// State summarises a folder's sum file.
type State string

// Sum states.
const (
	Valid     State = "valid"
	Missing   State = "missing"
	Changed   State = "changed"
	Broken    State = "unparseable"
	Conflicts State = "conflict"
)

// Report is the result of Validate.
type Report struct {
	State    State             `json:"state"`
	Files    int               `json:"files"` // files the folder's sum covers now
	Changes  []Change          `json:"changes,omitempty"`
	Findings []finding.Finding `json:"findings,omitempty"`
	Computed *Sum              `json:"-"`
}

// Validate checks the sum file of folder dir of fsys. display is how people
// name the folder (e.g. "db/migrations"); findings name files under it and
// the command that rewrites the sum. A missing sum file is a warning; every
// other problem is an error. Findings come sorted. The returned error is for
// I/O failures only.
func Validate(fsys fs.FS, dir, display string) (*Report, error) {
	r, err := validate(fsys, dir, display)
	if r != nil {
		finding.Sort(r.Findings)
	}
	return r, err
}

func validate(fsys fs.FS, dir, display string) (*Report, error) {
	rehash := shellquote.Command("ferry", "hash", "--path", display)
	r := &Report{State: Valid}
	add := func(sev finding.Severity, code, file string, line int, msg string) {
		r.Findings = append(r.Findings, finding.Finding{Code: code, Severity: sev, File: file, Line: line, Message: msg})
	}
	b, err := fs.ReadFile(fsys, path.Join(dir, FileName))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		computed, err := Compute(fsys, dir)
		if err != nil {
			return nil, err
		}
		r.State, r.Computed, r.Files = Missing, computed, len(computed.Files)
		add(finding.Warning, CodeMissing, FileName, 0,
			fmt.Sprintf("the folder has no %s, so nothing notices an edited, added or removed migration; create it with `%s` and commit it", FileName, rehash))
		return r, nil
	case err != nil:
		return nil, fmt.Errorf("read %s: %w", FileName, err)
	}
	recorded, err := Parse(b)
	var se *SyntaxError
	switch {
	case errors.Is(err, ErrConflict):
		r.State = Conflicts
		add(finding.Error, CodeConflict, FileName, 0,
			fmt.Sprintf("%s has merge conflict markers (two branches each re-hashed it); do not resolve them by hand: run `%s` to write it from the merged files", FileName, rehash))
	case errors.As(err, &se):
		r.State = Broken
		add(finding.Error, CodeSyntax, FileName, se.Line,
			fmt.Sprintf("%v; run `%s` to write it again from the files", se, rehash))
	case err != nil:
		return nil, err
	}
	if recorded == nil {
		computed, err := Compute(fsys, dir)
		if err != nil {
			return nil, err
		}
		r.Computed, r.Files = computed, len(computed.Files)
		return r, nil
	}
	changes, computed, err := Check(fsys, dir, recorded)
	if err != nil {
		return nil, err
	}
	r.Computed, r.Files, r.Changes = computed, len(computed.Files), changes
	if len(changes) > 0 {
		r.State = Changed
	}
	for _, c := range changes {
		switch c.Kind {
		case Added:
			add(finding.Error, CodeAdded, c.File, 0,
				fmt.Sprintf("%s is not in %s: a new migration; if it is meant to be there, run `%s`", c.File, FileName, rehash))
		case Edited:
			add(finding.Error, CodeEdited, c.File, 0,
				fmt.Sprintf("%s changed since it was hashed (%s line %d); an applied migration must not change: restore it (git diff -- %s), or run `%s` if the change is intended and no database has applied it", c.File, FileName, c.Line, path.Join(display, c.File), rehash))
		case Removed:
			add(finding.Error, CodeRemoved, c.File, 0,
				fmt.Sprintf("%s is listed in %s (line %d) but is gone; restore it, or run `%s` if no database has applied it", c.File, FileName, c.Line, rehash))
		case Tampered:
			add(finding.Error, CodeTampered, FileName, 1,
				fmt.Sprintf("the first line of %s does not match its other lines: it was edited by hand; run `%s`", FileName, rehash))
		case Unknown:
			add(finding.Warning, CodeUnverifiable, c.File, 0,
				fmt.Sprintf("files from %s on (%s line %d) cannot be checked until the change before them is resolved: the sum is cumulative", c.File, FileName, c.Line))
		}
	}
	return r, nil
}
