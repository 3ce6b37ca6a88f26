package doctor

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ferrymigrate/ferry/internal/ddl"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// survivor is a (candidate, prefix) pair that agrees with the evidence.
type survivor struct {
	c *Candidate
	k int
}

// decide turns the consistent prefixes into a verdict and per-statement
// statuses.
func (dg *diagnosis) decide() {
	var strict, likely []survivor
	for _, c := range dg.Candidates {
		ks, ls := c.Consistent, c.Likely
		if dg.Replay != nil && dg.Replay.usable(c) {
			ks = dg.Replay.matches(c)
			ls = ks
		}
		for _, k := range ks {
			strict = append(strict, survivor{c, k})
		}
		for _, k := range ls {
			likely = append(likely, survivor{c, k})
		}
	}
	statuses := func(set []survivor) {
		for _, c := range dg.Candidates {
			var ks []int
			for _, s := range set {
				if s.c == c {
					ks = append(ks, s.k)
				}
			}
			c.Statements = dg.statuses(c, ks)
		}
	}
	statuses(strict)
	strict, likely = dg.merge(strict), dg.merge(likely)
	var pick *survivor
	cert := Unknown
	switch {
	case len(strict) == 1:
		pick, cert = &strict[0], Proven
	case len(likely) == 1:
		pick, cert = &likely[0], Consistent
		statuses(likely)
	}
	// A replay that built exactly the live schema outweighs probes whose
	// reading of the earlier files cannot explain it: the files, run as
	// golang-migrate runs them, do explain it.
	replayed := pick != nil && cert == Proven && dg.Replay != nil && dg.Replay.usable(pick.c)
	if pick != nil && !replayed && (len(dg.Drift) > 0 || dg.Replay != nil && dg.Replay.Nearest != nil) {
		cert = Consistent
	}
	if replayed && len(pick.c.RuledOut[pick.k]) > 0 {
		// The probes' reasons against the state the replay proved are
		// their own misreading: say so once, not as "ruled out".
		why := pick.c.RuledOut[pick.k]
		delete(pick.c.RuledOut, pick.k)
		dg.Notes = append(dg.Notes, fmt.Sprintf("the catalog probes ruled out %d of %d applied (%s), but the replay on the dev database built exactly the live schema with them applied: the replay decides", pick.k, pick.c.Total(), strings.Join(why, "; ")))
	}
	if replayed && len(dg.Drift) > 0 {
		dg.Notes = append(dg.Notes, "the catalog probes see differences their reading of the files does not explain (listed under drift), but the replay of the files on the dev database built exactly the live schema: the replay decides")
	}
	handMade := cert == Proven && len(likely) == 0 && (dg.Replay == nil || !dg.Replay.usable(pick.c))
	if handMade {
		// One state fits the catalog, but only if an object the file
		// creates existed before it: made by hand, or by something else
		// than the migrations.
		cert = Consistent
	}
	noUp := dg.Version >= 0 && !slices.ContainsFunc(dg.Candidates, func(c *Candidate) bool { return c.Case == Up })
	if noUp {
		// The failed up of the dirty version cannot be weighed without its
		// file: it may be the run that failed, whatever the down says.
		cert, pick = Unknown, nil
	}
	switch {
	case pick != nil:
		s := *pick
		dg.Verdict = Verdict{Case: s.c.Case, Version: s.c.Version, File: s.c.File, Applied: s.k, Total: s.c.Total(), Certainty: cert}
		dg.Verdict.Summary = summary(s.c, s.k, dg.Version)
		if cert == Consistent {
			if handMade {
				dg.Verdict.Summary += " (not proven: it needs an object the file creates to have existed before the file ran; was it made by hand?)"
			} else if len(dg.Drift) > 0 {
				dg.Verdict.Summary += " (not proven: the schema shows changes the files do not explain)"
			} else {
				dg.Verdict.Summary += " (not proven: it assumes the objects the file creates did not exist before it)"
			}
			for _, o := range strict {
				dg.Verdict.Alternatives = append(dg.Verdict.Alternatives, Alternative{Case: o.c.Case, File: o.c.File, Applied: o.k, Total: o.c.Total()})
			}
		}
	case len(strict) == 0 && dg.Replay != nil && len(dg.Replay.Contradicted) > 0:
		c := dg.Replay.Contradicted[0]
		dg.Verdict = Verdict{Certainty: Unknown, Summary: fmt.Sprintf("the live schema equals the replay of %s with %d of %d statements applied, but the error given rules that state out: is the error from this run? Without --error, or with the right one, doctor can decide", c.File, c.Applied, c.Total)}
		dg.Verdict.Alternatives = append(dg.Verdict.Alternatives, dg.Replay.Contradicted...)
	case len(strict) == 0:
		dg.Verdict = Verdict{Certainty: Unknown, Summary: "no applied prefix of the candidate files agrees with the live schema: it was changed by hand (drift), or the files changed since they ran"}
		if dg.Replay != nil && dg.Replay.Nearest != nil {
			n := dg.Replay.Nearest
			dg.Verdict.Case, dg.Verdict.File, dg.Verdict.Applied, dg.Verdict.Total = n.Case, n.File, n.Applied, n.Total
			for _, c := range dg.Candidates {
				if c.File == n.File {
					dg.Verdict.Version = c.Version
				}
			}
			dg.Verdict.Summary = fmt.Sprintf("the live schema matches no state of the replay; nearest: %s with %d of %d statements applied, %d line(s) apart (drift)", n.File, n.Applied, n.Total, n.Distance)
		}
	default:
		s := strict[0]
		dg.Verdict = Verdict{Case: s.c.Case, Version: s.c.Version, File: s.c.File, Applied: s.k, Total: s.c.Total(), Certainty: Unknown}
		var alts []string
		for _, o := range strict {
			dg.Verdict.Alternatives = append(dg.Verdict.Alternatives, Alternative{Case: o.c.Case, File: o.c.File, Applied: o.k, Total: o.c.Total()})
			alts = append(alts, fmt.Sprintf("%s of %s with %d of %d applied", o.c.Case, o.c.File, o.k, o.c.Total()))
		}
		dg.Verdict.Summary = "the evidence agrees with more than one state: " + strings.Join(alts, "; ")
		if noUp {
			dg.Verdict.Summary = fmt.Sprintf("the folder has no up file for version %d, so a failed up of it cannot be weighed; of the rest, the evidence agrees with: %s", dg.Version, strings.Join(alts, "; "))
		}
	}
	dg.Verdict.ReplayCanHelp = dg.Verdict.Certainty != Proven && dg.replayCanHelp(strict, handMade, noUp)
}

