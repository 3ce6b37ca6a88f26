package engine

type postgresLegacy struct{ postgres }

func (postgres) legacy() LegacySQL { return postgresLegacy{} }

func (e postgresLegacy) Table(schema, name string) string {
	return e.quote(schema) + `.` + e.quote(name)
}

func (e postgresLegacy) Create(schema, name string) []string {
	return []string{`CREATE TABLE IF NOT EXISTS ` + e.Table(schema, name) + ` (version bigint not null primary key, dirty boolean not null)`}
}

func (postgresLegacy) Insert(table string) string {
	return `INSERT INTO ` + table + ` (version, dirty) VALUES ($1, $2)`
}
