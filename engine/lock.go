package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// ErrLockTimeout is a lock that stayed taken for the whole timeout.
var ErrLockTimeout = errors.New("timed out waiting for a lock")

// LockTimeoutError names the key still taken when the timeout passed. It
// wraps ErrLockTimeout.
type LockTimeoutError struct {
	Key     string
	Timeout time.Duration
}

func (e *LockTimeoutError) Error() string {
	return fmt.Sprintf("lock %s still taken after %s", e.Key, e.Timeout)
}

func (e *LockTimeoutError) Unwrap() error { return ErrLockTimeout }

// KeyError is the server's failure to take or check a lock key.
type KeyError struct {
	Key string
	Err error
}

func (e *KeyError) Error() string { return fmt.Sprintf("lock %s: %v", e.Key, e.Err) }
func (e *KeyError) Unwrap() error { return e.Err }

// DefaultPoll is how often a taken lock is tried again.
const DefaultPoll = 50 * time.Millisecond

// LockPolicy is how long a Locker waits for a taken lock and how often it
// tries again.
type LockPolicy struct {
	Timeout time.Duration
	Poll    time.Duration // DefaultPoll when zero
	// Waiting, if set, is called once, the first time a lock is found
	// taken.
	Waiting func()
}

// Locker takes locks on one engine: session locks on a dedicated
// *sql.Conn, transaction locks inside a *sql.Tx, and, for engines without
// locks other processes can see (SQLite), a file lock next to the
// database. Every wait follows one LockPolicy. A Locker is not safe for
// concurrent use.
type Locker struct {
	e       lockSQL
	p       LockPolicy
	started time.Time
	waited  bool
}

// Locker returns a Locker for d. The timeout of p counts from the first
// lock the Locker waits for.
func (d Dialect) Locker(p LockPolicy) *Locker {
	if p.Poll <= 0 {
		p.Poll = DefaultPoll
	}
	return &Locker{e: d.engine(), p: p}
}

// NumberKey is the lock key of number n: the number itself where keys are
// numbers (PostgreSQL's advisory locks), prefix-n where they are names
// (MySQL's GET_LOCK).
func (d Dialect) NumberKey(prefix string, n uint64) string { return d.engine().numberKey(prefix, n) }

// lockSQL is how one engine takes and frees a lock key.
type lockSQL interface {
	numberKey(prefix string, n uint64) string
	// trySessionLock takes key for the session of q without waiting.
	trySessionLock(ctx context.Context, q Querier, key string) (bool, error)
	// unlockSession frees a key trySessionLock took.
	unlockSession(ctx context.Context, q Querier, key string) error
	// tryTxLock takes key inside tx without waiting; engines without
	// transaction-scoped locks take it for the session.
	tryTxLock(ctx context.Context, tx *sql.Tx, key string) (bool, error)
	// txLocksAreSessionLocks reports that keys taken by tryTxLock outlive
	// the transaction and must be freed with unlockSession (MySQL's
	// GET_LOCK belongs to the session).
	txLocksAreSessionLocks() bool
	// sharedLocks reports that the engine has locks other processes can
	// see; without them (SQLite) a session lock is a file lock.
	sharedLocks() bool
}

// wait runs try until it succeeds, the policy's timeout passes or ctx ends.
func (l *Locker) wait(ctx context.Context, key string, try func() (bool, error)) error {
	if l.started.IsZero() {
		l.started = time.Now()
	}
	deadline := l.started.Add(l.p.Timeout)
	for {
		ok, err := try()
		if err != nil {
			return &KeyError{Key: key, Err: err}
		}
		if ok {
			return nil
		}
		if !l.waited {
			l.waited = true
			if l.p.Waiting != nil {
				l.p.Waiting()
			}
		}
		if time.Now().After(deadline) {
			return &LockTimeoutError{Key: key, Timeout: l.p.Timeout}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(l.p.Poll):
		}
	}
}

// SessionLocks reports whether Session takes keys on the server; when it
// does not (SQLite), callers lock with File instead.
func (l *Locker) SessionLocks() bool { return l.e.sharedLocks() }

