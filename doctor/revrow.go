package doctor

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ferrymigrate/ferry/revision"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// RevisionEvidence is the revision row a tool that runs files statement by
// statement (ferry apply, Atlas) wrote for the dirty version: how many
// statements it recorded as applied, and whether its partial hashes still
// match the file.
type RevisionEvidence struct {
	Version  string `json:"version"`
	Operator string `json:"operator_version"`
	Applied  int    `json:"applied"`
	Total    int    `json:"total"`
	Error    string `json:"error,omitempty"`
	// ErrorStmt is the statement the run failed at.
	ErrorStmt string `json:"error_stmt,omitempty"`
	// Matches is true when the partial hashes of the row equal those of
	// the first Applied statements of the file: the row proves the prefix.
	Matches bool `json:"matches"`
	// Used is true when the verdict rests on the row.
	Used bool `json:"used"`
}

// revisionEvidence reads the revision row of the dirty version. When ferry
// or Atlas wrote it for a run that stopped part-way (applied < total, or an
// error) and its partial hashes match the file, the run was theirs, not
// golang-migrate's: any prefix was possible, and the row says which one
// ran. Unless the live schema contradicts it, that prefix of the up file is
// the only state left; the down case is ruled out.
func (dg *diagnosis) revisionEvidence(ctx context.Context, q revision.Querier) error {
	if dg.Version < 0 {
		return nil
	}
	store, ok, err := revisions(ctx, q, dg.url)
	if err != nil || !ok {
		return err
	}
	rows, err := store.Read(ctx, q)
	if err != nil {
		return err
	}
	var row *revision.Row
	for i, r := range rows {
		n, err := strconv.ParseUint(r.Version, 10, 64)
		if err == nil && int64(n) == dg.Version && r.Type&revision.TypeExecute != 0 && (r.Partial() || r.Error != "" || r.PartialHashes != nil) {
			row = &rows[i]
		}
	}
	if row == nil {
		return nil
	}
	var up *Candidate
	for _, c := range dg.Candidates {
		if c.Case == Up {
			up = c
		}
	}
	ev := &RevisionEvidence{Version: row.Version, Operator: row.OperatorVersion, Applied: row.Applied, Total: row.Total, Error: row.Error, ErrorStmt: row.ErrorStmt}
	dg.Revision = ev
	if up == nil {
		return nil
	}
	k := row.Applied
	hashes := sqlsplit.Hashes(up.stmts)
	ev.Matches = k <= len(hashes) && len(row.PartialHashes) >= k && slices.Equal(row.PartialHashes[:k], hashes[:k])
	who := row.OperatorVersion
	if who == "" {
		who = "a tool that runs files statement by statement"
	}
	if !ev.Matches {
		dg.Notes = append(dg.Notes, fmt.Sprintf("%s (revisions) records %d of %d statements of %s applied by %s, but its partial hashes do not match the file as it is now: the file changed since, so the row was not used", store, k, row.Total, up.File, who))
		return nil
	}
	if pc := evaluate(dg.cat, up, k, false); !pc.ok {
		dg.Notes = append(dg.Notes, fmt.Sprintf("%s (revisions) records %d of %d statements of %s applied by %s, but the live schema disagrees (%s): changed by hand since?", store, k, row.Total, up.File, who, strings.Join(pc.contradictions, "; ")))
		return nil
	}
	ev.Used = true
	why := fmt.Sprintf("the run that stopped was %s's, not golang-migrate's: %s records %d of %d statements applied, and its partial hashes match statements 1 to %d", who, store, k, row.Total, k)
	up.Semantics = fmt.Sprintf("%s ran this file statement by statement, recording each in %s: any prefix can have run, and the row says which", who, store)
	if !slices.Contains(up.Possible, k) {
		up.Possible = append(up.Possible, k)
		slices.Sort(up.Possible)
	}
	for _, c := range dg.Candidates {
		for _, j := range c.Possible {
			if c == up && j == k {
				continue
			}
			c.RuledOut[j] = append(c.RuledOut[j], why)
		}
		c.Consistent, c.Likely = nil, nil
	}
	up.Consistent = []int{k}
	if evaluate(dg.cat, up, k, true).ok {
		up.Likely = []int{k}
	}
	return nil
}
