-- Safe changes: nullable or defaulted columns, new tables and their indexes.
ALTER TABLE users ADD COLUMN last_seen timestamptz;
ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;
ALTER TABLE users ADD COLUMN seq bigserial NOT NULL;

CREATE TABLE sessions (
  id uuid PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id)
);
CREATE UNIQUE INDEX sessions_user_idx ON sessions (user_id);
ALTER TABLE sessions ADD COLUMN token text NOT NULL;

COMMENT ON TABLE users IS 'DROP TABLE users; is only text here';

CREATE FUNCTION purge() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE 'DROP TABLE sessions';
  DROP TABLE IF EXISTS scratch;
END
$$;
