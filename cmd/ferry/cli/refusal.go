package cli

import (
	"errors"
	"fmt"

	"github.com/ferrymigrate/ferry/refusal"
)

// asRefusal finds the refusal in err: the one error type ferry's packages
// return when they will not go on.
func asRefusal(err error) (*refusal.Refusal, bool) {
	var ref *refusal.Refusal
	ok := errors.As(err, &ref)
	return ref, ok
}

// refused renders the reason and next step of the refusal in err,
// redacted; ok is false when err is no refusal.
func (e *env) refused(err error) (reason, next string, ok bool) {
	ref, ok := asRefusal(err)
	if !ok {
		return "", "", false
	}
	return e.redact(ref.Reason), e.redact(ref.Next.String()), true
}

// refusalError prints a refusal's reason and next command and turns it
// into exit code 1; other errors pass through.
func refusalError(e *env, err error) error {
	reason, next, ok := e.refused(err)
	if !ok {
		return err
	}
	fmt.Fprintf(e.ErrOut, "ferry: %s\n", reason)
	if next != "" {
		fmt.Fprintf(e.ErrOut, "  next: %s\n", next)
	}
	return &exitError{ExitFindings}
}
