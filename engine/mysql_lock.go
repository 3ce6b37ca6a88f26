package engine

import (
	"context"
	"database/sql"
	"strconv"
)

// MySQL and MariaDB: GET_LOCK, which belongs to the session, also when
// taken inside a transaction.

func (mysql) numberKey(prefix string, n uint64) string {
	return prefix + "-" + strconv.FormatUint(n, 10)
}

func (mysql) trySessionLock(ctx context.Context, q Querier, key string) (bool, error) {
	var ok sql.NullBool
	err := q.QueryRowContext(ctx, `SELECT GET_LOCK(?, 0)`, key).Scan(&ok)
	return ok.Bool, err
}

func (mysql) unlockSession(ctx context.Context, q Querier, key string) error {
	_, err := q.ExecContext(ctx, `SELECT RELEASE_LOCK(?)`, key)
	return err
}

func (m mysql) tryTxLock(ctx context.Context, tx *sql.Tx, key string) (bool, error) {
	return m.trySessionLock(ctx, tx, key)
}

func (mysql) txLocksAreSessionLocks() bool { return true }
func (mysql) sharedLocks() bool            { return true }
