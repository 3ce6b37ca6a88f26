-- Statements that must run outside a transaction block.
CREATE TABLE big (id int, v text);
CREATE INDEX CONCURRENTLY big_id ON big (id);
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS big_v ON big (v) WHERE v <> ';';
REINDEX INDEX CONCURRENTLY big_id;
DROP INDEX CONCURRENTLY IF EXISTS big_v;
CREATE TYPE mood AS ENUM ('sad', 'ok');
ALTER TYPE mood ADD VALUE 'happy;' AFTER 'ok';
VACUUM (ANALYZE) big;
