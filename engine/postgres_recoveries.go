package engine

import "time"

type postgresRecoveries struct{}

func (postgres) recoveries() RecoverySQL { return postgresRecoveries{} }

func (postgresRecoveries) CreateTable() string {
	return `CREATE TABLE IF NOT EXISTS ferry_recoveries (id bigserial PRIMARY KEY, recovered_at timestamptz NOT NULL, operator text NOT NULL, ferry_version text NOT NULL, database_url text NOT NULL, version bigint NOT NULL, failed_case text NOT NULL, file text NOT NULL, applied_before integer NOT NULL, total integer NOT NULL, certainty text NOT NULL, plan text NOT NULL, statements text NOT NULL, set_version bigint NOT NULL, fingerprint text NOT NULL)`
}

func (postgresRecoveries) TimeValue(t time.Time) any { return t }
