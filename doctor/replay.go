package doctor

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/inspect"
	"github.com/ferrymigrate/ferry/internal/scratch"
)

// Replay is what replaying the files on a scratch database showed: the
// schema after every statement of each candidate file, compared with the
// live one.
type Replay struct {
	Dev string `json:"dev_database"` // redacted URL of the dev server
	// Matches are the (case, prefix) states equal to the live schema.
	Matches []Alternative `json:"matches"`
	// Failed is a statement of a candidate file that fails on the replay
	// too (the states after it cannot be built).
	Failed *ReplayFailure `json:"failed,omitempty"`
	// Nearest is the state closest to the live schema when none equals it:
	// the live schema drifted from what the files produce.
	Nearest *Nearest `json:"nearest,omitempty"`
	// Error says why the replay could not run; the verdict then rests on
	// the probes alone.
	Error string `json:"error,omitempty"`
	// Contradicted are states equal to the live schema that the error
	// given (--error) rules out: the error is probably from another run.
	Contradicted []Alternative `json:"contradicted_by_error,omitempty"`

	states map[*Candidate][]*inspect.Schema // state after k statements; missing past a failure
	live   *inspect.Schema
}

// ReplayFailure is a statement that failed on the scratch database.
type ReplayFailure struct {
	File      string `json:"file"`
	Statement int    `json:"statement"`
	Line      int    `json:"line"`
	Error     string `json:"error"`
}

// Nearest is the replay state closest to the live schema.
type Nearest struct {
	Case     Case   `json:"case"`
	File     string `json:"file"`
	Applied  int    `json:"applied"`
	Total    int    `json:"total"`
	Distance int    `json:"distance"` // lines that differ
	Diff     string `json:"diff"`
}

// usable reports whether the replay built states for c.
func (r *Replay) usable(c *Candidate) bool { return r.Error == "" && len(r.states[c]) > 0 }

// matches returns the possible prefixes of c whose replayed state equals
// the live schema.
func (r *Replay) matches(c *Candidate) []int {
	var out []int
	for _, k := range c.Possible {
		if k < len(r.states[c]) && r.states[c][k].String() == r.live.String() && !c.errorRuled[k] {
			out = append(out, k)
		}
	}
	return out
}

// state returns the replayed schema after k statements of c.
func (r *Replay) state(c *Candidate, k int) (*inspect.Schema, bool) {
	if r == nil || k >= len(r.states[c]) {
		return nil, false
	}
	return r.states[c][k], true
}

