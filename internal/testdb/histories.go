package testdb

import (
	"maps"
	"strings"
	"testing"
)

// History is a realistic migration folder of one dialect, of the kinds
// real golang-migrate projects have: files that alter golang-migrate's own
// table, use their own BEGIN/COMMIT (and LOCK inside it), drop and re-add
// foreign keys and indexes the engine named, drop columns and materialized
// views that take indexes with them, rename tables with dependent objects,
// and create functions, triggers, views and enum types.
type History struct {
	Name    string
	Dialect string
	// Files are the migration files; "{{table}}" in them stands for
	// golang-migrate's table (see Folder).
	Files map[string]string
	// Options are URL options (key, value pairs) the history is run with:
	// x-migrations-table, x-no-tx-wrap, search_path.
	Options []string
	// Setup are statements to run on a fresh database before golang-migrate
	// (a schema named in search_path).
	Setup []string
}

// Folder writes the files to a new folder and returns its path, with
// "{{table}}" replaced by golang-migrate's table of the history's options.
func (h History) Folder(t testing.TB) string {
	t.Helper()
	table := "schema_migrations"
	for i := 0; i+1 < len(h.Options); i += 2 {
		if h.Options[i] == "x-migrations-table" {
			table = h.Options[i+1]
		}
	}
	files := maps.Clone(h.Files)
	for name, body := range files {
		files[name] = strings.ReplaceAll(body, "{{table}}", table)
	}
	return WriteDir(t, files)
}

// Prepare returns a fresh database of the history's dialect with its setup
// run, and the URL (with the history's options) golang-migrate uses on it.
func (h History) Prepare(t testing.TB) (*DB, string) {
	t.Helper()
	db := New(t, h.Dialect)
	db.Exec(t, h.Setup...)
	return db, db.URLWith(h.Options...)
}

var postgresHistory = map[string]string{
	"1_init.up.sql": `CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE, mood mood);
CREATE TABLE orders (id serial PRIMARY KEY, user_id int REFERENCES users (id), total numeric(10,2), note text);
CREATE INDEX ON orders (note);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.total := coalesce(NEW.total, 0);
  RETURN NEW;
END $$;
CREATE TRIGGER orders_touch BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION touch();
CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;
`,
	"1_init.down.sql":           "DROP VIEW big_orders;\nDROP TABLE orders;\nDROP TABLE users;\nDROP FUNCTION touch();\nDROP TYPE mood;\n",
	"2_data_version.up.sql":     "ALTER TABLE {{table}} ADD COLUMN data_version int;\n",
	"2_data_version.down.sql":   "ALTER TABLE {{table}} DROP COLUMN data_version;\n",
	"3_audit_locked.up.sql":     "BEGIN;\nCREATE TABLE audit (id int, at timestamptz DEFAULT now());\nLOCK audit IN EXCLUSIVE MODE;\nCOMMIT;\n",
	"3_audit_locked.down.sql":   "DROP TABLE audit;\n",
	"4_readd_fk.up.sql":         "ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;\nALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;\n",
	"4_readd_fk.down.sql":       "ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;\nALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id);\n",
	"5_implicit_drops.up.sql":   "CREATE MATERIALIZED VIEW order_totals AS SELECT user_id, sum(total) AS total FROM orders GROUP BY user_id;\nCREATE UNIQUE INDEX ON order_totals (user_id);\nDROP VIEW big_orders;\nALTER TABLE orders DROP COLUMN note;\nDROP MATERIALIZED VIEW order_totals;\n",
	"5_implicit_drops.down.sql": "ALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX ON orders (note);\nCREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;\n",
	"6_rename.up.sql":           "ALTER TABLE users RENAME TO accounts;\nALTER INDEX users_email_key RENAME TO accounts_email_key;\nUPDATE {{table}} SET data_version = 6;\n",
	"6_rename.down.sql":         "ALTER INDEX accounts_email_key RENAME TO users_email_key;\nALTER TABLE accounts RENAME TO users;\n",
	"7_two_blocks.up.sql":       "BEGIN;\nCREATE TABLE t1 (id int);\nCOMMIT;\nBEGIN;\nCREATE TABLE t2 (id int REFERENCES accounts (id));\nCREATE INDEX t2_id ON t2 (id);\nCOMMIT;\n",
	"7_two_blocks.down.sql":     "DROP TABLE t2;\nDROP TABLE t1;\n",
}

