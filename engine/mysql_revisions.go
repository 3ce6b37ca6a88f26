package engine

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

type mysqlRevisions struct{ mysql }

func (mysql) revisions() RevisionSQL { return mysqlRevisions{} }

// Locate: the override; else the URL's database; else the session's. It
// reads the server's flavour, whose executed_at differs.
func (mysqlRevisions) Locate(ctx context.Context, q Querier, at RevisionsAt) (RevisionsPlace, error) {
	p := RevisionsPlace{Schema: at.Override}
	if p.Schema == "" {
		p.Schema = at.Database
	}
	var version string
	var current sql.NullString
	if err := q.QueryRowContext(ctx, `SELECT VERSION(), DATABASE()`).Scan(&version, &current); err != nil {
		return p, fmt.Errorf("read server version: %w", err)
	}
	p.MariaDB = strings.Contains(strings.ToLower(version), "mariadb")
	if p.Schema == "" {
		p.Schema = current.String
	}
	if p.Schema == "" {
		return p, ErrNoDatabaseName
	}
	return p, nil
}

func (e mysqlRevisions) Table(schema, name string) string {
	return e.quote(schema) + "." + e.quote(name)
}

func (mysqlRevisions) TableExists(schema, name string) (string, []any) {
	return `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?`, []any{schema, name}
}

func (mysqlRevisions) SchemaExists(schema string) (string, []any) {
	return `SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?`, []any{schema}
}

func (e mysqlRevisions) CreateSchema(schema string) string {
	return "CREATE DATABASE IF NOT EXISTS " + e.quote(schema)
}

// CreateTable: MariaDB's executed_at may be NULL, as Atlas defines it there.
func (e mysqlRevisions) CreateTable(schema, name string, p RevisionsPlace) []string {
	executedAt := "timestamp NOT NULL"
	if p.MariaDB {
		executedAt = "timestamp NULL DEFAULT NULL"
	}
	return []string{`CREATE TABLE ` + e.Table(schema, name) + ` (
  ` + "`version`" + ` varchar(255) NOT NULL,
  ` + "`description`" + ` varchar(255) NOT NULL,
  ` + "`type`" + ` bigint unsigned NOT NULL DEFAULT 2,
  ` + "`applied`" + ` bigint NOT NULL DEFAULT 0,
  ` + "`total`" + ` bigint NOT NULL DEFAULT 0,
  ` + "`executed_at`" + ` ` + executedAt + `,
  ` + "`execution_time`" + ` bigint NOT NULL,
  ` + "`error`" + ` longtext NULL,
  ` + "`error_stmt`" + ` longtext NULL,
  ` + "`hash`" + ` varchar(255) NOT NULL,
  ` + "`partial_hashes`" + ` json NULL,
  ` + "`operator_version`" + ` varchar(255) NOT NULL,
  PRIMARY KEY (` + "`version`" + `)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`}
}

// Timestamps travel as seconds since the epoch: independent of the
// session's time zone and of parseTime=true in the URL (the column has no
// fraction here).
func (mysqlRevisions) ReadTime(col string) string { return "UNIX_TIMESTAMP(" + col + ")" }
func (mysqlRevisions) WriteTime(ph string) string { return "FROM_UNIXTIME(" + ph + ")" }
func (mysqlRevisions) TimeValue(t time.Time) any  { return t.UTC().Unix() }

func (mysqlRevisions) OnConflict(_ string, cols []string) string {
	set := make([]string, len(cols))
	for i, c := range cols {
		set[i] = c + " = VALUES(" + c + ")"
	}
	return ` ON DUPLICATE KEY UPDATE ` + strings.Join(set, ", ")
}