// replay builds the states on a scratch database on dev.
func (dg *diagnosis) replay(ctx context.Context, dev *compat.DatabaseURL) *Replay {
	r := &Replay{Dev: dev.Redacted(), states: map[*Candidate][]*inspect.Schema{}, live: dg.live}
	if dev.Dialect != dg.url.Dialect {
		r.Error = fmt.Sprintf("--dev-url is a %s server but the database is %s", dev.Dialect, dg.url.Dialect)
		return r
	}
	sc, err := scratch.New(ctx, dev)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	defer func() {
		if err := sc.Close(ctx); err != nil {
			dg.Notes = append(dg.Notes, "could not drop the scratch database: "+err.Error())
		}
	}()
	if err := sc.Mimic(ctx, dg.url); err != nil {
		r.Error = err.Error()
		return r
	}
	opts := inspect.OptionsFor(dg.url)
	// at is the highest version whose up file the scratch database holds.
	var at int64 = -1
	upTo := func(v uint64, inclusive bool) error {
		for _, m := range dg.dir.Migrations {
			if int64(m.Version) <= at {
				continue
			}
			if m.Version > v || m.Version == v && !inclusive {
				break
			}
			if m.Up != nil {
				f := dg.up(m)
				if f.err != nil {
					return f.err
				}
				if err := sc.Run(ctx, scratch.File{Name: m.Up.Name, Version: int64(m.Version), Statements: f.stmts}, nil); err != nil {
					return err
				}
			}
			at = int64(m.Version)
		}
		return nil
	}
	for _, c := range dg.Candidates {
		if c.Case == Down {
			if len(dg.Candidates) > 1 && len(r.states[dg.Candidates[0]]) <= dg.Candidates[0].Total() {
				dg.Notes = append(dg.Notes, fmt.Sprintf("the replay of %s stopped, so the down of %s was not replayed", dg.Candidates[0].File, c.File))
				continue
			}
		}
		if err := upTo(c.Version, c.Case == Down); err != nil {
			r.Error = "replay the files before " + c.File + ": " + err.Error()
			return r
		}
		s0, err := sc.Describe(ctx, opts)
		if err != nil {
			r.Error = err.Error()
			return r
		}
		states := []*inspect.Schema{s0}
		var describeErr error
		// The file runs as golang-migrate ran it (its row dirty at the
		// target, its transaction semantics); the state after each
		// statement is described inside the file's transaction.
		err = sc.Run(ctx, scratch.File{Name: c.File, Version: c.Target, Statements: c.stmts}, func(int) error {
			s, err := sc.Describe(ctx, opts)
			if err != nil {
				describeErr = err
				return err
			}
			states = append(states, s)
			return nil
		})
		var re *scratch.ReplayError
		switch {
		case describeErr != nil:
			r.Error = describeErr.Error()
			return r
		case errors.As(err, &re):
			msg := err.Error()
			if re.Err != nil {
				msg = re.Err.Error()
			}
			r.Failed = &ReplayFailure{File: c.File, Statement: re.Statement, Line: re.Line, Error: msg}
		case err != nil:
			r.Error = err.Error()
			return r
		}
		r.states[c] = states
		if c.Case == Up && len(states) == c.Total()+1 {
			at = int64(c.Version)
		}
	}
	r.settle(dg)
	return r
}

// settle lists the states equal to the live schema (once the error has
// been matched), and the nearest one when none is.
func (r *Replay) settle(dg *diagnosis) {
	r.Matches, r.Contradicted, r.Nearest = nil, nil, nil
	for _, c := range dg.Candidates {
		for _, k := range r.matches(c) {
			r.Matches = append(r.Matches, Alternative{Case: c.Case, File: c.File, Applied: k, Total: c.Total()})
		}
		for _, k := range c.Possible {
			if k < len(r.states[c]) && c.errorRuled[k] && r.states[c][k].String() == r.live.String() {
				r.Contradicted = append(r.Contradicted, Alternative{Case: c.Case, File: c.File, Applied: k, Total: c.Total()})
			}
		}
	}
	if len(r.Matches) == 0 && len(r.Contradicted) == 0 {
		r.Nearest = r.nearest(dg)
	}
}

// nearest finds the possible state closest to the live schema.
func (r *Replay) nearest(dg *diagnosis) *Nearest {
	var best *Nearest
	for _, c := range dg.Candidates {
		for _, k := range c.Possible {
			state, ok := r.state(c, k)
			if !ok || c.errorRuled[k] {
				continue
			}
			diff := inspect.Diff(state, r.live, fmt.Sprintf("replay: %s, %d of %d applied", c.File, k, c.Total()), "live")
			n := changedLines(diff)
			if best == nil || n < best.Distance {
				best = &Nearest{Case: c.Case, File: c.File, Applied: k, Total: c.Total(), Distance: n, Diff: diff}
			}
		}
	}
	return best
}

// changedLines counts the added and removed lines of a unified diff.
func changedLines(diff string) int {
	n := 0
	for l := range strings.SplitSeq(diff, "\n") {
		if (strings.HasPrefix(l, "+") || strings.HasPrefix(l, "-")) && !strings.HasPrefix(l, "+++") && !strings.HasPrefix(l, "---") {
			n++
		}
	}
	return n
}
