// Package shellquote quotes arguments of the commands ferry prints, so
// that they can be pasted into a POSIX shell.
package shellquote

import "strings"

// Quote returns s unchanged when a POSIX shell reads it as one word as it
// is, and in single quotes otherwise; a single quote inside ends the
// quoting, is escaped with a backslash, and the quoting starts again.
func Quote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-:@=,+", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
