package doctor

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// matchError rules out states that do not fit the error golang-migrate
// printed: when a statement of some candidate mentions an object the
// error names, the run failed at such a statement, so a candidate none of
// whose statements mention it is ruled out, and so is a prefix whose
// failing statement does not (where the engine tells which one failed), or
// that claims the file ran to the end.
func (dg *diagnosis) matchError() {
	names := errorNames(dg.opts.Error)
	if len(names) == 0 {
		return
	}
	mentions := func(c *Candidate, i int) bool {
		for _, m := range c.changes[i].Mentions {
			for _, n := range names {
				if strings.EqualFold(m, n) {
					return true
				}
			}
		}
		return false
	}
	// "X already exists" (or MySQL's "Duplicate ... 'X'"): the failing
	// statement creates X.
	existing := existsName(dg.opts.Error)
	creates := func(c *Candidate, i int) bool {
		for _, f := range c.changes[i].Effects {
			if f.Exists && !f.Maybe && strings.EqualFold(f.Ref.Name, existing) {
				return true
			}
		}
		return false
	}
	anyCreates := false
	named := map[*Candidate]bool{}
	for _, c := range dg.Candidates {
		for i := range c.changes {
			if mentions(c, i) {
				named[c] = true
			}
			if existing != "" && creates(c, i) {
				anyCreates = true
			}
		}
	}
	if len(named) == 0 {
		dg.Notes = append(dg.Notes, fmt.Sprintf("no statement of the candidate files mentions %s, named in the error: the error was not used", strings.Join(names, ", ")))
		return
	}
	for _, c := range dg.Candidates {
		var keep []int
		for _, k := range c.Possible {
			why := ""
			switch {
			case !named[c]:
				why = fmt.Sprintf("the error names %s, which no statement of %s mentions", strings.Join(names, ", "), c.File)
			case k == c.Total() && c.Total() > 0:
				why = "a statement failed with the error given, so the file did not run to the end"
			case c.sem == perStatement && !mentions(c, k):
				why = fmt.Sprintf("the error names %s, which statement %d (the one that would have failed) does not mention", strings.Join(names, ", "), k+1)
			case c.sem == perStatement && anyCreates && !creates(c, k):
				why = fmt.Sprintf("the error says %s already exists, and statement %d (the one that would have failed) does not create it", existing, k+1)
			}
			if why != "" {
				c.errorRuled[k] = true
				c.RuledOut[k] = append(c.RuledOut[k], why)
				continue
			}
			if slices.Contains(c.Consistent, k) {
				keep = append(keep, k)
			}
		}
		c.Consistent = keep
		var likely []int
		for _, k := range c.Likely {
			if slices.Contains(keep, k) {
				likely = append(likely, k)
			}
		}
		c.Likely = likely
	}
}

// existsName returns the object an "already exists" error names (PostgreSQL
// relation/column/constraint "X" ... already exists, MySQL Table 'X'
// already exists / Duplicate column name 'X' / Duplicate key name 'X',
// SQLite table X already exists / duplicate column name: X), or "".
func existsName(text string) string {
	if i := strings.Index(text, " in line "); i >= 0 {
		if j := strings.LastIndex(text, "(details: "); j > i {
			text = text[:i] + " " + text[j:]
		} else {
			text = text[:i]
		}
	}
	lower := strings.ToLower(text)
	if !strings.Contains(lower, "already exists") && !strings.Contains(lower, "duplicate column name") && !strings.Contains(lower, "duplicate key name") {
		return ""
	}
	names := errorNames(text)
	if len(names) == 0 {
		return ""
	}
	name := names[0]
	if k := strings.LastIndexByte(name, '.'); k >= 0 {
		name = name[k+1:]
	}
	return name
}

// sqliteNames find the unquoted names in SQLite's error messages.
var sqliteNames = regexp.MustCompile(`(?:no such (?:table|column|index|view|trigger)|duplicate column name): ([\w.]+)|(?:table|index|view|trigger) ([\w.]+) already exists`)

// errorNames extracts the object names of an error message. golang-migrate
// echoes the whole file in its error ("... in line N: SQL (details:
// ...)"); only the message and the details are read.
func errorNames(text string) []string {
	if i := strings.Index(text, " in line "); i >= 0 {
		details := ""
		if j := strings.LastIndex(text, "(details: "); j > i {
			details = text[j:]
		}
		text = text[:i] + " " + details
	}
	var out []string
	var add func(string)
	add = func(name string) {
		if name == "" || strings.ContainsAny(name, " ,;()") || slices.Contains(out, name) {
			return
		}
		out = append(out, name)
		if k := strings.LastIndexByte(name, '.'); k >= 0 {
			add(name[k+1:])
		}
	}
	for i := 0; i < len(text); i++ {
		q := text[i]
		if q != '"' && q != '`' && q != '\'' {
			continue
		}
		j := strings.IndexByte(text[i+1:], q)
		if j <= 0 {
			continue
		}
		add(text[i+1 : i+1+j])
		i += j + 1
	}
	for _, m := range sqliteNames.FindAllStringSubmatch(text, -1) {
		add(m[1])
		add(m[2])
	}
	return out
}

// identifier finds the words of a statement that could name an object.
var identifier = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_$]*`)

// mentionedBy adds the words of text, in lower case, to names.
func mentionedBy(text string, names map[string]bool) {
	for _, w := range identifier.FindAllString(text, -1) {
		names[strings.ToLower(w)] = true
	}
}
