package rebase

import (
	"errors"
	"strings"

	"github.com/ferrymigrate/ferry/refusal"
)

// Refusal sentinels, for errors.Is on a refusal of a plan.
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

// Problems are the reasons a plan cannot be carried out. A refusal
// (*refusal.Refusal) wraps them: errors.As finds them under it, and
// errors.Is finds their sentinels.
type Problems []Problem

func (ps Problems) Error() string {
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.Message
	}
	return strings.Join(msgs, "; ")
}

// Unwrap returns the sentinels of the problems.
func (ps Problems) Unwrap() []error {
	out := make([]error, len(ps))
	for i, p := range ps {
		out[i] = p.Err
	}
	return out
}

// refuse is the refusal of a plan with problems ps; nothing was renamed.
func refuse(ps []Problem) *refusal.Refusal {
	return &refusal.Refusal{Reason: "rebase refused, nothing renamed: " + Problems(ps).Error(), Err: Problems(ps)}
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
