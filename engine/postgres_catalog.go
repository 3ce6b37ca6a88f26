package engine

// pgUser keeps the user's schemas.
const pgUser = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'`

func (postgres) catalog() Catalog {
	return Catalog{
		Schemas:            true,
		Extensions:         true,
		ConstraintNames:    true,
		ConstraintIndexes:  true,
		PartialIndexes:     true,
		References:         ReferenceUniqueSet,
		SchemasQuery:       `SELECT nspname FROM pg_catalog.pg_namespace`,
		CurrentSchemaQuery: `SELECT COALESCE(current_schema(), '')`,
		ObjectsQueries: []string{
			`SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'I' THEN 'index' WHEN 'S' THEN 'sequence' ELSE 'table' END, n.nspname, c.relname
			 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm', 'i', 'I', 'S') AND ` + pgUser,
			`SELECT 'function', n.nspname, p.proname FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE ` + pgUser,
			`SELECT 'type', n.nspname, t.typname FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE ` + pgUser,
			`SELECT 'trigger', n.nspname, t.tgname FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal`,
			`SELECT 'schema', '', nspname FROM pg_catalog.pg_namespace`,
			`SELECT 'extension', '', extname FROM pg_catalog.pg_extension`,
		},
	}
}
