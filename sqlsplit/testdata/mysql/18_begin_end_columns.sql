-- Columns named begin and end: backticked, and bare (MariaDB allows it).
CREATE TABLE be (`begin` int, `end` int, begin_at datetime, end_at datetime);
ALTER TABLE be ADD COLUMN begin_note varchar(10);
ALTER TABLE be ADD COLUMN `END;` int;
INSERT INTO be (`begin`, `end`) VALUES (1, 2);
CREATE TABLE bare (id int);
ALTER TABLE bare ADD COLUMN begin int;
ALTER TABLE bare ADD COLUMN end int;
INSERT INTO bare (id, begin, end) VALUES (1, 2, 3);
UPDATE bare SET begin = begin + 1, end = end + 1 WHERE id = 1;
SELECT begin FROM bare;
SELECT end FROM bare;
CREATE TRIGGER bare_bi BEFORE INSERT ON bare FOR EACH ROW
BEGIN
  SET NEW.begin = coalesce(NEW.begin, 0);
  SET NEW.end = NEW.begin + 1;
END;
INSERT INTO bare (id) VALUES (2);
CREATE PROCEDURE bare_p()
BEGIN
  UPDATE bare SET begin = begin + 1, end = end + 1;
  SELECT begin, end FROM bare WHERE end > begin;
  INSERT INTO bare (id, begin, end) SELECT id + 10, end, begin FROM bare WHERE id = 1;
END;
CALL bare_p();
