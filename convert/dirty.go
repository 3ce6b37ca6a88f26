package convert

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/refusal"
	"github.com/ferrymigrate/ferry/revision"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// DirtyPrefix is what a diagnosis (ferry doctor) established about a dirty
// golang-migrate row: the up of Version failed after its first Applied of
// Total statements had committed. With it, Prepare accepts the row dirty at
// exactly that version and plans a partial revision row for it (docs/statements.md,
// "Cumulative hashes"), from which ferry apply resumes at statement Applied+1.
//
// convert takes the prefix on trust: it checks that it fits the file
// (Total is the file's statement count as ferry splits it, 0 <= Applied <=
// Total) and that the row is still dirty at Version, but not that those
// statements really ran; that is the diagnosis's job.
type DirtyPrefix struct {
	Version uint64
	Applied int
	Total   int
	// Unproven marks a prefix that agrees with the evidence without being
	// proven (the doctor's "consistent"); the error column says so.
	Unproven bool
	// Evidence names the diagnosis (ferry doctor's fingerprint, say); it is
	// recorded in the error column.
	Evidence string
}

// PartialImport is the partial row Prepare planned for the dirty version.
type PartialImport struct {
	Version string `json:"version"`
	File    string `json:"file"`
	Applied int    `json:"applied"`
	Total   int    `json:"total"`
	// Proven is false for a prefix accepted without proof.
	Proven   bool   `json:"proven"`
	Evidence string `json:"evidence,omitempty"`
	// Next is the statement ferry apply resumes at (1-based), and its
	// line; 0 when every statement ran and only the row was left dirty.
	Next     int    `json:"next_statement,omitempty"`
	NextLine int    `json:"next_line,omitempty"`
	NextText string `json:"next_text,omitempty"`
	// Error is the text recorded in the error column.
	Error string `json:"error"`
}

// convertCommand is the ferry convert command for u with the options o
// (the revisions schema as given) and the extra flags.
func (p *Project) convertCommand(u *compat.DatabaseURL, o Options, extra ...string) refusal.Command {
	words := append(append([]string{"ferry", "convert"}, extra...), "--path", p.DirPath)
	words = append(words, u.DatabaseArgs()...)
	if o.RevisionsSchema != "" {
		words = append(words, "--revisions-schema", o.RevisionsSchema)
	}
	return words
}

// checkDirty checks the dirty row st against o.Dirty; it returns nil when
// the row may be imported.
func (p *Project) checkDirty(st *compat.LegacyState, u *compat.DatabaseURL, o Options) error {
	doctorCmd := append([]string{"ferry", "doctor", "--path", p.DirPath}, u.DatabaseArgs()...)
	fromDirty := p.convertCommand(u, o, "--from-dirty")
	dp := o.Dirty
	switch {
	case st.Dirty && dp == nil:
		return &refusal.Refusal{Reason: fmt.Sprintf("%s is dirty at version %s: a migration failed part-way, and converting would record a guess", st.Table, versionText(st.Version)),
			Next: refusal.Run(doctorCmd...).Say(" shows which statements ran; then ").Run(fromDirty...).Say(" records them as a partial revision that ferry apply resumes")}
	case dp == nil:
		return nil
	case !st.Dirty:
		return &refusal.Refusal{Reason: fmt.Sprintf("%s is no longer dirty (version %s, clean), but the conversion was asked to import a dirty version %d: the database was recovered or forced since it was diagnosed", st.Table, versionText(st.Version), dp.Version),
			Next: refusal.Run(p.convertCommand(u, o)...).Say(" (a clean database needs no diagnosis)")}
	case st.Version < 0 || uint64(st.Version) != dp.Version:
		return &refusal.Refusal{Reason: fmt.Sprintf("%s is dirty at version %s, but the diagnosis given is for version %d", st.Table, versionText(st.Version), dp.Version),
			Next: refusal.Run(doctorCmd...).Say(", then ").Run(fromDirty...)}
	}
	m, ok := p.Dir.Lookup(dp.Version)
	if !ok || m.Up == nil {
		return &refusal.Refusal{Reason: fmt.Sprintf("%s is dirty at version %d, but %s has no up file for it", st.Table, dp.Version, p.DirPath),
			Next: refusal.Say("restore the file that ran (").Run("git", "log", "--all", "--", "*"+strconv.FormatUint(dp.Version, 10)+"_*.up.sql").Say(")")}
	}
	return nil
}

