// Package udiff renders unified diffs of lines, as diff -u does, with
// github.com/sergi/go-diff computing the edit.
package udiff

import (
	"fmt"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

type diffLine struct {
	op   diffmatchpatch.Operation
	text string
}

// Unified returns the unified diff of two lists of lines as diff -u writes
// it, labelled aName and bName, with context unchanged lines around each
// change; "" when they are equal. When section is not nil, a hunk that does
// not show the section line (the nearest earlier line for which section is
// true) of its first change names it after the range, as git names
// functions ("@@ -4,7 +4,7 @@ table users").
func Unified(aName, bName string, a, b []string, context int, section func(line string) bool) string {
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // exact, and the same on every run
	ra, rb, table := dmp.DiffLinesToRunes(join(a), join(b))
	var all []diffLine
	changed := false
	for _, d := range dmp.DiffCharsToLines(dmp.DiffMainRunes(ra, rb, false), table) {
		for l := range strings.SplitSeq(strings.TrimSuffix(d.Text, "\n"), "\n") {
			all = append(all, diffLine{d.Type, l})
		}
		changed = changed || d.Type != diffmatchpatch.DiffEqual
	}
	if !changed {
		return ""
	}
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", aName, bName)
	for i := 0; i < len(all); {
		if all[i].op == diffmatchpatch.DiffEqual {
			i++
			continue
		}
		// A hunk runs from context lines before the first change to
		// context lines after the last one; changes closer than 2*context
		// unchanged lines share a hunk.
		start, end := max(0, i-context), i
		for {
			for end < len(all) && all[end].op != diffmatchpatch.DiffEqual {
				end++
			}
			next := end
			for next < len(all) && all[next].op == diffmatchpatch.DiffEqual {
				next++
			}
			if next == len(all) || next-end > 2*context {
				end = min(len(all), end+context)
				break
			}
			end = next
		}
		writeHunk(&out, all, start, end, section)
		i = end
	}
	return out.String()
}

func writeHunk(out *strings.Builder, all []diffLine, start, end int, isSection func(string) bool) {
	aLine, bLine := 1, 1 // where the hunk starts in a and in b
	for _, l := range all[:start] {
		if l.op != diffmatchpatch.DiffInsert {
			aLine++
		}
		if l.op != diffmatchpatch.DiffDelete {
			bLine++
		}
	}
	// The section is the header of the object the first change is in,
	// unless the hunk shows that header itself.
	section := ""
	first := start
	for first < end && all[first].op == diffmatchpatch.DiffEqual {
		first++
	}
	for i := first; isSection != nil && i >= 0; i-- {
		if t := all[i].text; isSection(t) {
			if i < start {
				section = t
			}
			break
		}
	}
	var aN, bN int
	var body strings.Builder
	for _, l := range all[start:end] {
		switch l.op {
		case diffmatchpatch.DiffEqual:
			aN++
			bN++
			body.WriteString(" " + l.text + "\n")
		case diffmatchpatch.DiffDelete:
			aN++
			body.WriteString("-" + l.text + "\n")
		case diffmatchpatch.DiffInsert:
			bN++
			body.WriteString("+" + l.text + "\n")
		}
	}
	header := fmt.Sprintf("@@ -%s +%s @@", span(aLine, aN), span(bLine, bN))
	if section != "" {
		header += " " + section
	}
	out.WriteString(header + "\n" + body.String())
}

// span writes a hunk's range as diff -u does: "l,n", "l" for one line, and
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

func join(ls []string) string {
	if len(ls) == 0 {
		return ""
	}
	return strings.Join(ls, "\n") + "\n"
}
