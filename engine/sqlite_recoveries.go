package engine

import "time"

type sqliteRecoveries struct{}

func (sqlite) recoveries() RecoverySQL { return sqliteRecoveries{} }

func (sqliteRecoveries) CreateTable() string {
	return `CREATE TABLE IF NOT EXISTS ferry_recoveries (id integer PRIMARY KEY AUTOINCREMENT, recovered_at text NOT NULL, operator text NOT NULL, ferry_version text NOT NULL, database_url text NOT NULL, version integer NOT NULL, failed_case text NOT NULL, file text NOT NULL, applied_before integer NOT NULL, total integer NOT NULL, certainty text NOT NULL, plan text NOT NULL, statements text NOT NULL, set_version integer NOT NULL, fingerprint text NOT NULL)`
}

func (sqliteRecoveries) TimeValue(t time.Time) any { return t.Format(time.RFC3339Nano) }
