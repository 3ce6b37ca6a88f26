// Package refusal is the one error ferry's packages return when a
// precondition does not hold and nothing was written: the reason, and the
// next step as data (text and the commands to run, as words), so that a
// caller can render it, run it or show it as JSON. Commands are quoted for
// a POSIX shell by one rule (internal/shellquote) wherever they are
// rendered.
package refusal

import (
	"slices"
	"strings"

	"github.com/ferrymigrate/ferry/internal/shellquote"
)

// Refusal is a state in which ferry will not go on; nothing was written.
type Refusal struct {
	// Reason says what was found, and where.
	Reason string
	// Next is what to do about it; zero when there is nothing to suggest.
	Next Next
	// Err, when set, is what errors.Is and errors.As find under the
	// refusal: a sentinel of the refusing package, or a typed error with
	// the facts behind the reason.
	Err error
}

// Error is the reason, then the next step: "REASON; next: NEXT".
func (r *Refusal) Error() string {
	if r.Next.IsZero() {
		return r.Reason
	}
	return r.Reason + "; next: " + r.Next.String()
}

// Unwrap returns Err.
func (r *Refusal) Unwrap() error { return r.Err }

// Command is a command line as its words, unquoted.
type Command []string

// String renders the command for a POSIX shell, each word quoted where it
// needs it.
func (c Command) String() string { return shellquote.Command(c...) }

// Part is one piece of a next step: text to read, or a command to run.
// Exactly one of Text and Command is set.
type Part struct {
	Text    string
	Command Command
}

// Next is a next step: text and commands in the order they are read
// ("compare the schema with the files (" ferry status --path DIR ")").
// The zero value is no next step. A Next is a value: Say and Run return a
// new one and leave the receiver as it was.
type Next struct {
	parts []Part
}

// Run starts a next step with a command.
func Run(words ...string) Next { return Next{}.Run(words...) }

// Say starts a next step with text.
func Say(text string) Next { return Next{}.Say(text) }

// Run adds a command to n.
func (n Next) Run(words ...string) Next {
	return Next{parts: append(slices.Clip(n.parts), Part{Command: slices.Clone(Command(words))})}
}

// Say adds text to n.
func (n Next) Say(text string) Next {
	return Next{parts: append(slices.Clip(n.parts), Part{Text: text})}
}

// IsZero reports whether n says nothing.
func (n Next) IsZero() bool { return len(n.parts) == 0 }

// Parts returns the pieces of n, in order.
func (n Next) Parts() []Part { return slices.Clone(n.parts) }

// Commands returns the commands of n, in order.
func (n Next) Commands() []Command {
	var out []Command
	for _, p := range n.parts {
		if p.Command != nil {
			out = append(out, slices.Clone(p.Command))
		}
	}
	return out
}

// String renders n: the text as written, the commands quoted.
func (n Next) String() string {
	var b strings.Builder
	for _, p := range n.parts {
		if p.Command != nil {
			b.WriteString(p.Command.String())
		} else {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}
