package folder

// Refusal is a precondition on a folder that does not hold: the migration
// folder does not parse cleanly, its atlas.sum is missing or does not match
// the files, a file does not split into statements, or an output folder is
// not empty. Nothing was written. Next is the command to run, when there is
// one. Err, when set, is a sentinel for errors.Is (atlasexport's
// ErrOutNotEmpty).
type Refusal struct {
	Reason string
	Next   string
	Err    error
	// Sum is what a refusal over atlas.sum found; nil for other refusals.
	Sum *SumMismatch
}

func (r *Refusal) Error() string {
	if r.Next == "" {
		return r.Reason
	}
	return r.Reason + "; next: " + r.Next
}

func (r *Refusal) Unwrap() error { return r.Err }

// HasEdits reports a refusal over up files edited since atlas.sum was
// written, which convert.ExplainEdits can tailor to a database.
func (r *Refusal) HasEdits() bool { return r.Sum != nil && len(r.Sum.Edited) > 0 }

// SumMismatch is a folder whose files no longer match atlas.sum.
type SumMismatch struct {
	Prefix   string       // "atlas.sum of DIR does not match the files (changed)"
	Messages []string     // one per finding, in order
	Edited   []EditedFile // the edited up files among them
	Path     string       // the folder
}

// EditedFile is an up file whose bytes changed since atlas.sum was written.
type EditedFile struct {
	Finding int    // index of its message in SumMismatch.Messages
	Name    string // file name
	Version string // version as written in the name
	Line    int    // its line in atlas.sum
	Hash    string // its sum line computed from the file as it is now
}
