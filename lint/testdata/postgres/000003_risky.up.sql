-- One risky change of each kind.
ALTER TABLE users ADD COLUMN phone text NOT NULL;
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
ALTER TABLE users RENAME COLUMN full_name TO display_name;
ALTER TABLE billing.invoices DROP CONSTRAINT invoices_user_fk; -- named in 000001
ALTER TABLE users DROP CONSTRAINT users_org_id_fkey; -- named by PostgreSQL in 000001
ALTER TABLE billing.invoices DROP CONSTRAINT invoices_amount_check; -- a check: nothing to say
ALTER TABLE orgs RENAME TO organizations;
ALTER TABLE billing.invoices
  DROP COLUMN note,
  DROP COLUMN IF EXISTS legacy_ref,
  ADD COLUMN currency char(3) NOT NULL DEFAULT 'EUR';
DROP TABLE sessions;
DROP SCHEMA billing CASCADE;
