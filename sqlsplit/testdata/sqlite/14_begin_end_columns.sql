-- BEGIN and END fall back to identifiers in SQLite.
CREATE TABLE be (id int);
ALTER TABLE be ADD COLUMN begin int;
ALTER TABLE be ADD COLUMN end int;
INSERT INTO be (id, begin, end) VALUES (1, 2, 3);
UPDATE be SET begin = begin + 1, end = end + 1;
SELECT begin FROM be;
SELECT end FROM be;
CREATE TRIGGER be_ai AFTER INSERT ON be
BEGIN
  UPDATE be SET end = NEW.begin + 1 WHERE id = NEW.id;
  UPDATE be SET begin = begin + 1 WHERE end > 0 AND id = NEW.id;
  SELECT begin, end FROM be WHERE end > begin;
END;
INSERT INTO be (id, begin) VALUES (2, 5);
