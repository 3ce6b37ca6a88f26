// Package shellquote quotes arguments of the commands ferry prints, so
// that they can be pasted into a POSIX shell. Every command ferry prints
// (library refusals, doctor's plans, the CLI's next: lines) is built with
// Command, so that one quoting rule holds everywhere.
package shellquote

import (
	"fmt"
	"strings"
)

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

// Command joins words into one command line, each word quoted.
func Command(words ...string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = Quote(w)
	}
	return strings.Join(q, " ")
}

// Split reads line as a POSIX shell reads the words of a simple command:
// blanks separate words; single quotes keep everything up to the next
// single quote; double quotes keep everything but a backslash before $, `,
// ", \ or a newline; a backslash outside quotes keeps the next character.
// Expansions ($VAR, globs) are not performed: a line that needs them is an
// error, as is an unterminated quote.
func Split(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words, inWord = append(words, cur.String()), false
				cur.Reset()
			}
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unterminated single quote at byte %d of %q", i, line)
			}
			cur.WriteString(line[i+1 : i+1+j])
			i, inWord = i+1+j, true
		case c == '"':
			i++
			for ; i < len(line) && line[i] != '"'; i++ {
				switch {
				case line[i] == '\\' && i+1 < len(line) && strings.IndexByte("$`\"\\\n", line[i+1]) >= 0:
					i++
					cur.WriteByte(line[i])
				case line[i] == '$' || line[i] == '`':
					return nil, fmt.Errorf("expansion at byte %d of %q", i, line)
				default:
					cur.WriteByte(line[i])
				}
			}
			if i == len(line) {
				return nil, fmt.Errorf("unterminated double quote in %q", line)
			}
			inWord = true
		case c == '\\':
			if i+1 == len(line) {
				return nil, fmt.Errorf("backslash at the end of %q", line)
			}
			i++
			cur.WriteByte(line[i])
			inWord = true
		case strings.IndexByte("$`*?[]{}|&;<>()#~!", c) >= 0 && !(c == '#' && inWord) && !(c == '~' && inWord):
			return nil, fmt.Errorf("%q at byte %d of %q needs quoting", c, i, line)
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
