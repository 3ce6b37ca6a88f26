package inspect

import (
	"fmt"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// diffContext is the number of unchanged lines around each change.
const diffContext = 3

// Diff returns the unified diff (as diff -u writes it, three lines of
// context) from a's description to b's, labelled aName and bName; "" when
// they describe the same schema. A nil Schema diffs as an empty one. A hunk that does not show the header line
// of the object its first change is in names it after the range, as git
// names functions ("@@ -4,7 +4,7 @@ table users"), so that every change
// names its object. The text is plain; see Colorize.
func Diff(a, b *Schema, aName, bName string) string {
	return unifiedDiff(aName, bName, lines(a.String()), lines(b.String()))
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

type diffLine struct {
	op   diffmatchpatch.Operation
	text string
}

func unifiedDiff(aName, bName string, a, b []string) string {
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
		// A hunk runs from diffContext lines before the first change to
		// diffContext lines after the last one; changes closer than
		// 2*diffContext unchanged lines share a hunk.
		start, end := max(0, i-diffContext), i
		for {
			for end < len(all) && all[end].op != diffmatchpatch.DiffEqual {
				end++
			}
			next := end
			for next < len(all) && all[next].op == diffmatchpatch.DiffEqual {
				next++
			}
			if next == len(all) || next-end > 2*diffContext {
				end = min(len(all), end+diffContext)
				break
			}
			end = next
		}
		writeHunk(&out, all, start, end)
		i = end
	}
	return out.String()
}

func writeHunk(out *strings.Builder, all []diffLine, start, end int) {
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
	for i := first; i >= 0; i-- {
		if t := all[i].text; t != "" && t[0] != ' ' {
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

// ANSI colours of Colorize.
const (
	ansiBold  = "\x1b[1m"
	ansiRed   = "\x1b[31m"
	ansiGreen = "\x1b[32m"
	ansiCyan  = "\x1b[36m"
	ansiReset = "\x1b[0m"
)

// Colorize colours a diff from Diff for a terminal, as git does: file
// headers bold, hunk headers cyan, removed lines red, added lines green.
// Callers decide whether the output is a terminal.
func Colorize(diff string) string {
	var b strings.Builder
	for l := range strings.SplitAfterSeq(diff, "\n") {
		text := strings.TrimSuffix(l, "\n")
		nl := l[len(text):]
		colour := ""
		switch {
		case strings.HasPrefix(text, "--- "), strings.HasPrefix(text, "+++ "):
			colour = ansiBold
		case strings.HasPrefix(text, "@@"):
			colour = ansiCyan
		case strings.HasPrefix(text, "-"):
			colour = ansiRed
		case strings.HasPrefix(text, "+"):
			colour = ansiGreen
		}
		if colour == "" || text == "" {
			b.WriteString(l)
			continue
		}
		b.WriteString(colour + text + ansiReset + nl)
	}
	return b.String()
}
