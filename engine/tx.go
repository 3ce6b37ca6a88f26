package engine

import "database/sql"

// txRules are what one engine's transactions can hold and how they see
// other sessions' writes.
type txRules interface {
	// name is the engine's name for people.
	name() string
	// embedded reports a database that is a file opened in-process, with
	// no server (SQLite).
	embedded() bool
	// currentDatabase is the query naming the session's database where
	// the server's name may differ from the URL's; empty elsewhere.
	currentDatabase() string
	quote(ident string) string
	placeholder(n int) string
	// commitsImplicitly reports a statement the engine commits on its own
	// (MySQL's DDL), so that a transaction around it buys nothing.
	commitsImplicitly(text string) bool
	// ddlCommits reports an engine whose DDL commits on its own.
	ddlCommits() bool
	// noTxRunsAlone reports an engine that refuses statements sqlsplit
	// marks KindNoTx inside a transaction (PostgreSQL's CREATE INDEX
	// CONCURRENTLY, ...).
	noTxRunsAlone() bool
	readOnlyTx() bool
	// lockedTxIsolation is the isolation a transaction needs to see what
	// committed while it waited for a lock taken inside it.
	lockedTxIsolation() sql.IsolationLevel
	// batchesBookkeeping reports an engine whose bookkeeping writes run
	// as one multi-statement round trip (START TRANSACTION ... COMMIT)
	// on the session instead of a database/sql transaction.
	batchesBookkeeping() bool
}

// Name names d for people: PostgreSQL, MySQL/MariaDB, SQLite.
func (d Dialect) Name() string { return d.engine().name() }

// Embedded reports whether d's database is a file opened in-process, with
// no server (SQLite): opening a missing path creates it, and scratch
// databases live in memory.
func (d Dialect) Embedded() bool { return d.engine().embedded() }

// CurrentDatabaseQuery returns the query naming the session's database
// where the server's name may differ from the URL's (PostgreSQL), or "".
func (d Dialect) CurrentDatabaseQuery() string { return d.engine().currentDatabase() }

// DDLCommits reports whether d commits DDL on its own (MySQL): a
// transaction cannot hold a schema change, and the CREATE of a table
// before a transaction must run outside it.
func (d Dialect) DDLCommits() bool { return d.engine().ddlCommits() }

// CommitsImplicitly reports a statement d commits on its own.
func (d Dialect) CommitsImplicitly(text string) bool { return d.engine().commitsImplicitly(text) }

// NoTxRunsAlone reports whether d refuses, inside a transaction, the
// statements sqlsplit marks KindNoTx: they run alone.
func (d Dialect) NoTxRunsAlone() bool { return d.engine().noTxRunsAlone() }

// ReadOnlyTxOptions returns the options of a read-only transaction on d:
// READ ONLY where the engine has it (not SQLite).
func (d Dialect) ReadOnlyTxOptions() *sql.TxOptions {
	if !d.engine().readOnlyTx() {
		return nil
	}
	return &sql.TxOptions{ReadOnly: true}
}

// LockedTxOptions returns the options of a transaction that takes its
// locks with Locker.BeforeTx and Locker.InTx and then re-reads what it
// planned from: READ COMMITTED on PostgreSQL, whose locks are taken inside
// the transaction (a snapshot would predate the wait); the default
// elsewhere (MySQL takes the lock before the transaction begins; SQLite
// has no isolation levels).
func (d Dialect) LockedTxOptions() *sql.TxOptions {
	return &sql.TxOptions{Isolation: d.engine().lockedTxIsolation()}
}

// BatchesBookkeeping reports whether ferry writes its bookkeeping on d as
// one multi-statement round trip inside START TRANSACTION ... COMMIT, on
// the session, instead of in a database/sql transaction (MySQL).
func (d Dialect) BatchesBookkeeping() bool { return d.engine().batchesBookkeeping() }
