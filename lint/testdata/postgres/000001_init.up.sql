-- Initial schema.
CREATE SCHEMA IF NOT EXISTS billing;

CREATE TABLE orgs (
  id bigserial PRIMARY KEY,
  name text NOT NULL
);

CREATE TABLE users (
  id bigserial PRIMARY KEY,
  org_id bigint NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  email text,
  full_name text NOT NULL,
  legacy_ref text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE billing.invoices (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL,
  amount numeric(12, 2) NOT NULL,
  note text,
  CONSTRAINT invoices_user_fk FOREIGN KEY (user_id) REFERENCES users (id),
  CONSTRAINT invoices_amount_check CHECK (amount >= 0)
);

CREATE INDEX users_email_idx ON users (email);
