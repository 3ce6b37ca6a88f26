-- ferry:nolint DS102

-- A table that lives only in this file.
CREATE TABLE import_batches (id INT NOT NULL, payload JSON NOT NULL);
ALTER TABLE import_batches ADD COLUMN seq INT NOT NULL, ADD UNIQUE (id);
DROP TABLE import_batches;
DROP TEMPORARY TABLE IF EXISTS scratch;

-- Suppressed for the whole file.
DROP TABLE old_users;

-- Backfilled first.
UPDATE bills SET note = '' WHERE note IS NULL;
ALTER TABLE bills MODIFY note TEXT NOT NULL;

# atlas:nolint BC102
ALTER TABLE users RENAME COLUMN phone TO phone_number;

ALTER TABLE users ALGORITHM=INPLACE, LOCK=NONE, ADD COLUMN nickname VARCHAR(50) NULL;
/*!80000 ALTER TABLE users DROP COLUMN note */;
ALTER TABLE users MODIFY nickname VARCHAR(50) NOT NULL;
