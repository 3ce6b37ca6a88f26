// Package engine is ferry's engine layer: the one place that knows how the
// database engines ferry supports differ. Everything else asks a Dialect.
//
// ARCHITECTURE.md explains the layer and how to add an engine.
package engine

import (
	"fmt"
	"strings"
)

// Dialect is a family of database engines that share SQL and bookkeeping
// rules: the lexical rules of their SQL, their catalogs, their locks and
// what their transactions can hold.
type Dialect string

// Dialects ferry supports.
const (
	Postgres Dialect = "postgres"
	MySQL    Dialect = "mysql" // MySQL and MariaDB
	SQLite   Dialect = "sqlite"
)

// ParseDialect accepts the dialect names and URL schemes people use.
func ParseDialect(s string) (Dialect, error) {
	switch strings.ToLower(s) {
	case "postgres", "postgresql", "pg", "pgx", "pgx4", "pgx5":
		return Postgres, nil
	case "mysql", "mariadb":
		return MySQL, nil
	case "sqlite", "sqlite3":
		return SQLite, nil
	}
	return "", fmt.Errorf("unknown dialect %q: use postgres, mysql (also for MariaDB) or sqlite", s)
}
