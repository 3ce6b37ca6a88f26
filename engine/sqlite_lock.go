package engine

import (
	"context"
	"database/sql"
	"strconv"
)

// SQLite has no lock another process can see: golang-migrate's lives inside
// its own process, and the database's write lock serialises writers.
// Session locks are file locks (Locker.File).

func (sqlite) numberKey(_ string, n uint64) string { return strconv.FormatUint(n, 10) }

func (sqlite) trySessionLock(context.Context, Querier, string) (bool, error) { return true, nil }
func (sqlite) unlockSession(context.Context, Querier, string) error          { return nil }
func (sqlite) tryTxLock(context.Context, *sql.Tx, string) (bool, error)      { return true, nil }
func (sqlite) txLocksAreSessionLocks() bool                                  { return false }
func (sqlite) sharedLocks() bool                                             { return false }
