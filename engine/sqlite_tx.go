package engine

import (
	"database/sql"
	"strings"
)

// SQLite quotes identifiers with backquotes or double quotes; ferry writes
// backquotes, as Atlas does.
func (sqlite) name() string                          { return "SQLite" }
func (sqlite) currentDatabase() string               { return "" }
func (sqlite) embedded() bool                        { return true }
func (sqlite) quote(s string) string                 { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }
func (sqlite) placeholder(int) string                { return "?" }
func (sqlite) commitsImplicitly(string) bool         { return false }
func (sqlite) ddlCommits() bool                      { return false }
func (sqlite) noTxRunsAlone() bool                   { return false }
func (sqlite) readOnlyTx() bool                      { return false }
func (sqlite) lockedTxIsolation() sql.IsolationLevel { return sql.LevelDefault }
func (sqlite) batchesBookkeeping() bool              { return false }
