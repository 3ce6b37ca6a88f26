// Package revision reads and writes the revisions table, one row per
// migration version, exactly as Atlas defines atlas_schema_revisions, so that
// a database converted by ferry can be handed to Atlas without re-running
// anything. See ../shared/formats/revisions.md.
package revision

import (
	"encoding/json"
	"time"
)

// TableName is the revisions table's name.
const TableName = "atlas_schema_revisions"

// DefaultSchema holds the table when the URL is not bound to a schema
// (PostgreSQL without search_path).
const DefaultSchema = "atlas_schema_revisions"

// Type is the revision type bit set Atlas uses.
type Type uint

// Revision types.
const (
	TypeBaseline Type = 1 << iota // a baseline: everything up to it is in place
	TypeExecute                   // executed by the tool
	TypeResolved                  // marked applied without executing (imported)
)

// Row is one row of the revisions table.
type Row struct {
	Version       string
	Description   string
	Type          Type
	Applied       int
	Total         int
	ExecutedAt    time.Time
	ExecutionTime time.Duration
	// Error and ErrorStmt are empty strings when the file ran fine.
	Error     string
	ErrorStmt string
	// Hash is the file's sum line without "h1:".
	Hash string
	// PartialHashes are the cumulative statement hashes ("h1:..." each)
	// while the file is partial; nil (JSON null) when complete.
	PartialHashes   []string
	OperatorVersion string
}

// Partial reports whether the row's file ran only in part.
func (r Row) Partial() bool { return r.Applied != r.Total }

// partialJSON returns the partial_hashes column value: a JSON array, or the
// JSON literal null.
func (r Row) partialJSON() string {
	if r.PartialHashes == nil {
		return "null"
	}
	b, _ := json.Marshal(r.PartialHashes)
	return string(b)
}

// Same reports whether two rows record the same history, ignoring when and
// by which tool they were written.
func Same(a, b Row) bool {
	if a.Version != b.Version || a.Description != b.Description || a.Type != b.Type ||
		a.Applied != b.Applied || a.Total != b.Total || a.Hash != b.Hash ||
		a.Error != b.Error || a.ErrorStmt != b.ErrorStmt || len(a.PartialHashes) != len(b.PartialHashes) {
		return false
	}
	for i := range a.PartialHashes {
		if a.PartialHashes[i] != b.PartialHashes[i] {
			return false
		}
	}
	return true
}
