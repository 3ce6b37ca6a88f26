package engine

// LegacySQL is the SQL of golang-migrate's schema_migrations table on one
// engine, exactly as golang-migrate's driver writes it.
type LegacySQL interface {
	legacyRun
	// Table is the qualified, quoted name of the table.
	Table(schema, name string) string
	// Create returns the statements that create the table if it does not
	// exist.
	Create(schema, name string) []string
	// Insert writes the row (version, dirty) into table, a name Table
	// returned.
	Insert(table string) string
}

// Legacy returns d's SQL for golang-migrate's table.
func (d Dialect) Legacy() LegacySQL { return d.engine().legacy() }

type legacySQL interface{ legacy() LegacySQL }

// FileRun is how golang-migrate's driver runs one migration file.
type FileRun int

const (
	// RunWholeFile: in one transaction, all of it or nothing.
	RunWholeFile FileRun = iota
	// RunCommitBlocks: as one query in an implicit transaction block that
	// the file's own BEGIN makes explicit and its COMMIT ends, the rest
	// starting a new block (PostgreSQL): what each COMMIT covered stays.
	RunCommitBlocks
	// RunPerStatement: statement by statement, each committing on its own.
	RunPerStatement
)

// GolangMigrateRun says how golang-migrate's driver for d runs a file,
// given the URL's options and whether the file has its own BEGIN/COMMIT,
// and explains it for people.
func (d Dialect) GolangMigrateRun(options map[string]string, txControl bool) (FileRun, string) {
	return d.engine().legacy().run(options, txControl)
}

// ImplicitBlocks reports whether golang-migrate's driver for d sends a
// wrapped file as one query in an implicit block (see RunCommitBlocks),
// whose BEGIN makes the block explicit and whose COMMIT starts a new one.
func (d Dialect) ImplicitBlocks() bool { return d.engine().legacy().implicitBlocks() }

// CurrentSchemaQuery names the schema golang-migrate puts its table in
// (NULL when there is none); empty where the table goes in the URL's
// database (MySQL) or main (SQLite).
func (d Dialect) CurrentSchemaQuery() string { return d.engine().legacy().currentSchema() }

// legacyRun is what each engine's LegacySQL also knows.
type legacyRun interface {
	run(options map[string]string, txControl bool) (FileRun, string)
	implicitBlocks() bool
	currentSchema() string
}