// replayCanHelp reports whether a replay could decide between the states
// that agree (strict): it compares schemas, so it separates states only
// where a statement between them changes the schema.
func (dg *diagnosis) replayCanHelp(strict []survivor, handMade, noUp bool) bool {
	if dg.Replay != nil || handMade || noUp || len(dg.Drift) > 0 || len(strict) < 2 {
		return false
	}
	byFile := map[*Candidate][]int{}
	for _, s := range strict {
		byFile[s.c] = append(byFile[s.c], s.k)
	}
	if len(byFile) > 1 {
		return true
	}
	for c, ks := range byFile {
		for i := slices.Min(ks); i < slices.Max(ks); i++ {
			if len(c.changes[i].Effects) > 0 || !c.changes[i].Understood {
				return true
			}
		}
	}
	return false
}

// merge treats the end of the up of V and the end of the down of the next
// version as one state: both leave the schema at V.
func (dg *diagnosis) merge(all []survivor) []survivor {
	upDone := slices.ContainsFunc(all, func(s survivor) bool { return s.c.Case == Up && s.k == s.c.Total() })
	if !upDone {
		return all
	}
	var out []survivor
	for _, s := range all {
		if s.c.Case == Down && s.k == s.c.Total() {
			note := fmt.Sprintf("a finished down of %s would leave the same schema as a finished up of the version before: either way the schema is at version %d", s.c.File, dg.Version)
			if !slices.Contains(dg.Notes, note) {
				dg.Notes = append(dg.Notes, note)
			}
			continue
		}
		out = append(out, s)
	}
	return out
}

func summary(c *Candidate, k int, version int64) string {
	switch {
	case c.Case == Up && k == c.Total():
		return fmt.Sprintf("the up of %s ran to the end (%d of %d statements) but the row was never cleaned: the schema is at version %d", c.File, k, c.Total(), version)
	case c.Case == Up:
		return fmt.Sprintf("the up of %s failed after %d of %d statements", c.File, k, c.Total())
	case k == c.Total():
		return fmt.Sprintf("the down of %s ran to the end (%d of %d statements) but the row was never cleaned: the schema is at version %d", c.File, k, c.Total(), version)
	default:
		return fmt.Sprintf("the down of %s failed after %d of %d statements", c.File, k, c.Total())
	}
}