// partialRow builds the row of the dirty version: the first k statements
// applied, with their cumulative hashes, the import explained in error and
// statement k+1 in error_stmt, exactly as ferry apply leaves a file that
// failed at statement k+1 (type 4: ferry did not execute them).
func (p *Project) partialRow(d engine.Dialect, m compat.Migration, o Options) (revision.Row, *PartialImport, error) {
	dp := o.Dirty
	stmts, err := p.statements(d, m.Up)
	if err != nil {
		return revision.Row{}, nil, err
	}
	n := len(stmts)
	if dp.Total != n {
		return revision.Row{}, nil, &refusal.Refusal{Reason: fmt.Sprintf("%s has %d statements, but the diagnosis counted %d: the file changed since it was diagnosed", m.Up.Name, n, dp.Total),
			Next: refusal.Run("ferry", "doctor", "--path", p.DirPath).Say(" again, on the same database")}
	}
	if dp.Applied < 0 || dp.Applied > n {
		return revision.Row{}, nil, &refusal.Refusal{Reason: fmt.Sprintf("the diagnosis says %d of the %d statements of %s ran", dp.Applied, n, m.Up.Name), Next: refusal.Run("ferry", "doctor", "--path", p.DirPath).Say(" again, on the same database")}
	}
	h, ok := p.hashes[m.Up.Name]
	if !ok {
		reason, next := p.NotHashed(*m.Up)
		return revision.Row{}, nil, &refusal.Refusal{Reason: reason, Next: next}
	}
	k := dp.Applied
	imp := &PartialImport{Version: m.VersionText, File: m.Up.Name, Applied: k, Total: n, Proven: !dp.Unproven, Evidence: dp.Evidence, Error: importError(m.Up.Name, dp)}
	r := revision.Row{Version: m.VersionText, Description: m.Title, Type: revision.TypeResolved, Applied: k, Total: n,
		ExecutedAt: o.Now.UTC(), Error: imp.Error, Hash: h, OperatorVersion: o.OperatorVersion,
		PartialHashes: append([]string{}, sqlsplit.Hashes(stmts)[:k]...)} // [] at 0, never null: the row is unfinished
	if k < n {
		r.ErrorStmt = stmts[k].Text
		imp.Next, imp.NextLine, imp.NextText = k+1, stmts[k].Line, stmts[k].Text
	}
	return r, imp, nil
}

// importError is the error column of an imported partial row.
func importError(file string, dp *DirtyPrefix) string {
	verb, proof := "proved", ""
	if dp.Unproven {
		verb, proof = "found", ", consistent with the schema but not proven"
	}
	var ran string
	switch {
	case dp.Applied == 0:
		ran = "that no statement of " + file + " ran"
	case dp.Applied == dp.Total:
		ran = fmt.Sprintf("statements 1..%d of %s ran (all of them; only golang-migrate's row was left dirty)", dp.Applied, file)
	default:
		ran = fmt.Sprintf("statements 1..%d of %s ran", dp.Applied, file)
	}
	msg := "imported from a dirty golang-migrate state: ferry doctor " + verb + " " + ran + proof
	if dp.Evidence != "" {
		msg += " (" + dp.Evidence + ")"
	}
	return msg
}

// samePartial reports whether an existing unfinished row records the same
// applied prefix as a planned partial row: a conversion run again, or one
// after which the failed statement was fixed (error_stmt then differs), or
// ferry's own record of the failure.
func samePartial(have, want revision.Row) bool {
	if want.PartialHashes == nil || have.Version != want.Version || have.Description != want.Description ||
		have.Applied != want.Applied || len(have.PartialHashes) < have.Applied {
		return false
	}
	if have.PartialHashes == nil && have.Error == "" && !have.Partial() {
		return false // complete
	}
	return slices.Equal(have.PartialHashes[:have.Applied], want.PartialHashes[:want.Applied])
}

// versionText renders golang-migrate's version for messages.
func versionText(v int64) string {
	if v == compat.NilVersion {
		return "none"
	}
	return strconv.FormatInt(v, 10)
}
