package testdb

// FailingInsert fails on every engine: its table does not exist.
const FailingInsert = "INSERT INTO nosuch (id) VALUES (1);"

// DirtyOrders is version 2 of the dirty-database scenario that convert's
// and the CLI's tests share, one statement a line, as golang-migrate ran it:
// it creates orders, records a setting in settings (version 1's table), fails
// at FailingInsert and never reaches the index on orders. With ownTx the
// file holds two transactions of its own (PostgreSQL): the first block
// commits, the second fails and rolls back. The slice is new on every call.
func DirtyOrders(ownTx bool) []string {
	if ownTx {
		return []string{
			"BEGIN;",
			"CREATE TABLE orders (id integer PRIMARY KEY, user_id integer NOT NULL);",
			"INSERT INTO settings (k, v) VALUES ('orders', 'on');",
			"COMMIT;",
			"BEGIN;",
			"CREATE INDEX orders_user ON orders (user_id);",
			FailingInsert,
			"COMMIT;",
		}
	}
	return []string{
		"CREATE TABLE orders (id integer PRIMARY KEY, user_id integer NOT NULL);",
		"INSERT INTO settings (k, v) VALUES ('orders', 'on');",
		FailingInsert,
		"CREATE INDEX orders_user ON orders (user_id);",
	}
}
