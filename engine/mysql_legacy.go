package engine

type mysqlLegacy struct{ mysql }

func (mysql) legacy() LegacySQL { return mysqlLegacy{} }

func (e mysqlLegacy) Table(schema, name string) string { return e.quote(schema) + "." + e.quote(name) }

func (e mysqlLegacy) Create(schema, name string) []string {
	return []string{"CREATE TABLE IF NOT EXISTS " + e.Table(schema, name) + " (version bigint not null primary key, dirty boolean not null)"}
}

func (mysqlLegacy) run(map[string]string, bool) (FileRun, string) {
	return RunPerStatement, "MySQL/MariaDB run the statements one by one and commit DDL on its own: the statements before a failure stay applied"
}

func (mysqlLegacy) implicitBlocks() bool  { return false }
func (mysqlLegacy) currentSchema() string { return "" }

func (mysqlLegacy) Insert(table string) string {
	return "INSERT INTO " + table + " (version, dirty) VALUES (?, ?)"
}
