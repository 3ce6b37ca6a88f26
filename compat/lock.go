package compat

import (
	"hash/crc32"
	"strconv"
	"strings"
)

// lockSalt is the multiplier golang-migrate applies to its CRC32 lock keys.
const lockSalt uint32 = 1486364155

// advisoryLockID computes golang-migrate's lock key: CRC32 (IEEE) of the
// names joined with NUL, with the database name last, times the salt, modulo
// 2^32, as a decimal string.
func advisoryLockID(database string, names ...string) string {
	s := database
	if len(names) > 0 {
		s = strings.Join(append(append([]string{}, names...), database), "\x00")
	}
	return strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte(s))*lockSalt), 10)
}

// LockKey is one advisory lock key golang-migrate may hold for a database.
type LockKey struct {
	Key  string `json:"key"`  // decimal; pg_advisory_lock(key) or GET_LOCK(key, ...)
	Form string `json:"form"` // which golang-migrate setup uses it
}

// PostgresLockKeys returns the keys of golang-migrate's PostgreSQL advisory
// lock on table schema.table: the CLI and URL form, where the database name
// is the URL path with its leading "/" (when urlPath is not empty), and the
// embedded-library form (postgres.WithInstance), where it is
// current_database().
func PostgresLockKeys(currentDatabase, urlPath, schema, table string) []LockKey {
	var keys []LockKey
	if urlPath != "" {
		keys = append(keys, LockKey{Key: advisoryLockID(urlPath, schema, table), Form: "url"})
	}
	lib := LockKey{Key: advisoryLockID(currentDatabase, schema, table), Form: "library"}
	if len(keys) == 0 || keys[0].Key != lib.Key {
		keys = append(keys, lib)
	}
	return keys
}

// PostgresTableLockKey returns the lock_id golang-migrate's pgx (v4) driver
// writes into its lock table with x-lock-strategy=table.
func PostgresTableLockKey(urlPathOrDatabase string) string {
	return advisoryLockID(urlPathOrDatabase)
}

// MySQLLockName returns the name golang-migrate passes to GET_LOCK for table
// in database.
func MySQLLockName(database, table string) string {
	return advisoryLockID(database + ":" + table)
}
