package inspect

import (
	"strings"

	"github.com/ferrymigrate/ferry/internal/udiff"
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
	return udiff.Unified(aName, bName, lines(a.String()), lines(b.String()), diffContext, isHeader)
}

// isHeader reports an object's first line ("table users"); its other lines
// are indented.
func isHeader(line string) bool { return line != "" && line[0] != ' ' }

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
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
