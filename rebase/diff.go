package rebase

import (
	"fmt"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Diff returns the plan as a unified diff of the folder's file list (three
// lines of context), labelled with the folder's path; "" when nothing is
// renamed.
func (p *Plan) Diff() string {
	return unifiedDiff(p.Path+" (before)", p.Path+" (after)", p.Before, p.After, 3)
}

type line struct {
	op   diffmatchpatch.Operation
	text string
}

// unifiedDiff diffs two lists of lines.
func unifiedDiff(fromLabel, toLabel string, a, b []string, context int) string {
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // exact, and the same on every run
	ra, rb, lines := dmp.DiffLinesToRunes(joinLines(a), joinLines(b))
	diffs := dmp.DiffCharsToLines(dmp.DiffMainRunes(ra, rb, false), lines)
	var all []line
	changed := false
	for _, d := range diffs {
		for _, l := range strings.SplitAfter(d.Text, "\n") {
			if l != "" {
				all = append(all, line{d.Type, strings.TrimSuffix(l, "\n")})
				changed = changed || d.Type != diffmatchpatch.DiffEqual
			}
		}
	}
	if !changed {
		return ""
	}
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", fromLabel, toLabel)
	// Hunks: runs of changes with up to context equal lines around them;
	// changes closer than 2*context lines share a hunk.
	for i := 0; i < len(all); {
		if all[i].op == diffmatchpatch.DiffEqual {
			i++
			continue
		}
		start := max(0, i-context)
		end := i
		for end < len(all) {
			if all[end].op != diffmatchpatch.DiffEqual {
				end++
				continue
			}
			run := end
			for run < len(all) && all[run].op == diffmatchpatch.DiffEqual {
				run++
			}
			if run == len(all) || run-end > 2*context {
				end = min(len(all), end+context)
				break
			}
			end = run
		}
		writeHunk(&out, all, start, end)
		i = end
	}
	return out.String()
}

func writeHunk(out *strings.Builder, all []line, start, end int) {
	// Line numbers in the old and new lists where the hunk starts.
	oldLine, newLine := 1, 1
	for _, l := range all[:start] {
		if l.op != diffmatchpatch.DiffInsert {
			oldLine++
		}
		if l.op != diffmatchpatch.DiffDelete {
			newLine++
		}
	}
	var oldN, newN int
	var body strings.Builder
	for _, l := range all[start:end] {
		switch l.op {
		case diffmatchpatch.DiffEqual:
			oldN++
			newN++
			body.WriteString(" " + l.text + "\n")
		case diffmatchpatch.DiffDelete:
			oldN++
			body.WriteString("-" + l.text + "\n")
		case diffmatchpatch.DiffInsert:
			newN++
			body.WriteString("+" + l.text + "\n")
		}
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n%s", span(oldLine, oldN), span(newLine, newN), body.String())
}

// span writes a hunk range as diff -u does: "l,n", "l" for one line, and
// "l-1,0" for none.
func span(l, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", l-1)
	case 1:
		return fmt.Sprintf("%d", l)
	}
	return fmt.Sprintf("%d,%d", l, n)
}

func joinLines(ls []string) string {
	if len(ls) == 0 {
		return ""
	}
	return strings.Join(ls, "\n") + "\n"
}
