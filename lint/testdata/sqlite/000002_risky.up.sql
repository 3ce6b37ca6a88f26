ALTER TABLE users ADD COLUMN phone TEXT NOT NULL;
CREATE UNIQUE INDEX users_email ON users (email COLLATE NOCASE);
ALTER TABLE users RENAME COLUMN full_name TO display_name;
ALTER TABLE users DROP COLUMN legacy;
ALTER TABLE [audit log] RENAME TO audit_log;
DROP TABLE IF EXISTS sessions;
ALTER TABLE users ADD COLUMN nickname TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN bio TEXT;
CREATE INDEX users_org ON users (org_id);
