package engine

import (
	"context"
	"fmt"
	"time"
)

type sqliteRevisions struct{ sqlite }

func (sqlite) revisions() RevisionSQL { return sqliteRevisions{} }

// Locate: SQLite keeps the table in main.
func (sqliteRevisions) Locate(_ context.Context, _ Querier, at RevisionsAt) (RevisionsPlace, error) {
	if at.Override != "" && at.Override != "main" {
		return RevisionsPlace{}, fmt.Errorf("--revisions-schema %s: SQLite keeps the revisions table in main", at.Override)
	}
	return RevisionsPlace{}, nil
}

func (e sqliteRevisions) Table(_, name string) string { return e.quote(name) }

func (sqliteRevisions) TableExists(_, name string) (string, []any) {
	return `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, []any{name}
}

func (sqliteRevisions) SchemaExists(string) (string, []any) { return "", nil }
func (sqliteRevisions) CreateSchema(string) string          { return "" }

func (sqliteRevisions) CreateTable(_, name string, _ RevisionsPlace) []string {
	return []string{"CREATE TABLE `" + name + "` (`version` text NOT NULL, `description` text NOT NULL, `type` integer NOT NULL DEFAULT (2), `applied` integer NOT NULL DEFAULT (0), `total` integer NOT NULL DEFAULT (0), `executed_at` datetime NOT NULL, `execution_time` integer NOT NULL, `error` text NULL, `error_stmt` text NULL, `hash` text NOT NULL, `partial_hashes` json NULL, `operator_version` text NOT NULL, PRIMARY KEY (`version`))"}
}

func (sqliteRevisions) ReadTime(col string) string { return col }
func (sqliteRevisions) WriteTime(ph string) string { return ph }

// TimeValue is text, with the zone, as Atlas stores it.
func (sqliteRevisions) TimeValue(t time.Time) any {
	return t.UTC().Format("2006-01-02 15:04:05.999999999-07:00")
}

func (sqliteRevisions) OnConflict(key string, cols []string) string {
	return excludedConflict(key, cols)
}
