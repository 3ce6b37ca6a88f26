// Package cli is ferry's command line: thin cobra commands that turn flags
// into options, call one library function and render its result.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ferrymigrate/ferry/compat"
)

// Exit codes.
const (
	ExitOK       = 0
	ExitFindings = 1 // findings of severity error, or a failed operation
	ExitUsage    = 2
)

// Version is ferry's version, set at build time with -ldflags.
var Version = "v0.1.0-dev"

// streams are a command's input and outputs.
type streams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// env carries what every command shares during one Execute call.
type env struct {
	streams
	getenv func(string) string
	urls   []*compat.DatabaseURL // every URL parsed, for redaction
}

// redact removes the secrets of every URL parsed in this run from s.
func (e *env) redact(s string) string {
	for _, u := range e.urls {
		s = u.Redact(s)
	}
	return s
}

// UsageError is a mistake in the command line; only these print usage hints
// and exit with code 2.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// exitError carries an exit code for a command that has already rendered its
// result (findings with errors, say).
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// Execute runs ferry with args (without the program name) and returns the
// process exit code. It builds a fresh command tree on every call, so it is
// safe to call repeatedly in one process (tests do).
func Execute(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{streams: streams{In: stdin, Out: stdout, ErrOut: stderr}, getenv: os.Getenv}
	root := newRoot(e)
	root.SetArgs(normalizeArgs(args))
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	return e.exitCode(err)
}

func (e *env) exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	msg := e.redact(err.Error())
	var ue *UsageError
	var urlErr *compat.URLError
	switch {
	case errors.As(err, &ue), errors.As(err, &urlErr), isFlagError(err):
		fmt.Fprintf(e.ErrOut, "ferry: %s\nRun 'ferry --help' for usage.\n", msg)
		return ExitUsage
	}
	fmt.Fprintf(e.ErrOut, "ferry: %s\n", msg)
	return ExitFindings
}

// flagError marks errors cobra returns for bad flags and arguments.
type flagError struct{ err error }

func (f *flagError) Error() string { return f.err.Error() }
func (f *flagError) Unwrap() error { return f.err }

func isFlagError(err error) bool {
	var fe *flagError
	msg := err.Error()
	return errors.As(err, &fe) || strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "accepts ") || strings.HasPrefix(msg, "requires at least")
}

func newRoot(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "ferry",
		Short: "Move golang-migrate projects onto statement-tracked, checksummed revisions",
		Long: `ferry reads golang-migrate projects exactly as golang-migrate does and moves them,
without re-running a migration, onto statement-tracked revisions.

It takes golang-migrate's own flags and URLs: -path / --path DIR, -source file://DIR,
-database / --database URL (default $DATABASE_URL).`,
		Version:       Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &flagError{err} })
	root.AddCommand(newStatusCmd(e), newHashCmd(e), newStatementsCmd(e), newConvertCmd(e), newApplyCmd(e), newCheckCmd(e), newBaselineCmd(e), newRebaseCmd(e), newDriftCmd(e), newDoctorCmd(e), newRecoverCmd(e))
	return root
}

// legacyFlags are golang-migrate's single-dash spellings that ferry accepts
// unchanged.
var legacyFlags = []string{"path", "source", "database"}

// normalizeArgs rewrites golang-migrate's single-dash long flags (-path DIR,
// -database=URL) into the double-dash form, up to a "--".
func normalizeArgs(args []string) []string {
	out := make([]string, len(args))
	copy(out, args)
	for i, a := range out {
		if a == "--" {
			break
		}
		for _, f := range legacyFlags {
			if a == "-"+f || strings.HasPrefix(a, "-"+f+"=") {
				out[i] = "-" + a
			}
		}
	}
	return out
}
