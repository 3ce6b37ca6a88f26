package engine

import (
	"context"
	"database/sql"
	"strconv"
)

// PostgreSQL: advisory locks on a bigint key, for the session or the
// transaction.

func (postgres) numberKey(_ string, n uint64) string { return strconv.FormatUint(n, 10) }

func (postgres) trySessionLock(ctx context.Context, q Querier, key string) (bool, error) {
	var ok sql.NullBool
	err := q.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1::bigint)`, key).Scan(&ok)
	return ok.Bool, err
}

func (postgres) unlockSession(ctx context.Context, q Querier, key string) error {
	_, err := q.ExecContext(ctx, `SELECT pg_advisory_unlock($1::bigint)`, key)
	return err
}

func (postgres) tryTxLock(ctx context.Context, tx *sql.Tx, key string) (bool, error) {
	var ok sql.NullBool
	err := tx.QueryRowContext(ctx, `SELECT pg_try_advisory_xact_lock($1::bigint)`, key).Scan(&ok)
	return ok.Bool, err
}

func (postgres) txLocksAreSessionLocks() bool { return false }
func (postgres) sharedLocks() bool            { return true }
