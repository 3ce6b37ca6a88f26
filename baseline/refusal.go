package baseline

// Refusal is a precondition that does not hold; nothing was written. Next
// is the command to run, when there is one. Err, when set, is a sentinel of
// this package (ErrUnknownVersion) for errors.Is.
type Refusal struct {
	Reason string
	Next   string
	Err    error
}

func (r *Refusal) Error() string {
	if r.Next == "" {
		return r.Reason
	}
	return r.Reason + "; next: " + r.Next
}

func (r *Refusal) Unwrap() error { return r.Err }