// statuses says, for every statement of c, whether it ran, given the
// prefixes ks that agree with the evidence.
func (dg *diagnosis) statuses(c *Candidate, ks []int) []StatementEvidence {
	var out []StatementEvidence
	for i, st := range c.stmts {
		e := StatementEvidence{Index: i + 1, Line: st.Line, Text: shorten(st.Text), Does: ddl.Describe(c.changes[i])}
		switch {
		case len(ks) == 0:
			e.Status = Undecided
		case slices.Min(ks) > i:
			e.Status = Applied
		case slices.Max(ks) <= i:
			e.Status = NotApplied
		default:
			e.Status = Undecided
		}
		e.Evidence = dg.evidence(c, i)
		out = append(out, e)
	}
	return out
}

// evidence lists the live facts about what statement i creates or drops,
// and whether the statement could have succeeded at all.
func (dg *diagnosis) evidence(c *Candidate, i int) []string {
	ch := c.changes[i]
	var out []string
	for _, f := range ch.Effects {
		if f.Maybe || f.Implicit || !dg.cat.observable(f.Ref) {
			continue // (what the server does on its own weighs in the probes, but is not what the statement says)
		}
		live := dg.cat.exists(f.Ref)
		switch {
		case live && f.Exists:
			out = append(out, fmt.Sprintf("%s exists", f.Ref))
		case !live && f.Exists:
			out = append(out, fmt.Sprintf("%s does not exist", f.Ref))
		case live:
			out = append(out, fmt.Sprintf("%s still exists", f.Ref))
		default:
			out = append(out, fmt.Sprintf("%s is gone", f.Ref))
		}
	}
	// Impossibility: needs an object the live schema lacks and no earlier
	// statement creates.
	for _, f := range ch.Requires {
		if !f.Exists || !dg.cat.observable(f.Ref) || dg.cat.exists(f.Ref) {
			continue
		}
		created := false
		s := newSim(dg.cat)
		for j := 0; j < i; j++ {
			for _, e := range c.changes[j].Effects {
				if s.norm(e.Ref) == s.norm(f.Ref) && e.Exists {
					created = true
				}
			}
		}
		if !created {
			out = append(out, fmt.Sprintf("cannot have succeeded: it needs %s, which does not exist and no earlier statement creates", f.Ref))
		}
	}
	if why, ok := c.badFK[i]; ok {
		out = append(out, why)
	}
	if r := dg.Replay; r != nil && r.Failed != nil && r.Failed.File == c.File && r.Failed.Statement == i+1 {
		out = append(out, "fails on a fresh replay too: "+r.Failed.Error)
	}
	if len(ch.Effects) == 0 && !ch.TxControl {
		switch {
		case ch.DML:
			out = append(out, "changes rows only: the catalog cannot show whether it ran")
		case !ch.Understood:
			out = append(out, "not a statement ferry can probe")
		}
	}
	return out
}

func shorten(text string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	if len(line) > 72 {
		line = line[:69] + "..."
	}
	return line
}

// fingerprint identifies what the diagnosis rests on: golang-migrate's
// row and the live schema, and, for a verdict, its case, the applied
// prefix and the text of the statements it says ran. Fixing the failed
// statement of a file afterwards leaves the fingerprint unchanged;
// changing the database or the statements that ran changes it.
func (dg *diagnosis) fingerprint() {
	h := sha256.New()
	fmt.Fprintf(h, "row %d %v %d\n", dg.legacy.Version, dg.legacy.Dirty, dg.legacy.Rows)
	h.Write([]byte(dg.live.String()))
	dg.dbPrint = hex.EncodeToString(h.Sum(nil))
	v := dg.Verdict
	if v.Case == "" || v.Certainty == Unknown {
		dg.Fingerprint = "db:" + dg.dbPrint[:16]
		return
	}
	for _, c := range dg.Candidates {
		if c.File == v.File {
			dg.Fingerprint = c.token(dg.dbPrint, v.Applied, v.Certainty)
		}
	}
}

// token is the fingerprint of a verdict: CASE:K:CERTAINTY:HASH.
func (c *Candidate) token(dbPrint string, k int, cert Certainty) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s %s %d %s\n", dbPrint, c.Case, c.File, k, cert)
	if k > 0 && k <= len(c.stmts) {
		h.Write([]byte(sqlsplit.Hashes(c.stmts[:k])[k-1]))
	}
	return fmt.Sprintf("%s:%d:%s:%s", c.Case, k, cert, hex.EncodeToString(h.Sum(nil))[:16])
}

// version renders a version for commands and messages.
func versionText(v int64) string {
	if v < 0 {
		return "none"
	}
	return strconv.FormatInt(v, 10)
}
