package doctor

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/internal/ddl"
	"github.com/ferrymigrate/ferry/refusal"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// PlanKind names a recovery plan.
type PlanKind string

const (
	// Forward runs the statements that did not run (after the file is
	// fixed) and marks the target version clean.
	Forward PlanKind = "forward"
	// Back undoes the statements that ran and marks the version before
	// the run clean.
	Back PlanKind = "back"
	// Mark records that everything ran: the target version, clean.
	Mark PlanKind = "mark"
)

// PlanKinds lists the plans in the order they are shown.
func PlanKinds() []PlanKind { return []PlanKind{Forward, Back, Mark} }

// Plan is one way out of the dirty state.
type Plan struct {
	Kind      PlanKind `json:"plan"`
	Available bool     `json:"available"`
	// Why says why the plan is not available.
	Why         string `json:"why,omitempty"`
	Recommended bool   `json:"recommended,omitempty"`
	Summary     string `json:"summary,omitempty"`
	Steps       []Step `json:"steps,omitempty"`
	// SetVersion is the version golang-migrate's row gets, clean; -1
	// empties the table (no version), as golang-migrate does below the
	// first version.
	SetVersion int64 `json:"set_version"`
	// Destroys is true when a step drops a table, a column or data.
	Destroys bool `json:"destroys_data,omitempty"`
	// Command is the ferry recover command that carries out the plan, as
	// a POSIX shell reads it; Words gives its words.
	Command string `json:"command,omitempty"`

	words  refusal.Command
	target survivor // the state the schema is in afterwards
}

// Words returns the words of the plan's command (nil when the plan is not
// available).
func (p *Plan) Words() refusal.Command { return slices.Clone(p.words) }

// Step is one statement a plan runs.
type Step struct {
	SQL string `json:"sql"`
	// File and Statement name the statement of a migration file the step
	// runs, or the one whose effect it undoes (Inverse).
	File      string `json:"file"`
	Statement int    `json:"statement"`
	Inverse   bool   `json:"inverse,omitempty"`
	Destroys  bool   `json:"destroys_data,omitempty"`

	kind sqlsplit.Kind
}

// Plan returns the plan of the given kind, or nil.
func (dg *Diagnosis) Plan(k PlanKind) *Plan {
	for _, p := range dg.Plans {
		if p.Kind == k {
			return p
		}
	}
	return nil
}

// plans builds the plans for the verdict.
func (dg *diagnosis) plans() []*Plan {
	if dg.Verdict.Clean {
		return nil
	}
	var c *Candidate
	for _, cand := range dg.Candidates {
		if cand.File == dg.Verdict.File {
			c = cand
		}
	}
	if c == nil {
		return nil
	}
	if dg.Verdict.Certainty == Unknown {
		why := "the evidence does not show which statements ran: see the verdict"
		if len(dg.Verdict.Alternatives) > 1 {
			why = "the evidence agrees with several states: check which statements ran (their data, say), then name the state with --accept-unproven --assume CASE:K"
		}
		var out []*Plan
		for _, k := range PlanKinds() {
			out = append(out, &Plan{Kind: k, Why: why})
		}
		return out
	}
	return dg.plansFor(c, dg.Verdict.Applied)
}

