package doctor

import (
	"github.com/ferrymigrate/ferry/internal/ddl"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// Diagnosis is what Diagnose found.
type Diagnosis struct {
	Database string `json:"database"` // redacted URL
	Table    string `json:"legacy_table"`
	// Version and Dirty are golang-migrate's row (Version -1: no version).
	Version int64 `json:"version"`
	Dirty   bool  `json:"dirty"`
	// Candidates are the runs that can have left the row: the up of
	// Version and the down of the next version, where the files exist.
	Candidates []*Candidate `json:"candidates"`
	Verdict    Verdict      `json:"verdict"`
	// Replay is what the replay on the dev database showed; nil without
	// --dev-url.
	Replay *Replay `json:"replay,omitempty"`
	// Revision is the revision row ferry or Atlas wrote for a run of the
	// dirty version that stopped part-way; nil when there is none.
	Revision *RevisionEvidence `json:"revision,omitempty"`
	// Drift lists objects the earlier files create (or drop) that the live
	// schema does not agree with.
	Drift []string `json:"drift,omitempty"`
	Plans []*Plan  `json:"plans"`
	// Fingerprint identifies what the diagnosis saw (row, schema, files);
	// recover --expect refuses when it changed.
	Fingerprint string   `json:"fingerprint"`
	Notes       []string `json:"notes,omitempty"`
}

// Candidate is one run that can have left the row dirty.
type Candidate struct {
	Case    Case   `json:"case"`
	Version uint64 `json:"version"` // the file's version
	File    string `json:"file"`
	// Target is the version golang-migrate was moving to: the dirty one.
	Target int64 `json:"target"`
	// Semantics says how the engine ran the file, and Possible the applied
	// prefixes it can have left; Consistent those that agree with the
	// evidence.
	Semantics  string `json:"semantics"`
	Possible   []int  `json:"possible_prefixes"`
	Consistent []int  `json:"consistent_prefixes"`
	// Likely are the consistent prefixes that also agree when the objects
	// the file creates are assumed absent before it (no earlier file
	// created them, and nobody by hand).
	Likely     []int               `json:"likely_prefixes,omitempty"`
	Statements []StatementEvidence `json:"statements"`
	// Ruled out says why each possible prefix that disagrees was ruled out.
	RuledOut map[int][]string `json:"ruled_out,omitempty"`

	sem        semantics
	errorRuled map[int]bool
	hist       *sim           // what the files before the run leave behind
	badFK      map[int]string // statements declaring a foreign key the live schema cannot back
	history    []string       // how the live schema disagrees with hist
	body       []byte
	stmts      []sqlsplit.Statement
	changes    []ddl.Change
}

// Total is the number of statements of the file.
func (c *Candidate) Total() int { return len(c.stmts) }

// StatementEvidence is one statement of a candidate file and what the
// evidence says of it.
type StatementEvidence struct {
	Index    int      `json:"index"`
	Line     int      `json:"line"`
	Text     string   `json:"text"` // first line, shortened
	Does     string   `json:"does,omitempty"`
	Status   Status   `json:"status"`
	Evidence []string `json:"evidence,omitempty"`
}

// Verdict is the conclusion.
type Verdict struct {
	Case      Case      `json:"case,omitempty"`
	Version   uint64    `json:"file_version,omitempty"`
	File      string    `json:"file,omitempty"`
	Applied   int       `json:"applied"`
	Total     int       `json:"total"`
	Certainty Certainty `json:"certainty"`
	// Alternatives are the other (case, prefix) pairs that agree with the
	// evidence when the verdict is not proven.
	Alternatives []Alternative `json:"alternatives,omitempty"`
	Summary      string        `json:"summary"`
	// Clean is true when the row is not dirty: nothing to diagnose.
	Clean bool `json:"clean,omitempty"`
	// ReplayCanHelp is true when the verdict is not proven, no replay was
	// made, and one (--dev-url) could separate the states that agree: they
	// differ in a statement that changes the schema.
	ReplayCanHelp bool `json:"replay_can_help,omitempty"`
}

// Alternative is a (case, applied prefix) pair.
type Alternative struct {
	Case    Case   `json:"case"`
	File    string `json:"file"`
	Applied int    `json:"applied"`
	Total   int    `json:"total"`
}
