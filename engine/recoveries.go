package engine

import "time"

// RecoverySQL is the SQL of ferry_recoveries, the table ferry recover
// records its runs in, on one engine.
type RecoverySQL interface {
	// CreateTable creates the table if it does not exist.
	CreateTable() string
	// TimeValue is the bound value of recovered_at.
	TimeValue(t time.Time) any
}

// Recoveries returns d's SQL for ferry's audit table.
func (d Dialect) Recoveries() RecoverySQL { return d.engine().recoveries() }

type recoverySQL interface{ recoveries() RecoverySQL }
