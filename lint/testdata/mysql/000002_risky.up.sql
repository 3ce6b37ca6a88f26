# Several changes in one ALTER TABLE: each is reported.
ALTER TABLE users
  ADD COLUMN phone VARCHAR(20) NOT NULL AFTER email,
  ADD UNIQUE KEY uk_email (email),
  MODIFY COLUMN full_name VARCHAR(300) NOT NULL, -- already NOT NULL: nothing to say
  CHANGE email email_address VARCHAR(255) NOT NULL,
  DROP COLUMN status,
  DROP FOREIGN KEY users_ibfk_1;

ALTER TABLE invoices DROP FOREIGN KEY fk_invoices_user, DROP INDEX fk_invoices_user;
RENAME TABLE invoices TO bills;
CREATE UNIQUE INDEX uk_bills_user USING BTREE ON bills (user_id, amount);
DROP TABLE IF EXISTS orgs_backup;
DROP DATABASE IF EXISTS analytics;
