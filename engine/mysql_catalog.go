package engine

// mysqlUser keeps the user's databases.
const mysqlUser = `NOT IN ('mysql', 'sys', 'information_schema', 'performance_schema')`

func (mysql) catalog() Catalog {
	return Catalog{
		FoldCase:               true,
		Schemas:                true,
		ConstraintNames:        true,
		IndexesAreKeys:         true,
		ForeignKeysTakeIndexes: true,
		References:             ReferenceIndexPrefix,
		SchemasQuery:           `SELECT schema_name FROM information_schema.schemata`,
		CaseTablesQuery:        `SELECT @@lower_case_table_names`,
		CurrentSchemaQuery:     `SELECT DATABASE()`,
		ObjectsQueries: []string{
			`SELECT CASE table_type WHEN 'VIEW' THEN 'view' WHEN 'SEQUENCE' THEN 'sequence' ELSE 'table' END, table_schema, table_name FROM information_schema.tables WHERE table_schema ` + mysqlUser,
			`SELECT DISTINCT 'index', table_schema, index_name FROM information_schema.statistics WHERE table_schema ` + mysqlUser,
			`SELECT 'function', routine_schema, routine_name FROM information_schema.routines WHERE routine_schema ` + mysqlUser,
			`SELECT 'trigger', trigger_schema, trigger_name FROM information_schema.triggers WHERE trigger_schema ` + mysqlUser,
			`SELECT 'schema', '', schema_name FROM information_schema.schemata`,
		},
	}
}
