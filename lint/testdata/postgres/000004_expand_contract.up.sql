-- Done the careful way: nothing to report.

-- A new column, backfilled, then NOT NULL.
ALTER TABLE users ADD COLUMN nickname text;
UPDATE users SET nickname = display_name WHERE nickname IS NULL;
ALTER TABLE users ALTER COLUMN nickname SET NOT NULL;

-- A rename that keeps the old name working through a view.
ALTER TABLE users RENAME TO accounts;
CREATE VIEW users AS SELECT * FROM accounts;

-- A rename whose old name comes back as a new column.
ALTER TABLE accounts RENAME COLUMN phone TO phone_e164;
ALTER TABLE accounts ADD COLUMN phone text;

-- A table that lives only in this file.
CREATE TABLE tmp_import (id int, payload jsonb);
ALTER TABLE tmp_import ADD COLUMN batch int NOT NULL;
CREATE UNIQUE INDEX ON tmp_import (id);
ALTER TABLE tmp_import RENAME COLUMN payload TO body, DROP COLUMN batch;
DROP TABLE tmp_import;
