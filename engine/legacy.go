package engine

// LegacySQL is the SQL of golang-migrate's schema_migrations table on one
// engine, exactly as golang-migrate's driver writes it.
type LegacySQL interface {
	// Table is the qualified, quoted name of the table.
	Table(schema, name string) string
	// Create returns the statements that create the table if it does not
	// exist.
	Create(schema, name string) []string
	// Insert writes the row (version, dirty) into table, a name Table
	// returned.
	Insert(table string) string
}

// Legacy returns d's SQL for golang-migrate's table, or nil for an
// unknown dialect.
func (d Dialect) Legacy() LegacySQL {
	e := d.engine()
	if e == nil {
		return nil
	}
	return e.legacy()
}

type legacySQL interface{ legacy() LegacySQL }
