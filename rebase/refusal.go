package rebase

import (
	"errors"
	"strings"
)

// Refusal sentinels, for errors.Is on a *Refusal.
var (
	ErrApplied        = errors.New("a database has applied the file")
	ErrCurrentVersion = errors.New("the file is a database's current version")
	ErrTargetExists   = errors.New("the new name exists")
	ErrUnknownVersion = errors.New("no file has the version")
	ErrPadRevisions   = errors.New("a database has revisions written with the unpadded versions")
	ErrAmbiguous      = errors.New("cannot tell which file of a duplicate version is new")
	ErrBackupFile     = errors.New("the file looks like a backup copy")
	ErrNumbering      = errors.New("no new version fits the numbering scheme")
)

// Problem is one reason to refuse a plan.
type Problem struct {
	Err      error  `json:"-"`
	Kind     string `json:"kind"`
	Version  string `json:"version,omitempty"`
	File     string `json:"file,omitempty"`
	Database string `json:"database,omitempty"`
	Message  string `json:"message"`
}

// Refusal is a plan that cannot be carried out; nothing was renamed. It
// unwraps to the sentinels of its problems.
type Refusal struct {
	Problems []Problem
}

func (r *Refusal) Error() string {
	msgs := make([]string, len(r.Problems))
	for i, p := range r.Problems {
		msgs[i] = p.Message
	}
	return "rebase refused, nothing renamed: " + strings.Join(msgs, "; ")
}

// Unwrap returns the sentinels of the problems.
func (r *Refusal) Unwrap() []error {
	out := make([]error, len(r.Problems))
	for i, p := range r.Problems {
		out[i] = p.Err
	}
	return out
}

func kindOf(err error) string {
	switch err {
	case ErrApplied:
		return "applied"
	case ErrCurrentVersion:
		return "current-version"
	case ErrTargetExists:
		return "target-exists"
	case ErrUnknownVersion:
		return "unknown-version"
	case ErrPadRevisions:
		return "pad-revisions"
	case ErrAmbiguous:
		return "ambiguous"
	case ErrBackupFile:
		return "backup-file"
	}
	return "numbering"
}
