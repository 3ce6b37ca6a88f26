package engine

import (
	"database/sql"
	"fmt"
	"strings"
)

func (postgres) name() string                          { return "PostgreSQL" }
func (postgres) currentDatabase() string               { return `SELECT current_database()` }
func (postgres) embedded() bool                        { return false }
func (postgres) quote(s string) string                 { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
func (postgres) placeholder(n int) string              { return fmt.Sprintf("$%d", n) }
func (postgres) commitsImplicitly(string) bool         { return false }
func (postgres) ddlCommits() bool                      { return false }
func (postgres) noTxRunsAlone() bool                   { return true }
func (postgres) readOnlyTx() bool                      { return true }
func (postgres) lockedTxIsolation() sql.IsolationLevel { return sql.LevelReadCommitted }
func (postgres) batchesBookkeeping() bool              { return false }
