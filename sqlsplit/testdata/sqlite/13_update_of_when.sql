CREATE TABLE acct (id integer PRIMARY KEY, balance int, log text DEFAULT '');
CREATE TRIGGER acct_bu BEFORE UPDATE OF balance ON acct
FOR EACH ROW WHEN NEW.balance < 0 OR (NEW.balance > 1000 AND OLD.balance < 1000)
BEGIN
  SELECT RAISE(IGNORE) WHERE NEW.balance > 1000000;
  SELECT RAISE(FAIL, 'overdrawn; refused') WHERE NEW.balance < -100;
  UPDATE acct SET log = log || 'changed;' WHERE id = NEW.id;
END;
INSERT INTO acct (id, balance) VALUES (1, 10);
UPDATE acct SET balance = -5 WHERE id = 1;