// Session takes keys in order for the session of conn and returns the
// function that frees them (errors freeing are ignored: the session's end
// frees them too). On failure nothing stays taken. A *LockTimeoutError
// names the key that stayed taken; other errors are the server's. It takes
// nothing on engines without shared locks (see SessionLocks).
func (l *Locker) Session(ctx context.Context, conn *sql.Conn, keys []string) (release func(), err error) {
	var taken []string
	release = func() {
		bg := context.WithoutCancel(ctx)
		for _, k := range taken {
			_ = l.e.unlockSession(bg, conn, k)
		}
	}
	if !l.e.sharedLocks() {
		return release, nil
	}
	for _, k := range keys {
		err := l.wait(ctx, k, func() (bool, error) { return l.e.trySessionLock(ctx, conn, k) })
		if err != nil {
			release()
			return nil, err
		}
		taken = append(taken, k)
	}
	return release, nil
}

// Tx takes keys in order inside tx. PostgreSQL's keys are freed by the
// commit or rollback, even if ferry dies; where transaction locks are
// session locks (MySQL), free them with ReleaseTx once the transaction
// ended. SQLite takes nothing: its write lock serialises writers.
func (l *Locker) Tx(ctx context.Context, tx *sql.Tx, keys []string) error {
	for _, k := range keys {
		if err := l.wait(ctx, k, func() (bool, error) { return l.e.tryTxLock(ctx, tx, k) }); err != nil {
			return err
		}
	}
	return nil
}

// ReleaseTx frees keys Tx took on conn, the connection the transaction ran
// on, where they outlive the transaction (MySQL); it does nothing
// elsewhere.
func (l *Locker) ReleaseTx(ctx context.Context, conn *sql.Conn, keys []string) error {
	if !l.e.txLocksAreSessionLocks() {
		return nil
	}
	var errs []error
	for _, k := range keys {
		if err := l.e.unlockSession(ctx, conn, k); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// BeforeTx prepares a transaction that must hold keys: where locks belong
// to the session (MySQL) it takes them on conn now, so that they hold across
// statements that commit on their own, and returns their release; elsewhere
// it does nothing and InTx takes them inside the transaction.
//
// Every lock function of Locker returns a *LockTimeoutError when a key
// stayed taken, a *KeyError when the server failed, or ctx's error.
func (l *Locker) BeforeTx(ctx context.Context, conn *sql.Conn, keys []string) (release func(context.Context) error, err error) {
	if !l.e.txLocksAreSessionLocks() {
		return func(context.Context) error { return nil }, nil
	}
	if _, err := l.Session(ctx, conn, keys); err != nil {
		return nil, err
	}
	return func(ctx context.Context) error { return l.ReleaseTx(ctx, conn, keys) }, nil
}

// InTx takes keys inside tx where BeforeTx did not take them.
func (l *Locker) InTx(ctx context.Context, tx *sql.Tx, keys []string) error {
	if l.e.txLocksAreSessionLocks() {
		return nil
	}
	return l.Tx(ctx, tx, keys)
}

// FileLockError is a file lock that could not be taken for a reason other
// than another holder.
type FileLockError struct {
	Path string
	Err  error
}

func (e *FileLockError) Error() string { return fmt.Sprintf("lock %s: %v", e.Path, e.Err) }
func (e *FileLockError) Unwrap() error { return e.Err }

// File takes an exclusive lock on the file at path (created if missing),
// waiting as the policy says, for engines whose locks other processes
// cannot see. The kernel frees it if ferry dies. It returns an error from
// opening the file as is, a *FileLockError when the lock call fails, and a
// *LockTimeoutError whose key is path.
func (l *Locker) File(ctx context.Context, path string) (release func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	err = l.wait(ctx, path, func() (bool, error) {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if errors.Is(err, unix.EWOULDBLOCK) {
			return false, nil
		}
		return err == nil, err
	})
	if ke, ok := err.(*KeyError); ok {
		err = &FileLockError{Path: path, Err: ke.Err}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return func() { _ = unix.Flock(int(f.Fd()), unix.LOCK_UN); _ = f.Close() }, nil
}
