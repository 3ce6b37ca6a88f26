// Package gmlock takes golang-migrate's own locks, so that ferry and a
// still-deployed golang-migrate never change a database at the same time.
package gmlock

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/engine"
)

// ErrTimeout is a lock that stayed taken for the whole timeout.
var ErrTimeout = errors.New("timed out waiting for golang-migrate's lock")

// pollEvery is how often a taken lock is tried again.
const pollEvery = 100 * time.Millisecond

// AcquireTx takes every golang-migrate lock key of st inside tx, waiting up
// to timeout. PostgreSQL: transaction-level advisory locks (released by the
// commit or rollback, even if ferry dies). MySQL: GET_LOCK on the
// transaction's session; call Release after the transaction ends. SQLite:
// nothing (golang-migrate's SQLite lock lives inside its own process; the
// database's write lock serialises writers). A table-strategy key (pgx v4
// x-lock-strategy=table) is not taken: see docs/convert.md.
func AcquireTx(ctx context.Context, tx *sql.Tx, d engine.Dialect, keys []compat.LockKey, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for _, k := range keys {
		if strings.HasPrefix(k.Form, "lock_table") {
			continue
		}
		for {
			ok, err := try(ctx, tx, d, k.Key)
			if err != nil {
				return fmt.Errorf("take golang-migrate's lock %s: %w", k.Key, err)
			}
			if ok {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("lock %s (%s form): %w (%s); a golang-migrate run is probably in progress: wait for it, or raise --lock-timeout", k.Key, k.Form, ErrTimeout, timeout)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(pollEvery):
			}
		}
	}
	return nil
}

func try(ctx context.Context, tx *sql.Tx, d engine.Dialect, key string) (bool, error) {
	var ok sql.NullBool
	switch d {
	case engine.Postgres:
		err := tx.QueryRowContext(ctx, `SELECT pg_try_advisory_xact_lock($1::bigint)`, key).Scan(&ok)
		return ok.Bool, err
	case engine.MySQL:
		err := tx.QueryRowContext(ctx, `SELECT GET_LOCK(?, 0)`, key).Scan(&ok)
		return ok.Bool, err
	}
	return true, nil
}

// Release frees MySQL locks taken by AcquireTx on conn, the connection the
// transaction ran on. It does nothing on other engines.
func Release(ctx context.Context, conn *sql.Conn, d engine.Dialect, keys []compat.LockKey) error {
	if d != engine.MySQL {
		return nil
	}
	var errs []error
	for _, k := range keys {
		if _, err := conn.ExecContext(ctx, `SELECT RELEASE_LOCK(?)`, k.Key); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
