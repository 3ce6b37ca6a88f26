package rebase

import "github.com/ferrymigrate/ferry/internal/udiff"

// Diff returns the plan as a unified diff of the folder's file list (three
// lines of context), labelled with the folder's path; "" when nothing is
// renamed.
func (p *Plan) Diff() string {
	return udiff.Unified(p.Path+" (before)", p.Path+" (after)", p.Before, p.After, 3, nil)
}
