package lint

import (
	"strings"

	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// nolint is what "-- ferry:nolint" (or Atlas's "-- atlas:nolint")
// directives suppress.
type nolint struct {
	all   bool            // a directive without arguments: every code
	codes map[string]bool // codes and Atlas analyzer names, upper case
}

// analyzers maps Atlas's analyzer names, which atlas:nolint also accepts,
// to the code prefix of their checks.
var analyzers = map[string]string{
	"DESTRUCTIVE":  "DS",
	"DATA_DEPEND":  "MF",
	"INCOMPATIBLE": "BC",
	"CONDROP":      "CD",
}

// suppresses reports whether n suppresses code.
func (n nolint) suppresses(code string) bool {
	if n.all || n.codes[code] {
		return true
	}
	for name, prefix := range analyzers {
		if n.codes[name] && strings.HasPrefix(code, prefix) {
			return true
		}
	}
	return false
}

// add reads the directive in one comment, if it holds one.
func (n *nolint) add(comment string) {
	args, ok := directiveArgs(comment)
	if !ok {
		return
	}
	if len(args) == 0 {
		n.all = true
		return
	}
	if n.codes == nil {
		n.codes = map[string]bool{}
	}
	for _, a := range args {
		n.codes[strings.ToUpper(a)] = true
	}
}

// directiveArgs returns the arguments of a nolint directive in comment (a
// comment with its markers: "-- ferry:nolint DS103", "/* atlas:nolint */").
// The arguments end at the end of the comment's first line; they are split
// at white space and commas.
func directiveArgs(comment string) ([]string, bool) {
	var body string
	switch {
	case strings.HasPrefix(comment, "--"):
		body = comment[2:]
	case strings.HasPrefix(comment, "#"):
		body = comment[1:]
	case strings.HasPrefix(comment, "/*"):
		body = strings.TrimSuffix(comment[2:], "*/")
	default:
		return nil, false
	}
	body, _, _ = strings.Cut(body, "\n")
	body = strings.TrimSpace(body)
	for _, prefix := range [...]string{"ferry:nolint", "atlas:nolint"} {
		if r, ok := strings.CutPrefix(body, prefix); ok && (r == "" || r[0] == ' ' || r[0] == '\t') {
			return strings.FieldsFunc(r, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' }), true
		}
	}
	return nil, false
}

// leadingComments returns the comments in gap, the text between the end of
// the previous statement (or the start of the file) and a statement. A gap
// that follows a statement begins with the rest of that statement's line:
// a comment there ("DROP TABLE a; -- ferry:nolint") trails the previous
// statement and is not returned.
func leadingComments(d engine.Dialect, gap string, afterStatement bool) []string {
	if afterStatement {
		if i := strings.IndexByte(gap, '\n'); i >= 0 {
			gap = gap[i+1:]
		}
	}
	return sqlsplit.Comments(d, gap)
}

// fileComments returns the comment lines at the top of a file when a blank
// line separates them from the rest, as Atlas reads file directives: such
// a comment is about the whole file, not its first statement.
func fileComments(d engine.Dialect, src string) []string {
	var out []string
	rest := src
	for sqlsplit.StartsWithLineComment(d, rest) {
		line, after, found := strings.Cut(rest, "\n")
		out = append(out, strings.TrimSpace(line))
		if !found {
			return out // a file of comments only
		}
		rest = after
	}
	if rest != "" && !strings.HasPrefix(strings.TrimLeft(rest, " \t\r"), "\n") {
		return nil
	}
	return out
}