// plansFor builds the plans for candidate c with k statements applied.
func (dg *diagnosis) plansFor(c *Candidate, k int) []*Plan {
	n := c.Total()
	fwd := &Plan{Kind: Forward, SetVersion: dg.Version, target: survivor{c, n}}
	back := &Plan{Kind: Back, target: survivor{c, 0}}
	mark := &Plan{Kind: Mark, SetVersion: dg.Version, target: survivor{c, n}}
	// Where golang-migrate's row goes when the run is undone.
	if c.Case == Up {
		back.SetVersion = -1
		if prev, ok := dg.dir.Before(c.Version); ok {
			back.SetVersion = int64(prev.Version)
		}
	} else {
		back.SetVersion = int64(c.Version)
	}
	what := "up"
	if c.Case == Down {
		what = "down"
	}
	if k == n {
		mark.Available, mark.Recommended = true, true
		mark.Summary = fmt.Sprintf("all %d statements of %s ran: mark version %s clean", n, c.File, versionText(dg.Version))
		fwd.Why = "nothing is left to run: use --mark"
		// Back: the down file of an up, or the up file of a down.
		undo := dg.dir.Migrations
		var other []sqlsplit.Statement
		var otherName string
		for _, m := range undo {
			if m.Version != c.Version {
				continue
			}
			f := m.Down
			if c.Case == Down {
				f = m.Up
			}
			if f == nil {
				break
			}
			body, err := dg.dir.ReadFile(*f)
			if err != nil {
				break
			}
			if stmts, err := sqlsplit.Split(dg.dialect, body); err == nil {
				other, otherName = stmts, f.Name
			}
		}
		if otherName == "" {
			back.Why = fmt.Sprintf("version %d has no file to undo it with", c.Version)
		} else {
			back.Available = true
			for _, st := range other {
				if st.Kind.Has(sqlsplit.KindTxControl) {
					continue
				}
				ch := analyseStep(dg.dialect, st.Text)
				back.Steps = append(back.Steps, Step{SQL: st.Text, File: otherName, Statement: st.Index, Destroys: ch, kind: st.Kind})
			}
			back.Summary = fmt.Sprintf("run %s (%d statements), then mark version %s clean", otherName, len(back.Steps), versionText(back.SetVersion))
		}
	} else {
		mark.Why = fmt.Sprintf("%s of %s did not run", span(k+1, n), c.File)
		fwd.Available = true
		for _, st := range c.stmts[k:] {
			if st.Kind.Has(sqlsplit.KindTxControl) {
				continue
			}
			fwd.Steps = append(fwd.Steps, Step{SQL: st.Text, File: c.File, Statement: st.Index, Destroys: c.changes[st.Index-1].Destroys, kind: st.Kind})
		}
		fwd.Summary = fmt.Sprintf("run %s of %s (%s), then mark version %s clean", span(k+1, n), c.File, dg.failedHint(c, k), versionText(dg.Version))
		back.Available = true
		for i := k - 1; i >= 0; i-- {
			ch := c.changes[i]
			if ch.TxControl {
				continue
			}
			if !ch.Invertible {
				back.Available, back.Steps = false, nil
				back.Why = fmt.Sprintf("statement %d of %s (line %d) cannot be undone by ferry (%s): finish the %s with --forward, or undo it by hand", i+1, c.File, c.stmts[i].Line, notInvertible(ch.DML, ch.Destroys), what)
				break
			}
			if t, ok := dg.indexUnderForeignKey(ch); ok {
				back.Available, back.Steps = false, nil
				back.Why = fmt.Sprintf("statement %d of %s (line %d) made an index on %s, which has a foreign key: MySQL may use the index for the key and refuse to drop it; finish the %s with --forward, or undo it by hand", i+1, c.File, c.stmts[i].Line, t, what)
				break
			}
			for _, inv := range ch.Inverse {
				back.Steps = append(back.Steps, Step{SQL: inv, File: c.File, Statement: i + 1, Inverse: true, Destroys: ch.InverseDestroys})
			}
		}
		if back.Available {
			var undone []int // descending: the order the inverses run
			for _, s := range back.Steps {
				if len(undone) == 0 || undone[len(undone)-1] != s.Statement {
					undone = append(undone, s.Statement)
				}
			}
			undo := statementList(undone)
			generated := fmt.Sprintf("%d generated statements", len(back.Steps))
			if len(back.Steps) == 1 {
				generated = "1 generated statement"
			}
			back.Summary = fmt.Sprintf("undo %s of %s (%s), then mark version %s clean", undo, c.File, generated, versionText(back.SetVersion))
			if k == 0 {
				back.Summary = fmt.Sprintf("nothing of %s ran: mark version %s clean (then fix the file and run golang-migrate again)", c.File, versionText(back.SetVersion))
				back.Recommended = true
			}
		}
		fwd.Recommended = !back.Recommended
	}
	plans := []*Plan{fwd, back, mark}
	for _, p := range plans {
		for _, s := range p.Steps {
			p.Destroys = p.Destroys || s.Destroys
		}
		if p.Available {
			p.words = dg.command(p.Kind)
			p.Command = p.words.String()
		}
	}
	return plans
}

