package engine

import (
	"context"
	"strings"
	"time"
)

type postgresRevisions struct{ postgres }

func (postgres) revisions() RevisionSQL { return postgresRevisions{} }

// Locate: the override; else the first schema of the URL's search_path;
// else the default schema. It asks the server nothing.
func (postgresRevisions) Locate(_ context.Context, _ Querier, at RevisionsAt) (RevisionsPlace, error) {
	p := RevisionsPlace{Schema: at.Override}
	if p.Schema == "" {
		p.Schema = firstSchema(at.SearchPath)
	}
	if p.Schema == "" {
		p.Schema = at.Default
	}
	return p, nil
}

// firstSchema returns the first real schema of a search_path value.
func firstSchema(searchPath string) string {
	for _, p := range strings.Split(searchPath, ",") {
		p = strings.TrimSpace(p)
		if p == "" || p == "$user" || p == `"$user"` {
			continue
		}
		if len(p) >= 2 && p[0] == '"' && p[len(p)-1] == '"' {
			return strings.ReplaceAll(p[1:len(p)-1], `""`, `"`)
		}
		return strings.ToLower(p)
	}
	return ""
}

func (e postgresRevisions) Table(schema, name string) string {
	return e.quote(schema) + "." + e.quote(name)
}

func (postgresRevisions) TableExists(schema, name string) (string, []any) {
	return `SELECT COUNT(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`, []any{schema, name}
}

func (postgresRevisions) SchemaExists(schema string) (string, []any) {
	return `SELECT COUNT(*) FROM pg_catalog.pg_namespace WHERE nspname = $1`, []any{schema}
}

func (e postgresRevisions) CreateSchema(schema string) string {
	return `CREATE SCHEMA IF NOT EXISTS ` + e.quote(schema)
}

func (e postgresRevisions) CreateTable(schema, name string, _ RevisionsPlace) []string {
	return []string{
		e.CreateSchema(schema),
		`CREATE TABLE ` + e.Table(schema, name) + ` (
  "version" character varying NOT NULL,
  "description" character varying NOT NULL,
  "type" bigint NOT NULL DEFAULT 2,
  "applied" bigint NOT NULL DEFAULT 0,
  "total" bigint NOT NULL DEFAULT 0,
  "executed_at" timestamptz NOT NULL,
  "execution_time" bigint NOT NULL,
  "error" text NULL,
  "error_stmt" text NULL,
  "hash" character varying NOT NULL,
  "partial_hashes" jsonb NULL,
  "operator_version" character varying NOT NULL,
  CONSTRAINT "atlas_schema_revisions_pkey" PRIMARY KEY ("version")
)`,
	}
}

func (postgresRevisions) ReadTime(col string) string { return col }
func (postgresRevisions) WriteTime(ph string) string { return ph }
func (postgresRevisions) TimeValue(t time.Time) any  { return t.UTC() }
func (postgresRevisions) OnConflict(key string, cols []string) string {
	return excludedConflict(key, cols)
}

// excludedConflict is the ON CONFLICT clause of PostgreSQL and SQLite.
func excludedConflict(key string, cols []string) string {
	set := make([]string, len(cols))
	for i, c := range cols {
		set[i] = c + " = excluded." + c
	}
	return ` ON CONFLICT (` + key + `) DO UPDATE SET ` + strings.Join(set, ", ")
}