var mysqlHistory = map[string]string{
	"1_init.up.sql":            "CREATE TABLE p (id int PRIMARY KEY, kind ENUM('a', 'b') NOT NULL DEFAULT 'a');\nCREATE TABLE c (id int, pid int, name varchar(50), FOREIGN KEY (pid) REFERENCES p (id));\nCREATE INDEX c_name ON c (name);\nCREATE VIEW pv AS SELECT id FROM p;\n",
	"1_init.down.sql":          "DROP VIEW pv;\nDROP TABLE c;\nDROP TABLE p;\n",
	"2_data_version.up.sql":    "ALTER TABLE {{table}} ADD COLUMN data_version int;\n",
	"2_data_version.down.sql":  "ALTER TABLE {{table}} DROP COLUMN data_version;\n",
	"3_readd_fk.up.sql":        "ALTER TABLE c DROP FOREIGN KEY c_ibfk_1;\nALTER TABLE c ADD FOREIGN KEY (pid) REFERENCES p (id);\n",
	"3_readd_fk.down.sql":      "ALTER TABLE c DROP FOREIGN KEY c_ibfk_1;\nALTER TABLE c ADD FOREIGN KEY (pid) REFERENCES p (id);\n",
	"4_drop_column.up.sql":     "ALTER TABLE c DROP COLUMN name;\n",
	"4_drop_column.down.sql":   "ALTER TABLE c ADD COLUMN name varchar(50);\nCREATE INDEX c_name ON c (name);\n",
	"5_rename.up.sql":          "RENAME TABLE c TO child;\nCREATE TRIGGER child_bi BEFORE INSERT ON child FOR EACH ROW SET NEW.id = COALESCE(NEW.id, 0);\nUPDATE {{table}} SET data_version = 5;\n",
	"5_rename.down.sql":        "DROP TRIGGER child_bi;\nRENAME TABLE child TO c;\n",
	"6_own_tx.up.sql":          "START TRANSACTION;\nINSERT INTO p (id) VALUES (1);\nCOMMIT;\nCREATE TABLE ev (id int PRIMARY KEY AUTO_INCREMENT, pid int, KEY ev_pid (pid));\n",
	"6_own_tx.down.sql":        "DROP TABLE ev;\nDELETE FROM p WHERE id = 1;\n",
	"7_unnamed_index.up.sql":   "ALTER TABLE ev ADD INDEX (pid, id);\nALTER TABLE ev ADD UNIQUE (id, pid);\n",
	"7_unnamed_index.down.sql": "ALTER TABLE ev DROP INDEX pid;\nALTER TABLE ev DROP INDEX id;\n",
}

var sqliteHistory = map[string]string{
	"1_init.up.sql":           "CREATE TABLE users (id integer PRIMARY KEY, email text UNIQUE);\nCREATE TABLE posts (id integer PRIMARY KEY, user_id int REFERENCES users (id), title text);\nCREATE INDEX posts_title ON posts (title);\n",
	"1_init.down.sql":         "DROP TABLE posts;\nDROP TABLE users;\n",
	"2_data_version.up.sql":   "ALTER TABLE {{table}} ADD COLUMN data_version int;\n",
	"2_data_version.down.sql": "ALTER TABLE {{table}} DROP COLUMN data_version;\n",
	"3_trigger_view.up.sql":   "CREATE TRIGGER posts_ai AFTER INSERT ON posts BEGIN\n  UPDATE posts SET title = upper(title) WHERE id = NEW.id;\nEND;\nCREATE VIEW titles AS SELECT title FROM posts;\n",
	"3_trigger_view.down.sql": "DROP VIEW titles;\nDROP TRIGGER posts_ai;\n",
	"4_rename.up.sql":         "ALTER TABLE posts RENAME TO articles;\nUPDATE {{table}} SET data_version = 4;\n",
	"4_rename.down.sql":       "ALTER TABLE articles RENAME TO posts;\n",
	"5_drop_column.up.sql":    "DROP VIEW titles;\nDROP TRIGGER posts_ai;\nDROP INDEX posts_title;\nALTER TABLE articles DROP COLUMN title;\n",
	"5_drop_column.down.sql":  "ALTER TABLE articles ADD COLUMN title text;\nCREATE INDEX posts_title ON articles (title);\n",
}

// Histories returns the realistic histories of a dialect, each with the
// URL options it runs under: the defaults, a custom x-migrations-table
// and, on PostgreSQL, a non-default schema (search_path); on SQLite also
// x-no-tx-wrap with a file of its own BEGIN and COMMIT.
func Histories(dialect string) []History {
	var out []History
	switch dialect {
	case Postgres:
		out = []History{
			{Name: "postgres", Files: postgresHistory},
			{Name: "postgres-custom-table", Files: postgresHistory, Options: []string{"x-migrations-table", "legacy_versions"}},
			{Name: "postgres-schema", Files: postgresHistory, Options: []string{"search_path", "app"}, Setup: []string{"CREATE SCHEMA app"}},
		}
	case MySQL:
		out = []History{
			{Name: "mysql", Files: mysqlHistory},
			{Name: "mysql-custom-table", Files: mysqlHistory, Options: []string{"x-migrations-table", "legacy_versions"}},
		}
	case SQLite:
		noWrap := maps.Clone(sqliteHistory)
		noWrap["6_own_tx.up.sql"] = "BEGIN;\nCREATE TABLE tags (id integer PRIMARY KEY, name text);\nCREATE INDEX tags_name ON tags (name);\nCOMMIT;\n"
		noWrap["6_own_tx.down.sql"] = "DROP TABLE tags;\n"
		out = []History{
			{Name: "sqlite", Files: sqliteHistory},
			{Name: "sqlite-custom-table", Files: sqliteHistory, Options: []string{"x-migrations-table", "legacy_versions"}},
			{Name: "sqlite-no-tx-wrap", Files: noWrap, Options: []string{"x-no-tx-wrap", "true"}},
		}
	}
	for i := range out {
		out[i].Dialect = dialect
	}
	return out
}

// ThreeVersions returns a new map of a small clean history that every
// dialect runs: three timestamped versions (users, a column, orders), each
// with its down file.
func ThreeVersions() map[string]string {
	return map[string]string{
		"20240101090000_create_users.up.sql":     "CREATE TABLE users (id integer PRIMARY KEY, email varchar(100) NOT NULL);\nCREATE INDEX users_email ON users (email);\n",
		"20240101090000_create_users.down.sql":   "DROP TABLE users;\n",
		"20240102090000_add_users_name.up.sql":   "ALTER TABLE users ADD COLUMN name varchar(100);\n",
		"20240102090000_add_users_name.down.sql": "ALTER TABLE users DROP COLUMN name;\n",
		"20240103090000_add_orders.up.sql":       "CREATE TABLE orders (id integer PRIMARY KEY, user_id integer);\n",
		"20240103090000_add_orders.down.sql":     "DROP TABLE orders;\n",
	}
}