// failedHint says which statement to fix before --forward. Only where the
// engine keeps every statement before a failure is it statement k+1; where
// it rolled the rest of the file back, any statement from k+1 on can have
// failed.
func (dg *diagnosis) failedHint(c *Candidate, k int) string {
	if r := dg.Replay; r != nil && r.usable(c) && (r.Failed == nil || r.Failed.File != c.File) {
		// The file as it is now runs to the end on the replay: fixed.
		return fmt.Sprintf("statement %d runs on a fresh replay now", k+1)
	}
	if c.sem == perStatement {
		return fmt.Sprintf("fix statement %d first: it failed", k+1)
	}
	if r := dg.Replay; r != nil && r.Failed != nil && r.Failed.File == c.File && r.Failed.Statement > k {
		return fmt.Sprintf("fix statement %d first: it fails on the replay too", r.Failed.Statement)
	}
	return fmt.Sprintf("fix the statement that failed first: the engine rolled back what ran of %s, so golang-migrate's error names it, not the catalog", span(k+1, c.Total()))
}

func notInvertible(dml, destroys bool) string {
	switch {
	case dml:
		return "it changes rows"
	case destroys:
		return "it dropped something"
	default:
		return "no inverse is known for it"
	}
}

// analyseStep reports whether a statement of a file destroys data.
func analyseStep(d engine.Dialect, text string) bool {
	return ddl.Analyse(d, text).Destroys
}

// command is the ferry recover command for a plan: the folder, database
// and dev server as the user gave them, the fingerprint, and
// --accept-unproven (with --assume) when the verdict is not proven, so
// that the command runs the plan when pasted.
func (dg *diagnosis) command(k PlanKind) refusal.Command {
	words := append([]string{"ferry", "recover", "--" + string(k)}, dg.opts.targetArgs(dg.url)...)
	words = append(words, "--expect", dg.Fingerprint)
	if dg.Verdict.Certainty != Proven {
		words = append(words, "--accept-unproven")
		switch v := dg.Verdict; {
		case dg.assumed != nil:
			words = append(words, "--assume", fmt.Sprintf("%s:%d", dg.assumed.Case, dg.assumed.Applied))
		case len(v.Alternatives) > 1:
			// The plan is the verdict's; other states agree too, and
			// recover acts on one only when it is named.
			words = append(words, "--assume", fmt.Sprintf("%s:%d", v.Case, v.Applied))
		}
	}
	return words
}

// statementList names the statements ks (descending, as they are undone):
// "statement 2", "statements 3 to 1", "statements 5 to 4 and 2".
func statementList(ks []int) string {
	switch len(ks) {
	case 0:
		return "no statement"
	case 1:
		return fmt.Sprintf("statement %d", ks[0])
	}
	var runs []string
	for i := 0; i < len(ks); {
		j := i
		for j+1 < len(ks) && ks[j+1] == ks[j]-1 {
			j++
		}
		if i == j {
			runs = append(runs, fmt.Sprint(ks[i]))
		} else {
			runs = append(runs, fmt.Sprintf("%d to %d", ks[i], ks[j]))
		}
		i = j + 1
	}
	if len(runs) == 1 {
		return "statements " + runs[0]
	}
	return "statements " + strings.Join(runs[:len(runs)-1], ", ") + " and " + runs[len(runs)-1]
}

// span names statements from to to: "statement 3" or "statements 3 to 5".
func span(from, to int) string {
	if from == to {
		return fmt.Sprintf("statement %d", from)
	}
	return fmt.Sprintf("statements %d to %d", from, to)
}

// indexUnderForeignKey reports, on MySQL, an index a statement made on a
// table that now has a foreign key: MySQL may have given the key that
// index (dropping the one it made itself), and then refuses DROP INDEX.
func (dg *diagnosis) indexUnderForeignKey(ch ddl.Change) (string, bool) {
	if dg.dialect != engine.MySQL {
		return "", false
	}
	for _, e := range ch.Effects {
		if e.Exists && !e.Maybe && e.Ref.Kind == ddl.Index && e.Ref.Table != "" {
			table := ddl.Ref{Kind: ddl.Table, Schema: e.Ref.Schema, Name: e.Ref.Table}
			if dg.cat.hasForeignKey(table) {
				return table.String(), true
			}
		}
	}
	return "", false
}
