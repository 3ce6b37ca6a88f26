package folder

import (
	"errors"
	"strings"
)

// SumMismatch is a folder whose files no longer match atlas.sum: the facts
// under the *refusal.Refusal that Load returns for it, found with errors.As.
type SumMismatch struct {
	Prefix   string       // "atlas.sum of DIR does not match the files (changed)"
	Messages []string     // one per finding, in order
	Edited   []EditedFile // the edited up files among them
	Path     string       // the folder
}

func (s *SumMismatch) Error() string { return s.Prefix + ": " + strings.Join(s.Messages, "; ") }

// EditedFile is an up file whose bytes changed since atlas.sum was written.
type EditedFile struct {
	Finding int    // index of its message in SumMismatch.Messages
	Name    string // file name
	Version string // version as written in the name
	Line    int    // its line in atlas.sum
	Hash    string // its sum line computed from the file as it is now
}

// HasEdits reports a refusal over up files edited since atlas.sum was
// written, which convert.ExplainEdits can tailor to a database.
func HasEdits(err error) bool {
	var sm *SumMismatch
	return errors.As(err, &sm) && len(sm.Edited) > 0
}
