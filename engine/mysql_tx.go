package engine

import (
	"database/sql"
	"strings"
)

func (mysql) name() string             { return "MySQL/MariaDB" }
func (mysql) currentDatabase() string  { return "" }
func (mysql) embedded() bool           { return false }
func (mysql) quote(s string) string    { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }
func (mysql) placeholder(int) string   { return "?" }
func (mysql) ddlCommits() bool         { return true }
func (mysql) noTxRunsAlone() bool      { return false }
func (mysql) readOnlyTx() bool         { return true }
func (mysql) batchesBookkeeping() bool { return true }

// The lock is taken for the session before the transaction begins.
func (mysql) lockedTxIsolation() sql.IsolationLevel { return sql.LevelDefault }

// commitsImplicitly recognises DDL by its first word.
func (mysql) commitsImplicitly(text string) bool {
	first, _, _ := strings.Cut(strings.TrimSpace(text), " ")
	switch strings.ToUpper(strings.TrimSpace(first)) {
	case "CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE":
		return true
	}
	return false
}
