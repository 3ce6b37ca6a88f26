package engine

type postgresLegacy struct{ postgres }

func (postgres) legacy() LegacySQL { return postgresLegacy{} }

func (e postgresLegacy) Table(schema, name string) string {
	return e.quote(schema) + `.` + e.quote(name)
}

func (e postgresLegacy) Create(schema, name string) []string {
	return []string{`CREATE TABLE IF NOT EXISTS ` + e.Table(schema, name) + ` (version bigint not null primary key, dirty boolean not null)`}
}

func (postgresLegacy) run(options map[string]string, txControl bool) (FileRun, string) {
	switch {
	case options["x-multi-statement"] == "true":
		return RunPerStatement, "PostgreSQL with x-multi-statement: each statement commits on its own, so any prefix can have run"
	case txControl:
		return RunCommitBlocks, "PostgreSQL runs the file as one query; its own BEGIN/COMMIT make what each COMMIT covered permanent, the rest rolls back"
	}
	return RunWholeFile, "PostgreSQL runs the file as one query in one implicit transaction: all of it or nothing"
}

func (postgresLegacy) implicitBlocks() bool  { return true }
func (postgresLegacy) currentSchema() string { return `SELECT current_schema()` }

func (postgresLegacy) Insert(table string) string {
	return `INSERT INTO ` + table + ` (version, dirty) VALUES ($1, $2)`
}
