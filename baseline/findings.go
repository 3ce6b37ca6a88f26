package baseline

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
	CodeSumMissing      = "FM101"
	CodeSumSyntax       = "FM102"
	CodeSumConflict     = "FM103"
	CodeSumAdded        = "FM104"
	CodeSumEdited       = "FM105"
	CodeSumRemoved      = "FM106"
	CodeSumTampered     = "FM107"
	CodeSumUnverifiable = "FM108"
)

// SumState summarises a folder's sum file.
type SumState string

// Sum states.
const (
	SumValid     SumState = "valid"
	SumMissing   SumState = "missing"
	SumChanged   SumState = "changed"
	SumBroken    SumState = "unparseable"
	SumConflicts SumState = "conflict"
)

// SumReport is the result of Validate.
type SumReport struct {
	State    SumState          `json:"state"`
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
func Validate(fsys fs.FS, dir, display string) (*SumReport, error) {
	r, err := validate(fsys, dir, display)
	if r != nil {
		finding.Sort(r.Findings)
	}
	return r, err
}

func validate(fsys fs.FS, dir, display string) (*SumReport, error) {
	rehash := shellquote.Command("ferry", "hash", "--path", display)
	r := &SumReport{State: SumValid}
	add := func(sev finding.Severity, code, file string, line int, msg string) {
		r.Findings = append(r.Findings, finding.Finding{Code: code, Severity: sev, File: file, Line: line, Message: msg})
	}
	b, err := fs.ReadFile(fsys, path.Join(dir, SumFileName))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		computed, err := ComputeSum(fsys, dir)
		if err != nil {
			return nil, err
		}
		r.State, r.Computed, r.Files = SumMissing, computed, len(computed.Files)
		add(finding.Warning, CodeSumMissing, SumFileName, 0,
			fmt.Sprintf("the folder has no %s, so nothing notices an edited, added or removed migration; create it with `%s` and commit it", SumFileName, rehash))
		return r, nil
	case err != nil:
		return nil, fmt.Errorf("read %s: %w", SumFileName, err)
	}
	recorded, err := ParseSum(b)
	var se *SumSyntaxError
	switch {
	case errors.Is(err, ErrSumConflict):
		r.State = SumConflicts
		add(finding.Error, CodeSumConflict, SumFileName, 0,
			fmt.Sprintf("%s has merge conflict markers (two branches each re-hashed it); do not resolve them by hand: run `%s` to write it from the merged files", SumFileName, rehash))
	case errors.As(err, &se):
		r.State = SumBroken
		add(finding.Error, CodeSumSyntax, SumFileName, se.Line,
			fmt.Sprintf("%v; run `%s` to write it again from the files", se, rehash))
	case err != nil:
		return nil, err
	}
	if recorded == nil {
		computed, err := ComputeSum(fsys, dir)
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
		r.State = SumChanged
	}
	for _, c := range changes {
		switch c.Kind {
		case Added:
			add(finding.Error, CodeSumAdded, c.File, 0,
				fmt.Sprintf("%s is not in %s: a new migration; if it is meant to be there, run `%s`", c.File, SumFileName, rehash))
		case Edited:
			add(finding.Error, CodeSumEdited, c.File, 0,
				fmt.Sprintf("%s changed since it was hashed (%s line %d); an applied migration must not change: restore it (git diff -- %s), or run `%s` if the change is intended and no database has applied it", c.File, SumFileName, c.Line, path.Join(display, c.File), rehash))
		case Removed:
			add(finding.Error, CodeSumRemoved, c.File, 0,
				fmt.Sprintf("%s is listed in %s (line %d) but is gone; restore it, or run `%s` if no database has applied it", c.File, SumFileName, c.Line, rehash))
		case Tampered:
			add(finding.Error, CodeSumTampered, SumFileName, 1,
				fmt.Sprintf("the first line of %s does not match its other lines: it was edited by hand; run `%s`", SumFileName, rehash))
		case Unknown:
			add(finding.Warning, CodeSumUnverifiable, c.File, 0,
				fmt.Sprintf("files from %s on (%s line %d) cannot be checked until the change before them is resolved: the sum is cumulative", c.File, SumFileName, c.Line))
		}
	}
	return r, nil
}
