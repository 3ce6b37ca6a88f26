package engine

import "strings"

type sqliteLegacy struct{ sqlite }

func (sqlite) legacy() LegacySQL { return sqliteLegacy{} }

// Table: golang-migrate's SQLite driver quotes with double quotes and
// ignores schemas.
func (sqliteLegacy) Table(_, name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

func (e sqliteLegacy) Create(schema, name string) []string {
	t := e.Table(schema, name)
	return []string{
		`CREATE TABLE IF NOT EXISTS ` + t + ` (version uint64,dirty bool)`,
		`CREATE UNIQUE INDEX IF NOT EXISTS version_unique ON ` + t + ` (version)`,
	}
}

func (sqliteLegacy) run(options map[string]string, _ bool) (FileRun, string) {
	if options["x-no-tx-wrap"] == "true" {
		return RunPerStatement, "SQLite with x-no-tx-wrap: the statements before a failure stay applied"
	}
	return RunWholeFile, "golang-migrate wraps the file in a transaction on SQLite: all of it or nothing"
}

func (sqliteLegacy) implicitBlocks() bool  { return false }
func (sqliteLegacy) currentSchema() string { return "" }

func (sqliteLegacy) Insert(table string) string {
	return `INSERT INTO ` + table + ` (version, dirty) VALUES (?, ?)`
}
