-- ferry:nolint DS102

-- The legacy tables were emptied by a job before this release.
DROP TABLE IF EXISTS legacy_events;
DROP TABLE IF EXISTS legacy_audit;

-- atlas:nolint DS103
ALTER TABLE accounts DROP COLUMN last_seen, ADD COLUMN region text NOT NULL;

/* ferry:nolint */
ALTER TABLE accounts RENAME COLUMN email TO email_address;

ALTER TABLE accounts DROP COLUMN created_at; -- ferry:nolint (too late: trails the statement)
-- atlas:nolint incompatible
ALTER TABLE organizations RENAME TO orgs;
