package engine

import "time"

type mysqlRecoveries struct{}

func (mysql) recoveries() RecoverySQL { return mysqlRecoveries{} }

func (mysqlRecoveries) CreateTable() string {
	return "CREATE TABLE IF NOT EXISTS ferry_recoveries (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, recovered_at datetime(6) NOT NULL, operator varchar(255) NOT NULL, ferry_version varchar(255) NOT NULL, database_url text NOT NULL, version bigint NOT NULL, failed_case varchar(8) NOT NULL, file varchar(1024) NOT NULL, applied_before int NOT NULL, total int NOT NULL, certainty varchar(16) NOT NULL, plan varchar(16) NOT NULL, statements longtext NOT NULL, set_version bigint NOT NULL, fingerprint varchar(64) NOT NULL)"
}

func (mysqlRecoveries) TimeValue(t time.Time) any { return t }
