// Package finding defines the findings that ferry reports about a migration
// project or a database: a stable code, a severity and where it was found.
//
// Codes are stable and never reused for another meaning; they are listed with
// examples and fixes in docs/findings.md.
package finding

import (
	"cmp"
	"slices"
)

// Severity says how much a finding matters.
type Severity string

// Severities, from most to least serious.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// Finding is one thing ferry noticed. File and Version are empty when the
// finding is not about one file (a database state, say).
type Finding struct {
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	File     string   `json:"file,omitempty"`
	Line     int      `json:"line,omitempty"`
	Version  string   `json:"version,omitempty"`
}

// HasErrors reports whether any finding has severity Error.
func HasErrors(fs []Finding) bool {
	return slices.ContainsFunc(fs, func(f Finding) bool { return f.Severity == Error })
}

// Sort orders findings by code, then file, then line, so that output is
// deterministic.
func Sort(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Code, b.Code), cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
}
