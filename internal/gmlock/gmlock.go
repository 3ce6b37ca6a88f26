// Package gmlock takes golang-migrate's own locks, so that ferry and a
// still-deployed golang-migrate never change a database at the same time.
// How a key is taken on each engine, and how a taken key is waited for, is
// engine.Locker's; this package knows which keys golang-migrate uses.
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

// Keys returns the keys of st that a lock function takes: a table-strategy
// key (pgx v4 x-lock-strategy=table) is not taken, see docs/convert.md.
func Keys(keys []compat.LockKey) []string {
	var out []string
	for _, k := range keys {
		if !strings.HasPrefix(k.Form, "lock_table") {
			out = append(out, k.Key)
		}
	}
	return out
}

// AcquireTx takes every golang-migrate lock key of st inside tx, waiting up
// to timeout. PostgreSQL: transaction-level advisory locks (released by the
// commit or rollback, even if ferry dies). MySQL: GET_LOCK on the
// transaction's session; call Release after the transaction ends. SQLite:
// nothing (golang-migrate's SQLite lock lives inside its own process; the
// database's write lock serialises writers).
func AcquireTx(ctx context.Context, tx *sql.Tx, d engine.Dialect, keys []compat.LockKey, timeout time.Duration) error {
	return explain(d.Locker(engine.LockPolicy{Timeout: timeout}).Tx(ctx, tx, Keys(keys)), keys)
}

// lockBeforeTx and lockInTx take golang-migrate's keys for a transaction that
// re-reads the state it planned from (see engine.Locker.BeforeTx): on
// MySQL for the session of conn before the transaction begins, elsewhere
// inside it. Call the release lockBeforeTx returns once the transaction
// ended.
func lockBeforeTx(ctx context.Context, conn *sql.Conn, d engine.Dialect, keys []compat.LockKey, timeout time.Duration) (release func(context.Context) error, err error) {
	release, err = d.Locker(engine.LockPolicy{Timeout: timeout}).BeforeTx(ctx, conn, Keys(keys))
	return release, explain(err, keys)
}

// lockInTx: see lockBeforeTx.
func lockInTx(ctx context.Context, tx *sql.Tx, d engine.Dialect, keys []compat.LockKey, timeout time.Duration) error {
	return explain(d.Locker(engine.LockPolicy{Timeout: timeout}).InTx(ctx, tx, Keys(keys)), keys)
}

// BeginLocked begins a transaction on conn that holds golang-migrate's
// keys, waiting up to timeout (lockBeforeTx, then lockInTx), with the isolation
// that sees what committed while it waited (engine.Dialect.LockedTxOptions),
// so that the caller can re-read the state it planned from. first, when
// not nil, runs once the session holds the keys (MySQL) and before the
// transaction begins: the place for statements that commit on their own.
// On success the caller defers End; on an error nothing is left taken.
func BeginLocked(ctx context.Context, conn *sql.Conn, d engine.Dialect, keys []compat.LockKey, timeout time.Duration, first func(context.Context) error) (tx *sql.Tx, release func(context.Context) error, err error) {
	held, err := lockBeforeTx(ctx, conn, d, keys, timeout)
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			_ = held(context.WithoutCancel(ctx)) // err says what went wrong first
		}
	}()
	if first != nil {
		if err := first(ctx); err != nil {
			return nil, nil, err
		}
	}
	tx, err = conn.BeginTx(ctx, d.LockedTxOptions())
	if err != nil {
		return nil, nil, fmt.Errorf("begin transaction: %w", err)
	}
	if err := lockInTx(ctx, tx, d, keys, timeout); err != nil {
		_ = tx.Rollback()
		return nil, nil, err
	}
	return tx, held, nil
}

// End is deferred after BeginLocked with the caller's transaction (it may
// have begun another one since) and its named error: it rolls *tx back
// when *err is set, then releases the keys; a failed release becomes *err
// when nothing else failed.
func End(ctx context.Context, tx **sql.Tx, release func(context.Context) error, err *error) {
	if *err != nil && *tx != nil {
		_ = (*tx).Rollback()
	}
	if rerr := release(context.WithoutCancel(ctx)); rerr != nil && *err == nil {
		*err = fmt.Errorf("release golang-migrate's lock: %w", rerr)
	}
}

// explain words a lock failure for the person on call.
func explain(err error, keys []compat.LockKey) error {
	var te *engine.LockTimeoutError
	var ke *engine.KeyError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &te):
		form := ""
		for _, k := range keys {
			if k.Key == te.Key {
				form = k.Form
			}
		}
		return fmt.Errorf("lock %s (%s form): %w (%s); a golang-migrate run is probably in progress: wait for it, or raise --lock-timeout", te.Key, form, ErrTimeout, te.Timeout)
	case errors.As(err, &ke):
		return fmt.Errorf("take golang-migrate's lock %s: %w", ke.Key, ke.Err)
	}
	return err
}

// Release frees MySQL locks taken by AcquireTx on conn, the connection the
// transaction ran on. It does nothing on other engines.
func Release(ctx context.Context, conn *sql.Conn, d engine.Dialect, keys []compat.LockKey) error {
	return d.Locker(engine.LockPolicy{}).ReleaseTx(ctx, conn, Keys(keys))
}
